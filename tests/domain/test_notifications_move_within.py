"""転居届 (MoveWithin)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from domain.change_reasons import ChangeReason
from domain.notifications import Death, MoveWithin
from domain.residents import Address, Household
from tests.domain.factories import (
    HOME,
    MIHAMA,
    address,
    apply,
    assert_refused,
    delta,
    family_register,
)

NEW_HOME = address("美浜区", "打瀬二丁目", "3番1号", "パティオス5番街301号室")
MOVED = dt.date(2025, 5, 30)


def move(*ids, **kw) -> MoveWithin:
    values = dict(resident_ids=ids or ("R001", "R002", "R003", "R004"), address=NEW_HOME, moved_on=MOVED,
                  notified_on=dt.date(2025, 6, 2))
    values.update(kw)
    return MoveWithin(**values)


def test_whole_household_moves_to_another_ward():
    register = family_register()
    change = apply(register, move())
    assert change.reason is ChangeReason.MOVE_WITHIN
    assert change.resident_ids == ("R001", "R002", "R003", "R004")
    for d in change.residents:
        assert d.before.address == HOME
        assert d.after.address.municipality == "千葉市美浜区" and d.after.address.lg_code == MIHAMA
        assert d.after.address_set_on == MOVED and d.after.notified_on == dt.date(2025, 6, 2)
        assert d.after.household_id == "H1" and d.after.relationship == d.before.relationship
        assert d.after.version == d.before.version + 1
        assert d.after.previous_address == d.before.previous_address
    assert change.households == ()
    assert register.resident("R003").address == NEW_HOME


def test_move_to_another_building_on_the_same_lot_is_a_move():
    register = family_register()
    apply(register, move(address=replace(HOME, building="別棟")))
    assert register.resident("R001").address.building == "別棟"


def test_one_member_moves_out_into_a_new_household_of_their_own():
    register = family_register()
    change = apply(register, move("R004", new_household_id="H5"))
    assert change.resident_ids == ("R004",)
    after = register.resident("R004")
    assert after.household_id == "H5" and after.relationship == "世帯主"
    assert change.households == (Household("H5"),)
    assert register.resident("R001").version == 1  # the household left behind keeps its 世帯主


def test_householder_moves_with_wife_and_two_stay_behind():
    register = family_register()
    change = apply(
        register,
        move("R001", "R002", new_household_id="H5", relationships={"R002": "妻", "R004": "弟"},
             new_householder_id="R003"),
    )
    assert change.resident_ids == ("R001", "R002", "R003", "R004")
    assert register.resident("R003").relationship == "世帯主"
    assert register.resident("R004").relationship == "弟"
    assert register.resident("R003").address == HOME and register.resident("R003").version == 2
    assert register.resident("R001").household_id == "H5" and register.resident("R001").relationship == "世帯主"
    assert "世帯主" in change.note


def test_householder_leaving_one_member_makes_them_householder():
    register = family_register()
    apply(register, Death("R002", dt.date(2025, 1, 1), dt.date(2025, 1, 5)))
    apply(register, Death("R003", dt.date(2025, 1, 1), dt.date(2025, 1, 5)))
    apply(register, move("R001", new_household_id="H5"))
    assert register.resident("R004").relationship == "世帯主"


def test_household_explicit_order_puts_the_new_householder_first():
    register = family_register()
    register.apply(_order_change(("R004", "R003", "R002", "R001")))
    change = apply(register, move("R001", "R002", new_household_id="H5", relationships={"R002": "妻", "R004": "弟"},
                                  new_householder_id="R003"))
    # those who moved away drop out of the clerk's order; the record it replaces is kept
    assert change.households == (Household("H1", ("R003", "R004")), Household("H5"))
    assert change.households_before == (Household("H1", ("R004", "R003", "R002", "R001")),)


def _order_change(order):
    from domain.history import Change
    from domain.record_dates import RecordDate

    return Change("order", ChangeReason.MINOR_CORRECTION, RecordDate.exact(dt.date(2025, 1, 1)), dt.date(2025, 1, 1),
                  (), (Household("H1", order),))


def test_part_of_a_household_joins_another_household():
    register = family_register()
    target = register.resident("R010").address
    apply(register, move("R004", address=target, join_household_id="H2", relationships={"R004": "同居人"}))
    r = register.resident("R004")
    assert r.household_id == "H2" and r.relationship == "同居人" and r.address.lg_code == MIHAMA


def test_whole_household_joins_another_household():
    register = family_register()
    target = register.resident("R010").address
    rels = {"R001": "縁故者", "R002": "縁故者", "R003": "縁故者", "R004": "同居人"}
    apply(register, move(address=target, join_household_id="H2", relationships=rels))
    assert register.household_members("H1") == []
    assert {m.resident_id for m in register.household_members("H2")} == {"R010", "R001", "R002", "R003", "R004"}


H2_ADDRESS = address("美浜区", "高洲一丁目", "2番3号", "高洲ハイツ101号室")


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: move(resident_ids=()), "resident_ids", ("対象の住民",)),
        (lambda: move("R999"), "resident_ids", ("宛名番号R999", "見つかりません")),
        (lambda: move("R003", "R010", new_household_id="H5"), "resident_ids", ("同じ世帯",)),
        (lambda: move("R003", "R003", new_household_id="H5"), "resident_ids", ("重複",)),
        (lambda: move(address=HOME), "address", ("転居先住所", "同じ")),
        (lambda: move(address=Address("東京都", "港区", "芝", "1")), "address", ("転居先住所", "千葉市内")),
        (lambda: move(moved_on=dt.date(2025, 6, 3), notified_on=dt.date(2025, 6, 2)), "moved_on", ("転居日", "未来")),
        (lambda: move(notified_on=dt.date(2025, 5, 29)), "moved_on", ("転居日", "届出日")),
        (lambda: move(moved_on=dt.date(2010, 3, 31)), "moved_on", ("転居日", "住所を定めた年月日")),
        (lambda: move(moved_on=None), "moved_on", ("転居日",)),
        (lambda: move(notified_on=dt.date(2025, 6, 9)), "notified_on", ("届出日", "未来")),
        (lambda: move("R004"), "new_household_id", ("世帯の一部",)),
        (lambda: move(new_household_id="H5"), "new_household_id", ("世帯全員",)),
        (lambda: move("R004", new_household_id="H2"), "new_household_id", ("世帯番号", "既に")),
        (lambda: move("R004", new_household_id="H5", join_household_id="H2"), "new_household_id", ("どちらか",)),
        (lambda: move("R003", "R004", new_household_id="H5"), "relationships[R003]", ("続柄",)),
        (lambda: move("R003", "R004", new_household_id="H5", relationships={"R003": "兄", "R004": "弟"}), "relationships", ("世帯主",)),
        (lambda: move("R003", "R004", new_household_id="H5", relationships={"R003": "世帯主", "R004": "世帯主"}), "relationships[R004]", ("世帯主",)),
        (lambda: move("R004", new_household_id="H5", relationships={"R004": "甥っ子"}), "relationships[R004]", ("続柄",)),
        (lambda: move("R004", address=H2_ADDRESS, join_household_id="H77", relationships={"R004": "同居人"}), "join_household_id", ("世帯番号",)),
        (lambda: move("R004", join_household_id="H1", relationships={"R004": "子"}), "join_household_id", ("現在の世帯",)),
        (lambda: move("R004", join_household_id="H2", relationships={"R004": "同居人"}), "join_household_id", ("転居先住所",)),
        (lambda: move("R004", address=H2_ADDRESS, join_household_id="H2"), "relationships[R004]", ("続柄",)),
        (lambda: move("R004", address=H2_ADDRESS, join_household_id="H2", relationships={"R004": "世帯主"}), "relationships[R004]", ("世帯主",)),
        (lambda: move("R001", new_household_id="H5"), "new_householder_id", ("新しい世帯主",)),
        (lambda: move("R001", new_household_id="H5", new_householder_id="R010"), "new_householder_id", ("新しい世帯主",)),
        (lambda: move("R004", new_household_id="H5", new_householder_id="R003"), "new_householder_id", ("世帯主",)),
        (lambda: move(new_householder_id="R003"), "new_householder_id", ("世帯主",)),
        (lambda: move("R004", new_household_id="H5", relationships={"R999": "子"}), "relationships[R999]", ("宛名番号R999",)),
        (lambda: move(relationships={"R002": "母"}), "relationships[R002]", ("続柄",)),
        (lambda: move("R001", new_household_id="H5", new_householder_id="R003", relationships={"R002": "母", "R004": "兄弟"}), "relationships[R004]", ("続柄",)),
        (lambda: move("R001", new_household_id="H5", new_householder_id="R003", relationships={"R004": "世帯主"}), "relationships[R004]", ("世帯主",)),
    ],
)
def test_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_removed_resident_cannot_move():
    register = family_register()
    apply(register, Death("R004", dt.date(2025, 1, 1), dt.date(2025, 1, 5)))
    assert_refused(register, move("R004", new_household_id="H5"), "resident_ids", "消除された住民には")


def test_old_record_is_kept_in_history():
    register = family_register()
    change = apply(register, move())
    assert delta(change, "R001").before.address == HOME
    assert [c.change_id for c in register.changes_of("R001")] == [change.change_id]


def test_members_moving_with_their_householder_keep_their_relationships():
    register = family_register()
    apply(register, move("R001", "R002", new_household_id="H5", new_householder_id="R003", relationships={"R004": "弟"}))
    assert register.resident("R002").relationship == "妻"
    assert register.resident("R002").household_id == "H5"
