"""Small households for domain tests, kept in an InMemoryRegister."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from domain.checkdigits import my_number_check_digit, resident_code_check_digit
from domain.errors import ValidationError
from domain.history import Change
from domain.notifications import NewPerson, apply_notification
from domain.record_dates import RecordDate
from domain.register import InMemoryRegister
from domain.residents import (
    Address,
    ForeignCategory,
    ForeignResidentInfo,
    PersonName,
    Resident,
    ResidentKind,
    Sex,
)

TODAY = dt.date(2025, 6, 2)
CHUO = "121011"
MIHAMA = "121061"

_change_ids = itertools.count(1)


def change_id() -> str:
    return f"chg-{next(_change_ids):05d}"


def address(ward: str = "中央区", town: str = "本千葉町", block: str = "1番1号", building: str = "") -> Address:
    codes = {"中央区": CHUO, "花見川区": "121029", "稲毛区": "121037", "若葉区": "121045", "緑区": "121053", "美浜区": MIHAMA}
    return Address("千葉県", f"千葉市{ward}", town, block, building, lg_code=codes.get(ward, ""))


HOME = address()
ELSEWHERE = Address("東京都", "千代田区", "丸の内一丁目", "1番1号")
ABROAD = Address("国外", "アメリカ合衆国")


def my_number(body: str = "12345678901") -> str:
    return body + str(my_number_check_digit(body))


def resident_code(body: str = "1234567890") -> str:
    return body + str(resident_code_check_digit(body))


def rdate(value: dt.date | str) -> RecordDate:
    return RecordDate.exact(value) if isinstance(value, dt.date) else RecordDate.parse(value)


def resident(
    resident_id: str,
    relationship: str = "世帯主",
    *,
    household_id: str = "H1",
    family: str = "千葉",
    given: str = "太郎",
    family_kana: str = "チバ",
    given_kana: str = "タロウ",
    birth: dt.date | RecordDate | str = dt.date(1960, 4, 1),
    sex: Sex = Sex.MALE,
    kind: ResidentKind = ResidentKind.JAPANESE,
    at: Address = HOME,
    address_set_on: dt.date = dt.date(2010, 4, 1),
    **extra,
) -> Resident:
    birth_date = birth if isinstance(birth, RecordDate) else rdate(birth)
    defaults = dict(domicile="千葉県千葉市中央区千葉港1番地", domicile_head="千葉　太郎") if kind is ResidentKind.JAPANESE else {}
    defaults.update(extra)
    return Resident(
        resident_id=resident_id,
        household_id=household_id,
        kind=kind,
        name=PersonName(family, given, family_kana, given_kana),
        birth_date=birth_date,
        sex=sex,
        relationship=relationship,
        address=at,
        became_resident_on=RecordDate.exact(address_set_on),
        address_set_on=address_set_on,
        notified_on=address_set_on,
        **defaults,
    )


def chiba_family(household_id: str = "H1", at: Address = HOME) -> list[Resident]:
    """世帯主 太郎, 妻 花子, 子 一郎 and 子 次郎 at 中央区本千葉町1番1号."""
    return [
        resident("R001", "世帯主", household_id=household_id, at=at),
        resident("R002", "妻", household_id=household_id, given="花子", given_kana="ハナコ",
                 birth=dt.date(1962, 5, 5), sex=Sex.FEMALE, at=at),
        resident("R003", "子", household_id=household_id, given="一郎", given_kana="イチロウ",
                 birth=dt.date(1990, 1, 10), at=at),
        resident("R004", "子", household_id=household_id, given="次郎", given_kana="ジロウ",
                 birth=dt.date(1993, 3, 3), at=at),
    ]


def register_of(*residents: Resident) -> InMemoryRegister:
    return InMemoryRegister(residents)


def family_register() -> InMemoryRegister:
    """The 千葉 family (H1) and a single 佐倉 household (H2, 美浜区) — an unrelated neighbour (H3) at
    the 千葉 family's address for household changes."""
    return InMemoryRegister(
        chiba_family()
        + [
            resident("R010", household_id="H2", family="佐倉", given="一", family_kana="サクラ", given_kana="ハジメ",
                     birth=dt.date(1975, 7, 7), at=address("美浜区", "高洲一丁目", "2番3号", "高洲ハイツ101号室")),
            resident("R020", household_id="H3", family="市原", given="三郎", family_kana="イチハラ", given_kana="サブロウ",
                     birth=dt.date(1950, 2, 2)),
        ]
    )


def new_person(resident_id: str = "R100", relationship: str = "世帯主", **kw) -> NewPerson:
    values = dict(
        resident_id=resident_id,
        name=PersonName("船橋", "健", "フナバシ", "ケン"),
        birth_date=dt.date(1985, 8, 8),
        sex=Sex.MALE,
        relationship=relationship,
        domicile="千葉県船橋市本町1番地",
        domicile_head="船橋　健",
    )
    values.update(kw)
    return NewPerson(**values)


def mid_long_term(**kw) -> ForeignResidentInfo:
    values = dict(
        nationality="ベトナム",
        category=ForeignCategory.MID_LONG_TERM,
        alphabet_name="NGUYEN VAN AN",
        residence_status="技術・人文知識・国際業務",
        period_of_stay="3年",
        stay_expires_on=dt.date(2027, 3, 31),
        card_number="AB12345678CD",
    )
    values.update(kw)
    return ForeignResidentInfo(**values)


def foreign_person(resident_id: str = "R200", relationship: str = "世帯主", **kw) -> NewPerson:
    values = dict(
        name=PersonName("グエン", "ヴァン　アン", "グエン", "ヴァン　アン"),
        kind=ResidentKind.FOREIGN,
        foreign=mid_long_term(),
        domicile="",
        domicile_head="",
    )
    values.update(kw)
    return new_person(resident_id, relationship, **values)


def apply(register: InMemoryRegister, notification, *, today: dt.date = TODAY) -> Change:
    """Check, then apply to the register (as a store would); the Change is returned."""
    change = apply_notification(notification, register, change_id=change_id(), today=today)
    register.apply(change)
    return change


def refused(register, notification, *, today: dt.date = TODAY) -> ValidationError:
    """The ValidationError a notification gets (fails the test when it is accepted)."""
    with pytest.raises(ValidationError) as info:
        apply_notification(notification, register, change_id=change_id(), today=today)
    return info.value


def assert_refused(register, notification, field: str, *words: str, today: dt.date = TODAY) -> ValidationError:
    """Refused with an error on `field` whose message contains every one of `words` (the field's label)."""
    error = refused(register, notification, today=today)
    messages = error.messages_for(field)
    assert messages, f"no error on {field!r}; got {error.errors}"
    assert any(all(w in m for w in words) for m in messages), f"{field}: {messages} lacks {words}"
    return error


def delta(change: Change, resident_id: str):
    return next(d for d in change.residents if d.resident_id == resident_id)


def with_(r: Resident, **changes) -> Resident:
    return replace(r, **changes)
