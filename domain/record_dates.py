"""記録上の年月日 (record dates): dates as the resident register keeps them (standard spec 1.1.8).

Birth, death and a few other dates must agree with the family register (戸籍), so besides
calendar days (暦上日) they may be:

* 不詳日 (unknown or partly unknown dates), in the forms of the spec's 不詳日入力一覧:
  「令和3年頃」「令和3年4月頃」「令和3年4月5日頃」「推定令和3年4月5日」「推定令和3年4月」
  「令和3年春」「令和3年4月上旬」「令和3年4月中旬頃」「年月日不詳」「令和3年 月日不詳」
  「令和3年4月 日不詳」「令和3年4月5日から4月9日頃までの間」「令和3年4月推定5日から9日までの間」
  「令和3年4月5日頃から9日頃までの間」;
* 暦上日以外の年月日 (non-calendar dates): 2月29日 of a common year (「平成3年2月29日」);
* a boundary day in the older era's reading (「明治45年7月30日」「大正15年12月25日」), which
  must be printed back as written.

:class:`RecordDate` models all of these, prints them back (和暦 and 西暦), orders them, tells
whether a searched day could match, and stores them as a short ASCII string.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from domain.wareki import (
    ERA_PATTERN,
    ERAS,
    DateError,
    Era,
    check_month_day,
    check_within_era,
    era_by_name_or_letter,
    era_year_text,
    era_year_to_gregorian,
    normalize_input,
    parse_date_parts,
)

__all__ = [
    "DateError",
    "Qualifier",
    "RecordDate",
    "SEASONS",
    "ABOUT_MARK",
    "ESTIMATED_MARK",
]


class Qualifier(Enum):
    """不詳日の種類 (kind of record date).  Definition order is the tie-break order in sorting."""

    EXACT = "exact"  #: 暦上日 or 2月29日 of a common year: 令和3年4月5日
    ESTIMATED = "estimated"  #: 推定: 推定令和3年4月5日, 推定令和3年4月
    ABOUT = "about"  #: 頃: 令和3年頃, 令和3年4月頃, 令和3年4月5日頃
    RANGE = "range"  #: 期間: 令和3年4月5日から4月9日頃までの間
    EARLY = "early"  #: 上旬 (days 1–10)
    MIDDLE = "middle"  #: 中旬 (days 11–20)
    LATE = "late"  #: 下旬 (day 21 to month end)
    SEASON = "season"  #: 季節: 令和3年春
    UNKNOWN = "unknown"  #: 不詳: 年月日不詳, 令和3年 月日不詳, 令和3年4月 日不詳


ABOUT_MARK = "頃"  #: 頃 (about), written after the day it qualifies
ESTIMATED_MARK = "推定"  #: 推定 (estimated), written before the day it qualifies
_MARKS = ("", ABOUT_MARK, ESTIMATED_MARK)

#: 季節 → months it covers.  冬 is taken as January–February and December of the same year
#: (both readings of 「令和3年冬」 are plausible, so search allows both).
SEASONS: dict[str, tuple[int, ...]] = {"春": (3, 4, 5), "夏": (6, 7, 8), "秋": (9, 10, 11), "冬": (1, 2, 12)}
_SEASON_CODES = {"春": "spring", "夏": "summer", "秋": "autumn", "冬": "winter"}

# 旬 (ten-day period): text, first day, last day (None = month end).
_XUN = {
    Qualifier.EARLY: ("上旬", 1, 10, "early"),
    Qualifier.MIDDLE: ("中旬", 11, 20, "mid"),
    Qualifier.LATE: ("下旬", 21, None, "late"),
}

#: Written between the year/month and 月日不詳/日不詳, as in the spec (「令和3年 月日不詳」).
UNKNOWN_GAP = " "

# Search tolerance for approximate dates (頃, 推定): how far beyond the stated period a
# searched day may lie and still "could be" the record's date.
DAY_MARGIN = timedelta(days=7)  # 「5日頃」「推定5日」
XUN_MARGIN = timedelta(days=5)  # 「中旬頃」
MONTH_MARGIN = 1  # months: 「4月頃」「推定令和3年4月」「春頃」
YEAR_MARGIN = 1  # years: 「昭和20年頃」「推定昭和20年」

_Tuple = tuple[int, int, int]


def _dim(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_start(year: int, month: int, shift: int = 0) -> date:
    n = year * 12 + (month - 1) + shift
    return date(n // 12, n % 12 + 1, 1)


def _month_end(year: int, month: int, shift: int = 0) -> date:
    first = _month_start(year, month, shift)
    return first.replace(day=_dim(first.year, first.month))


def _add(d: date, delta: timedelta) -> date:
    try:
        return d + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def _tuple(d: date) -> _Tuple:
    return (d.year, d.month, d.day)


def _default_era(lo: _Tuple, hi: _Tuple) -> Era | None:
    """The newest era meeting days lo..hi: the era a date is printed in unless told otherwise."""
    for era in reversed(ERAS):
        if _tuple(era.start) <= hi and (era.end is None or lo <= _tuple(era.end)):
            return era
    return None


@dataclass(frozen=True)
class RecordDate:
    """記録上の年月日: a register date, possibly unknown in part (不詳日) or non-calendar.

    ``year`` is Gregorian.  Unknown parts are ``None`` and only trailing parts may be
    unknown (year ⊃ month ⊃ day).  Fields beyond year/month/day/qualifier keep exactly
    what the record says:

    * ``season``: 「春」「夏」「秋」「冬」 (qualifier SEASON).
    * ``about``: a 「頃」 after 上旬/中旬/下旬 or a season (「令和3年4月中旬頃」).
    * ``range_end``: (month or None, day) where a period (期間, qualifier RANGE) ends;
      the month is None when the text leaves it out (「4月推定5日から9日までの間」).
    * ``range_start_mark`` / ``range_end_mark``: 「」, 「頃」 or 「推定」 on the first/last day
      of a period (「5日頃から9日頃まで」, 「推定5日から9日まで」).
    * ``era_hint``: the older era's name when the record is written in it although the
      date also belongs to the next era (「明治45年7月30日」, 「平成31年 月日不詳」,
      「昭和64年1月頃」).  ``None`` means the newer era's reading (or a date entered in
      西暦); a hint equal to that default is normalized to ``None``.

    Equality is field by field; ordering follows :meth:`sort_key`, which is consistent
    with equality.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    qualifier: Qualifier = Qualifier.EXACT
    season: str | None = None
    about: bool = False
    range_end: tuple[int | None, int | None] | None = None
    range_start_mark: str = ""
    range_end_mark: str = ""
    era_hint: str | None = None

    # --- construction ------------------------------------------------------------------

    def __post_init__(self) -> None:
        if self.range_end is not None and not isinstance(self.range_end, tuple):
            object.__setattr__(self, "range_end", tuple(self.range_end))
        self._validate()

    @classmethod
    def exact(cls, d: date) -> RecordDate:
        """A known calendar day (暦上日)."""
        return cls(d.year, d.month, d.day, Qualifier.EXACT)

    @classmethod
    def unknown(cls) -> RecordDate:
        """年月日不詳."""
        return cls(None, None, None, Qualifier.UNKNOWN)

    def _validate(self) -> None:
        y, m, d, q = self.year, self.month, self.day, self.qualifier
        if (
            q is Qualifier.EXACT
            and type(y) is int and type(m) is int and type(d) is int
            and 1869 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= 28
            and self.range_end is None and self.season is None and not self.about
            and not self.range_start_mark and not self.range_end_mark and self.era_hint is None
        ):
            return  # the common case, certainly valid: a plain day of any month
        for name in ("year", "month", "day"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                raise TypeError(f"{name} must be int or None, not {type(v).__name__}")
        if not isinstance(q, Qualifier):
            raise TypeError(f"qualifier must be a Qualifier, not {type(q).__name__}")
        if y is None and (m is not None or d is not None):
            raise DateError("年が不詳のときは月日も不詳としてください")
        if m is None and d is not None:
            raise DateError("月が不詳のときは日も不詳としてください")
        if y is not None and not 1 <= y <= 9999:
            raise DateError(f"{y}年は扱えません")
        if m is not None:
            check_month_day(y, m, d if d is not None else 1, allow_nonleap_feb29=True)

        known = 3 - (y, m, d).count(None)
        need = {
            Qualifier.EXACT: known == 3,
            Qualifier.UNKNOWN: known < 3,
            Qualifier.ABOUT: known >= 1,
            Qualifier.ESTIMATED: known >= 1,
            Qualifier.SEASON: known == 1,
            Qualifier.EARLY: known == 2,
            Qualifier.MIDDLE: known == 2,
            Qualifier.LATE: known == 2,
            Qualifier.RANGE: known == 3,
        }[q]
        if not need:
            raise DateError(f"{self._parts_text()}には「{_QUALIFIER_NAMES[q]}」を付けられません")
        if (self.season is not None) != (q is Qualifier.SEASON):
            raise DateError("季節は「春」「夏」「秋」「冬」の日付にだけ指定できます")
        if q is Qualifier.SEASON and self.season not in SEASONS:
            raise DateError(f"季節が不明です: {self.season}")
        if self.about and q not in (Qualifier.SEASON, *_XUN):
            raise DateError("「頃」の指定は季節と上旬・中旬・下旬にだけ付けられます")
        if q is Qualifier.RANGE:
            self._validate_range()
        elif self.range_end is not None or self.range_start_mark or self.range_end_mark:
            raise DateError("期間の終わりは「〜から〜までの間」の日付にだけ指定できます")

        if y is None:
            if self.era_hint is not None:
                raise DateError("年月日不詳の日付に元号は指定できません")
            return
        lo, hi = self._stated_bounds()
        era_lo, era_hi = (lo, lo) if q is Qualifier.RANGE else (lo, hi)
        default = _default_era(era_lo, era_hi)
        if default is None:
            raise DateError(f"{self._parts_text()}は扱えません（1868年1月25日より前です）")
        if self.era_hint is not None:
            era = era_by_name_or_letter(self.era_hint)
            era_year = era.year_of(y)
            if era_year < 1 or (era.last_year is not None and era_year > era.last_year):
                raise DateError(f"{y}年は{era.name}の期間外です")
            check_within_era(era, era_lo, era_hi, self._parts_text(era))
            object.__setattr__(self, "era_hint", None if era is default else era.name)

    def _validate_range(self) -> None:
        end = self.range_end
        if not (isinstance(end, tuple) and len(end) == 2):
            raise DateError("期間の終わり（月, 日）を指定してください")
        em, ed = end
        if ed is None:
            raise DateError("期間の終わりの日を指定してください")
        check_month_day(self.year, em if em is not None else self.month, ed, allow_nonleap_feb29=True)
        if self._range_end_tuple() <= (self.year, self.month, self.day):
            raise DateError("期間の終わりが始まりより後になっていません")
        for mark in (self.range_start_mark, self.range_end_mark):
            if mark not in _MARKS:
                raise DateError(f"期間の日に付けられるのは「頃」か「推定」です: {mark}")

    # --- derived facts -----------------------------------------------------------------

    @property
    def era(self) -> Era | None:
        """The era the date is written in (``era_hint`` or the newest era that fits)."""
        if self.year is None:
            return None
        if self.era_hint is not None:
            return era_by_name_or_letter(self.era_hint)
        lo, hi = self._stated_bounds()
        if self.qualifier is Qualifier.RANGE:
            hi = lo
        return _default_era(lo, hi)

    @property
    def is_calendar_date(self) -> bool:
        """暦上日: an exact day that exists in the calendar (not 不詳, not 平成3年2月29日)."""
        if self.qualifier is not Qualifier.EXACT:
            return False
        return self.day <= 28 or self.day <= _dim(self.year, self.month)

    def to_date(self) -> date | None:
        """The day as a ``date`` when this is an exact calendar day, else ``None``."""
        return date(self.year, self.month, self.day) if self.is_calendar_date else None

    def _range_end_tuple(self) -> _Tuple:
        em, ed = self.range_end
        return (self.year, em if em is not None else self.month, ed)

    def _stated_bounds(self) -> tuple[_Tuple, _Tuple]:
        """First and last (y, m, d) the stated parts allow, before any era or 頃 widening."""
        y, m, d, q = self.year, self.month, self.day, self.qualifier
        if q is Qualifier.RANGE:
            return (y, m, d), self._range_end_tuple()
        if d is not None:
            return (y, m, d), (y, m, d)
        if q in _XUN:
            _, first, last, _ = _XUN[q]
            return (y, m, first), (y, m, last or _dim(y, m))
        if m is not None:
            return (y, m, 1), (y, m, _dim(y, m))
        if q is Qualifier.SEASON:
            months = SEASONS[self.season]
            return (y, min(months), 1), (y, max(months), _dim(y, max(months)))
        return (y, 1, 1), (y, 12, 31)

    def _strict_intervals(self) -> list[tuple[date, date]]:
        y, q = self.year, self.qualifier
        if q is Qualifier.SEASON:
            months = sorted(SEASONS[self.season])
            runs: list[list[int]] = []
            for month in months:
                if runs and runs[-1][-1] == month - 1:
                    runs[-1].append(month)
                else:
                    runs.append([month])
            return [(date(y, r[0], 1), _month_end(y, r[-1])) for r in runs]
        (ly, lm, ld), (hy, hm, hd) = self._stated_bounds()
        # 2月29日 of a common year: the day before or after may be meant.
        lo = date(ly, lm, ld) if ld <= _dim(ly, lm) else date(ly, lm, 28)
        hi = date(hy, hm, hd) if hd <= _dim(hy, hm) else date(hy, 3, 1)
        return [(lo, hi)]

    def _widen(self, lo: date, hi: date) -> tuple[date, date]:
        q = self.qualifier
        if q is Qualifier.RANGE:
            if self.range_start_mark:
                lo = _add(lo, -DAY_MARGIN)
            if self.range_end_mark:
                hi = _add(hi, DAY_MARGIN)
            return lo, hi
        if q in (Qualifier.ABOUT, Qualifier.ESTIMATED):
            if self.day is not None:
                return _add(lo, -DAY_MARGIN), _add(hi, DAY_MARGIN)
            if self.month is not None:
                return _shift_months(lo, hi, MONTH_MARGIN)
            return (
                date(max(lo.year - YEAR_MARGIN, 1), 1, 1),
                date(min(hi.year + YEAR_MARGIN, 9999), 12, 31),
            )
        if self.about and q in _XUN:
            return _add(lo, -XUN_MARGIN), _add(hi, XUN_MARGIN)
        if self.about and q is Qualifier.SEASON:
            return _shift_months(lo, hi, MONTH_MARGIN)
        return lo, hi

    def plausible_intervals(self, *, widen: bool = True) -> list[tuple[date, date]] | None:
        """Days the record allows, as inclusive (first, last) intervals; None if 年月日不詳.

        Narrowed to ``era_hint``'s era; with ``widen``, 頃/推定 add the search tolerance
        (DAY_MARGIN, XUN_MARGIN, MONTH_MARGIN, YEAR_MARGIN).
        """
        if self.year is None:
            return None
        intervals = self._strict_intervals()
        if self.era_hint is not None and self.qualifier is not Qualifier.RANGE:
            # (a period's era only says how its first day is written)
            era = self.era
            e_lo, e_hi = era.start, era.end or date.max
            intervals = [(max(lo, e_lo), min(hi, e_hi)) for lo, hi in intervals]
            intervals = [(lo, hi) for lo, hi in intervals if lo <= hi]
        if widen:
            intervals = [self._widen(lo, hi) for lo, hi in intervals]
        return intervals

    def plausible_range(self, *, widen: bool = True) -> tuple[date, date] | None:
        """First and last day the record could be (see :meth:`plausible_intervals`)."""
        intervals = self.plausible_intervals(widen=widen)
        if intervals is None:
            return None
        return min(lo for lo, _ in intervals), max(hi for _, hi in intervals)

    def could_be(self, d: date) -> bool:
        """Whether the searched day ``d`` could be this record's date (頃 and 推定 tolerate
        a margin; 上旬 without 頃 does not: 令和3年4月上旬 could be 2021-04-05, not 2021-04-15)."""
        intervals = self.plausible_intervals()
        return intervals is None or any(lo <= d <= hi for lo, hi in intervals)

    def overlaps(self, start: date, end: date) -> bool:
        """Whether any day from ``start`` to ``end`` (inclusive) could be this record's date."""
        intervals = self.plausible_intervals()
        return intervals is None or any(lo <= end and start <= hi for lo, hi in intervals)

    # --- ordering ----------------------------------------------------------------------

    def _primary(self) -> _Tuple:
        """(y, m, d) with 0 for unknown parts; 旬 and seasons count from their first day."""
        if self.year is None:
            return (0, 0, 0)
        q = self.qualifier
        if q in _XUN:
            return (self.year, self.month, _XUN[q][1])
        if q is Qualifier.SEASON:
            return (self.year, min(SEASONS[self.season]), 0)
        return (self.year, self.month or 0, self.day or 0)

    def sort_key(self) -> tuple:
        """Total order for lists of register dates.

        Primary: year, month, day with unknown parts as 0, so an unknown part sorts before
        every known value of it — 年月日不詳 first of all, 「令和3年 月日不詳」 before
        令和3年1月1日, 「令和3年4月 日不詳」 before 4月1日; 上旬/中旬/下旬 count from day
        1/11/21, a season from its first month (冬 from January); a period from its first
        day.  Ties (same primary) break by qualifier (in :class:`Qualifier` order, EXACT first),
        then the remaining fields, the older era's reading first.  Equal keys ⇔ equal dates.
        """
        era_rank = len(ERAS) if self.era_hint is None else ERAS.index(self.era)
        em, ed = self.range_end or (None, None)
        return (
            *self._primary(),
            list(Qualifier).index(self.qualifier),
            list(SEASONS).index(self.season) if self.season else -1,
            self.about,
            _MARKS.index(self.range_start_mark),
            em or 0,
            ed or 0,
            _MARKS.index(self.range_end_mark),
            era_rank,
        )

    def storage_sort_key(self) -> str:
        """Fixed-width 「YYYYMMDD」 for an SQL index, 00 for unknown parts (the primary part
        of :meth:`sort_key`: 上旬/中旬/下旬 use day 01/11/21, a season its first month).
        Ordering by it never contradicts :meth:`sort_key`."""
        y, m, d = self._primary()
        return f"{y:04d}{m:02d}{d:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key() >= other.sort_key()

    # --- text --------------------------------------------------------------------------

    def _parts_text(self, era: Era | None = None) -> str:
        """Year, month and day as far as known, for messages (「令和元年4月下旬」)."""
        if self.year is None:
            return "年月日不詳"
        if era is None:
            text = f"{self.year}年"
        else:
            text = era_year_text(era, era.year_of(self.year))
        if self.month is not None:
            text += f"{self.month}月"
        if self.day is not None:
            text += f"{self.day}日"
        if self.qualifier in _XUN:
            text += _XUN[self.qualifier][0]
        if self.qualifier is Qualifier.SEASON and self.season:
            text += self.season
        return text

    def _format(self, year_text: str) -> str:
        y, m, d, q = self.year, self.month, self.day, self.qualifier
        if y is None:
            return "年月日不詳"
        if q is Qualifier.UNKNOWN:
            if m is None:
                return f"{year_text}{UNKNOWN_GAP}月日不詳"
            return f"{year_text}{m}月{UNKNOWN_GAP}日不詳"
        parts = year_text + (f"{m}月" if m is not None else "") + (f"{d}日" if d is not None else "")
        if q is Qualifier.EXACT:
            return parts
        if q is Qualifier.ABOUT:
            return parts + ABOUT_MARK
        if q is Qualifier.ESTIMATED:
            return ESTIMATED_MARK + parts
        tail = ABOUT_MARK if self.about else ""
        if q is Qualifier.SEASON:
            return f"{year_text}{self.season}{tail}"
        if q in _XUN:
            return f"{year_text}{m}月{_XUN[q][0]}{tail}"
        em, ed = self.range_end
        start = _marked_day(d, self.range_start_mark)
        end = (f"{em}月" if em is not None else "") + _marked_day(ed, self.range_end_mark)
        return f"{year_text}{m}月{start}から{end}までの間"

    def format_wareki(self) -> str:
        """和暦 as the spec writes it: 「令和元年5月頃」「推定昭和20年4月」「年月日不詳」…"""
        era = self.era
        if era is None:
            return self._format("")
        return self._format(era_year_text(era, era.year_of(self.year)))

    def format_seireki(self) -> str:
        """西暦 (foreign residents' birth dates): 「1980年12月26日」「1980年頃」「年月日不詳」."""
        return self._format(f"{self.year}年" if self.year is not None else "")

    def __str__(self) -> str:
        return self.format_wareki()

    @classmethod
    def parse(cls, text: str) -> RecordDate:
        """Read a register date in any form of the spec's 不詳日入力一覧 (any era, or 西暦:
        「1980年頃」), and every full-date form :func:`domain.wareki.parse_date` reads.
        2月29日 of a common year is accepted; other impossible dates raise DateError.
        """
        t = normalize_input(text)
        if not t:
            raise DateError("日付が入力されていません")
        t = re.sub(r"\s+", " ", t)
        if t in ("年月日不詳", "不詳"):
            return cls.unknown()
        mo = _TEXT_FORM.fullmatch(t)
        if mo is None:
            try:
                era, y, m, d = parse_date_parts(text, allow_nonleap_feb29=True)
            except DateError as e:
                if e.message.startswith("日付として読めません"):
                    raise _unreadable(text) from None
                raise
            return cls(y, m, d, Qualifier.EXACT, era_hint=era.name if era else None)
        return cls._from_match(mo, text)

    @classmethod
    def _from_match(cls, mo: re.Match, text: str) -> RecordDate:
        g = {k: v for k, v in mo.groupdict().items() if v is not None}
        era = None
        if "era" in g:
            era = era_by_name_or_letter(g["era"])
            year = era_year_to_gregorian(era, 1 if g["ey"] == "元" else int(g["ey"]))
        else:
            year = int(g["gy"])
        month = int(g["m"]) if "m" in g else None
        day = int(g["d"]) if "d" in g else None
        kw: dict = {"era_hint": era.name if era else None}
        markers = set(g) - {"era", "ey", "gy", "m", "d"}

        def only(*allowed: str) -> bool:
            return markers <= set(allowed)

        if "est" in g:
            if not only("est"):
                raise _unreadable(text)
            return cls(year, month, day, Qualifier.ESTIMATED, **kw)
        if "ed" in g:
            if ("sest" in g and "sabout" in g) or ("eest" in g and "eabout" in g):
                raise _unreadable(text)
            return cls(
                year, month, day, Qualifier.RANGE,
                range_end=(int(g["em"]) if "em" in g else None, int(g["ed"])),
                range_start_mark=_mark(g, "sest", "sabout"),
                range_end_mark=_mark(g, "eest", "eabout"),
                **kw,
            )
        if "sest" in g:
            raise _unreadable(text)
        if "season" in g:
            return cls(year, None, None, Qualifier.SEASON, season=g["season"],
                       about="season_about" in g, **kw)
        if "xun" in g:
            q = next(q for q, v in _XUN.items() if v[0] == g["xun"])
            return cls(year, month, None, q, about="xun_about" in g, **kw)
        if "yunknown" in g or "munknown" in g:
            return cls(year, month, None, Qualifier.UNKNOWN, **kw)
        if "sabout" in g or "mabout" in g or "yabout" in g:
            return cls(year, month, day, Qualifier.ABOUT, **kw)
        if day is not None:
            return cls(year, month, day, Qualifier.EXACT, **kw)
        if month is not None:
            raise DateError("日が入力されていません（分からないときは「日不詳」と入力してください）")
        raise DateError("月日が入力されていません（分からないときは「月日不詳」と入力してください）")

    # --- storage -----------------------------------------------------------------------

    def to_storage(self) -> str:
        """Compact ASCII form that round-trips exactly through :meth:`from_storage`.

        ``YYYY-MM-DD`` with ``??`` for unknown parts (「????-??-??」 = 年月日不詳), then:
        ``~`` 頃 / ``*`` 推定 (「1945-??-??~」, 「2021-04-??*」); ``/spring`` … ``/winter``
        or ``/early`` ``/mid`` ``/late``, plus ``~`` for 頃 (「2021-04-??/mid~」); a period
        as start day, its mark, ``/``, end ``[MM-]DD`` and its mark
        (「2021-04-05/04-09~」, 「2021-04-05*/09」); finally ``@`` and the older era's letter
        (「1912-07-30@M」).  Exact dates sort as text in date order.
        """
        y, m, d, q = self.year, self.month, self.day, self.qualifier
        if q is Qualifier.EXACT and self.era_hint is None:
            return f"{y:04d}-{m:02d}-{d:02d}"
        s = "-".join(
            "?" * w if v is None else f"{v:0{w}d}" for v, w in ((y, 4), (m, 2), (d, 2))
        )
        if q is Qualifier.ABOUT:
            s += "~"
        elif q is Qualifier.ESTIMATED:
            s += "*"
        elif q is Qualifier.SEASON:
            s += "/" + _SEASON_CODES[self.season] + ("~" if self.about else "")
        elif q in _XUN:
            s += "/" + _XUN[q][3] + ("~" if self.about else "")
        elif q is Qualifier.RANGE:
            em, ed = self.range_end
            s += _MARK_CODES[self.range_start_mark] + "/"
            s += (f"{em:02d}-" if em is not None else "") + f"{ed:02d}"
            s += _MARK_CODES[self.range_end_mark]
        if self.era_hint is not None:
            s += "@" + self.era.letter
        return s

    @classmethod
    def from_storage(cls, s: str) -> RecordDate:
        """Inverse of :meth:`to_storage`; DateError for anything it would not produce."""
        mo = _STORAGE.fullmatch(s) if isinstance(s, str) else None
        if mo is None:
            raise DateError(f"保存された日付の形式が正しくありません: {s!r}")
        g = mo.groupdict()
        y, m, d = (None if "?" in g[k] else int(g[k]) for k in ("y", "m", "d"))
        tag, mark = g["tag"], g["mark"]
        try:
            kw: dict = {"era_hint": era_by_name_or_letter(g["era"]).name if g["era"] else None}
            if g["ed"] is not None:
                rd = cls(y, m, d, Qualifier.RANGE,
                         range_end=(int(g["em"]) if g["em"] else None, int(g["ed"])),
                         range_start_mark=_CODE_MARKS[mark],
                         range_end_mark=_CODE_MARKS[g["emark"]], **kw)
            elif tag in _CODE_SEASONS:
                rd = cls(y, m, d, Qualifier.SEASON, season=_CODE_SEASONS[tag],
                         about=bool(g["tabout"]), **kw)
            elif tag is not None:
                q = next(q for q, v in _XUN.items() if v[3] == tag)
                rd = cls(y, m, d, q, about=bool(g["tabout"]), **kw)
            elif mark == "~":
                rd = cls(y, m, d, Qualifier.ABOUT, **kw)
            elif mark == "*":
                rd = cls(y, m, d, Qualifier.ESTIMATED, **kw)
            else:
                q = Qualifier.EXACT if d is not None else Qualifier.UNKNOWN
                rd = cls(y, m, d, q, **kw)
        except DateError as e:
            raise DateError(f"保存された日付が正しくありません: {s!r}（{e.message}）") from e
        if rd.to_storage() != s:
            raise DateError(f"保存された日付の形式が正しくありません: {s!r}")
        return rd


def _shift_months(lo: date, hi: date, months: int) -> tuple[date, date]:
    try:
        new_lo = _month_start(lo.year, lo.month, -months)
    except ValueError:
        new_lo = date.min
    try:
        new_hi = _month_end(hi.year, hi.month, months)
    except ValueError:
        new_hi = date.max
    return new_lo, new_hi


def _marked_day(day: int, mark: str) -> str:
    if mark == ESTIMATED_MARK:
        return f"{ESTIMATED_MARK}{day}日"
    return f"{day}日{mark}"


def _mark(g: dict, est_key: str, about_key: str) -> str:
    if est_key in g:
        return ESTIMATED_MARK
    if about_key in g:
        return ABOUT_MARK
    return ""


def _unreadable(text: str) -> DateError:
    return DateError(f"日付として読めません: {text.strip()}（例: 令和3年4月頃、推定令和3年4月5日、令和3年 月日不詳）")


_QUALIFIER_NAMES = {
    Qualifier.EXACT: "年月日",
    Qualifier.ESTIMATED: "推定",
    Qualifier.ABOUT: "頃",
    Qualifier.RANGE: "〜から〜までの間",
    Qualifier.EARLY: "上旬",
    Qualifier.MIDDLE: "中旬",
    Qualifier.LATE: "下旬",
    Qualifier.SEASON: "季節",
    Qualifier.UNKNOWN: "不詳",
}

_MARK_CODES = {"": "", ABOUT_MARK: "~", ESTIMATED_MARK: "*"}
_CODE_MARKS = {v: k for k, v in _MARK_CODES.items()}
_CODE_SEASONS = {v: k for k, v in _SEASON_CODES.items()}

_TEXT_FORM = re.compile(
    rf"""
    (?P<est>推定)?\s?
    (?: (?P<era>{ERA_PATTERN})\s?(?P<ey>元|\d{{1,3}}) | (?:西暦\s?)?(?P<gy>\d{{4}}) )\s?年\s?
    (?:
        (?P<season>[春夏秋冬])(?P<season_about>頃)?
      | (?P<yunknown>月日不詳)
      | (?P<m>\d{{1,2}})\s?月\s?
        (?:
            (?P<xun>上旬|中旬|下旬)(?P<xun_about>頃)?
          | (?P<munknown>日不詳)
          | (?P<sest>推定)?\s?(?P<d>\d{{1,2}})\s?日\s?(?P<sabout>頃)?
            (?: \s?から\s?(?:(?P<em>\d{{1,2}})\s?月\s?)?(?P<eest>推定)?\s?(?P<ed>\d{{1,2}})\s?日\s?
                (?P<eabout>頃)?\s?まで(?:の間)? )?
          | (?P<mabout>頃)?
        )
      | (?P<yabout>頃)?
    )
    """,
    re.VERBOSE,
)

_STORAGE = re.compile(
    r"""
    (?P<y>\d{4}|\?{4})-(?P<m>\d{2}|\?\?)-(?P<d>\d{2}|\?\?)
    (?P<mark>[~*]?)
    (?: /(?P<tag>spring|summer|autumn|winter|early|mid|late)(?P<tabout>~?)
      | /(?:(?P<em>\d{2})-)?(?P<ed>\d{2})(?P<emark>[~*]?) )?
    (?:@(?P<era>[A-Z]))?
    """,
    re.VERBOSE,
)
