"""Tests of domain.search_keys and domain.kanji_variants (標準仕様書 2.1.2 検索文字入力)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import kanji_variants
from domain.search_keys import (
    kana_key,
    kana_substring_keys,
    kanji_key,
    latin_key,
    split_name,
)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

KATAKANA_LETTERS = [chr(cp) for cp in range(0x30A1, 0x30F7)]  # ァ..ヶ incl. ヴ
KANA_ALPHABET = KATAKANA_LETTERS + ["ー", "ヷ", "ヸ", "ヹ", "ヺ"]


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in text)


def _halfwidth_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0xFF61, 0xFFA0):
        half = chr(cp)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1 and "\u30a1" <= full <= "\u30fc":
            table.setdefault(full, half)
    # voiced / semi-voiced: ガ -> ｶﾞ, パ -> ﾊﾟ, ヴ -> ｳﾞ, ヷ -> ﾜﾞ
    for cp in range(0x30A1, 0x30FB):
        ch = chr(cp)
        nfd = unicodedata.normalize("NFD", ch)
        if len(nfd) == 2 and nfd[0] in table:
            table[ch] = table[nfd[0]] + ("ﾞ" if nfd[1] == "\u3099" else "ﾟ")
    return table


HALFWIDTH = _halfwidth_table()


def to_halfwidth(text: str) -> str:
    return "".join(HALFWIDTH.get(c, c) for c in text)


def to_fullwidth_ascii(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def same_kana(a: str, b: str) -> bool:
    return kana_key(a) == kana_key(b)


# ---------------------------------------------------------------------------
# kana_key: the examples of j330
# ---------------------------------------------------------------------------

J330_PAIRS = [
    # 清音・濁音・半濁音
    ("ヂ", "ジ"),
    ("ズ", "ヅ"),
    ("ワ", "ハ"),
    ("ヴァ", "バ"),
    ("ヴィ", "ビ"),
    ("ヴ", "ブ"),
    ("オ", "ヲ"),
    ("ヒ", "ピ"),
    # 拗音・促音の小文字と大文字
    ("ッ", "ツ"),
    ("ャ", "ヤ"),
    ("ュ", "ユ"),
    ("ョ", "ヨ"),
]


@pytest.mark.parametrize(("a", "b"), J330_PAIRS)
def test_j330_pairs_match_alone_and_inside_names(a: str, b: str) -> None:
    assert same_kana(a, b)
    assert same_kana(f"カ{a}ミ", f"カ{b}ミ")
    assert same_kana(f"ヤマダ {a}ナ", f"ヤマダ{b}ナ")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("チヂワ", "チジワ"),
        ("ミヅノ", "ミズノ"),
        ("ヴェルディ", "ベルディ"),
        ("ヴォルフ", "ボルフ"),
        ("ハットリ", "ハツトリ"),
        ("キャロル", "キヤロル"),
        ("シュウイチ", "シユウイチ"),
        ("ショウコ", "シヨウコ"),
        ("ヰヅツ", "イズツ"),
        ("ヱビナ", "エビナ"),
        ("カ\u30f7", "カバ"),  # ヷ
        ("ヸ", "ビ"),
        ("ヹ", "ベ"),
        ("ヺ", "ボ"),
        ("ガ", "カ"),
        ("パク", "ハク"),
        ("バク", "ハク"),
        ("ワタナベ", "ハタナヘ"),
    ],
)
def test_more_fuzzy_pairs(a: str, b: str) -> None:
    assert same_kana(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("コウノ", "コオノ"),
        ("サトウ", "サトオ"),
        ("オウタ", "オオタ"),
        ("ヨウコ", "ヨオコ"),
        ("リョウ", "リヨオ"),
        ("ゴウダ", "ゴオダ"),
        ("ボウ", "ホオ"),
        ("ポウ", "ホオ"),
        ("ソウマ", "ソオマ"),
        ("トウドウ", "トオドオ"),
        ("ノウミ", "ノオミ"),
        ("モウリ", "モオリ"),
        ("ロウ", "ロオ"),
        ("ヲウ", "オオ"),
        ("ヴォウ", "ボオ"),
        ("オウウ", "オオオ"),
    ],
)
def test_u_after_o_dan_becomes_o(a: str, b: str) -> None:
    assert same_kana(a, b)


def test_u_not_after_o_dan_and_leading_u_stay() -> None:
    assert not same_kana("ウエダ", "オエダ")  # position 1 keeps its ウ
    assert kana_key("ウエダ").startswith("ウ")
    assert not same_kana("カウ", "カオ")  # ア段 + ウ is not folded
    assert not same_kana("キウチ", "キオチ")
    assert not same_kana("スウ", "スオ")


def test_long_vowel_mark_equals_the_vowel_spelled_out() -> None:
    assert same_kana("オータ", "オオタ") and same_kana("オウタ", "オオタ")
    assert same_kana("サトー", "サトウ") and same_kana("サイトー", "サイトウ")
    assert same_kana("ユーコ", "ユウコ")
    assert same_kana("ルーシー", "ルウシイ")
    assert same_kana("ジロー", "ジロウ")
    # 大野 and 小野 stay apart: the mark is read as a vowel, not dropped
    assert not same_kana("オーノ", "オノ") and same_kana("オーノ", "オオノ")
    assert same_kana("ンー", "ン")


DASHES = ["ー", "―", "－", "‐", "ｰ", "-", "‒", "–", "—", "⁃", "−", "〜", "～", "~", "‑", "﹣"]


@pytest.mark.parametrize("dash", DASHES)
def test_each_long_vowel_look_alike_is_ignored(dash: str) -> None:
    assert kana_key(f"オ{dash}タ") == kana_key("オオタ")
    assert kana_key(f"ス{dash}ザン") == kana_key("スーザン")


def test_half_and_full_width_spaces_and_no_space() -> None:
    assert kana_key("ヤマダ　タロウ") == kana_key("ヤマダ タロウ") == kana_key("ヤマダタロウ")
    assert kana_key(" ヤマダ  　タロウ ") == kana_key("ヤマダタロウ")


def test_hiragana_equals_katakana() -> None:
    assert same_kana("さいとう", "サイトウ")
    assert same_kana("ゔぁいおりん", "ヴァイオリン")
    assert same_kana("ゕゖ", "ヵヶ")


@pytest.mark.parametrize(
    ("half", "full"),
    [
        ("ｻｲﾄｳ", "サイトウ"),
        ("ﾀﾞｲｽｹ", "ダイスケ"),
        ("ﾊﾟｸ", "パク"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ｷｬﾛﾙ ｽﾐｽ", "キャロル　スミス"),
        ("ｵｰﾀ", "オータ"),
    ],
)
def test_half_width_katakana(half: str, full: str) -> None:
    assert kana_key(half) == kana_key(full)


def test_separate_voicing_marks_compose() -> None:
    assert kana_key("ウ゛ァ") == kana_key("ヴァ") == kana_key("バ")
    assert kana_key("ハ゜ク") == kana_key("パク")


def test_iteration_marks_repeat_the_letter() -> None:
    assert same_kana("サヽキ", "ササキ")
    assert same_kana("さゝき", "ササキ")
    assert same_kana("スヾキ", "ススキ")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("サトウ", "サイトウ"),
        ("タナカ", "ナカタ"),
        ("ウエダ", "オエダ"),
        ("チ", "ヂ"),  # ヂ is folded onto ジ, not チ (see module docstring)
        ("ツ", "ヅ"),
        ("シ", "チ"),
        ("ス", "ツ"),
        ("ファ", "ハ"),
        ("カトウ", "カトウタ"),
        ("イトウ", "イドウエ"),
    ],
)
def test_pairs_that_must_not_match(a: str, b: str) -> None:
    assert not same_kana(a, b)


def test_key_keeps_only_katakana_letters() -> None:
    assert kana_key("ヤマダ・タロウ、。（株）ABC123") == kana_key("ヤマダタロウ")
    assert kana_key("") == ""
    assert kana_key("　ー・") == ""


def test_given_name_only_keys() -> None:
    family, given = split_name("ヤマダ　タロウ")
    assert (family, given) == ("ヤマダ", "タロウ")
    assert kana_key(given) == kana_key("たろう")
    assert kana_key(family) == kana_key("ﾔﾏﾀﾞ")
    assert kana_key(given) in kana_key("ヤマダ　タロウ")


def test_substring_keys_cover_the_u_rule() -> None:
    stored = kana_key("オウタ ハナコ")
    assert kana_key("ウタ") not in stored
    assert any(k in stored for k in kana_substring_keys("ウタ"))
    assert any(k in kana_key("ウタコ") for k in kana_substring_keys("ウタ"))
    assert kana_substring_keys("タロウ") == (kana_key("タロウ"),)
    stored2 = kana_key("ヤマモト ウタ")
    assert any(k in stored2 for k in kana_substring_keys("うた"))


# ---------------------------------------------------------------------------
# kana_key: properties
# ---------------------------------------------------------------------------

def vowel_of(ch: str) -> str:
    """The vowel a katakana letter ends in, from its Unicode name (KATAKANA LETTER SMALL KA → ア)."""
    last = unicodedata.name(ch).split()[-1][-1]
    return {"A": "ア", "I": "イ", "U": "ウ", "E": "エ", "O": "オ"}.get(last, "")


kana_text = st.lists(st.sampled_from(KANA_ALPHABET), max_size=12).map("".join)


@given(st.text(max_size=30))
def test_kana_key_idempotent_on_any_text(text: str) -> None:
    key = kana_key(text)
    assert kana_key(key) == key


@given(kana_text)
def test_kana_key_idempotent_on_kana(text: str) -> None:
    key = kana_key(text)
    assert kana_key(key) == key
    assert set(key) <= set("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロン")


@given(kana_text, st.data())
def test_kana_key_ignores_inserted_spaces(text: str, data: st.DataObject) -> None:
    chars = list(text)
    for _ in range(data.draw(st.integers(0, 4))):
        pos = data.draw(st.integers(0, len(chars)))
        chars.insert(pos, data.draw(st.sampled_from([" ", "\u3000", "  "])))
    assert kana_key("".join(chars)) == kana_key(text)


@given(kana_text)
def test_kana_key_ignores_hiragana_katakana(text: str) -> None:
    assert kana_key(to_hiragana(text)) == kana_key(text)


@given(kana_text)
def test_kana_key_ignores_half_full_width(text: str) -> None:
    assert kana_key(to_halfwidth(text)) == kana_key(text)


@given(kana_text)
def test_kana_key_ignores_small_large(text: str) -> None:
    small_to_large = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
    assert kana_key(text.translate(small_to_large)) == kana_key(text)


@given(kana_text)
def test_kana_key_reads_long_vowel_marks_as_the_vowel(text: str) -> None:
    text = re.sub("ー+", "ー", text)
    spelled = re.sub("([ァ-ヺ])ー", lambda m: m.group(1) + vowel_of(m.group(1)), text)
    assert kana_key(spelled) == kana_key(text)


# ---------------------------------------------------------------------------
# kanji_key
# ---------------------------------------------------------------------------

NAME_VARIANT_EQUALITIES = [
    ("髙橋", "高橋"),
    ("渡邊", "渡邉", "渡辺", "渡边", "渡𨘢"),
    ("濱田", "浜田", "濵田", "滨田"),
    ("齋藤", "斎藤", "齊藤", "斉藤", "斎䕨", "斎籘", "斎籐"),
    ("山﨑", "山崎", "山嵜"),
    ("吉田", "\U00020bb7田"),
    ("柳", "栁"),
    ("德", "徳"),
    ("惠", "恵"),
    ("廣", "広"),
    ("國", "国"),
    ("澤", "沢"),
    ("邊", "辺"),
    ("櫻", "桜"),
    ("龍", "竜"),
    ("淵", "渕", "渊"),
    ("曾", "曽"),
    ("嶋", "島", "嶌"),
    ("冨", "富"),
    ("槇", "槙"),
    ("隆", "\uf9dc"),
    ("崎", "\ufa11"),
]


@pytest.mark.parametrize("forms", NAME_VARIANT_EQUALITIES, ids=lambda forms: forms[0])
def test_kanji_name_variants(forms: tuple[str, ...]) -> None:
    keys = {kanji_key(f) for f in forms}
    assert len(keys) == 1, {f: kanji_key(f) for f in forms}


# The 旧字体 -> 新字体 pairs of the issue (old form first).
OLD_NEW_PAIRS = """
亞亜 惡悪 壓圧 圍囲 醫医 爲為 壹壱 隱隠 榮栄 營営 衞衛 驛駅 圓円 鹽塩 櫻桜 奧奥 假仮 價価 畫画 會会 壞壊 懷懐
擴拡 覺覚 學学 嶽岳 樂楽 勸勧 卷巻 歡歓 關関 觀観 氣気 歸帰 僞偽 戲戯 犧犠 舊旧 據拠 擧挙 峽峡 挾挟 狹狭 曉暁
區区 驅駆 勳勲 徑径 惠恵 溪渓 經経 繼継 莖茎 螢蛍 輕軽 鷄鶏 藝芸 缺欠 儉倹 劍剣 圈圏 檢検 權権 獻献 縣県 險険
顯顕 驗験 嚴厳 效効 廣広 恆恒 鑛鉱 號号 國国 濟済 碎砕 齋斎 劑剤 册冊 雜雑 參参 慘惨 棧桟 蠶蚕 贊賛 殘残 絲糸
齒歯 兒児 辭辞 濕湿 實実 寫写 釋釈 壽寿 收収 從従 澁渋 獸獣 縱縦 肅粛 處処 緖緒 敍叙 將将 燒焼 稱称 證証 乘乗
剩剰 壤壌 孃嬢 條条 淨浄 疊畳 讓譲 釀醸 觸触 寢寝 愼慎 眞真 盡尽 圖図 粹粋 醉酔 隨随 髓髄 數数 樞枢 瀨瀬 聲声
靜静 齊斉 攝摂 竊窃 專専 戰戦 淺浅 潛潜 纖繊 踐践 錢銭 禪禅 雙双 壯壮 搜捜 插挿 爭争 總総 聰聡 莊荘 裝装 騷騒
藏蔵 臟臓 屬属 續続 墮堕 體体 對対 帶帯 滯滞 臺台 瀧滝 擇択 澤沢 擔担 單単 膽胆 團団 彈弾 斷断 癡痴 遲遅 晝昼
蟲虫 鑄鋳 廳庁 聽聴 鎭鎮 遞逓 鐵鉄 轉転 點点 傳伝 黨党 盜盗 燈灯 當当 鬭闘 德徳 獨独 讀読 屆届 貳弐 惱悩 腦脳
廢廃 拜拝 賣売 麥麦 發発 髮髪 拔抜 蠻蛮 祕秘 濱浜 甁瓶 拂払 佛仏 倂併 竝並 變変 邊辺 辨弁 瓣弁 辯弁 舖舗 穗穂
寶宝 萠萌 襃褒 豐豊 沒没 飜翻 每毎 萬万 滿満 默黙 彌弥 譯訳 藥薬 與与 豫予 餘余 譽誉 搖揺 樣様 謠謡 來来 賴頼
亂乱 覽覧 龍竜 兩両 獵猟 綠緑 壘塁 淚涙 勵励 禮礼 隸隷 靈霊 齡齢 戀恋 爐炉 勞労 樓楼 錄録 灣湾
""".split()

# 人名 variants of the issue: every character of a token gets one key.
# Compatibility ideographs are written as escapes so that editors cannot fold them.
NAME_VARIANT_TOKENS = [
    "髙高", "\ufa11崎嵜", "邉邊辺", "齋齊斎斉", "濵濱浜", "栁柳", "槇槙", "嶋島嶌", "冨富",
    "淵渕渊", "曾曽", "蘆芦", "鷗鴎", "\ufa14欅", "塚\ufa10", "德徳", "惠恵", "琢\ufa4a",
    "祐\ufa4f", "禎\ufa53", "福\ufa1b", "諸\ufa22", "都\ufa26", "逸\ufa67", "隆\uf9dc",
    "神\ufa19", "祥\ufa1a", "館舘", "峯峰", "嵜崎", "桒桑", "舩船", "埜野", "嶌島", "竒奇",
    "籠篭", "穐秋", "嶺岺", "杦杉", "啓啟", "亀龜",
]


@pytest.mark.parametrize("pair", OLD_NEW_PAIRS)
def test_old_and_new_forms_match(pair: str) -> None:
    old, new = pair
    assert old != new
    assert kanji_key(old) == kanji_key(new) == kanji_variants.representative(new)
    # the new form is the representative, except 斉, which shares 斎's group (齋藤/齊藤/斉藤/斎藤)
    assert kanji_key(new) == new or new == "斉"


@pytest.mark.parametrize("token", NAME_VARIANT_TOKENS)
def test_name_variant_tokens_match(token: str) -> None:
    assert len({kanji_key(c) for c in token}) == 1


def test_j330_kanji_examples() -> None:
    assert kanji_variants.variants_of("辺") >= set("邊边邉\U00028622")
    assert kanji_variants.variants_of("浜") >= set("濱頻濵滨")
    assert kanji_variants.variants_of("藤") >= set("䕨籘籐")
    assert kanji_variants.variants_of("邊") == kanji_variants.variants_of("辺")


def test_ivs_and_variation_selectors_are_removed() -> None:
    assert kanji_key("葛\U000e0100城") == kanji_key("葛城")
    assert kanji_key("辻\U000e0101本") == kanji_key("辻本")
    assert kanji_key("渡邉\U000e0103") == kanji_key("渡辺")
    assert kanji_key("禰\ufe00豆子") == kanji_key("祢豆子")
    assert kanji_key("\U000e0100") == ""


def test_kanji_key_spaces_dots_width_and_kana() -> None:
    assert kanji_key("山田　太郎") == kanji_key("山田 太郎") == kanji_key("山田太郎")
    assert kanji_key("スミス・ジョン") == kanji_key("スミス ジョン") == kanji_key("ｽﾐｽ･ｼﾞｮﾝ")
    assert kanji_key("すみす") == kanji_key("スミス")
    assert kanji_key("佐々木") == "佐々木"  # 々 stays
    assert kanji_key("一ヶ谷") == kanji_key("一ケ谷") == kanji_key("一ゖ谷")
    assert kanji_key("霞ヵ浦") == kanji_key("霞カ浦")
    assert kanji_key("１丁目２－３") == kanji_key("1丁目2-3") == kanji_key("1丁目2‐3") == kanji_key("1丁目2ー3")
    assert kanji_key("ＡＢＣ") == "ABC"


def test_kanji_key_stays_exact_apart_from_variants() -> None:
    assert kanji_key("佐藤") != kanji_key("佐東")
    assert kanji_key("ガ") != kanji_key("カ")  # no fuzzy voicing in kanji keys
    assert kanji_key("ヤ") != kanji_key("ャ")
    assert kanji_key("坂本") != kanji_key("阪本")
    assert kanji_key("高橋") != kanji_key("高喬")


def test_given_name_only_kanji_keys() -> None:
    family, given = split_name("渡邊　德太郎")
    assert kanji_key(family) == kanji_key("渡辺")
    assert kanji_key(given) == kanji_key("徳太郎")
    assert kanji_key(given) in kanji_key("渡邊　德太郎")


def test_compatibility_ideographs_are_folded_by_nfkc() -> None:
    """Compatibility ideographs with a decomposition are not in the table: NFKC folds them."""
    folded = 0
    for lo, hi in ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F)):
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            target = unicodedata.normalize("NFKC", ch)
            if target == ch:
                continue
            folded += 1
            assert ch not in kanji_variants.representative_map()
            assert kanji_key(ch) == kanji_key(target)
            assert ch in kanji_variants.variants_of(target)
    assert folded > 900


def test_non_decomposing_compatibility_ideographs_come_from_the_table() -> None:
    for ch, unified in (("\ufa11", "崎"), ("\ufa14", "欅")):
        assert unicodedata.normalize("NFKC", ch) == ch
        assert kanji_variants.representative_map()[ch] == unified
        assert kanji_key(ch) == kanji_key(unified)


# ---------------------------------------------------------------------------
# the variant table
# ---------------------------------------------------------------------------


def test_table_size_and_uniqueness() -> None:
    groups = kanji_variants.groups()
    assert len(groups) >= 300
    seen: set[str] = set()
    for group in groups:
        assert len(group) >= 2
        assert len(set(group)) == len(group)
        for ch in group:
            assert len(ch) == 1
            assert ch not in seen, ch
            seen.add(ch)
            cp = ord(ch)
            assert not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)
            assert unicodedata.normalize("NFKC", ch) == ch


def test_every_variant_keys_like_its_representative() -> None:
    for group in kanji_variants.groups():
        rep = group[0]
        assert kanji_key(rep) == rep
        assert kanji_variants.representative(rep) == rep
        for ch in group[1:]:
            assert kanji_key(ch) == rep
            assert kanji_variants.variants_of(ch) >= set(group)


def test_variants_of_unlisted_and_bad_input() -> None:
    assert kanji_variants.variants_of("山") == frozenset({"山"})
    with pytest.raises(ValueError):
        kanji_variants.variants_of("山田")


@pytest.mark.parametrize(
    "text",
    [
        "高\t髙\n",  # fine, but next ones are not
        "高\t髙\n崎\t髙\n",
        "高\t高\n",
        "高\tXY\n",
        "高\n",
        "高\t\ufe00\n",
        "塚\t\ufa10\n",
    ],
)
def test_parse_table_validation(text: str) -> None:
    if text == "高\t髙\n":
        assert kanji_variants.parse_table("# comment\n\n" + text) == (("高", "髙"),)
    else:
        with pytest.raises(ValueError):
            kanji_variants.parse_table(text)


table_chars = sorted(kanji_variants.representative_map())
kanji_text_alphabet = st.sampled_from(
    table_chars
    + list("山田太郎花子々ヶヵケガかがーｰ－‐-・･ 　ｶﾞﾊﾟＡＢ１２abc")
    + ["\u3099", "\ufe00", "\U000e0100", "\U000e01ef", "\ufa10", "\uf9dc", "\ufa11", "\u0301"]
)


@given(st.lists(kanji_text_alphabet, max_size=12).map("".join))
def test_kanji_key_idempotent(text: str) -> None:
    key = kanji_key(text)
    assert kanji_key(key) == key


@given(st.text(max_size=20))
def test_kanji_key_idempotent_on_any_text(text: str) -> None:
    key = kanji_key(text)
    assert kanji_key(key) == key


@given(st.lists(st.sampled_from(table_chars), min_size=1, max_size=6), st.data())
def test_kanji_key_maps_variants_to_representatives(chars: list[str], data: st.DataObject) -> None:
    reps = "".join(kanji_variants.representative(c) for c in chars)
    swapped = "".join(data.draw(st.sampled_from(sorted(kanji_variants.variants_of(c)))) for c in chars)
    assert kanji_key(swapped) == kanji_key(reps) == reps


@given(st.lists(st.sampled_from(table_chars + list("山田太郎")), max_size=8), st.data())
def test_kanji_key_ignores_spaces_and_selectors(chars: list[str], data: st.DataObject) -> None:
    noisy = []
    for c in chars:
        noisy.append(c)
        noisy.append(data.draw(st.sampled_from(["", " ", "\u3000", "\ufe00", "\U000e0100", "・"])))
    assert kanji_key("".join(noisy)) == kanji_key("".join(chars))


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12))
def test_kanji_key_ignores_full_width_ascii(text: str) -> None:
    assert kanji_key(to_fullwidth_ascii(text)) == kanji_key(text)


# ---------------------------------------------------------------------------
# latin_key and split_name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("MÜLLER, Hans", "MULLER HANS"),
        ("müller hans", "MULLER, HANS"),
        ("García-Márquez, José", "GARCIA MARQUEZ JOSE"),
        ("Nguyễn Thị Minh", "NGUYEN THI MINH"),
        ("O'Brien", "OBRIEN"),
        ("SMITH.J.", "smith j"),
        ("ＳＭＩＴＨ　ＪＯＨＮ", "Smith John"),
        ("Łukasz Øster", "LUKASZ OSTER"),
        ("Straße", "STRASSE"),
    ],
)
def test_latin_key_matches(a: str, b: str) -> None:
    assert latin_key(a) == latin_key(b)


def test_latin_key_value_and_non_matches() -> None:
    assert latin_key("MÜLLER, Hans") == "MULLERHANS"
    assert latin_key("SMITH JOHN") != latin_key("JOHN SMITH")
    assert latin_key("") == ""


@given(st.text(max_size=20))
def test_latin_key_idempotent(text: str) -> None:
    key = latin_key(text)
    assert latin_key(key) == key


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12))
def test_latin_key_ignores_full_width(text: str) -> None:
    assert latin_key(to_fullwidth_ascii(text)) == latin_key(text)


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("山田　太郎", ("山田", "太郎")),
        ("山田 太郎", ("山田", "太郎")),
        ("山田太郎", ("山田太郎", "")),
        ("  ヤマダ　 タロウ  ", ("ヤマダ", "タロウ")),
        ("MÜLLER Hans Peter", ("MÜLLER", "Hans Peter")),
        ("", ("", "")),
    ],
)
def test_split_name(full: str, expected: tuple[str, str]) -> None:
    assert split_name(full) == expected


@settings(max_examples=50)
@given(st.text(max_size=20))
def test_split_name_round_trip(text: str) -> None:
    family, given_name = split_name(text)
    words = text.split()
    assert family == (words[0] if words else "")
    assert given_name.split() == words[1:]
