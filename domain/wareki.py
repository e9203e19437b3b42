"""和暦 (wareki): Japanese era dates — conversion, formatting and parsing of clerk input.

Certificates and screens show dates in 和暦 (Japanese era calendar, standard spec 1.1.9);
only a foreign resident's birth date and 在留期間満了日 are shown in 西暦 (seireki, the
Gregorian calendar).  The era table (元号マスタ, standard spec 1.3.6) lives in ONE place,
:data:`ERAS`; every function here derives from it, so a new era means adding one row and
setting the previous era's ``end``.

Pure Python, standard library only.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DateError",
    "Era",
    "ERAS",
    "ERA_PATTERN",
    "WarekiDate",
    "era_by_name_or_letter",
    "era_year_text",
    "era_year_to_gregorian",
    "check_within_era",
    "check_month_day",
    "normalize_input",
    "to_wareki",
    "from_wareki",
    "format_wareki",
    "format_seireki",
    "parse_date",
    "parse_date_parts",
]


class DateError(ValueError):
    """日付エラー: a date that cannot be read or does not exist.

    ``message`` is Japanese and meant to be shown to the clerk as is.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Era:
    """元号 (era): name (「昭和」), one-letter abbreviation (「S」), first and last day.

    ``start`` is the Gregorian date of the era's first day, ``end`` its last day
    (inclusive; ``None`` for the current era).  Year 1 of an era (元年) is the Gregorian
    year of ``start``; era years run with Gregorian years (1 January to 31 December).
    """

    name: str
    letter: str
    start: date
    end: date | None

    @property
    def last_year(self) -> int | None:
        """The last era year (昭和 → 64), or ``None`` for the current era."""
        return None if self.end is None else self.year_of(self.end.year)

    def year_of(self, gregorian_year: int) -> int:
        """Era year for a Gregorian year (may fall outside the era)."""
        return gregorian_year - self.start.year + 1

    def gregorian_year(self, era_year: int) -> int:
        """Gregorian year of an era year (unchecked; see :func:`era_year_to_gregorian`)."""
        return self.start.year + era_year - 1

    def contains(self, d: date) -> bool:
        """Whether day ``d`` belongs to this era (both eras hold a shared boundary day)."""
        return self.start <= d and (self.end is None or d <= self.end)


# The era table — the one place where eras are defined.
ERAS: tuple[Era, ...] = (
    # 明治元年1月1日 (lunisolar) = 1868-01-25.  Japan only adopted the Gregorian calendar on
    # 明治6年1月1日 (= 1873-01-01; 明治5年12月3日 became 明治6年1月1日).  Like JIS X 0301
    # and every register system, we use the proleptic mapping "era year + Gregorian
    # month/day" for 明治1–5 too, and refuse days before 1868-01-25.
    Era("明治", "M", date(1868, 1, 25), date(1912, 7, 30)),
    # 大正 and 昭和 began on the day the previous emperor died: that day has two readings
    # (明治45年7月30日 = 大正元年7月30日, 大正15年12月25日 = 昭和元年12月25日).
    Era("大正", "T", date(1912, 7, 30), date(1926, 12, 25)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", date(2019, 5, 1), None),
)

FIRST_SUPPORTED_DAY: date = ERAS[0].start


def normalize_input(text: str) -> str:
    """Normalize what a clerk typed: NFKC (全角→半角, ㍼→昭和), dashes, case, outer spaces."""
    t = unicodedata.normalize("NFKC", text)
    t = t.translate(_DASHES)
    return t.strip().upper()


_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ーｰ"})

# Every spelling of every era, derived from ERAS: name, letter, first kanji of the name.
# (Compatibility characters such as ㍼ and full-width letters reach this table through NFKC.)
_ERA_LOOKUP: dict[str, Era] = {}
for _era in ERAS:
    for _key in (_era.name, _era.letter.upper(), _era.name[0]):
        _ERA_LOOKUP.setdefault(_key, _era)
del _era, _key

#: Regular expression (no groups) matching any era spelling in :func:`normalize_input`-ed text.
ERA_PATTERN: str = "|".join(re.escape(k) for k in sorted(_ERA_LOOKUP, key=len, reverse=True))


def era_by_name_or_letter(s: str | Era) -> Era:
    """The era named by 「昭和」, 「S」/「s」/「Ｓ」, 「昭」 or 「㍼」 (any era likewise)."""
    if isinstance(s, Era):
        return s
    era = _ERA_LOOKUP.get(normalize_input(s))
    if era is None:
        raise DateError(f"元号が不明です: {s}")
    return era


def era_year_text(era: Era, era_year: int) -> str:
    """「昭和55年」, with the first year written 元年 (「令和元年」)."""
    return f"{era.name}{'元' if era_year == 1 else era_year}年"


def _era_year_only(era_year: int) -> str:
    return f"{'元' if era_year == 1 else era_year}年"


def era_year_to_gregorian(era: Era | str, era_year: int) -> int:
    """Gregorian year of 「<era><era_year>年」; DateError (「昭和65年は存在しません」) if none."""
    era = era_by_name_or_letter(era)
    last = era.last_year
    if era_year < 1:
        raise DateError(f"{era.name}{era_year}年は存在しません")
    if last is not None and era_year > last:
        raise DateError(
            f"{era_year_text(era, era_year)}は存在しません（{era.name}は{_era_year_only(last)}まで）"
        )
    year = era.gregorian_year(era_year)
    if year > date.max.year:
        raise DateError(f"{era_year_text(era, era_year)}は扱えません")
    return year


def _tuple(d: date) -> tuple[int, int, int]:
    return (d.year, d.month, d.day)


def _md_text(d: date, era: Era) -> str:
    return f"{_era_year_only(era.year_of(d.year))}{d.month}月{d.day}日"


def check_within_era(
    era: Era, lo: tuple[int, int, int], hi: tuple[int, int, int], what: str
) -> None:
    """Raise DateError unless the days ``lo``..``hi`` (y, m, d tuples) meet ``era``.

    ``what`` is the Japanese text of the date being checked, e.g. 「令和元年4月30日」.
    Tuples (not dates) so that non-calendar days like (1991, 2, 29) can be checked.
    """
    if hi < _tuple(era.start):
        raise DateError(f"{what}は存在しません（{era.name}は{_md_text(era.start, era)}から）")
    if era.end is not None and lo > _tuple(era.end):
        raise DateError(f"{what}は存在しません（{era.name}は{_md_text(era.end, era)}まで）")


def check_month_day(
    year: int, month: int, day: int, *, year_label: str | None = None, allow_nonleap_feb29: bool = False
) -> None:
    """Raise DateError unless month/day exist in ``year`` (Gregorian).

    ``allow_nonleap_feb29`` admits 2月29日 of a common year (暦上日以外の年月日, as family
    registers may hold it).  ``year_label`` names the year in the message (「平成3年（1991年）」).
    """
    if not 1 <= month <= 12:
        raise DateError(f"{month}月は存在しません")
    if month == 2 and day == 29 and not calendar.isleap(year):
        if allow_nonleap_feb29:
            return
        label = year_label or f"{year}年"
        raise DateError(f"{label}はうるう年ではないため、2月29日は存在しません")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateError(f"{month}月{day}日は存在しません")


def _check_supported(lo: tuple[int, int, int], hi: tuple[int, int, int], what: str) -> None:
    if hi < _tuple(FIRST_SUPPORTED_DAY):
        f = FIRST_SUPPORTED_DAY
        raise DateError(f"{what}は扱えません（{f.year}年{f.month}月{f.day}日より前です）")


def _check_date_supported(d: date) -> None:
    if d < FIRST_SUPPORTED_DAY:
        _check_supported(_tuple(d), _tuple(d), f"{d.year}年{d.month}月{d.day}日")


@dataclass(frozen=True)
class WarekiDate:
    """和暦日付: a day written as era, era year, month, day (e.g. 昭和55年12月26日).

    Unpacks as ``era, year, month, day`` so ``from_wareki(*to_wareki(d)) == d``.
    """

    era: Era
    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        from_wareki(self.era, self.year, self.month, self.day)  # validates

    def __iter__(self):
        return iter((self.era, self.year, self.month, self.day))

    def to_date(self) -> date:
        return from_wareki(self.era, self.year, self.month, self.day)

    def __str__(self) -> str:
        return f"{era_year_text(self.era, self.year)}{self.month}月{self.day}日"


def to_wareki(d: date) -> WarekiDate:
    """和暦 of ``d``; on a boundary day shared by two eras, the newer era (大正元年7月30日)."""
    _check_date_supported(d)
    for era in reversed(ERAS):
        if era.start <= d:
            return WarekiDate(era, era.year_of(d.year), d.month, d.day)
    raise AssertionError("unreachable")  # pragma: no cover


def _gregorian_from_wareki(
    era: Era | str, era_year: int, month: int, day: int, *, allow_nonleap_feb29: bool = False
) -> tuple[int, int, int]:
    era = era_by_name_or_letter(era)
    year = era_year_to_gregorian(era, era_year)
    try:
        if era.contains(date(year, month, day)):  # fast path; below, the precise complaint
            return (year, month, day)
    except ValueError:
        pass
    check_month_day(
        year, month, day,
        year_label=f"{era_year_text(era, era_year)}（{year}年）",
        allow_nonleap_feb29=allow_nonleap_feb29,
    )
    t = (year, month, day)
    check_within_era(era, t, t, f"{era_year_text(era, era_year)}{month}月{day}日")
    return t


def from_wareki(era: Era | str, year: int, month: int, day: int) -> date:
    """Gregorian date of 「<era><year>年<month>月<day>日」.

    Both readings of a boundary day are accepted (明治45年7月30日 and 大正元年7月30日);
    a day outside the era raises DateError (「昭和64年1月8日は存在しません（…）」).
    """
    return date(*_gregorian_from_wareki(era, year, month, day))


def format_wareki(d: date, *, style: str = "kanji") -> str:
    """「昭和55年12月26日」 (style="kanji", 元年 for year 1) or 「S55.12.26」 (style="short")."""
    w = to_wareki(d)
    if style == "kanji":
        return str(w)
    if style == "short":
        return f"{w.era.letter}{w.year}.{w.month}.{w.day}"
    raise ValueError(f"unknown style: {style!r}")


def format_seireki(d: date) -> str:
    """西暦 as on certificates: 「1980年12月26日」."""
    return f"{d.year}年{d.month}月{d.day}日"


# --- parsing -------------------------------------------------------------------------------

_SEP = r"(?:\s*[./-]\s*|\s+)"
_ERA_G = rf"(?P<era>{ERA_PATTERN})\s*"
_EY = r"(?P<ey>元|\d{1,3})"
_M = r"(?P<m>\d{1,2})"
_D = r"(?P<d>\d{1,2})"

_FORMS = [
    # 昭和55年12月26日, S55年12月26日, 昭和元年12月25日
    re.compile(rf"{_ERA_G}{_EY}\s*年\s*{_M}\s*月\s*{_D}\s*日"),
    # S55.12.26, S55/12/26, S55-12-26, R1.5.1, R元.5.1, 昭和55.12.26
    re.compile(rf"{_ERA_G}{_EY}{_SEP}{_M}{_SEP}{_D}"),
    # S551226 (era + 6 digits)
    re.compile(rf"{_ERA_G}(?P<ey>\d{{2}})(?P<m>\d{{2}})(?P<d>\d{{2}})"),
    # 1980年12月26日, 西暦1980年12月26日
    re.compile(rf"(?:西暦\s*)?(?P<gy>\d{{4}})\s*年\s*{_M}\s*月\s*{_D}\s*日"),
    # 1980-12-26, 1980/12/26, 1980.12.26
    re.compile(rf"(?P<gy>\d{{4}}){_SEP}{_M}{_SEP}{_D}"),
    # 19801226
    re.compile(r"(?P<gy>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
]
_MONTH_DAY = [
    re.compile(rf"{_M}\s*[./-]\s*{_D}"),
    re.compile(rf"{_M}\s*月\s*{_D}\s*日"),
]
_UNKNOWN_ERA = re.compile(r"(?P<era>[A-Z]+|[^\W\d_]+?)\s*(?:元|\d)")

_EXAMPLES = "例: S55.12.26、昭和55年12月26日、1980-12-26"


def _unreadable(text: str) -> DateError:
    return DateError(f"日付として読めません: {text.strip()}（{_EXAMPLES}）")


def parse_date_parts(
    text: str, *, allow_nonleap_feb29: bool = False
) -> tuple[Era | None, int, int, int]:
    """Read a full date typed in any accepted form; return (era written or None, y, m, d).

    ``y`` is Gregorian.  The era is the one the text was written in (so 明治45年7月30日
    gives 明治).  With ``allow_nonleap_feb29`` a 2月29日 of a common year is accepted
    (for register dates, see :mod:`domain.record_dates`); the triple is then no ``date``.
    """
    return _parse_normalized(normalize_input(text), text, allow_nonleap_feb29)


def _parse_normalized(
    t: str, text: str, allow_nonleap_feb29: bool
) -> tuple[Era | None, int, int, int]:
    if not t:
        raise DateError("日付が入力されていません")
    for form in _FORMS:
        mo = form.fullmatch(t)
        if mo is None:
            continue
        g = mo.groupdict()
        month, day = int(g["m"]), int(g["d"])
        if g.get("era"):
            era = era_by_name_or_letter(g["era"])
            era_year = 1 if g["ey"] == "元" else int(g["ey"])
            y, m, d = _gregorian_from_wareki(
                era, era_year, month, day, allow_nonleap_feb29=allow_nonleap_feb29
            )
            return era, y, m, d
        year = int(g["gy"])
        if year < 1:
            raise DateError(f"{year}年は存在しません")
        check_month_day(year, month, day, allow_nonleap_feb29=allow_nonleap_feb29)
        t3 = (year, month, day)
        _check_supported(t3, t3, f"{year}年{month}月{day}日")
        return None, year, month, day
    mo = _UNKNOWN_ERA.match(t)
    if mo and mo.group("era") not in _ERA_LOOKUP:
        raise DateError(f"元号が不明です: {mo.group('era')}")
    raise _unreadable(text)


def parse_date(text: str, *, today: date | None = None) -> date:
    """Read a date as a clerk types it.

    Accepted (full-width or half-width, upper or lower case, spaces around):
    「S55.12.26」「s55/12/26」「S55-12-26」「S551226」「昭和55年12月26日」「昭和元年12月25日」
    「R1.5.1」「R元.5.1」「令和元年5月1日」「㍼55.12.26」「1980-12-26」「1980/12/26」
    「1980.12.26」「19801226」「1980年12月26日」; and month/day alone (「4/1」「4月1日」),
    which means that day in the year of ``today`` (default: the system date).

    Raises DateError with a Japanese message naming the problem.  2月29日 of a common
    year is refused here (it is allowed only in register dates, see record_dates).
    """
    t = normalize_input(text)
    for form in _MONTH_DAY if t[:1].isdigit() and len(t) <= 7 else ():
        mo = form.fullmatch(t)
        if mo is not None:
            year = (today or date.today()).year
            month, day = int(mo.group("m")), int(mo.group("d"))
            check_month_day(year, month, day)
            d = date(year, month, day)
            _check_date_supported(d)
            return d
    _, y, m, d = _parse_normalized(t, text, False)
    return date(y, m, d)
