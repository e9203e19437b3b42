"""Search keys for names and addresses (標準仕様書 2.1.2 検索文字入力 / 2.1.3 基本検索).

The keys are stored in an index column and computed again from what the clerk
types, so every function here serves both sides: two texts match when their
keys are equal (完全一致) or one key contains the other (部分一致).
Pure Python, standard library only; translation tables are built once.

Public API
----------
``kana_key(text)``
    Fuzzy key of a フリガナ (rules below).
``kana_substring_keys(text)``
    The key(s) to look for *inside* stored kana keys for a partial match
    (see "The オ段+ウ rule and partial matches").
``kanji_key(text)``
    Key of a kanji name or an address: exact except for width, spaces,
    middle dots, variation selectors, hiragana/katakana, dash look-alikes
    and 異体字 (resources/kanji_variants.tsv).
``latin_key(text)``
    Key of an alphabet name of a foreign resident.
``split_name(full)``
    (氏, 名) split at the first space, half or full width.

kana_key: the order of the rules
--------------------------------
1. NFKC: half-width katakana become full width and ｶﾞ / ﾊﾟ are composed
   (ｶﾞ -> ガ); full-width ASCII becomes ASCII; ｰ becomes ー; the
   stand-alone marks ゛゜ are turned into combining marks first so that
   「ウ゛」 composes to ヴ.
2. One ``str.translate`` pass maps every kana straight to its final form:
   a. hiragana -> katakana (ゔ -> ヴ, ゝゞ -> ヽヾ);
   b. small -> large: ァィゥェォッャュョヮヵヶ (and the small Ainu ㇰ..ㇿ)
      -> アイウエオツヤユヨワカケ;
   c. the pairs of j330 that are not plain voicing:
      ヂ -> ジ, ヅ -> ズ, ヲ -> オ, ヰ -> イ, ヱ -> エ, ワ -> ハ (ヮ too),
      ヷヸヹヺ -> バビベボ;
   d. voiced / semi-voiced -> unvoiced: ガ -> カ, ジ -> シ, バ/パ -> ハ ...
   So ヂ and ジ both end as シ, ヅ and ズ as ス, ワ/ハ/バ/パ as ハ, ヒ/ピ/ビ as
   ヒ, オ/ヲ as オ, ッ/ツ as ツ, ャ/ヤ as ヤ. Note that ヂ -> ジ is done
   *before* the voicing is dropped: ヂ matches ジ and シ, but not チ
   (otherwise シ and チ would match each other), likewise ヅ matches ズ and
   ス, not ツ. ヴ is left for step 4.
3. The long vowel mark and its look-alikes (ー ｰ ― － ‐ - ‒ – — ⁃ − 〜 ～ ...)
   after a letter become that letter's vowel: サトー -> サトオ, ユーコ -> ユウコ,
   オーノ -> オオノ. This is how 「長音の有無を無視」 is read here: a long vowel
   written with the mark or spelled out with a vowel letter is the same
   name (サトー == サトウ, オータ == オオタ == オウタ), while 大野 (オオノ) and 小野
   (オノ) stay apart — dropping the mark instead would make オーノ find 小野
   and never 大野. Then everything that is not a katakana letter is dropped:
   spaces (half and full width), marks with nothing before them, ・、。
   punctuation, digits, latin.
4. ヴ: ヴァ/ヴア -> ハ, ヴィ -> ヒ, ヴェ -> ヘ, ヴォ -> ホ, any other ヴ -> フ
   (= ヴァ/バ, ヴィ/ビ, ヴ/ブ of j330 after the voicing of 2d). The small
   ァ was already made large in 2b, so ヴア is treated like ヴァ.
5. Iteration marks ヽ/ヾ repeat the preceding (folded) letter: サヽキ == ササキ.
6. The オ段+ウ rule of j330: from the second letter on, a ウ that directly
   follows an オ段 letter (オコソトノホモヨロ after the folds above: ヲ, ゴ,
   ボ, ポ, ョ, ヴォ are included through them) becomes オ, left to right, so
   a run オウウ becomes オオオ. Hence オウタ == オオタ == オータ, サトウ == サトオ
   == サトー, リョウ == リヨオ; but a leading ウ stays: ウエダ != オエダ.
   The rule runs over the whole name with its spaces removed, so the key
   does not depend on where (or whether) the clerk typed the space.

The result contains only アイウエオカキクケコサシスセソタチツテトナニヌネノ
ハヒフヘホマミムメモヤユヨラリルレロン, and ``kana_key(kana_key(x)) == kana_key(x)``.

The オ段+ウ rule and partial matches
------------------------------------
The rule depends on the letter before the ウ. A partial query that starts
with ウ (「ウタ」 looked for inside オウタ, whose key is オオタ) cannot see that
letter, so ``kana_substring_keys`` returns the key and, when it starts with
ウ, a second form whose leading ウ run is written オ; a stored key matches when
it contains either. Full-key equality needs only ``kana_key``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from domain import kanji_variants

__all__ = [
    "kana_key",
    "kana_substring_keys",
    "kanji_key",
    "latin_key",
    "split_name",
]

_NFKC = "NFKC"
_normalize = unicodedata.normalize
_is_normalized = unicodedata.is_normalized

# --------------------------------------------------------------------------
# kana_key
# --------------------------------------------------------------------------

_SMALL_TO_LARGE = dict(
    zip(
        "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ",
        "アイウエオツヤユヨワカケクシストヌハヒフヘホムラリルレロ",
        strict=True,
    )
)

# Pairs of j330 that plain voicing removal would not join (step 2c).
_SPECIAL_FOLDS = {
    "ヂ": "ジ",
    "ヅ": "ズ",
    "ヲ": "オ",
    "ヰ": "イ",
    "ヱ": "エ",
    "ワ": "ハ",
    "ヷ": "バ",
    "ヸ": "ビ",
    "ヹ": "ベ",
    "ヺ": "ボ",
    "ヾ": "ヽ",
}

_VOICING_MARKS = ("\u3099", "\u309a")


def _fold_katakana(ch: str) -> str:
    """Steps 2b-2d for one katakana letter (ヴ excluded by the caller)."""
    ch = _SMALL_TO_LARGE.get(ch, ch)
    ch = _SPECIAL_FOLDS.get(ch, ch)
    decomposed = _normalize("NFD", ch)
    if len(decomposed) == 2 and decomposed[1] in _VOICING_MARKS:
        ch = decomposed[0]
    return ch


def _build_kana_table() -> dict[int, str]:
    table: dict[int, str] = {}
    katakana = [chr(cp) for cp in range(0x30A1, 0x30FB)] + ["ヽ", "ヾ"] + list("ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")
    for ch in katakana:
        folded = ch if ch == "ヴ" else _fold_katakana(ch)
        if folded != ch:
            table[ord(ch)] = folded
    # Hiragana U+3041..U+3096 sit 0x60 below their katakana.
    for cp in range(0x3041, 0x3097):
        kata = chr(cp + 0x60)
        table[cp] = kata if kata == "ヴ" else _fold_katakana(kata)
    table[ord("ゝ")] = "ヽ"
    table[ord("ゞ")] = "ヽ"
    table[ord("ゟ")] = "ヨリ"  # hiragana digraph yori
    table[ord("ヿ")] = "コト"  # katakana digraph koto
    return table


_KANA_TABLE = _build_kana_table()
_NOT_KANA_LETTER = re.compile("[^\u30a1-\u30fa\u30fd]+")
_VU = re.compile("ヴ([アイエオ]?)")
_VU_FOLDS = {"": "フ", "ア": "ハ", "イ": "ヒ", "エ": "ヘ", "オ": "ホ"}
_O_DAN = "オコソトノホモヨロ"
_LONG_MARKS = "ー―‐‑‒–—⁃−〜~\\-﹣"
_LONG_VOWEL = re.compile(f"([\u30a1-\u30fa])\\s*[{_LONG_MARKS}]+")
_VOWEL_OF = {
    ch: vowel
    for vowel, row in (
        ("ア", "アカサタナハマヤラ"),
        ("イ", "イキシチニヒミリ"),
        ("ウ", "ウクスツヌフムユルヴ"),
        ("エ", "エケセテネヘメレ"),
        ("オ", "オコソトノホモヨロ"),
    )
    for ch in row
}
_U_AFTER_O_DAN = re.compile(f"(?<=[{_O_DAN}])ウ+")
_LEADING_U = re.compile("^ウ+")


def _vu_repl(match: re.Match[str]) -> str:
    return _VU_FOLDS[match.group(1)]


def _long_vowel_repl(match: re.Match[str]) -> str:
    ch = match.group(1)
    return ch + _VOWEL_OF.get(ch, "")


def _u_to_o(match: re.Match[str]) -> str:
    return "オ" * (match.end() - match.start())


def _expand_iteration_marks(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch == "ヽ":
            if out:
                out.append(out[-1])
        else:
            out.append(ch)
    return "".join(out)


def kana_key(text: str) -> str:
    """The fuzzy search key of a フリガナ (see the module docstring for the rules).

    >>> kana_key("さいとう") == kana_key("ｻｲﾄｳ") == kana_key("サイトオ")
    True
    """
    if "゛" in text or "゜" in text:
        text = text.replace("゛", "\u3099").replace("゜", "\u309a")
    s = _normalize(_NFKC, text).translate(_KANA_TABLE)
    s = _LONG_VOWEL.sub(_long_vowel_repl, s)
    s = _NOT_KANA_LETTER.sub("", s)
    if "ヴ" in s:
        s = _VU.sub(_vu_repl, s)
    if "ヽ" in s:
        s = _expand_iteration_marks(s)
    if "ウ" in s:
        s = _U_AFTER_O_DAN.sub(_u_to_o, s)
    return s


def kana_substring_keys(text: str) -> tuple[str, ...]:
    """Keys to look for inside stored ``kana_key`` values for a partial (部分一致) match.

    Returns ``(kana_key(text),)``, or when that key starts with ウ also the form
    with its leading ウ run written オ, because in the stored name the ウ may
    follow an オ段 letter and have been turned into オ: 「ウタ」 must find オウタ
    (key オオタ) as well as ウタコ. A stored key matches if it contains any of them.
    """
    key = kana_key(text)
    if key.startswith("ウ"):
        return key, _LEADING_U.sub(_u_to_o, key)
    return (key,)


# --------------------------------------------------------------------------
# kanji_key
# --------------------------------------------------------------------------

# Removed: whitespace that NFKC leaves alone (NFKC already turns U+3000 and the
# other width spaces into U+0020), zero-width characters and middle dots.
_KANJI_DELETE = " \t\n\r\f\v\u00a0\u1680\u2028\u2029\u200b\u2060\ufeff\u3000・\u00b7\u2027\u22c5\u2219\u2022"
# Dash look-alikes of j330 (and typographic dashes) all become "-": the same
# address written 1-2-3, 1－2－3, 1‐2‐3 or 1ー2ー3 gets one key.
_KANJI_DASHES = "ー―‐‑‒–—⁃−﹣﹘-"


def _build_kanji_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for ch in _KANJI_DELETE:
        table[ord(ch)] = None
    for cp in range(0xFE00, 0xFE10):  # standard variation selectors
        table[cp] = None
    for cp in range(0xE0100, 0xE01F0):  # Ideographic Variation Selectors (IVS)
        table[cp] = None
    for ch in _KANJI_DASHES:
        table[ord(ch)] = "-"
    # Hiragana -> katakana, nothing fuzzy, except small ヵヶ (一ヶ谷 / 一ケ谷).
    for cp in range(0x3041, 0x3097):
        table[cp] = chr(cp + 0x60)
    table[ord("ゝ")] = "ヽ"
    table[ord("ゞ")] = "ヾ"
    for small, large in (("ヵ", "カ"), ("ヶ", "ケ"), ("ゕ", "カ"), ("ゖ", "ケ")):
        table[ord(small)] = large
    for variant, rep in kanji_variants.representative_map().items():
        if variant != rep:
            table[ord(variant)] = rep
    return table


@functools.cache
def _kanji_table() -> dict[int, str | None]:
    return _build_kanji_table()


def kanji_key(text: str) -> str:
    """The search key of a kanji name or an address.

    NFKC (width folding; CJK compatibility ideographs such as 塚 U+FA10 and
    隆 U+F9DC become their unified forms), then one translate pass that removes
    spaces, middle dots and variation selectors (IVS U+E0100-E01EF, VS
    U+FE00-FE0F), turns hiragana into katakana and ヵヶ into カケ, folds the
    dash look-alikes to "-" and maps every character of resources/kanji_variants.tsv
    to its group's representative (髙 -> 高, 邊/邉 -> 辺, 﨑/嵜 -> 崎, 𠮷 -> 吉).
    々 and everything else are kept as they are. Idempotent.
    """
    s = _normalize(_NFKC, text).translate(_kanji_table())
    if not _is_normalized(_NFKC, s):
        # Removing a space can bring a base letter and a combining mark together.
        s = _normalize(_NFKC, s)
    return s


# --------------------------------------------------------------------------
# latin_key
# --------------------------------------------------------------------------

# Latin letters that NFKD does not decompose into a base letter + mark.
_LATIN_LETTER_FOLDS = {
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "TH", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
}
_NOT_WORD = re.compile(r"[\W_]+")


@functools.cache
def _latin_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in _LATIN_LETTER_FOLDS.items()}
    for cp in range(0x10000):
        if unicodedata.category(chr(cp)) == "Mn":
            table[cp] = None
    return table


def latin_key(text: str) -> str:
    """The key of an alphabet name: NFKD, combining marks stripped, upper case,
    and everything that is not a letter or digit removed (spaces, hyphens,
    commas, periods, apostrophes...). "MÜLLER, Hans" -> "MULLERHANS"."""
    if not text.isascii():
        text = _normalize("NFKD", text).translate(_latin_table())
    return _NOT_WORD.sub("", text.upper())


# --------------------------------------------------------------------------
# split_name
# --------------------------------------------------------------------------

_WHITESPACE_RUN = re.compile(r"\s+")  # \s includes U+3000 (全角スペース)


def split_name(full: str) -> tuple[str, str]:
    """Split 「氏 名」 at the first run of spaces (half or full width).

    Leading and trailing spaces are ignored; the given-name part keeps any
    further spaces ("MÜLLER Hans Peter" -> ("MÜLLER", "Hans Peter")).
    Without a space the whole name is the family name: ("山田太郎", "").
    """
    parts = _WHITESPACE_RUN.split(full.strip(), maxsplit=1)
    if len(parts) == 1:
        return parts[0], ""
    return parts[0], parts[1]
