"""出生 (Birth) and 死亡 (Death)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.change_reasons import ChangeReason
from domain.notifications import Birth, Death
from domain.record_dates import RecordDate
from domain.residents import ForeignCategory, ForeignResidentInfo, PersonName, ResidentKind, Sex, Status
from tests.domain.factories import (
    HOME,
    TODAY,
    address,
    apply,
    assert_refused,
    delta,
    family_register,
    mid_long_term,
    new_person,
    register_of,
    resident,
)

BORN = dt.date(2025, 5, 21)


def baby(resident_id="R300", relationship="孫", **kw):
    values = dict(name=PersonName("千葉", "さくら", "チバ", "サクラ"), birth_date=BORN, sex=Sex.FEMALE,
                  domicile="千葉県千葉市中央区千葉港1番地", domicile_head="千葉　太郎", related_to="R003")
    values.update(kw)
    return new_person(resident_id, relationship, **values)


def birth(person=None, **kw) -> Birth:
    values = dict(person=person or baby(), notified_on=dt.date(2025, 5, 30),
                  join_household_id="H1")
    values.update(kw)
    return Birth(**values)


def test_birth_into_the_parents_household():
    register = family_register()
    change = apply(register, birth())
    assert change.reason is ChangeReason.BIRTH and change.occurred_on == RecordDate.exact(BORN)
    d = delta(change, "R300")
    assert d.before is None and d.after.version == 1
    r = register.resident("R300")
    assert r.household_id == "H1" and r.address == HOME and r.previous_address is None
    assert r.became_resident_on == RecordDate.exact(BORN) and r.address_set_on == BORN
    assert r.notified_on == dt.date(2025, 5, 30) and r.related_to == "R003"


def test_foreign_newborn_is_a_transitional_resident():
    register = family_register()
    info = ForeignResidentInfo("ベトナム", ForeignCategory.TRANSITIONAL)
    person = baby(relationship="同居人", related_to="", kind=ResidentKind.FOREIGN, foreign=info, domicile="", domicile_head="",
                  name=PersonName("グエン", "", "グエン", ""))
    apply(register, birth(person))
    r = register.resident("R300")
    assert r.kind is ResidentKind.FOREIGN and r.foreign.became_resident_on == RecordDate.exact(BORN)


def test_birth_into_a_new_household_of_the_child_alone():
    register = family_register()
    new_home = address("若葉区", "都賀一丁目", "1番1号")
    change = apply(register, birth(baby(relationship="世帯主", related_to=""), join_household_id="", new_household_id="H8", address=new_home))
    assert register.resident("R300").address.lg_code == "121045"
    assert [h.household_id for h in change.households] == ["H8"]


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: birth(baby(birth_date=RecordDate.parse("令和7年5月上旬"))), "person.birth_date", ("生年月日", "暦上")),
        (lambda: birth(baby(birth_date=dt.date(2025, 6, 3)), notified_on=TODAY), "person.birth_date", ("生年月日", "未来")),
        (lambda: birth(baby(birth_date=None)), "person.birth_date", ("生年月日",)),
        (lambda: birth(notified_on=dt.date(2025, 5, 20)), "notified_on", ("届出日", "生年月日")),
        (lambda: birth(notified_on=dt.date(2025, 6, 5)), "notified_on", ("届出日", "未来")),
        (lambda: birth(baby(kind=ResidentKind.FOREIGN, foreign=mid_long_term(), domicile="", domicile_head="")), "person.foreign.category", ("経過滞在者",)),
        (lambda: birth(baby(resident_id="R001")), "person.resident_id", ("宛名番号",)),
        (lambda: birth(join_household_id="H77"), "join_household_id", ("世帯番号",)),
        (lambda: birth(join_household_id=""), "new_household_id", ("世帯",)),
        (lambda: birth(baby(relationship="世帯主")), "person.relationship", ("世帯主",)),
        (lambda: birth(baby(relationship="世帯主"), join_household_id="", new_household_id="H8"), "address", ("住所",)),
        (lambda: birth(baby(relationship="子"), join_household_id="", new_household_id="H8", address=address("緑区", "誉田町一丁目", "1")), "person.relationship", ("世帯主",)),
        (lambda: birth(address=address("緑区", "誉田町一丁目", "1")), "address", ("住所",)),
        (lambda: birth(baby(name=PersonName("千葉", "さくら", "チバ", ""))), "person.name.given_kana", ("フリガナ",)),
        (lambda: birth(baby(sex=None)), "person.sex", ("性別",)),
        (lambda: birth(baby(relationship="孫娘")), "person.relationship", ("続柄",)),
        (lambda: birth(baby(related_to="R010")), "person.related_to", ("続柄の基準となる世帯員",)),
        (lambda: birth(baby(domicile="")), "person.domicile", ("本籍",)),
    ],
)
def test_birth_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


# --- 死亡 -------------------------------------------------------------------------------------


def test_death_removes_the_record():
    register = family_register()
    change = apply(register, Death("R004", dt.date(2025, 5, 31), TODAY))
    assert change.reason is ChangeReason.DEATH and change.occurred_on == RecordDate.exact(dt.date(2025, 5, 31))
    d = delta(change, "R004")
    assert d.after.status is Status.REMOVED and d.after.version == 2
    assert d.after.removal.reason == ChangeReason.DEATH.code
    assert d.after.removal.occurred_on == RecordDate.exact(dt.date(2025, 5, 31))
    assert change.resident_ids == ("R004",)


@pytest.mark.parametrize("text", ["令和7年4月上旬", "年月日不詳", "令和7年 月日不詳", "令和7年6月上旬"])
def test_death_date_may_be_partly_unknown(text):
    register = family_register()
    apply(register, Death("R004", RecordDate.parse(text), TODAY))
    assert register.resident("R004").removal.occurred_on.format_wareki() == text


def test_householder_dies_one_member_left_becomes_householder():
    register = register_of(resident("A", "世帯主"), resident("B", "子", given="花子", birth=dt.date(1990, 1, 1)))
    change = apply(register, Death("A", dt.date(2025, 5, 1), dt.date(2025, 5, 2)))
    assert delta(change, "B").after.relationship == "世帯主"


def test_householder_dies_new_householder_named_with_relationships():
    register = family_register()
    apply(register, Death("R001", dt.date(2025, 5, 1), dt.date(2025, 5, 2), new_householder_id="R003",
                          relationships={"R002": "母", "R004": "弟"}))
    assert [register.resident(r).relationship for r in ("R002", "R003", "R004")] == ["母", "世帯主", "弟"]


def test_foreign_resident_death():
    register = register_of(resident("F", kind=ResidentKind.FOREIGN, foreign=mid_long_term(), birth=dt.date(1990, 1, 1)))
    apply(register, Death("F", dt.date(2025, 5, 1), dt.date(2025, 5, 2)))
    assert register.resident("F").status is Status.REMOVED


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: Death("R004", dt.date(2025, 6, 3), TODAY), "death_date", ("死亡日", "未来")),
        (lambda: Death("R004", RecordDate.parse("令和7年7月上旬"), TODAY), "death_date", ("死亡日", "未来")),
        (lambda: Death("R004", dt.date(1993, 3, 2), TODAY), "death_date", ("死亡日", "生年月日")),
        (lambda: Death("R004", RecordDate.parse("平成4年頃"), TODAY), "death_date", ("死亡日", "生年月日")),
        (lambda: Death("R004", None, TODAY), "death_date", ("死亡日",)),
        (lambda: Death("R004", dt.date(2025, 6, 1), dt.date(2025, 5, 31)), "notified_on", ("届出日", "死亡日")),
        (lambda: Death("R004", dt.date(2025, 6, 1), dt.date(2025, 6, 3)), "notified_on", ("届出日", "未来")),
        (lambda: Death("R999", dt.date(2025, 6, 1), TODAY), "resident_id", ("宛名番号R999",)),
        (lambda: Death("", dt.date(2025, 6, 1), TODAY), "resident_id", ("対象の住民",)),
        (lambda: Death("R001", dt.date(2025, 6, 1), TODAY), "new_householder_id", ("新しい世帯主",)),
        (lambda: Death("R001", dt.date(2025, 6, 1), TODAY, new_householder_id="R010"), "new_householder_id", ("新しい世帯主",)),
        (lambda: Death("R004", dt.date(2025, 6, 1), TODAY, new_householder_id="R003"), "new_householder_id", ("世帯主",)),
        (lambda: Death("R001", dt.date(2025, 6, 1), TODAY, new_householder_id="R002", relationships={"R003": "長男"}), "relationships[R003]", ("続柄",)),
    ],
)
def test_death_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_dead_resident_cannot_die_again():
    register = family_register()
    apply(register, Death("R004", dt.date(2025, 5, 1), TODAY))
    assert_refused(register, Death("R004", dt.date(2025, 5, 1), TODAY), "resident_id", "消除された住民には")
