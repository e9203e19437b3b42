"""転出届 (MoveOut)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.change_reasons import ChangeReason
from domain.notifications import DAYS_AHEAD, Death, MoveOut
from domain.record_dates import RecordDate
from domain.residents import Address, Status
from tests.domain.factories import (
    ABROAD,
    TODAY,
    apply,
    assert_refused,
    delta,
    family_register,
    register_of,
    resident,
)

OSAKA = Address("大阪府", "大阪市北区")  # municipality only is enough (j650)


def move_out(*ids, **kw) -> MoveOut:
    values = dict(resident_ids=ids or ("R004",), destination=OSAKA, planned_on=dt.date(2025, 6, 10), notified_on=TODAY)
    values.update(kw)
    return MoveOut(**values)


def test_one_member_moves_out_to_another_municipality_on_a_future_day():
    register = family_register()
    change = apply(register, move_out())
    assert change.reason is ChangeReason.MOVE_OUT_DOMESTIC
    assert change.occurred_on == RecordDate.exact(dt.date(2025, 6, 10))
    d = delta(change, "R004")
    assert d.before.is_current and d.after.status is Status.REMOVED and d.after.version == 2
    assert d.after.removal.reason == ChangeReason.MOVE_OUT_DOMESTIC.code
    assert d.after.removal.occurred_on == RecordDate.exact(dt.date(2025, 6, 10))
    assert d.after.removal.destination == OSAKA
    assert change.resident_ids == ("R004",)  # the 世帯主 stays: nobody else changes
    assert [m.resident_id for m in register.household_members("H1")] == ["R001", "R002", "R003"]


def test_move_out_abroad():
    register = family_register()
    change = apply(register, move_out("R010", destination=ABROAD, planned_on=dt.date(2025, 5, 25)))
    assert change.reason is ChangeReason.MOVE_OUT_ABROAD
    assert register.resident("R010").removal.reason == "B02"
    assert register.resident("R010").removal.destination.is_abroad


def test_whole_household_moves_out():
    register = family_register()
    change = apply(register, move_out("R001", "R002", "R003", "R004"))
    assert len(change.residents) == 4 and register.household_members("H1") == []


def test_householder_leaves_one_member_who_becomes_householder():
    register = register_of(resident("A", "世帯主"), resident("B", "妻", given="花子"))
    change = apply(register, move_out("A"))
    b = delta(change, "B")
    assert b.before.relationship == "妻" and b.after.relationship == "世帯主" and b.after.version == 2
    assert "世帯主" in change.note


def test_householder_leaves_several_members_a_new_householder_is_named():
    register = family_register()
    change = apply(register, move_out("R001", new_householder_id="R002", relationships={"R003": "子", "R004": "子"}))
    assert change.resident_ids == ("R001", "R002", "R003", "R004")
    assert register.resident("R002").relationship == "世帯主"
    assert register.resident("R003").relationship == "子" and register.resident("R003").version == 2


def test_move_out_up_to_the_bound_ahead_and_late():
    register = family_register()
    apply(register, move_out(planned_on=TODAY + dt.timedelta(days=DAYS_AHEAD)))
    apply(register, move_out("R003", planned_on=TODAY - dt.timedelta(days=14)))


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: move_out(planned_on=TODAY + dt.timedelta(days=15)), "planned_on", ("転出予定日", "14日以内")),
        (lambda: move_out(planned_on=TODAY - dt.timedelta(days=15)), "planned_on", ("転出予定日", "職権消除")),
        (lambda: move_out(planned_on=dt.date(2010, 3, 1), notified_on=dt.date(2010, 3, 1)), "planned_on", ("転出予定日", "住所を定めた年月日")),
        (lambda: move_out(planned_on=None), "planned_on", ("転出予定日",)),
        (lambda: move_out(planned_on=RecordDate.parse("令和7年6月頃")), "planned_on", ("転出予定日", "暦上")),
        (lambda: move_out(notified_on=TODAY + dt.timedelta(days=1)), "notified_on", ("届出日", "未来")),
        (lambda: move_out(destination=None), "destination", ("転出先住所",)),
        (lambda: move_out(destination=Address("千葉県", "千葉市緑区", "誉田町一丁目")), "destination", ("転出先住所", "転居")),
        (lambda: move_out(destination=Address("大阪府", "夢洲市")), "destination", ("転出先住所", "見つかりません")),
        (lambda: move_out(destination=Address("国外", "")), "destination.municipality", ("転出先住所", "国名")),
        (lambda: move_out(resident_ids=()), "resident_ids", ("対象の住民",)),
        (lambda: move_out("R004", "R010"), "resident_ids", ("同じ世帯",)),
        (lambda: move_out("R001"), "new_householder_id", ("新しい世帯主",)),
        (lambda: move_out("R001", new_householder_id="R001"), "new_householder_id", ("新しい世帯主",)),
        (lambda: move_out("R001", new_householder_id="R010"), "new_householder_id", ("新しい世帯主",)),
        (lambda: move_out(new_householder_id="R003"), "new_householder_id", ("世帯主",)),
        (lambda: move_out("R001", new_householder_id="R002", relationships={"R001": "夫"}), "relationships[R001]", ("宛名番号R001",)),
        (lambda: move_out("R001", new_householder_id="R002", relationships={"R003": "むすこ"}), "relationships[R003]", ("続柄",)),
        (lambda: move_out("R001", new_householder_id="R002", relationships={"R003": "世帯主"}), "relationships[R003]", ("世帯主",)),
        (lambda: move_out("R001", new_householder_id="R002", relationships={"R002": "妻"}), "relationships[R002]", ("世帯主",)),
        (lambda: move_out(relationships={"R003": "兄"}), "relationships[R003]", ("続柄",)),
    ],
)
def test_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_removed_resident_cannot_move_out():
    register = family_register()
    apply(register, Death("R004", dt.date(2025, 1, 1), dt.date(2025, 1, 5)))
    assert_refused(register, move_out(), "resident_ids", "消除された住民には")
