"""転入届 (MoveIn)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from domain.change_reasons import ChangeReason
from domain.household_order import order_members
from domain.notifications import MoveIn, MoveOut
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, PersonName, ResidentKind, Sex, Status
from tests.domain.factories import (
    ABROAD,
    ELSEWHERE,
    HOME,
    address,
    apply,
    assert_refused,
    delta,
    family_register,
    foreign_person,
    mid_long_term,
    my_number,
    new_person,
    refused,
    resident_code,
)

MOVED = dt.date(2025, 5, 20)
NEW_HOME = address("稲毛区", "稲毛東三丁目", "5番8号", "稲毛コーポ202号室")


def move_in(*persons, **kw) -> MoveIn:
    values = dict(
        persons=persons or (new_person(),),
        address=NEW_HOME,
        moved_on=MOVED,
        notified_on=dt.date(2025, 5, 28),
        previous_address=ELSEWHERE,
        new_household_id="H9",
    )
    values.update(kw)
    return MoveIn(**values)


def test_domestic_move_in_of_a_new_household():
    register = family_register()
    wife = new_person("R101", "妻", name=PersonName("船橋", "真理", "フナバシ", "マリ"), sex=Sex.FEMALE,
                      birth_date=dt.date(1987, 2, 2), my_number=my_number(), resident_code=resident_code())
    change = apply(register, move_in(new_person(), wife))
    assert change.reason is ChangeReason.MOVE_IN_DOMESTIC
    assert change.occurred_on == RecordDate.exact(MOVED)
    assert change.notified_on == dt.date(2025, 5, 28)
    assert [h.household_id for h in change.households] == ["H9"]
    assert change.resident_ids == ("R100", "R101")
    for d in change.residents:
        assert d.before is None and d.after.version == 1
    head = register.resident("R100")
    assert head.is_current and head.household_id == "H9" and head.is_householder
    assert head.address.lg_code == "121037" and head.address.building == "稲毛コーポ202号室"
    assert head.became_resident_on == RecordDate.exact(MOVED) and head.address_set_on == MOVED
    assert head.previous_address == ELSEWHERE
    assert head.birth_date == RecordDate.exact(dt.date(1985, 8, 8))
    assert register.resident("R101").my_number == my_number()
    assert [m.resident_id for m in order_members(register.household_members("H9"))] == ["R100", "R101"]


def test_move_in_from_abroad_of_a_foreign_resident():
    register = family_register()
    change = apply(register, move_in(foreign_person(), previous_address=ABROAD))
    assert change.reason is ChangeReason.MOVE_IN_ABROAD
    r = register.resident("R200")
    assert r.kind is ResidentKind.FOREIGN and r.domicile == ""
    assert r.foreign.category is ForeignCategory.MID_LONG_TERM
    assert r.foreign.became_resident_on == RecordDate.exact(MOVED)  # 外国人住民となった年月日 defaults to the move


def test_foreign_resident_keeps_a_given_date_of_becoming_a_foreign_resident():
    register = family_register()
    info = mid_long_term(became_resident_on=RecordDate.exact(dt.date(2019, 4, 1)))
    apply(register, move_in(foreign_person(foreign=info)))
    assert register.resident("R200").foreign.became_resident_on == RecordDate.exact(dt.date(2019, 4, 1))


def test_joining_an_existing_household_at_its_address():
    register = family_register()
    bride = new_person("R102", "子の妻", name=PersonName("千葉", "愛", "チバ", "アイ"), sex=Sex.FEMALE,
                       birth_date=dt.date(1991, 9, 9), related_to="R003")
    change = apply(register, move_in(bride, address=HOME, new_household_id="", join_household_id="H1"))
    assert change.households == ()
    assert register.resident("R102").household_id == "H1"
    ordered = [m.resident_id for m in order_members(register.household_members("H1"))]
    assert ordered == ["R001", "R002", "R004", "R003", "R102"]  # 一郎 and his wife: rank 2


def test_domicile_may_be_recorded_as_unknown_and_birth_date_partly_unknown():
    register = family_register()
    person = new_person(domicile="不明", domicile_head="", birth_date=RecordDate.parse("昭和20年頃"))
    apply(register, move_in(person))
    r = register.resident("R100")
    assert r.domicile == "不明" and r.birth_date.format_wareki() == "昭和20年頃"


def test_a_former_resident_moves_back_in_with_the_same_resident_id():
    register = family_register()
    apply(register, MoveOut(("R010",), Address("東京都", "港区"), dt.date(2025, 3, 1), dt.date(2025, 3, 1)))
    removed = register.resident("R010")
    assert removed.status is Status.REMOVED and removed.version == 2
    back = new_person("R010", name=PersonName("佐倉", "一", "サクラ", "ハジメ"))
    change = apply(register, move_in(back))
    d = delta(change, "R010")
    assert d.before == removed and d.after.version == 3 and d.after.is_current and d.after.removal is None


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: move_in(persons=()), "persons", ("転入者",)),
        (lambda: move_in(new_person(name=PersonName("", "健", "フナバシ", "ケン"))), "persons[0].name.family", ("氏名（氏）",)),
        (lambda: move_in(new_person(name=PersonName("船橋", "健", "", "ケン"))), "persons[0].name.family_kana", ("フリガナ",)),
        (lambda: move_in(new_person(name=PersonName("船橋", "健", "ふなばし", "ケン"))), "persons[0].name.family_kana", ("フリガナ", "カタカナ")),
        (lambda: move_in(new_person(name=PersonName("船橋", "健", "フナバシ", ""))), "persons[0].name.given_kana", ("フリガナ（名）",)),
        (lambda: move_in(new_person(birth_date=None)), "persons[0].birth_date", ("生年月日",)),
        (lambda: move_in(new_person(birth_date=dt.date(2026, 1, 1))), "persons[0].birth_date", ("生年月日", "未来")),
        (lambda: move_in(new_person(birth_date=dt.date(2025, 5, 25))), "persons[0].birth_date", ("生年月日", "住所を定めた年月日")),
        (lambda: move_in(new_person(sex=None)), "persons[0].sex", ("性別",)),
        (lambda: move_in(new_person(relationship="家事使用人")), "persons[0].relationship", ("続柄",)),
        (lambda: move_in(new_person(domicile="")), "persons[0].domicile", ("本籍",)),
        (lambda: move_in(new_person(domicile_head="")), "persons[0].domicile_head", ("筆頭者",)),
        (lambda: move_in(new_person(alias="ジョン")), "persons[0].alias", ("通称",)),
        (lambda: move_in(new_person(old_surname="佐藤")), "persons[0].old_surname_kana", ("旧氏のフリガナ",)),
        (lambda: move_in(new_person(foreign=mid_long_term())), "persons[0].foreign", ("外国人住民",)),
        (lambda: move_in(new_person(my_number="123456789012")), "persons[0].my_number", ("個人番号", "検査数字")),
        (lambda: move_in(new_person(my_number="12345")), "persons[0].my_number", ("個人番号", "12桁")),
        (lambda: move_in(new_person(resident_code="12345678900")), "persons[0].resident_code", ("住民票コード",)),
        (lambda: move_in(foreign_person(foreign=None)), "persons[0].foreign", ("国籍・地域",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(nationality=""))), "persons[0].foreign.nationality", ("国籍・地域",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(category=None))), "persons[0].foreign.category", ("区分",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(residence_status=""))), "persons[0].foreign.residence_status", ("在留資格",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(period_of_stay=""))), "persons[0].foreign.period_of_stay", ("在留期間",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(stay_expires_on=None))), "persons[0].foreign.stay_expires_on", ("在留期間の満了の日",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(stay_expires_on=dt.date(2025, 5, 1)))), "persons[0].foreign.stay_expires_on", ("在留期間の満了の日", "過ぎて")),
        (lambda: move_in(foreign_person(foreign=mid_long_term(card_number=""))), "persons[0].foreign.card_number", ("在留カード番号",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(card_number="AB1234567CD"))), "persons[0].foreign.card_number", ("在留カード番号", "AB12345678CD")),
        (lambda: move_in(foreign_person(foreign=mid_long_term(category=ForeignCategory.SPECIAL_PERMANENT, card_number=""))), "persons[0].foreign.card_number", ("特別永住者証明書番号",)),
        (lambda: move_in(foreign_person(foreign=mid_long_term(category=ForeignCategory.PROVISIONAL_STAY, period_of_stay=""))), "persons[0].foreign.period_of_stay", ("仮滞在期間",)),
        (lambda: move_in(foreign_person(domicile="千葉市")), "persons[0].domicile", ("本籍",)),
        (lambda: move_in(foreign_person(old_surname="佐藤", old_surname_kana="サトウ")), "persons[0].old_surname", ("旧氏",)),
        (lambda: move_in(address=None), "address", ("住所",)),
        (lambda: move_in(address=Address("千葉県", "船橋市", "本町", "1番")), "address", ("住所", "千葉市内")),
        (lambda: move_in(address=replace(NEW_HOME, block="")), "address.block", ("番地",)),
        (lambda: move_in(moved_on=None), "moved_on", ("住所を定めた年月日",)),
        (lambda: move_in(moved_on=dt.date(2025, 6, 3), notified_on=dt.date(2025, 6, 3)), "moved_on", ("住所を定めた年月日", "未来")),
        (lambda: move_in(moved_on=dt.date(2025, 5, 29)), "moved_on", ("住所を定めた年月日", "届出日")),
        (lambda: move_in(moved_on=RecordDate.parse("令和7年5月頃")), "moved_on", ("住所を定めた年月日", "暦上")),
        (lambda: move_in(notified_on=dt.date(2025, 6, 3)), "notified_on", ("届出日", "未来")),
        (lambda: move_in(previous_address=None), "previous_address", ("転入前住所",)),
        (lambda: move_in(previous_address=address("緑区", "おゆみ野一丁目", "1")), "previous_address", ("転入前住所", "千葉市内")),
        (lambda: move_in(new_person(relationship="子")), "persons", ("世帯主",)),
        (lambda: move_in(new_person(), new_person("R101")), "persons[1].relationship", ("世帯主",)),
        (lambda: move_in(join_household_id="H1"), "new_household_id", ("世帯",)),
        (lambda: move_in(new_household_id=""), "new_household_id", ("世帯",)),
        (lambda: move_in(new_household_id="H2"), "new_household_id", ("世帯番号", "既に")),
        (lambda: move_in(new_person(relationship="子"), new_household_id="", join_household_id="H77"), "join_household_id", ("世帯番号",)),
        (lambda: move_in(address=HOME, new_household_id="", join_household_id="H1"), "persons[0].relationship", ("世帯主",)),
        (lambda: move_in(new_person(relationship="子"), new_household_id="", join_household_id="H1"), "address", ("住所", "H1")),
        (lambda: move_in(new_person("R001")), "persons[0].resident_id", ("宛名番号", "既に")),
        (lambda: move_in(new_person(""), ), "persons[0].resident_id", ("宛名番号",)),
        (lambda: move_in(new_person(), new_person("R100", "妻")), "persons[1].resident_id", ("宛名番号", "重複")),
        (lambda: move_in(new_person(related_to="R003")), "persons[0].related_to", ("続柄の基準となる世帯員",)),
    ],
)
def test_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_every_problem_is_reported_at_once():
    bad = move_in(
        new_person(name=PersonName("", "", "", ""), sex=None, relationship="?"),
        moved_on=dt.date(2025, 7, 1),
        previous_address=None,
        address=None,
    )
    error = refused(family_register(), bad)
    assert {"persons[0].name.family", "persons[0].name.family_kana", "persons[0].sex", "persons[0].relationship",
            "moved_on", "previous_address", "address"} <= error.fields
