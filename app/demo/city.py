"""A synthetic Chiba City (架空の千葉市): households, resident records and their history, streamed.

`generate_city(n, seed=…, today=…)` yields `DemoHousehold`s until n current residents exist:
the household, the current state of every record that ever belonged to it (removed records —
died, moved out — included) and the changes (異動) that made those records, oldest first.

What it models, roughly after the 2020 census and Chiba City's 2024 figures:
- the 6 wards in their population shares, the real 町丁目 of each ward, 番地/号 and 方書;
- household types (single ≈ 38 %, couples, couples with children, single parents, three
  generations with 子の妻/子の子 (孫) and `related_to`, a child with 父/母, 同居人/縁故者/未届の妻),
  ≈ 2.07 persons a household (Chiba City: 984,285 / 474,595), an age pyramid like Japan's in 2025;
- names from weighted tables (names.py) with 異体字 spellings, 旧氏, era fashions;
- ≈ 3 % foreign residents (国籍, 在留資格, 在留期間, 在留カード番号, 通称 of 特別永住者);
- history: 転入/出生 creating each record (職権記載 on 2012-07-09 for foreign residents who
  lived here before the 外国人住民 system began), some 転居, 世帯主変更, 旧氏の記載, 死亡, 転出.

Deterministic: everything random comes from one `random.Random(seed)`; the same seed, n and
today give the same output. Identifiers are unique by construction: 宛名番号 and 世帯番号 are
serials, 住民票コード and 個人番号 are affine permutations of the serial (mod 10^10 / 10^11)
plus their check digits. `Removal.reason` holds the ChangeReason code ("B03" 死亡, "B01" 国内転出).

Streaming and fast (≈ 19k residents/s on the 2-core dev VM, ≈ 55 s for a million, ~30 MiB):
weighted tables are cumulative sums searched with bisect, days are ordinals with cached
RecordDate/date objects, addresses and 本籍 outside the city are pooled after the first 40,000,
and resident records are built by filling their __dict__ (see `_new_resident`).
"""
from __future__ import annotations

import datetime as dt
import random
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from operator import attrgetter, itemgetter
from typing import Iterable, Iterator, Sequence

from app.demo import names as name_data
from domain.addresses import CITY, PREFECTURE, WARDS, municipalities, towns
from domain.change_reasons import ChangeReason
from domain.history import Change, ResidentDelta
from domain.record_dates import Qualifier, RecordDate
from domain.residents import (
    HOUSEHOLDER,
    Address,
    ForeignCategory,
    ForeignResidentInfo,
    Household,
    PersonName,
    Removal,
    Resident,
    ResidentKind,
    Sex,
    Status,
)


FOREIGN_REGISTER_START = dt.date(2012, 7, 9)  # 外国人住民 enter the register (改正住基法施行日)
OLD_SURNAME_START = dt.date(2019, 11, 5)  # 旧氏の記載 possible from this day
EX_OFFICIO_NOTE = "住民基本台帳法の一部を改正する法律の施行（平成24年7月9日）に伴う記載"

JAPANESE = ResidentKind.JAPANESE
FOREIGN = ResidentKind.FOREIGN
MALE = Sex.MALE
FEMALE = Sex.FEMALE
YEAR = 365.2425


@dataclass(frozen=True)
class DemoHousehold:
    """One synthetic household: the 世帯, every record that belonged to it, and their history."""

    household: Household
    members: tuple[Resident, ...]  # current members first (household order), then removed ones
    changes: tuple[Change, ...]  # oldest first; each record's first change creates it

    @property
    def current_members(self) -> tuple[Resident, ...]:
        return tuple(r for r in self.members if r.is_current)


# --- weighted tables ---------------------------------------------------------------------------


class _Table:
    """Weighted choice in O(log n): cumulative weights + bisect."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(float(w) for _, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _bands(spec: Sequence[tuple[int, int, float]]) -> _Table:
    """Ages from (lo, hi inclusive, weight) bands: pick a band, then an age uniformly in it."""
    return _Table([((lo, hi), w) for lo, hi, w in spec])


def _age(rng: random.Random, table: _Table) -> int:
    lo, hi = table.pick(rng)
    return lo + int(rng.random() * (hi - lo + 1))


# Householder ages by household type (tuned so the city's pyramid resembles Japan's in 2025).
_AGE_SINGLE = _bands([(18, 22, 7), (23, 29, 12), (30, 39, 8), (40, 49, 11), (50, 59, 18),
                      (60, 64, 7), (65, 74, 15), (75, 84, 15), (85, 99, 8)])
_AGE_COUPLE = _bands([(24, 34, 5), (35, 44, 3), (45, 54, 7), (55, 64, 14), (65, 74, 35),
                      (75, 84, 31), (85, 96, 9)])
_AGE_FAMILY = _bands([(26, 34, 12), (35, 44, 36), (45, 54, 31), (55, 64, 16), (65, 74, 4),
                      (75, 84, 1)])
_AGE_SINGLE_PARENT = _bands([(25, 34, 7), (35, 44, 19), (45, 54, 26), (55, 64, 16),
                             (65, 74, 14), (75, 84, 13), (85, 95, 5)])
_AGE_THREE_GEN_OLD = _bands([(58, 64, 15), (65, 74, 45), (75, 84, 32), (85, 92, 8)])
_AGE_THREE_GEN_MID = _bands([(32, 39, 15), (40, 49, 40), (50, 59, 35), (60, 66, 10)])
_AGE_WITH_PARENT = _bands([(35, 44, 15), (45, 54, 35), (55, 64, 35), (65, 72, 15)])
_AGE_OTHER = _bands([(22, 34, 30), (35, 49, 30), (50, 69, 25), (70, 85, 15)])

# Japanese household types and their shares (of Japanese households).
_HOUSEHOLD_TYPES = _Table([
    ("single", 37.5), ("couple", 24.0), ("family", 19.5), ("single_parent", 8.5),
    ("three_gen_old", 1.7), ("three_gen_mid", 1.5), ("with_parent", 3.5), ("other", 1.3),
])
_CHILDREN = _Table([(1, 46), (2, 40), (3, 12), (4, 2)])
_FOREIGN_HOUSEHOLD_SHARE = 0.036
_MIXED_MARRIAGE_SHARE = 0.012  # couples/families with a foreign wife
_SUPPORT_MEASURE_SHARE = 0.011  # of female-headed single / single-parent households under 60
_UNKNOWN_BIRTH_SHARE = 0.0017  # of people aged 88+: 「昭和2年頃」「大正15年 月日不詳」
_VERY_OLD = 88 * YEAR  # days
_OLD_SURNAME_SHARE = 0.04  # of married women (旧氏)
_MOVE_WITHIN_SHARE = 0.2
_POOL = 40_000  # addresses and 本籍 outside the city made afresh before reuse starts
_BUILDING_SHARE_SINGLE = 0.65
_BUILDING_SHARE_OTHER = 0.28

# Where people move in from (転入前住所) and hold 本籍: prefecture weights beyond a uniform 1.
_PREFECTURE_WEIGHTS = {"千葉県": 38.0, "東京都": 22.0, "神奈川県": 8.0, "埼玉県": 8.0, "茨城県": 3.0}
_OTHER_PREFECTURES_WEIGHT = 21.0
_ABROAD_COUNTRIES = ("アメリカ合衆国", "中華人民共和国", "シンガポール", "タイ", "英国", "ドイツ",
                     "オーストラリア", "大韓民国", "ベトナム", "カナダ", "フランス", "インド")

# 在留資格 of foreign householders by nationality (家族滞在 etc. follow from the householder).
_STATUS_BY_NATIONALITY: dict[str, dict[str, float]] = {
    "中国": {"永住者": 32, "技術・人文知識・国際業務": 24, "留学": 18, "日本人の配偶者等": 6, "定住者": 4,
           "技能実習": 4, "経営・管理": 4, "特定技能": 4},
    "ベトナム": {"技能実習": 28, "技術・人文知識・国際業務": 26, "留学": 18, "特定技能": 20, "永住者": 8},
    "韓国": {"特別永住者": 42, "永住者": 25, "技術・人文知識・国際業務": 15, "日本人の配偶者等": 8, "留学": 10},
    "朝鮮": {"特別永住者": 95, "永住者": 5},
    "フィリピン": {"永住者": 42, "定住者": 15, "日本人の配偶者等": 18, "技能実習": 8, "特定技能": 9,
              "技術・人文知識・国際業務": 8},
    "ネパール": {"留学": 35, "技能": 25, "技術・人文知識・国際業務": 30, "永住者": 5, "特定技能": 5},
    "台湾": {"永住者": 35, "技術・人文知識・国際業務": 35, "留学": 20, "日本人の配偶者等": 10},
    "インドネシア": {"技能実習": 35, "特定技能": 30, "技術・人文知識・国際業務": 15, "留学": 15, "永住者": 5},
    "ミャンマー": {"技能実習": 25, "特定技能": 25, "留学": 20, "技術・人文知識・国際業務": 20, "特定活動": 10},
    "米国": {"永住者": 30, "技術・人文知識・国際業務": 30, "教育": 20, "日本人の配偶者等": 20},
    "英国": {"永住者": 30, "技術・人文知識・国際業務": 30, "教育": 25, "日本人の配偶者等": 15},
    "タイ": {"永住者": 35, "日本人の配偶者等": 25, "技能実習": 20, "留学": 20},
    "スリランカ": {"留学": 40, "技術・人文知識・国際業務": 35, "特定技能": 25},
    "インド": {"技術・人文知識・国際業務": 50, "技能": 25, "永住者": 25},
    "ブラジル": {"定住者": 50, "永住者": 45, "日本人の配偶者等": 5},
    "バングラデシュ": {"留学": 40, "技術・人文知識・国際業務": 35, "経営・管理": 25},
}
_MIXED_MARRIAGE_NATIONALITIES = _Table([("中国", 35), ("フィリピン", 30), ("韓国", 15), ("タイ", 8),
                                        ("ベトナム", 6), ("台湾", 3), ("ブラジル", 3)])
_PERIODS: dict[str, tuple[str, ...]] = {
    "留学": ("1年", "2年", "1年3月", "2年3月", "4年3月"),
    "技能実習": ("1年", "2年"),
    "特定技能": ("6月", "1年"),
    "特定活動": ("6月", "1年"),
    "教育": ("1年", "3年"),
}
_DEFAULT_PERIODS = ("1年", "3年", "5年")
_NO_PERIOD = ("永住者", "特別永住者")
_SINGLE_STATUSES = ("留学", "技能実習", "特定技能", "特定活動")
# (lo, hi) of a foreign householder's age by 在留資格
_STATUS_AGES: dict[str, tuple[int, int]] = {
    "留学": (19, 29), "技能実習": (20, 34), "特定技能": (21, 40), "特定活動": (20, 40),
    "技術・人文知識・国際業務": (23, 50), "永住者": (30, 78), "定住者": (22, 70),
    "日本人の配偶者等": (25, 55), "経営・管理": (30, 62), "教育": (25, 62), "技能": (25, 52),
}
_SPECIAL_PERMANENT_AGE = _bands([(20, 39, 20), (40, 59, 30), (60, 79, 35), (80, 98, 15)])
# share of foreign households that moved in from abroad (the rest from elsewhere in Japan)
_FROM_ABROAD = {"永住者": 0.2, "定住者": 0.4, "日本人の配偶者等": 0.5}
_OWN_NAME_NATIONALITIES = ("中国", "台湾", "韓国", "朝鮮", "ベトナム")
_FOREIGN_TYPES = _Table([("single", 52), ("couple", 18), ("family", 24), ("single_parent", 6)])


# --- static tables (built once per process) ------------------------------------------------


@dataclass(frozen=True)
class _Static:
    wards: _Table  # ward index
    towns: tuple[_Table, ...]  # per ward: town name
    ward_names: tuple[str, ...]
    ward_codes: tuple[str, ...]
    building_share: tuple[float, ...]
    family: _Table  # (name, kana)
    variant_share: float
    era_starts: tuple[int, ...]
    given: tuple[tuple[_Table, _Table], ...]  # per era: (male, female) tables of (name, kana)
    places: _Table  # (prefecture, municipality) outside the city
    municipalities: dict  # prefecture -> tuple of municipality names
    nationalities: _Table
    foreign: dict  # nationality -> foreign_names() entry with tables
    statuses: dict  # nationality -> _Table of status
    alias_families: dict


@cache
def _static() -> _Static:
    wards = _Table([(i, ward.population) for i, ward in enumerate(WARDS)])
    # 丁目 towns are the dense residential ones; plain 町 in the east are mostly farmland.
    town_tables = [_Table([(t.name, 3.0 if t.name.endswith("丁目") else 1.0) for t in towns(ward)])
                   for ward in WARDS]
    building_share = (1.15, 1.0, 1.05, 0.7, 0.75, 1.35)

    fam = name_data.family_names()
    total = sum(w for _, _, w in fam)
    with_variants = sum(w for n, _, w in fam if n in name_data.VARIANT_SPELLINGS)
    variant_share = min(0.6, 0.025 * total / with_variants)
    family = _Table([((n, k), w) for n, k, w in fam])

    eras = name_data.given_names_by_era()
    given = tuple(
        tuple(_Table([(nk, 1.0 / (rank + 4)) for rank, nk in enumerate(lst)]) for lst in (male, female))
        for _, male, female in eras
    )

    munis = {p: tuple(m for m in ms if not (p == PREFECTURE and m.startswith(CITY)))
             for p, ms in municipalities().items()}
    others = [p for p in munis if p not in _PREFECTURE_WEIGHTS]
    others_total = sum(len(munis[o]) for o in others)
    pref_weights = {p: _PREFECTURE_WEIGHTS.get(p, _OTHER_PREFECTURES_WEIGHT * len(munis[p]) / others_total)
                    for p in munis}
    places = _Table([((p, m), pref_weights[p] / len(ms)) for p, ms in munis.items() for m in ms])

    fnames = name_data.foreign_names()
    nationalities = _Table([(nat, v[0]) for nat, v in fnames.items()])
    foreign = {
        nat: (_Table([(x, 1) for x in fam_]), _Table([(x, 1) for x in males]), _Table([(x, 1) for x in females]),
              male_mid, female_mid, country)
        for nat, (_, fam_, males, females, male_mid, female_mid, country) in fnames.items()
    }
    statuses = {nat: _Table(list(s.items())) for nat, s in _STATUS_BY_NATIONALITY.items()}
    return _Static(
        wards=wards, towns=tuple(town_tables), ward_names=tuple(w.name for w in WARDS),
        ward_codes=tuple(w.lg_code for w in WARDS), building_share=building_share, family=family,
        variant_share=variant_share, era_starts=tuple(e[0] for e in eras), given=given,
        places=places, municipalities=munis, nationalities=nationalities, foreign=foreign,
        statuses=statuses, alias_families=name_data.alias_families(),
    )


_RD_CACHE: dict[int, RecordDate] = {}
_DATE_CACHE: dict[int, dt.date] = {}


def _rd(ordinal: int) -> RecordDate:
    """RecordDate.exact for a day ordinal, cached (construction validates eras; days repeat a lot)."""
    r = _RD_CACHE.get(ordinal)
    if r is None:
        if len(_RD_CACHE) > 200_000:
            _RD_CACHE.clear()
        r = _RD_CACHE[ordinal] = RecordDate.exact(dt.date.fromordinal(ordinal))
    return r


def _day(ordinal: int) -> dt.date:
    d = _DATE_CACHE.get(ordinal)
    if d is None:
        if len(_DATE_CACHE) > 200_000:
            _DATE_CACHE.clear()
        d = _DATE_CACHE[ordinal] = dt.date.fromordinal(ordinal)
    return d


# --- identifiers ---------------------------------------------------------------------------------


def _weight(n: int) -> int:
    """Modulus-11 weight of the n-th digit from the right (住民票コード and 個人番号 share it)."""
    return n + 1 if n <= 6 else n - 5


@cache
def _chunk_sums(first_n: int, width: int) -> tuple[int, ...]:
    """Weighted digit sums of every `width`-digit chunk whose last digit is the first_n-th from the right."""
    out = []
    for v in range(10**width):
        total, n = 0, first_n
        while n < first_n + width:
            total += (v % 10) * _weight(n)
            v //= 10
            n += 1
        out.append(total)
    return tuple(out)


def _resident_code(body: int) -> str:
    """住民票コード: 10-digit body + check digit (= domain.checkdigits.resident_code_check_digit)."""
    remainder = (_T1[body % 10000] + _T5[body // 10000 % 10000] + _T9[body // 100000000]) % 11
    return f"{body:010d}{0 if remainder <= 1 else 11 - remainder}"


def _my_number(body: int) -> str:
    """個人番号: 11-digit body + check digit (= domain.checkdigits.my_number_check_digit)."""
    remainder = (_T1[body % 10000] + _T5[body // 10000 % 10000] + _T9[body // 100000000]) % 11
    return f"{body:011d}{0 if remainder <= 1 else 11 - remainder}"


_T1, _T5, _T9 = _chunk_sums(1, 4), _chunk_sums(5, 4), _chunk_sums(9, 3)

# A resident record is a frozen dataclass of 27 fields; while it stays a plain one (no
# __post_init__, no slots) records are made by filling __dict__ — what its constructor and
# dataclasses.replace do, without one object.__setattr__ per field, at a fifth of the cost.
# Tests check every record has exactly the class's fields and equals a constructor-made copy.
CURRENT = Status.CURRENT
REMOVED = Status.REMOVED
_EVENT_ORDER = itemgetter(0, 1, 2)  # day, kind, then as planned
_DELTA_ORDER = attrgetter("resident_id")


def _plain_dataclass(cls) -> bool:
    return not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")


_FAST_RESIDENT = _plain_dataclass(Resident)


def _new_resident(values: dict) -> Resident:
    """Resident(**values); `values` names every field."""
    if _FAST_RESIDENT:
        n = object.__new__(Resident)
        n.__dict__.update(values)
        return n
    return Resident(**values)


def _evolve(r: Resident, **changes) -> Resident:
    """`r.evolve(**changes)`: the next version with `changes` applied."""
    if not _FAST_RESIDENT:
        return r.evolve(**changes)
    n = object.__new__(Resident)
    d = n.__dict__
    d.update(r.__dict__)
    d.update(changes)
    d["version"] = r.version + 1
    return n


# --- people and events while a household is planned --------------------------------------------

_ALIAS_FROM_HUSBAND = "<husband>"  # placeholder until the household's husband is known

_TOWN_STEM = re.compile(r"([一二三四五六七八九十]+丁目|町)$")  # 「稲毛東三丁目」→「稲毛東」 for building names

# event kinds, in their order on one day
_IN, _EX_OFFICIO, _BIRTH, _WITHIN, _OLD_SURNAME, _DEATH, _OUT, _HOUSEHOLDER = range(8)


class _P:
    """A person being planned: fixed facts plus the relationship as it stands during replay."""

    __slots__ = ("name", "birth_o", "birth", "sex", "rel", "rel_to", "kind", "foreign", "domicile", "head",
                 "old", "old_kana", "alias", "alias_kana", "join_o", "res", "arrived_o")

    def __init__(self, name: PersonName, birth_o: int, sex: Sex, rel: str, kind: ResidentKind = JAPANESE):
        self.name = name
        self.birth_o = birth_o
        self.birth = None
        self.sex = sex
        self.rel = rel
        self.rel_to = None
        self.kind = kind
        self.foreign = None  # (nationality, category, alphabet, status, period, expires, card)
        self.domicile = ""
        self.head = ""
        self.old = self.old_kana = self.alias = self.alias_kana = ""
        self.join_o = None  # day this person joined an existing household (MOVE_IN of their own)
        self.res: Resident | None = None
        self.arrived_o = 0


class _CityGenerator:
    def __init__(self, seed: int, today: dt.date, block: int = 0, block_residents: int = 0):
        self.s = _static()
        # Each block of the city has its own random stream and serial ranges, so blocks can be
        # generated apart (in parallel) and still give the same city; the number permutations
        # below are city-wide, so 住民票コード and 個人番号 stay unique across blocks.
        self.rng = random.Random(f"madoguchi-demo:{seed}:{block}")
        self.rand = self.rng.random
        self.seed = seed
        self.today = today
        self.t = today.toordinal()
        self.frs = FOREIGN_REGISTER_START.toordinal()
        self.oss = OLD_SURNAME_START.toordinal()
        self.very_old = self.t - int(_VERY_OLD)  # born before this day: 88 or older
        size = block_residents or BLOCK_RESIDENTS
        self.resident_serial = block * size * 2
        self.household_serial = block * size
        self.change_serial = block * size * 4
        self.limits = ((block + 1) * size * 2, (block + 1) * size, (block + 1) * size * 4)
        self.address_pool: list[Address] = []
        self.domicile_pool: list[str] = []
        rng = random.Random(f"madoguchi-demo-numbers:{seed}")
        self.code_mul = self._unit(rng, 10**10)
        self.code_add = rng.randrange(10**10)
        self.mn_mul = self._unit(rng, 10**11)
        self.mn_add = rng.randrange(10**11)

    @staticmethod
    def _unit(rng: random.Random, modulus: int) -> int:
        """A multiplier coprime to 10^k, so serial → (serial·a + b) mod 10^k is a bijection."""
        while True:
            a = rng.randrange(modulus // 10, modulus)
            if a % 2 and a % 5:
                return a

    # --- small draws -------------------------------------------------------------------------

    def ri(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] (a third of random.randint's cost; 53 random bits are plenty)."""
        return lo + int(self.rand() * (hi - lo + 1))

    def rr(self, n: int) -> int:
        """An integer in [0, n)."""
        return int(self.rand() * n)

    def birth_from_age(self, age: int) -> int:
        """A birth day (ordinal) for someone `age` years old today (always before today)."""
        return self.t - 1 - int((age + self.rand()) * YEAR)

    def given_name(self, sex: Sex, birth_o: int) -> tuple[str, str]:
        """A given name and its kana in the fashion of the birth years (some old people in 旧字体)."""
        s, rng = self.s, self.rng
        year = int(birth_o / YEAR) + 1 + self.ri(-4, 4)  # the birth year ± a few, blurring era edges
        era = bisect_right(s.era_starts, year) - 1
        name, kana = s.given[era][0 if sex is MALE else 1].pick(rng)
        if year < 1948 and rng.random() < 0.06:
            old = "".join(name_data.OLD_GIVEN_FORMS.get(c, c) for c in name)
            name = old
        return name, kana

    def family_name(self) -> tuple[str, str]:
        s, rng = self.s, self.rng
        name, kana = s.family.pick(rng)
        variants = name_data.VARIANT_SPELLINGS.get(name)
        if variants and rng.random() < s.variant_share:
            name = variants[self.rr(len(variants))]
        return name, kana

    def japanese(self, family: tuple[str, str], sex: Sex, age: int, rel: str) -> _P:
        birth_o = self.birth_from_age(age)
        given, given_kana = self.given_name(sex, birth_o)
        return _P(PersonName(family[0], given, family[1], given_kana), birth_o, sex, rel)

    def child_ages(self, mother_age: int, count: int) -> list[int]:
        rng = self.rng
        first = int(rng.triangular(20, max(21, min(42, mother_age)), 29))
        first = min(first, mother_age)
        ages = []
        age = mother_age - first
        for _ in range(count):
            if age < 0:
                break
            ages.append(age)
            age -= self.ri(1, 5)
        return ages

    def spouse_age(self, age: int) -> int:
        """A wife's age from her husband's: about two years younger, at most five years older."""
        rand = self.rand
        gap = min(12, max(-5, round(2.0 + 6.0 * (rand() + rand() + rand() - 1.5))))  # ≈ N(2, 3)
        return max(18, age - gap)

    def date_between(self, lo: int, hi: int) -> int:
        """A day in [lo, hi]; hi when the range is empty (callers check what they need)."""
        return hi if hi <= lo else self.ri(lo, hi)

    def moved_in_on(self, youngest_founder_age: int, mean_recent: float = 6.0) -> int:
        """Day the founders moved in: many recent movers, the rest spread over their adult life."""
        rng = self.rng
        span = max(0.1, min(60.0, youngest_founder_age - 18.0))
        years = rng.expovariate(1.0 / mean_recent) if rng.random() < 0.5 else rng.uniform(0.0, span)
        if years > span:
            years = rng.uniform(0.0, span)
        return self.t - int(years * YEAR) - 1

    # --- addresses ---------------------------------------------------------------------------

    def city_address(self, ward: int, single: bool) -> Address:
        s, rng = self.s, self.rng
        town = s.towns[ward].pick(rng)
        if town.endswith("丁目"):
            block = f"{self.ri(1, 30)}番{self.ri(1, 28)}号"
        elif rng.random() < 0.6:
            block = f"{self.ri(1, 2400)}番地{self.ri(1, 30)}"
        else:
            block = f"{self.ri(1, 2400)}番地"
        share = (_BUILDING_SHARE_SINGLE if single else _BUILDING_SHARE_OTHER) * s.building_share[ward]
        building = self.building(town) if rng.random() < share else ""
        name = s.ward_names[ward]
        return Address(PREFECTURE, f"{CITY}{name}", town, block, building, s.ward_codes[ward], "")

    def building(self, town: str) -> str:
        rng = self.rng
        r = rng.random()
        room = f"{self.ri(1, 12)}{self.ri(1, 15):02d}"
        if r < 0.12:
            estates = name_data.ESTATE_NAMES
            return f"{estates[self.rr(len(estates))]}{self.ri(1, 40)}号棟{room}号"
        styles, places = name_data.BUILDING_STYLES, name_data.PLACE_WORDS
        style = styles[self.rr(len(styles))]
        if rng.random() < 0.3:
            place = _TOWN_STEM.sub("", town)[:4] or places[0]
        else:
            place = places[self.rr(len(places))]
        name = f"{style}{place}" if rng.random() < 0.5 else f"{place}{style}"
        if rng.random() < 0.2:
            name = f"第{'一二三五'[self.rr(4)]}{name}"
        return f"{name}{room}号室"

    def other_address(self) -> Address:
        """A street address in another municipality of Japan (転入前住所 / 転出先).

        The first _POOL addresses are made afresh, later ones drawn from them (cheaper; the
        variety is plenty for a city).
        """
        pool = self.address_pool
        if len(pool) >= _POOL:
            return pool[int(self.rand() * _POOL)]
        a = self.new_other_address()
        pool.append(a)
        return a

    def new_other_address(self) -> Address:
        rand = self.rand
        pref, muni = self.s.places.pick(self.rng)
        towns = name_data.GENERIC_TOWNS
        town = towns[int(rand() * len(towns))]
        if rand() < 0.6:
            town += "一二三四五六"[int(rand() * 6)] + "丁目"
            block = f"{1 + int(rand() * 30)}番{1 + int(rand() * 28)}号"
        else:
            block = f"{1 + int(rand() * 3000)}番地{1 + int(rand() * 20)}"
        return Address(pref, muni, town, block)

    def abroad(self, country: str | None = None) -> Address:
        if country is None:
            country = _ABROAD_COUNTRIES[self.rr(len(_ABROAD_COUNTRIES))]
        return Address("国外", country)

    def domicile(self, own_ward_address: Address | None = None) -> str:
        rng = self.rng
        if own_ward_address is not None and rng.random() < 0.35:
            a = own_ward_address
            number = self.ri(1, 40) if a.town.endswith("丁目") else self.ri(1, 2000)
            return f"{a.prefecture}{a.municipality}{a.town}{number}番地"
        pool = self.domicile_pool
        if len(pool) >= _POOL:
            return pool[int(self.rand() * _POOL)]
        pref, muni = self.s.places.pick(rng)
        towns = name_data.GENERIC_TOWNS
        town = towns[self.rr(len(towns))]
        d = f"{pref}{muni}{town}{self.ri(1, 3000)}番{'地' if rng.random() < 0.6 else ''}"
        pool.append(d)
        return d

    # --- foreign residents ------------------------------------------------------------------

    def foreign_person(self, nat: str, sex: Sex, age: int, rel: str, family=None) -> _P:
        """A foreign resident of `nat`; `family` (alphabet, kana, kanji) keeps a household's name."""
        s, rng = self.s, self.rng
        fam_t, male_t, female_t, male_mid, female_mid, _ = s.foreign[nat]
        if family is None:
            family = fam_t.pick(rng)
        given = (male_t if sex is MALE else female_t).pick(rng)
        mid = male_mid if sex is MALE else female_mid
        alpha_given = f"{mid[0]} {given[0]}" if mid[0] else given[0]
        kana_given = f"{mid[1]} {given[1]}" if mid[1] else given[1]
        if family[2] and given[2]:  # kanji countries: the name in kanji, kana reading
            name = PersonName(family[2], given[2], family[1], kana_given)
        else:
            name = PersonName(family[0], alpha_given, family[1], kana_given)
        p = _P(name, self.birth_from_age(age), sex, rel, FOREIGN)
        p.foreign = [nat, None, f"{family[0]} {alpha_given}", "", "", None, ""]
        return p

    def set_status(self, p: _P, status: str) -> None:
        rng = self.rng
        f = p.foreign
        if status == "特別永住者":
            f[1] = ForeignCategory.SPECIAL_PERMANENT
            f[3] = ""
        else:
            f[1] = ForeignCategory.MID_LONG_TERM
            f[3] = status
            if status not in _NO_PERIOD:
                period = rng.choice(_PERIODS.get(status, _DEFAULT_PERIODS))
                f[4] = period
                years, _, rest = period.partition("年")
                months = int(rest.removesuffix("月") or 0) if "年" in period else int(period.removesuffix("月"))
                days = (int(years) * 365 if "年" in period else 0) + months * 30
                f[5] = self.t + self.ri(min(20, days), days)
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        f[6] = (letters[self.rr(24)] + letters[self.rr(24)] + f"{self.rr(10**8):08d}"
                + letters[self.rr(24)] + letters[self.rr(24)])

    def special_alias(self, p: _P) -> None:
        """A 通称 in Japanese style (many 特別永住者 use one)."""
        rng = self.rng
        options = self.s.alias_families.get(p.name.family)
        if options:
            fam, fam_kana = options[self.rr(len(options))]
        else:
            fam, fam_kana = self.s.family.pick(rng)
        given, given_kana = self.given_name(p.sex, p.birth_o)
        p.alias = f"{fam}\u3000{given}"
        p.alias_kana = f"{fam_kana}\u3000{given_kana}"

    # --- one household ----------------------------------------------------------------------

    def serials(self) -> tuple[int, int, int]:
        return self.resident_serial, self.household_serial, self.change_serial

    def restore(self, serials: tuple[int, int, int]) -> None:
        self.resident_serial, self.household_serial, self.change_serial = serials

    def household(self) -> tuple[DemoHousehold, int]:
        """The next household and how many current residents it has."""
        rng = self.rng
        self.household_serial += 1
        hid = f"{self.household_serial:010d}"
        ward = self.s.wards.pick(rng)
        if rng.random() < _FOREIGN_HOUSEHOLD_SHARE:
            plan = self.plan_foreign(ward)
        else:
            plan = self.plan_japanese(ward)
        return self.replay(hid, *plan)

    def plan_japanese(self, ward: int):
        """A Japanese (or mixed) household's plan: (persons, events, final address, day the founders
        moved in, support measure, ward, single) — `replay` turns it into records and history."""
        rng = self.rng
        kind = _HOUSEHOLD_TYPES.pick(rng)
        family = self.family_name()
        persons: list[_P] = []
        events: list = []
        single = kind == "single"
        final_addr = self.city_address(ward, single)
        dv = False
        if kind == "single":
            age = _age(rng, _AGE_SINGLE)
            sex = (MALE if rng.random() < 0.56 else FEMALE) if age < 60 else (MALE if rng.random() < 0.36 else FEMALE)
            h = self.japanese(family, sex, age, HOUSEHOLDER)
            persons.append(h)
            dv = sex is FEMALE and age < 60 and rng.random() < _SUPPORT_MEASURE_SHARE
            t0 = self.moved_in_on(age, 2.0 if dv else 6.0)
            self.family_domicile(persons, final_addr, head_is_self=rng.random() < 0.4)
            if age >= 62 and rng.random() < 0.22:
                self.deceased_spouse(h, family, age, t0, persons, events)
        elif kind in ("couple", "family"):
            age = _age(rng, _AGE_COUPLE if kind == "couple" else _AGE_FAMILY)
            husband = self.japanese(family, MALE, age, HOUSEHOLDER)
            wife_age = self.spouse_age(age)
            wife = self.japanese(family, FEMALE, wife_age, "妻")
            persons += [husband, wife]
            if rng.random() < 0.04:  # the wife is the householder
                husband.rel, wife.rel = "夫", HOUSEHOLDER
                persons.reverse()
            self.maybe_foreign_wife(wife)
            children = []
            if kind == "family":
                ages = self.child_ages(wife_age, _CHILDREN.pick(rng)) or [max(0, wife_age - 30)]
                # grown-up children have often left (the oldest one always stays in this type)
                ages = ages[:1] + [a for a in ages[1:] if a < 22 or rng.random() < 0.5]
                for a in ages:
                    c = self.japanese(family, MALE if rng.random() < 0.512 else FEMALE, a, "子")
                    children.append(c)
            persons += children
            t0 = self.moved_in_on(min(age, wife_age))
            self.family_domicile(persons, final_addr, head_is_self=True)
            self.maybe_old_surname(wife, family, t0, events)
            if (kind == "couple" and age >= 52 and rng.random() < 0.2) or (kind == "family" and age >= 45 and rng.random() < 0.12):
                self.moved_out_child(family, wife_age, t0, persons, events)
        elif kind == "single_parent":
            age = _age(rng, _AGE_SINGLE_PARENT)
            sex = FEMALE if rng.random() < 0.84 else MALE
            parent = self.japanese(family, sex, age, HOUSEHOLDER)
            persons.append(parent)
            dv = sex is FEMALE and age < 60 and rng.random() < _SUPPORT_MEASURE_SHARE
            widowed = age >= 55 and rng.random() < 0.25  # the spouse died here
            divorced = not widowed and not dv and age < 55 and sex is FEMALE and rng.random() < 0.15
            # after a divorce elsewhere the children may keep their father's family name
            child_family = family if widowed or divorced or rng.random() < 0.7 else self.family_name()
            for a in self.child_ages(age, 1 if rng.random() < 0.6 else 2) or [max(0, age - 30)]:
                persons.append(self.japanese(child_family, MALE if rng.random() < 0.512 else FEMALE, a, "子"))
            t0 = self.moved_in_on(age, 2.0 if dv else 6.0)
            self.family_domicile(persons, final_addr, head_is_self=True)
            if child_family != family:
                dom = self.domicile()
                head = f"{child_family[0]}\u3000{self.given_name(MALE, parent.birth_o)[0]}"
                for c in persons[1:]:
                    c.domicile, c.head = dom, head
            if widowed:
                self.deceased_spouse(parent, family, age, t0, persons, events)
            elif divorced:
                self.departed_husband(parent, family, age, t0, persons, events)
        elif kind == "three_gen_old":
            t0 = self.plan_three_gen_old(family, final_addr, persons, events)
        elif kind == "three_gen_mid":
            t0 = self.plan_three_gen_mid(family, final_addr, persons, events)
        elif kind == "with_parent":
            age = _age(rng, _AGE_WITH_PARENT)
            h = self.japanese(family, MALE if rng.random() < 0.55 else FEMALE, age, HOUSEHOLDER)
            persons.append(h)
            mother_age = min(100, age + int(rng.triangular(20, 40, 27)))
            mother = self.japanese(family, FEMALE, mother_age, "母")
            parents = [mother]
            if mother_age < 90 and rng.random() < 0.3:
                parents.insert(0, self.japanese(family, MALE, min(100, self.spouse_age(mother_age) + 4), "父"))
            persons += parents
            t0 = self.moved_in_on(age)
            self.family_domicile(persons, final_addr, head_is_self=rng.random() < 0.5)
            self.parents_domicile(parents, family)
            if rng.random() < 0.6:
                join = self.date_between(t0 + 30, self.t - 1)
                for p in parents:
                    p.join_o = join
        else:  # other: 同居人, 縁故者, 未届の妻
            age = _age(rng, _AGE_OTHER)
            sex = MALE if rng.random() < 0.6 else FEMALE
            h = self.japanese(family, sex, age, HOUSEHOLDER)
            persons.append(h)
            r = rng.random()
            if r < 0.3 and age < 70:
                rel = "妻（未届）" if sex is MALE else "夫（未届）"
                o = self.japanese(self.family_name(), FEMALE if sex is MALE else MALE, self.spouse_age(age) if sex is MALE else age + 2, rel)
            elif r < 0.75:
                o = self.japanese(self.family_name(), MALE if rng.random() < 0.5 else FEMALE, max(18, age + self.ri(-8, 8)), "同居人")
            else:
                o = self.japanese(family if rng.random() < 0.5 else self.family_name(), MALE if rng.random() < 0.5 else FEMALE,
                                  self.ri(18, 50), "縁故者")
            persons.append(o)
            t0 = self.moved_in_on(min(age, int((self.t - o.birth_o) / YEAR)))
            h.domicile, h.head = self.domicile(final_addr), h.name.full
            o.domicile, o.head = self.domicile(), o.name.full
            if rng.random() < 0.7:
                o.join_o = self.date_between(t0 + 30, self.t - 1)
        return persons, events, final_addr, t0, dv, ward, single

    def family_domicile(self, persons: list[_P], addr: Address, head_is_self: bool) -> None:
        """本籍 and 筆頭者: one family register for a couple and its unmarried children."""
        first = persons[0]
        dom = self.domicile(addr)
        head_person = next((p for p in persons if p.rel in (HOUSEHOLDER, "夫") and p.sex is MALE), first)
        if first.rel == HOUSEHOLDER and len(persons) == 1 and not head_is_self:
            head = f"{first.name.family}\u3000{self.given_name(MALE, first.birth_o - int(30 * YEAR))[0]}"
        else:
            head = head_person.name.full
        for p in persons:
            if p.kind is JAPANESE:
                p.domicile, p.head = dom, head

    def parents_domicile(self, parents: list[_P], family) -> None:
        dom = self.domicile()
        father = next((p for p in parents if p.sex is MALE), None)
        head = father.name.full if father else f"{family[0]}\u3000{self.given_name(MALE, parents[0].birth_o - 1000)[0]}"
        for p in parents:
            p.domicile, p.head = dom, head

    def maybe_foreign_wife(self, wife: _P) -> None:
        """Now and then a Japanese resident's wife is a foreign national (国際結婚)."""
        rng = self.rng
        if rng.random() >= _MIXED_MARRIAGE_SHARE:
            return
        nat = _MIXED_MARRIAGE_NATIONALITIES.pick(rng)
        age = int((self.t - wife.birth_o) / YEAR)
        f = self.foreign_person(nat, FEMALE, age, wife.rel)
        wife.name, wife.kind, wife.foreign = f.name, FOREIGN, f.foreign
        wife.domicile = wife.head = wife.old = wife.old_kana = ""  # no 本籍 or 旧氏 for her
        self.set_status(wife, "日本人の配偶者等" if rng.random() < 0.6 else "永住者")
        if rng.random() < 0.5:  # 通称: the husband's family name with her given name in kana
            wife.alias = _ALIAS_FROM_HUSBAND

    def maybe_old_surname(self, wife: _P, family, created_o: int, events: list) -> None:
        """旧氏 for a few married women: on the record from the start, or recorded after 2019-11-05."""
        rng = self.rng
        if wife.kind is not JAPANESE or rng.random() >= _OLD_SURNAME_SHARE:
            return
        maiden = self.family_name()
        if maiden[0] == family[0]:
            return
        if created_o >= self.oss or self.t <= self.oss:
            wife.old, wife.old_kana = maiden
        else:
            events.append((self.date_between(self.oss, self.t - 1), _OLD_SURNAME, 0, wife, maiden))

    def deceased_spouse(self, survivor: _P, family, age: int, t0: int, persons: list, events: list) -> None:
        """The survivor's spouse died here within the last ten years (a 除票 of the household)."""
        rng = self.rng
        lo = max(t0 + 60, self.t - 3650)
        if lo >= self.t - 1:
            return
        died = self.ri(lo, self.t - 1)
        if survivor.sex is FEMALE:
            spouse = self.japanese(family, MALE, min(100, age + max(0, int(round(rng.gauss(2.5, 3))))), HOUSEHOLDER)
            survivor.rel = "妻"
            events.append((died, _HOUSEHOLDER, 0, {survivor: (HOUSEHOLDER, None)}, None))
        else:
            spouse = self.japanese(family, FEMALE, max(18, age - int(round(rng.gauss(2.5, 3)))), "妻")
        spouse.domicile, spouse.head = survivor.domicile, survivor.head
        if survivor.sex is FEMALE:
            # the family register was the husband's
            for p in persons:
                if p.head == survivor.head:
                    p.head = spouse.name.full
            spouse.head = spouse.name.full
        persons.insert(0 if survivor.sex is FEMALE else 1, spouse)
        events.append((died, _DEATH, 0, spouse, None))

    def departed_husband(self, mother: _P, family, age: int, t0: int, persons: list, events: list) -> None:
        """A divorce: the husband (householder) moved out and the mother became householder."""
        rng = self.rng
        lo = max(t0 + 200, self.t - 3650)
        if lo >= self.t - 1:
            return
        left = self.ri(lo, self.t - 1)
        husband = self.japanese(family, MALE, age + max(-3, int(round(rng.gauss(2, 3)))), HOUSEHOLDER)
        husband.domicile, husband.head = mother.domicile, husband.name.full
        for p in persons:
            if p.head == mother.head:
                p.head = husband.name.full
        mother.rel = "妻"
        persons.insert(0, husband)
        events.append((left, _OUT, 0, husband, self.other_address()))
        events.append((left, _HOUSEHOLDER, 1, {mother: (HOUSEHOLDER, None)}, None))

    def moved_out_child(self, family, mother_age: int, t0: int, persons: list, events: list) -> None:
        """An adult child who grew up here and moved out within the last ten years."""
        rng = self.rng
        ages = self.child_ages(mother_age, 1)
        if not ages or ages[0] < 20:
            return
        c = self.japanese(family, MALE if rng.random() < 0.5 else FEMALE, ages[0], "子")
        lo = max(t0, c.birth_o) + 365 * 2
        lo = max(lo, c.birth_o + int(18 * YEAR), self.t - 3650)
        if lo >= self.t - 1:
            return
        left = self.ri(lo, self.t - 1)
        c.domicile, c.head = persons[0].domicile, persons[0].head
        persons.append(c)
        events.append((left, _OUT, 0, c, self.other_address()))

    def plan_three_gen_old(self, family, addr: Address, persons: list, events: list) -> int:
        """世帯主 (old) + 妻 + 子 + 子の妻 + 孫: the son's family belongs to him (related_to)."""
        rng = self.rng
        age = _age(rng, _AGE_THREE_GEN_OLD)
        h = self.japanese(family, MALE, age, HOUSEHOLDER)
        wife_age = self.spouse_age(age)
        wife = self.japanese(family, FEMALE, wife_age, "妻")
        son_age = max(26, self.child_ages(wife_age, 1)[0] if wife_age >= 46 else 26)
        son_age = min(son_age, wife_age - 20)
        son = self.japanese(family, MALE, son_age, "子")
        sw_age = max(22, son_age + self.ri(-5, 2))
        sw = self.japanese(family, FEMALE, sw_age, "子の妻")
        sw.rel_to = son
        kids = []
        for a in self.child_ages(sw_age, 1 if rng.random() < 0.45 else 2) or [0]:
            k = self.japanese(family, MALE if rng.random() < 0.512 else FEMALE, a, "子の子")
            k.rel_to = son
            kids.append(k)
        persons += [h, wife, son, sw, *kids]
        t0 = self.moved_in_on(wife_age)
        self.family_domicile([h, wife], addr, head_is_self=True)
        dom = self.domicile(addr)
        for p in (son, sw, *kids):
            p.domicile, p.head = dom, son.name.full
        first_kid = min(k.birth_o for k in kids) if kids else self.t
        married = min(son.birth_o + int(self.ri(24, 34) * YEAR), first_kid - self.ri(100, 700), self.t - 1)
        married = max(married, son.birth_o + int(20 * YEAR), sw.birth_o + int(18 * YEAR))
        sw.join_o = min(married, self.t - 1)
        self.maybe_foreign_wife(sw)
        self.maybe_old_surname(sw, family, max(t0, sw.join_o), events)
        return t0

    def plan_three_gen_mid(self, family, addr: Address, persons: list, events: list) -> int:
        """世帯主 (middle-aged) + 妻 + 子 + 父/母: either the parents' household handed over to the
        son (世帯主変更, or the father's death), or the parents moved in later."""
        rng = self.rng
        age = _age(rng, _AGE_THREE_GEN_MID)
        son = self.japanese(family, MALE, age, HOUSEHOLDER)
        wife_age = self.spouse_age(age)
        wife = self.japanese(family, FEMALE, wife_age, "妻")
        kids = [self.japanese(family, MALE if rng.random() < 0.512 else FEMALE, a, "子")
                for a in self.child_ages(wife_age, _CHILDREN.pick(rng))]
        mother_age = min(100, max(age, wife_age) + int(rng.triangular(20, 38, 27)))
        mother = self.japanese(family, FEMALE, mother_age, "母")
        father = self.japanese(family, MALE, min(101, self.spouse_age(mother_age) + 4), "父")
        father_here = mother_age < 92 and rng.random() < 0.45
        parents = [father, mother] if father_here else [mother]
        persons += [son, wife, *kids, *parents]
        dom_parents = self.domicile(addr)
        for p in (father, mother):
            p.domicile, p.head = dom_parents, father.name.full
        dom_son = self.domicile(addr)
        for p in (son, wife, *kids):
            p.domicile, p.head = dom_son, son.name.full
        if rng.random() < 0.5:
            # the parents' household: they moved in, the son grew up here, married, took over
            t0 = self.moved_in_on(mother_age - 25)
            first_kid = min((k.birth_o for k in kids), default=self.t)
            married = min(son.birth_o + int(self.ri(25, 34) * YEAR), self.t - 400, first_kid - self.ri(100, 700))
            married = max(married, wife.birth_o + int(20 * YEAR), son.birth_o + int(20 * YEAR))
            lo = max(married, t0) + 30
            if lo < self.t - 2:
                take_over = self.ri(lo, self.t - 2)
                wife.join_o = married
                son.rel, wife.rel, wife.rel_to = "子", "子の妻", son
                for k in kids:
                    k.rel, k.rel_to = "子の子", son
                father.rel, mother.rel = HOUSEHOLDER, "妻"
                mapping = {son: (HOUSEHOLDER, None), wife: ("妻", None), mother: ("母", None)}
                mapping.update({k: ("子", None) for k in kids})
                if father_here:
                    mapping[father] = ("父", None)
                else:  # the father died and the son became householder
                    persons.insert(len(persons) - 1, father)
                    events.append((take_over, _DEATH, 0, father, None))
                events.append((take_over, _HOUSEHOLDER, 0, mapping, None))
                self.maybe_old_surname(wife, family, max(t0, married), events)
                return t0
        # the son's household: the parents moved in with it later
        t0 = self.moved_in_on(min(age, wife_age))
        join = self.date_between(t0 + 30, self.t - 1)
        for p in parents:
            p.join_o = join
        self.maybe_old_surname(wife, family, t0, events)
        return t0

    def plan_foreign(self, ward: int):
        rng, s = self.rng, self.s
        nat = s.nationalities.pick(rng)
        status = s.statuses[nat].pick(rng)
        sp = status == "特別永住者"
        if status in _SINGLE_STATUSES:
            kind = "single" if rng.random() < 0.95 else "couple"
        else:
            kind = _FOREIGN_TYPES.pick(rng)
        if sp:
            age = _age(rng, _SPECIAL_PERMANENT_AGE)
        else:
            lo, hi = _STATUS_AGES.get(status, (20, 60))
            age = self.ri(lo, hi)
        if kind == "single_parent" and age < 26:
            age = 26
        single = kind == "single"
        addr = self.city_address(ward, single)
        fam_t = s.foreign[nat][0]
        family = fam_t.pick(rng)
        h_sex = MALE if (kind in ("couple", "family") or rng.random() < 0.55) else FEMALE
        if kind == "single_parent":
            h_sex = FEMALE if rng.random() < 0.8 else MALE
        h = self.foreign_person(nat, h_sex, age, HOUSEHOLDER, family)
        self.set_status(h, status)
        persons = [h]
        dep_status = {"永住者": "永住者の配偶者等", "特別永住者": "特別永住者", "定住者": "定住者"}.get(status, "家族滞在")
        mother_age = age
        if kind in ("couple", "family"):
            wife_age = self.spouse_age(age)
            mother_age = wife_age
            # Chinese, Korean and Vietnamese wives keep their family name; others often take his
            keeps = nat in _OWN_NAME_NATIONALITIES or rng.random() < 0.3
            w = self.foreign_person(nat, FEMALE, wife_age, "妻", None if keeps else family)
            self.set_status(w, "永住者" if status == "永住者" and rng.random() < 0.5 else dep_status)
            persons.append(w)
        if kind in ("family", "single_parent"):
            for a in self.child_ages(mother_age, 1 if rng.random() < 0.5 else 2) or [0]:
                c = self.foreign_person(nat, MALE if rng.random() < 0.512 else FEMALE, a, "子", family)
                self.set_status(c, dep_status if dep_status != "永住者の配偶者等" or a < 18 else "永住者")
                persons.append(c)
        if sp:
            for p in persons:
                if rng.random() < 0.7:
                    self.special_alias(p)
            t0 = self.moved_in_on(min(age, mother_age), 15.0)
        else:
            t0 = self.moved_in_on(min(age, mother_age) if status == "永住者" else min(age - 18, 12) + 18, 3.0)
        for p in persons:
            if p.foreign[1] is not ForeignCategory.SPECIAL_PERMANENT and self.t - p.birth_o < 60:
                p.foreign[1] = ForeignCategory.TRANSITIONAL  # 出生による経過滞在者 (within 60 days)
                p.foreign[3:7] = ["", "", None, ""]
        return persons, [], addr, t0, False, ward, single

    # --- replay: plan → records and history -------------------------------------------------

    def replay(self, hid: str, persons: list[_P], events: list, final_addr: Address, t0: int, dv: bool,
               ward: int, single: bool) -> tuple[DemoHousehold, int]:
        """Turn a planned household into records and history by replaying its events in date order."""
        t, rand = self.t, self.rand
        t0 = min(t0, t - 1)
        for p in persons:
            if p.alias is _ALIAS_FROM_HUSBAND:
                self.alias_from_husband(p, persons)
            if p.birth_o < self.very_old and p.kind is JAPANESE and rand() < _UNKNOWN_BIRTH_SHARE:
                p.birth = self.unknown_birth(p.birth_o)
            else:
                p.birth = _RD_CACHE.get(p.birth_o) or _rd(p.birth_o)
        first_reason, prev = self.moved_from(persons[0])
        # creation events: founders together at t0, later births and joiners on their own day
        founders = []
        joins: dict[int, list[_P]] = {}
        for p in persons:
            if p.join_o is not None and p.join_o > t0:
                joins.setdefault(min(p.join_o, t - 1), []).append(p)
            elif p.birth_o > t0:
                events.append((p.birth_o, _BIRTH, 0, p, None))
            else:
                founders.append(p)
        events.append((t0, _IN, 0, founders, (first_reason, prev)))
        for day, ps in joins.items():
            events.append((day, _IN, 1, ps, (ChangeReason.MOVE_IN_DOMESTIC, self.other_address())))
        if t0 < self.frs and any(p.kind is FOREIGN for p in persons):
            events = self.defer_foreign(events)
        # a move within the city (転居) some time after moving in
        addr = final_addr
        if t - t0 > 400 and rand() < _MOVE_WITHIN_SHARE:
            w = ward if rand() < 0.6 else self.s.wards.pick(self.rng)
            addr = self.city_address(w, single)
            events.append((self.ri(t0 + 180, t - 1), _WITHIN, 0, final_addr, None))
        if len(events) > 1:
            events.sort(key=_EVENT_ORDER)

        changes: list[Change] = []
        created: list[_P] = []
        last_notified = 0
        addr_set_o = t0
        household = Household(hid)
        suppressed = dv and rand() < 0.5
        for day, kind, _, payload, extra in events:
            if kind == _IN and not payload:
                continue
            if kind <= _HOUSEHOLDER and kind != _EX_OFFICIO and kind != _OLD_SURNAME:
                delay = int(rand() * (8 if kind == _DEATH or kind == _OUT else 15))
            else:
                delay = 0
            notified_o = day + delay
            if notified_o > t:
                notified_o = t
            if notified_o < last_notified:
                notified_o = last_notified
            last_notified = notified_o
            occ = _RD_CACHE.get(day) or _rd(day)
            notified = _DATE_CACHE.get(notified_o) or _day(notified_o)
            deltas: list[ResidentDelta] = []
            note = ""
            if kind == _IN or kind == _BIRTH or kind == _EX_OFFICIO:
                if kind == _IN:
                    ps = payload
                    reason, prev_addr = extra
                elif kind == _BIRTH:
                    ps = (payload,)
                    reason, prev_addr = ChangeReason.BIRTH, None
                else:
                    ps = payload
                    reason, prev_addr = ChangeReason.RECORD_EX_OFFICIO, None
                    note = EX_OFFICIO_NOTE
                day_date = _DATE_CACHE.get(day) or _day(day)
                for p in ps:
                    self.resident_serial += 1
                    serial = self.resident_serial
                    rid = f"{serial:010d}"
                    if kind == _EX_OFFICIO:  # the address was set (and notified) before the record existed
                        address_set_on = notified_p = _day(max(p.arrived_o, addr_set_o))
                    else:
                        address_set_on, notified_p = day_date, notified
                    foreign = None
                    if p.kind is FOREIGN:
                        nat, cat, alpha, status, period, expires_o, card = p.foreign
                        foreign = ForeignResidentInfo(
                            nationality=nat, category=cat, alphabet_name=alpha, residence_status=status,
                            period_of_stay=period, stay_expires_on=_day(expires_o) if expires_o else None,
                            card_number=card, became_resident_on=occ,
                        )
                    r = _new_resident({
                        "resident_id": rid, "household_id": hid, "kind": p.kind, "name": p.name,
                        "birth_date": p.birth, "sex": p.sex, "relationship": p.rel, "address": addr,
                        "became_resident_on": occ, "address_set_on": address_set_on, "notified_on": notified_p,
                        "previous_address": prev_addr, "old_surname": p.old, "old_surname_kana": p.old_kana,
                        "alias": p.alias, "alias_kana": p.alias_kana, "domicile": p.domicile,
                        "domicile_head": p.head,
                        "resident_code": _resident_code((serial * self.code_mul + self.code_add) % 10**10),
                        "my_number": _my_number((serial * self.mn_mul + self.mn_add) % 10**11),
                        "foreign": foreign, "status": CURRENT, "removal": None,
                        "suppressed": suppressed or (not dv and rand() < 0.0002), "support_measure": dv,
                        "related_to": p.rel_to.res.resident_id if p.rel_to is not None else "",
                        "version": 1,
                    })
                    p.res = r
                    created.append(p)
                    deltas.append(ResidentDelta(rid, None, r))
            elif kind == _WITHIN:
                reason = ChangeReason.MOVE_WITHIN
                addr = payload
                addr_set_o = day
                day_date = _day(day)
                for p in created:
                    r = p.res
                    if r.status is CURRENT:
                        p.res = n = _evolve(r, address=addr, address_set_on=day_date, notified_on=notified)
                        deltas.append(ResidentDelta(n.resident_id, r, n))
            elif kind == _HOUSEHOLDER:
                reason = ChangeReason.HOUSEHOLDER_CHANGE
                for p, (rel, rel_to) in payload.items():
                    p.rel, p.rel_to = rel, rel_to
                    r = p.res
                    if r is not None and r.status is CURRENT:
                        p.res = n = _evolve(r, relationship=rel,
                                            related_to=rel_to.res.resident_id if rel_to is not None else "")
                        deltas.append(ResidentDelta(n.resident_id, r, n))
                deltas.sort(key=_DELTA_ORDER)
            else:
                p = payload
                r = p.res
                if kind == _OLD_SURNAME:
                    reason = ChangeReason.OLD_SURNAME_RECORD
                    p.old, p.old_kana = extra  # a record made later carries it from the start
                    if r is None or r.status is not CURRENT:
                        continue
                    p.res = n = _evolve(r, old_surname=p.old, old_surname_kana=p.old_kana)
                else:  # death or move-out
                    reason = ChangeReason.DEATH if kind == _DEATH else ChangeReason.MOVE_OUT_DOMESTIC
                    if r is None or r.status is not CURRENT:
                        continue
                    p.res = n = _evolve(r, status=REMOVED, removal=Removal(reason.code, occ, extra))
                deltas.append(ResidentDelta(n.resident_id, r, n))
            if not deltas:
                continue
            self.change_serial += 1
            changes.append(Change(
                change_id=f"demo-{self.seed}-{self.change_serial:09d}", reason=reason, occurred_on=occ,
                notified_on=notified, residents=tuple(deltas), households=() if changes else (household,),
                note=note,
            ))
        if len(created) > 1:
            created.sort(key=_order_key)
        current = [p.res for p in created if p.res.status is CURRENT]
        if len(current) < len(created):
            current += [p.res for p in created if p.res.status is not CURRENT]
        members = tuple(current)
        n_current = sum(1 for r in members if r.status is CURRENT)
        return DemoHousehold(household, members, tuple(changes)), n_current

    def alias_from_husband(self, wife: _P, persons: list[_P]) -> None:
        """A foreign wife's 通称: her husband's family name with her given name in kana."""
        husband = next((p for p in persons if p.kind is JAPANESE and p.sex is MALE
                        and p.rel in (HOUSEHOLDER, "夫", "子")), None)
        if husband is None:
            wife.alias = ""
            return
        given = wife.name.given_kana.split(" ")[-1]
        wife.alias = f"{husband.name.family}\u3000{given}"
        wife.alias_kana = f"{husband.name.family_kana}\u3000{given}"

    def unknown_birth(self, birth_o: int) -> RecordDate:
        """A 不詳日 birth date of a very old person: 「昭和2年頃」「昭和5年 月日不詳」「昭和7年3月 日不詳」."""
        d = _day(birth_o)
        r = self.rand()
        if r < 0.5:
            return RecordDate(d.year, None, None, Qualifier.ABOUT)
        if r < 0.8:
            return RecordDate(d.year, None, None, Qualifier.UNKNOWN)
        return RecordDate(d.year, d.month, None, Qualifier.UNKNOWN)

    def moved_from(self, householder: _P) -> tuple[ChangeReason, Address]:
        """Where the founders lived before (転入前住所): elsewhere in Japan, or abroad (国外)."""
        rand = self.rand
        if householder.kind is FOREIGN:
            nat, category, _, status = householder.foreign[:4]
            abroad = 0.0 if category is ForeignCategory.SPECIAL_PERMANENT else _FROM_ABROAD.get(status, 0.7)
            if rand() < abroad:
                return ChangeReason.MOVE_IN_ABROAD, self.abroad(self.s.foreign[nat][5])
        elif rand() < 0.03:  # Japanese returning from abroad
            return ChangeReason.MOVE_IN_ABROAD, self.abroad()
        return ChangeReason.MOVE_IN_DOMESTIC, self.other_address()

    def defer_foreign(self, events: list) -> list:
        """Foreign residents who lived here before 2012-07-09 enter the register on that day (職権記載)."""
        frs = self.frs
        late = []
        kept = []
        for e in events:
            day, kind, _, payload, _ = e
            if day < frs and kind == _IN:
                for p in payload:
                    if p.kind is FOREIGN:
                        p.arrived_o = day
                        late.append(p)
                kept.append((day, kind, e[2], [p for p in payload if p.kind is not FOREIGN], e[4]))
            elif day < frs and kind == _BIRTH and payload.kind is FOREIGN:
                payload.arrived_o = day
                late.append(payload)
            else:
                kept.append(e)
        if late:
            kept.append((frs, _EX_OFFICIO, 0, late, None))
        return kept


_RANK = {HOUSEHOLDER: 0, "妻": 1, "夫": 1, "妻（未届）": 1, "夫（未届）": 1, "子": 2, "子の妻": 3, "子の子": 4,
         "父": 5, "母": 6, "縁故者": 7, "同居人": 8}


def _order_key(p: _P):
    """Roughly the j1010 order (世帯主, spouse, children, the son's family, parents, others)."""
    return (_RANK.get(p.rel, 9), p.birth_o, p.res.resident_id)


BLOCK_RESIDENTS = 25_000  # the city is made in blocks of this many current residents


def city_blocks(residents: int, block_residents: int = BLOCK_RESIDENTS) -> int:
    """How many blocks a city of `residents` is made of."""
    return -(-residents // block_residents)


def generate_city(
    residents: int,
    *,
    seed: int = 1,
    today: dt.date,
    blocks: Iterable[int] | None = None,
    block_residents: int = BLOCK_RESIDENTS,
) -> Iterator[DemoHousehold]:
    """Stream households until `residents` current residents exist (exactly, when n allows).

    Every household is self-contained: its current and removed members and the changes that made
    them. The same (residents, seed, today) give the same households, records and change ids.
    The city is made in blocks of BLOCK_RESIDENTS residents, each independent of the others:
    `blocks` picks some of them (for parallel builds); their union in block order is the city.
    """
    if residents < 0:
        raise ValueError("residents must be ≥ 0")
    for block in range(city_blocks(residents, block_residents)) if blocks is None else blocks:
        size = min(block_residents, residents - block * block_residents)
        if size > 0:
            yield from _generate_block(size, seed=seed, today=today, block=block, block_residents=block_residents)


def _generate_block(residents: int, *, seed: int, today: dt.date, block: int, block_residents: int) -> Iterator[DemoHousehold]:
    gen = _CityGenerator(seed, today, block, block_residents)
    produced = 0
    while produced < residents:
        remaining = residents - produced
        serials = gen.serials()
        h, n = gen.household()
        tries = 0
        while n > remaining and tries < 20:
            # near the end: roll again, reusing the dropped household's serials
            gen.restore(serials)
            h, n = gen.household()
            tries += 1
        produced += n
        if any(now > limit for now, limit in zip(gen.serials(), gen.limits)):
            raise RuntimeError(f"demo city block {block} ran out of its serial range")
        yield h
