"""What a clerk asks for in a resident search (j320–j340), parsed into index keys.

Pure: the store turns a `SearchPlan` into index range scans. Every problem with what was typed
raises ValidationError with the field named in Japanese.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from domain.checkdigits import check_number, normalize_number
from domain.errors import Problems
from domain.search_keys import kana_key, kana_substring_keys, kanji_key, latin_key
from domain.wareki import DateError, parse_date, era_by_name_or_letter

ALL_WARDS = "*"


@dataclass(frozen=True)
class SearchCriteria:
    """The search form. Empty fields are not searched on; at least one must be given.

    `name`: kana or kanji (or alphabet) name, family+given with or without a space; with
    `given_only` it is the given name alone. `birth`: 和暦 or 西暦, a full date or a year
    (「S55」「昭和55年」「1980」) or year and month. `ward`: a ward's lg_code, "" for the
    operator's own ward, "*" for every ward. `match`: "prefix" (default), "exact", or
    "partial" (部分一致: the name anywhere inside; slower, a scan of the name index).
    """

    name: str = ""
    given_only: bool = False
    birth: str = ""
    sex: int | None = None
    address: str = ""
    ward: str = ""
    resident_code: str = ""
    my_number: str = ""
    resident_id: str = ""
    include_removed: bool = True
    match: str = "prefix"


@dataclass(frozen=True)
class SearchPlan:
    """The keys to look up. `name_column` is one of the name_keys columns. A birth date is the
    days `birth_first`..`birth_last` asked for (one day, a month or a year); the index keys they
    mean come from domain.search_index.birth_key_ranges."""

    name_column: str = ""
    name_key: str = ""
    name_exact: bool = False
    name_partial: tuple[str, ...] = ()  # keys looked for anywhere inside the name (部分一致)
    birth_first: dt.date | None = None
    birth_last: dt.date | None = None
    sex: int | None = None
    address_key: str = ""
    ward: str = ""
    resident_code: str = ""
    my_number: str = ""
    resident_id: str = ""
    include_removed: bool = True


_KANA = re.compile(r"^[\u3040-\u30ff\uff66-\uff9f\u30fc\u2010-\u2015\u2212\uff0d\s\u3000ｰ-]+$")
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\s,.'\-]+$")
_FULL_DATE = re.compile(r"\d+\s*[年./\-]\s*\d+\s*[月./\-]\s*\d+")
_YEAR = re.compile(r"^(?P<era>[^\d]+)?(?P<year>\d{1,4}|元)年?(?:[./\-]?(?P<month>\d{1,2})月?)?$")


def _birth_days(text: str, problems: Problems) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of what was typed: a date, a month (「S55.12」) or a year (「昭和55年」)."""
    try:
        day = parse_date(text)
        return day, day
    except DateError as exc:
        reason = exc.message
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    m = _YEAR.match(folded)
    if m:
        year = 1 if m["year"] == "元" else int(m["year"])
        if m["era"]:
            try:
                era = era_by_name_or_letter(m["era"])
            except (DateError, KeyError, ValueError):
                era = None
            if era is not None:
                year = era.start.year + year - 1
            else:
                year = 0
        if 1800 <= year <= 2200:
            if m["month"]:
                month = int(m["month"])
                if 1 <= month <= 12:
                    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
                    return dt.date(year, month, 1), last
            else:
                return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if _FULL_DATE.search(text):  # a whole date was meant: say what is wrong with it
        problems.add("birth", f"生年月日: {reason}")
    else:
        problems.add("birth", f"生年月日として読めません: 「{text}」（例: S55.12.26、昭和55年12月26日、1980-12-26、昭和55年）")
    return None, None


def plan_search(c: SearchCriteria, *, own_ward: str) -> SearchPlan:
    """Turns the form into keys; raises ValidationError for what cannot be searched."""
    problems = Problems()
    name_column, name_key, partial = "", "", ()
    name = c.name.strip()
    if name:
        if _KANA.match(name):
            name_column = "given_kana_key" if c.given_only else "kana_key"
            name_key = kana_key(name)
            partial = kana_substring_keys(name)
        elif _LATIN.match(name):
            name_column, name_key = "kanji_key", latin_key(name)
        else:
            name_column = "given_kanji_key" if c.given_only else "kanji_key"
            name_key = kanji_key(name)
        partial = (partial or (name_key,)) if c.match == "partial" and name_key else ()
        if not name_key:
            problems.add("name", "氏名に検索できる文字がありません")
    birth_first, birth_last = _birth_days(c.birth.strip(), problems) if c.birth.strip() else (None, None)
    resident_code = normalize_number(c.resident_code)
    if resident_code and (msg := check_number("resident_code", resident_code)):
        problems.add("resident_code", msg)
    my_number = normalize_number(c.my_number)
    if my_number and (msg := check_number("my_number", my_number)):
        problems.add("my_number", msg)
    resident_id = unicodedata.normalize("NFKC", c.resident_id).strip()
    if resident_id and not resident_id.isdigit():
        problems.add("resident_id", "宛名番号は数字で入力してください")
    if c.sex is not None and c.sex not in (0, 1, 2, 9):
        problems.add("sex", "性別の指定が正しくありません")
    if c.match not in ("prefix", "exact", "partial"):
        problems.add("match", "一致の方法が正しくありません")
    address_key = kanji_key(c.address) if c.address.strip() else ""
    if not any((name_key, birth_first, address_key, resident_code, my_number, resident_id)) and not problems:
        problems.add("name", "検索条件を1つ以上入力してください（氏名、生年月日、住所、住民票コード、個人番号、宛名番号）")
    problems.raise_if_any()
    ward = own_ward if c.ward == "" else ("" if c.ward == ALL_WARDS else c.ward)
    # Identifying numbers find the person wherever they live.
    if resident_code or my_number or resident_id:
        ward = ""
    return SearchPlan(
        name_column=name_column,
        name_key=name_key,
        name_exact=c.match == "exact",
        name_partial=partial,
        birth_first=birth_first,
        birth_last=birth_last,
        sex=c.sex,
        address_key=address_key,
        ward=ward,
        resident_code=resident_code,
        my_number=my_number,
        resident_id=resident_id,
        include_removed=c.include_removed,
    )
