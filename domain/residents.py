"""The resident record (住民票) as a counter needs it: standard-spec j10 (日本人住民), j20 (外国人住民)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum

from domain.record_dates import RecordDate

HOUSEHOLDER = "世帯主"


class Sex(IntEnum):
    """性別, coded as JIS X 0303 (the My Number card uses the same codes)."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2
    NOT_APPLICABLE = 9

    @property
    def label(self) -> str:
        return {0: "不明", 1: "男", 2: "女", 9: "適用不能"}[self.value]


class ResidentKind(Enum):
    """住民種別."""

    JAPANESE = "japanese"  # 日本人住民
    FOREIGN = "foreign"  # 外国人住民 (住民基本台帳法 第30条の45)

    @property
    def label(self) -> str:
        return "日本人住民" if self is ResidentKind.JAPANESE else "外国人住民"


class Status(Enum):
    """住民状態: a current resident or a removed record (除票)."""

    CURRENT = "current"  # 住民
    REMOVED = "removed"  # 消除 (転出・死亡・職権消除…)

    @property
    def label(self) -> str:
        return "住民" if self is Status.CURRENT else "消除"


class ForeignCategory(Enum):
    """法第30条の45の表の区分 (the category a foreign resident is registered under)."""

    MID_LONG_TERM = "mid_long_term"  # 中長期在留者
    SPECIAL_PERMANENT = "special_permanent"  # 特別永住者
    TEMPORARY_REFUGE = "temporary_refuge"  # 一時庇護許可者
    PROVISIONAL_STAY = "provisional_stay"  # 仮滞在者
    TRANSITIONAL = "transitional"  # 出生又は国籍喪失による経過滞在者

    @property
    def label(self) -> str:
        return {
            "mid_long_term": "中長期在留者",
            "special_permanent": "特別永住者",
            "temporary_refuge": "一時庇護許可者",
            "provisional_stay": "仮滞在者",
            "transitional": "出生による経過滞在者又は国籍喪失による経過滞在者",
        }[self.value]


@dataclass(frozen=True)
class PersonName:
    """氏名 with its フリガナ; for a foreign resident, the kanji/kana form of the name."""

    family: str
    given: str = ""
    family_kana: str = ""
    given_kana: str = ""

    @property
    def full(self) -> str:
        return f"{self.family}\u3000{self.given}" if self.given else self.family

    @property
    def full_kana(self) -> str:
        return f"{self.family_kana}\u3000{self.given_kana}" if self.given_kana else self.family_kana


@dataclass(frozen=True)
class Address:
    """住所: prefecture+municipality (+ward), 町丁目, 番地, and 方書 (building and room)."""

    prefecture: str
    municipality: str  # "千葉市中央区" (a ward of a 指定都市 included)
    town: str = ""  # 町丁目 "本千葉町" / "稲荷町一丁目"
    block: str = ""  # 番地・号 "1番2号" / "12番地3"
    building: str = ""  # 方書 "千葉ハイツ101号室"
    lg_code: str = ""  # 地方公共団体コード of the municipality or ward
    postal_code: str = ""

    @property
    def text(self) -> str:
        """The address as printed, without the 方書."""
        return f"{self.prefecture}{self.municipality}{self.town}{self.block}"

    @property
    def full_text(self) -> str:
        return f"{self.text}\u3000{self.building}" if self.building else self.text

    @property
    def is_abroad(self) -> bool:
        return self.prefecture == "国外"


@dataclass(frozen=True)
class ForeignResidentInfo:
    """The items only a foreign resident (外国人住民) has (j20)."""

    nationality: str  # 国籍・地域
    category: ForeignCategory  # 30条の45区分
    alphabet_name: str = ""  # 氏名（アルファベット）
    residence_status: str = ""  # 在留資格
    period_of_stay: str = ""  # 在留期間 ("3年", "6月")
    stay_expires_on: dt.date | None = None  # 在留期間の満了の日 (西暦)
    card_number: str = ""  # 在留カード番号 / 特別永住者証明書番号
    became_resident_on: RecordDate | None = None  # 外国人住民となった年月日


@dataclass(frozen=True)
class Removal:
    """Why and when a record was removed (消除事由, 事由の生じた年月日, 転出先)."""

    reason: str  # the ChangeReason code ("B03" 死亡)
    occurred_on: RecordDate
    destination: Address | None = None  # 転出先住所（予定）


@dataclass(frozen=True)
class Resident:
    """One person's record (住民票). Immutable: a change makes a new version.

    `resident_id` is the 宛名番号 (addressee number), `household_id` the 世帯番号.
    """

    resident_id: str
    household_id: str
    kind: ResidentKind
    name: PersonName
    birth_date: RecordDate  # 生年月日 (和暦 for Japanese, 西暦 for foreign residents when printed)
    sex: Sex
    relationship: str  # 続柄 to the householder, in the j110 form: 世帯主, 妻, 子, 子の子, 母, 同居人…
    address: Address  # 住所 with 方書
    became_resident_on: RecordDate  # 住民となった年月日
    address_set_on: dt.date  # 住所を定めた年月日
    notified_on: dt.date  # 届出の年月日
    previous_address: Address | None = None  # 転入前住所 (国外 allowed)
    old_surname: str = ""  # 旧氏
    old_surname_kana: str = ""
    alias: str = ""  # 通称 (foreign residents)
    alias_kana: str = ""
    domicile: str = ""  # 本籍 (Japanese residents)
    domicile_head: str = ""  # 筆頭者
    resident_code: str = ""  # 住民票コード
    my_number: str = ""  # 個人番号
    foreign: ForeignResidentInfo | None = None
    status: Status = Status.CURRENT
    removal: Removal | None = None
    suppressed: bool = False  # 抑止
    support_measure: bool = False  # 支援措置 (DV等支援措置の対象)
    related_to: str = ""  # the member through whom a 子の妻 or 孫 belongs to a family (j1010 order)
    version: int = 1

    @property
    def is_householder(self) -> bool:
        return self.relationship == HOUSEHOLDER

    @property
    def is_current(self) -> bool:
        return self.status is Status.CURRENT

    @property
    def ward_lg_code(self) -> str:
        return self.address.lg_code

    def evolve(self, **changes) -> "Resident":
        """A new version with `changes` applied and the version number bumped."""
        return replace(self, version=self.version + 1, **changes)


@dataclass(frozen=True)
class Household:
    """世帯: its number and, when a clerk has set one, the explicit member order (j1010)."""

    household_id: str
    member_order: tuple[str, ...] = field(default=())
