"""Reading a My Number card at the counter, without Qt: the card's 4 basic info and My Number
find the resident in the cache, and what differs between the card and the register is said in
Japanese (a card not yet updated after a move shows the old address).

    reading = CardReading(counter)                 # counter: the logged-in CounterService
    status = reading.pin_status()                  # before asking the PIN: tries left, blocked
    match = reading.read_and_find(pin, status.reader)
    match.resident, match.differences, match.message

The resident is looked up by My Number first (every ward, removed records included), then by the
name and birth date (exact name, 異体字 folded) when the number is not in the cache. Every call
that touches the card runs on a worker thread (the screens use the TaskRunner); every read writes
an access-log entry (`card_read`, without the number).
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from domain.change_reasons import ChangeReason
from domain.addresses import municipalities
from domain.residents import Address, Resident
from domain.search_criteria import ALL_WARDS, SearchCriteria
from domain.search_keys import kanji_key
from app.store.search import SearchHit
from hardware import mynumber
from hardware.iso import PinStatus
from hardware.mynumber import CardInfo

log = logging.getLogger(__name__)

MATCHED_BY_NUMBER = "個人番号"
MATCHED_BY_NAME_BIRTH = "氏名と生年月日"

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _kanji_number(text: str) -> str:
    """「十二」→ 12 (up to 99), for 丁目 and 番 written in kanji on one side only."""
    if text == "十":
        return "10"
    if "十" in text:
        tens, _, ones = text.partition("十")
        return str((_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0))
    return "".join(str(_KANJI_DIGITS[c]) for c in text)


def address_key(text: str) -> str:
    """An address in the form two spellings of it share: width, spaces and dashes folded
    (kanji_key), kanji numerals before 丁目 as digits."""
    s = kanji_key(unicodedata.normalize("NFKC", text))
    return re.sub(r"([〇一二三四五六七八九十]+)丁目", lambda m: _kanji_number(m.group(1)) + "丁目", s)


def previous_address_from_card(text: str) -> Address | None:
    """The card's address as a 転入前住所 (the card still shows the address before the move):
    prefecture and municipality recognised from the address master, the rest as 町名・番地 and,
    after the space, 方書. None when no prefecture is recognised (the clerk types it)."""
    s = unicodedata.normalize("NFKC", text).strip()
    main, _, building = s.partition(" ")
    prefecture = next((p for p in municipalities() if main.startswith(p)), "")
    if not prefecture:
        return None
    rest = main[len(prefecture):]
    names = sorted(municipalities()[prefecture], key=len, reverse=True)
    municipality = next((n for n in names if rest.startswith(n)), "")
    if not municipality:  # 「〇〇郡〇〇町」 where the master has the town alone
        county = re.match(r"(.+?郡)(.+)", rest)
        if county:
            municipality = next((n for n in names if county.group(2).startswith(n)), "")
            if municipality:
                rest = county.group(2)
    town = rest[len(municipality):] if municipality else rest
    return Address(prefecture=prefecture, municipality=municipality, town=town, building=building.strip())


@dataclass(frozen=True)
class Difference:
    """One item on which the card and the register disagree."""

    field: str  # name | address | birth_date | sex
    label: str  # 氏名 / 住所 / 生年月日 / 性別
    card: str
    register: str
    note: str = ""

    @property
    def text(self) -> str:
        note = f"（{self.note}）" if self.note else ""
        return f"{self.label}：カード「{self.card}」／住民記録「{self.register}」{note}"


def differences(card: mynumber.BasicInfo, r: Resident) -> tuple[Difference, ...]:
    out = []
    register_name = r.name.full
    if card.name != register_name:
        same_key = kanji_key(card.name) == kanji_key(register_name)
        out.append(Difference("name", "氏名", card.name, register_name, "異体字・表記の違いのみ" if same_key else ""))
    register_address = r.address.full_text
    if address_key(card.address) != address_key(register_address):
        out.append(Difference("address", "住所", card.address, register_address,
                              "転居・転入の後、カードの記載事項の変更（追記）が済んでいない可能性があります"))
    if not r.birth_date.could_be(card.birth_date):
        out.append(Difference("birth_date", "生年月日", f"{card.birth_date:%Y年%m月%d日}", r.birth_date.format_seireki()))
    if int(card.sex) != int(r.sex):
        out.append(Difference("sex", "性別", card.sex.label, r.sex.label))
    return tuple(out)


def removal_text(r: Resident) -> str:
    if r.removal is None:
        return r.status.label
    try:
        reason = ChangeReason.from_code(r.removal.reason).label
    except KeyError:
        reason = r.status.label
    return f"{reason}　{r.removal.occurred_on.format_wareki()}"


@dataclass(frozen=True)
class CardMatch:
    """What a card read found. `card` holds the My Number (masked in its repr); `resident` and
    `hits` never do (the cache's records come without it)."""

    card: CardInfo
    resident: Resident | None
    matched_by: str  # MATCHED_BY_NUMBER / MATCHED_BY_NAME_BIRTH / ""
    hits: tuple[SearchHit, ...]  # for the results table: the resident, or the candidates
    differences: tuple[Difference, ...]

    @property
    def found(self) -> bool:
        return self.resident is not None

    @property
    def message(self) -> str:
        """The Japanese sentence(s) for the search screen."""
        name = self.card.name
        if self.resident is None and self.hits:
            return (f"カードの「{name}」さんは個人番号では見つからず、氏名と生年月日が同じ住民が{len(self.hits)}人います。"
                    "一覧から本人を確認してください。")
        if self.resident is None:
            return (f"カードの「{name}」さん（{self.card.birth_date:%Y年%m月%d日}生）に該当する住民は見つかりません"
                    "（個人番号、氏名と生年月日で検索しました）。転入の方であれば、転入届（F9）で「カードから入力」を使えます。")
        lines = [f"カードの{self.matched_by}で「{self.resident.name.full}」さん（宛名番号 {self.resident.resident_id}）が見つかりました。"]
        if not self.resident.is_current:
            lines.append(f"この方の住民記録は消除されています（{removal_text(self.resident)}）。")
        if self.differences:
            lines.append("カードの記載と住民記録が異なります。本人確認のうえ、必要な手続きを案内してください。")
            lines += [f"・{d.text}" for d in self.differences]
        return "\n".join(lines)


def _configured_reader(counter) -> str:
    from app.services.card_settings import CardSettings
    from app.sync.terminal import CACHE_DIR

    directory = getattr(getattr(counter, "cache", None), "directory", None)
    if directory is None or Path(directory).name != CACHE_DIR:
        return ""
    return CardSettings.load(Path(directory).parent).reader


class CardReading:
    """The counter's card reads for one logged-in clerk (`counter`: the CounterService)."""

    def __init__(self, counter, *, reader: str | None = None):
        self.counter = counter
        # the reader to use ("" = whichever holds a My Number card): given, or the terminal's
        # settings.json "card.reader" (the cache lives in <terminal folder>/cache)
        self.reader = reader if reader is not None else _configured_reader(counter)

    def pin_status(self) -> PinStatus:
        """Which reader holds a My Number card and how many PIN tries are left (none used)."""
        return mynumber.pin_status(self.reader or None)

    def read(self, pin: str, reader: str = "") -> CardInfo:
        """The card's 4 basic info and My Number (for a form); logged without the number."""
        info = mynumber.read_card(pin, reader or self.reader or None)
        with self.counter.cache.writer.begin() as conn:
            self.counter.log_access(conn, "card_read", "", {"purpose": "form", "reader": info.reader})
        return info

    def read_and_find(self, pin: str, reader: str = "") -> CardMatch:
        """Reads the card, then finds its holder in the register (CardError on a failed read)."""
        return self.find(mynumber.read_card(pin, reader or self.reader or None))

    def find(self, card: CardInfo) -> CardMatch:
        search = self.counter.search_service
        matched_by, resident, hits = "", None, ()
        result = search.search(SearchCriteria(my_number=card.my_number, ward=ALL_WARDS))
        if result.hits:
            best = sorted(result.hits, key=lambda h: (not h.resident.is_current, -h.score))[0]
            matched_by, resident, hits = MATCHED_BY_NUMBER, best.resident, (best,)
        else:
            result = search.search(SearchCriteria(name=card.name, birth=card.birth_date.isoformat(), match="exact", ward=ALL_WARDS))
            candidates = tuple(h for h in result.hits if int(h.resident.sex) == int(card.sex)) or result.hits
            current = tuple(h for h in candidates if h.resident.is_current) or candidates
            if len(current) == 1:
                matched_by, resident, hits = MATCHED_BY_NAME_BIRTH, current[0].resident, current
            else:
                hits = candidates
        diffs = differences(card, resident) if resident is not None else ()
        with self.counter.cache.writer.begin() as conn:
            self.counter.log_access(conn, "card_read", resident.resident_id if resident else "", {
                "purpose": "search", "reader": card.reader, "matched_by": matched_by,
                "differences": [d.field for d in diffs], "candidates": len(hits),
            })
        log.info("card read: %s (%d differences)", "found by " + ("number" if matched_by == MATCHED_BY_NUMBER else "name and birth date") if resident else "not found", len(diffs))
        return CardMatch(card, resident, matched_by, hits, diffs)
