"""世帯変更・世帯分離・世帯合併 (HouseholdChange) and 世帯主変更 (HouseholderChange)."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.change_reasons import ChangeReason
from domain.history import Change
from domain.notifications import Death, HouseholdChange, HouseholderChange
from domain.record_dates import RecordDate
from domain.residents import Household
from tests.domain.factories import HOME, TODAY, apply, assert_refused, delta, family_register

ON = dt.date(2025, 6, 1)


def household_change(*ids, **kw) -> HouseholdChange:
    values = dict(resident_ids=ids or ("R004",), changed_on=ON, notified_on=TODAY)
    values.update(kw)
    return HouseholdChange(**values)


def test_separation_into_a_new_household_at_the_same_address():
    register = family_register()
    change = apply(register, household_change("R004", new_household_id="H6"))
    assert change.reason is ChangeReason.HOUSEHOLD_SEPARATION
    assert change.households == (Household("H6"),)
    d = delta(change, "R004")
    assert d.before.household_id == "H1" and d.after.household_id == "H6"
    assert d.after.relationship == "世帯主" and d.after.address == HOME and d.after.version == 2
    assert change.resident_ids == ("R004",)


def test_separation_of_two_with_their_relationships():
    register = family_register()
    apply(register, household_change("R003", "R004", new_household_id="H6", relationships={"R003": "世帯主", "R004": "弟"}))
    assert register.resident("R004").relationship == "弟" and register.resident("R003").household_id == "H6"


def test_merger_of_a_whole_household_into_another():
    register = family_register()
    change = apply(register, household_change("R020", join_household_id="H1", relationships={"R020": "同居人"}))
    assert change.reason is ChangeReason.HOUSEHOLD_MERGER
    assert register.household_members("H3") == []
    assert register.resident("R020").household_id == "H1" and register.resident("R020").relationship == "同居人"


def test_change_of_some_members_to_another_existing_household():
    register = family_register()
    change = apply(register, household_change("R004", join_household_id="H3", relationships={"R004": "同居人"}))
    assert change.reason is ChangeReason.HOUSEHOLD_CHANGE
    assert register.resident("R004").household_id == "H3"


def test_householder_separating_leaves_a_named_householder():
    register = family_register()
    change = apply(register, household_change("R001", new_household_id="H6", new_householder_id="R002",
                                               relationships={"R003": "子", "R004": "子"}))
    assert change.resident_ids == ("R001", "R002", "R003", "R004")
    assert register.resident("R002").relationship == "世帯主"
    assert register.resident("R001").relationship == "世帯主" and register.resident("R001").household_id == "H6"


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: household_change(join_household_id="H2", relationships={"R004": "同居人"}), "join_household_id", ("同じ住所",)),
        (lambda: household_change("R001", "R002", "R003", "R004", new_household_id="H6"), "new_household_id", ("世帯全員",)),
        (lambda: household_change(new_household_id="H3"), "new_household_id", ("世帯番号", "既に")),
        (lambda: household_change(new_household_id="H6", join_household_id="H3"), "new_household_id", ("どちらか",)),
        (lambda: household_change(), "new_household_id", ("世帯",)),
        (lambda: household_change(join_household_id="H1", relationships={"R004": "子"}), "join_household_id", ("現在の世帯",)),
        (lambda: household_change(join_household_id="H77"), "join_household_id", ("世帯番号",)),
        (lambda: household_change(join_household_id="H3"), "relationships[R004]", ("続柄",)),
        (lambda: household_change(join_household_id="H3", relationships={"R004": "世帯主"}), "relationships[R004]", ("世帯主",)),
        (lambda: household_change(join_household_id="H3", relationships={"R004": "下宿人"}), "relationships[R004]", ("続柄",)),
        (lambda: household_change("R003", "R004", new_household_id="H6", relationships={"R003": "兄", "R004": "弟"}), "relationships", ("世帯主",)),
        (lambda: household_change("R001", new_household_id="H6"), "new_householder_id", ("新しい世帯主",)),
        (lambda: household_change("R020", join_household_id="H1", relationships={"R020": "同居人"}, new_householder_id="R001"), "new_householder_id", ("世帯主",)),
        (lambda: household_change(new_household_id="H6", changed_on=dt.date(2025, 6, 3)), "changed_on", ("異動日", "未来")),
        (lambda: household_change(new_household_id="H6", notified_on=dt.date(2025, 5, 31)), "changed_on", ("異動日", "届出日")),
        (lambda: household_change(new_household_id="H6", changed_on=None), "changed_on", ("異動日",)),
        (lambda: household_change(new_household_id="H6", relationships={"R010": "子"}), "relationships[R010]", ("宛名番号R010",)),
        (lambda: household_change("R004", "R020", new_household_id="H6"), "resident_ids", ("同じ世帯",)),
    ],
)
def test_household_change_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_removed_resident_cannot_change_household():
    register = family_register()
    apply(register, Death("R004", dt.date(2025, 5, 1), TODAY))
    assert_refused(register, household_change(new_household_id="H6"), "resident_ids", "消除された住民には")


# --- 世帯主変更 -----------------------------------------------------------------------------------


def householder_change(**kw) -> HouseholderChange:
    values = dict(household_id="H1", new_householder_id="R002",
                  relationships={"R001": "夫", "R003": "子", "R004": "子"}, changed_on=ON, notified_on=TODAY)
    values.update(kw)
    return HouseholderChange(**values)


def test_householder_change_gives_everyone_new_relationships_and_versions():
    register = family_register()
    change = apply(register, householder_change())
    assert change.reason is ChangeReason.HOUSEHOLDER_CHANGE
    assert change.resident_ids == ("R001", "R002", "R003", "R004")
    assert [d.after.relationship for d in change.residents] == ["夫", "世帯主", "子", "子"]
    assert all(d.after.version == d.before.version + 1 for d in change.residents)
    assert change.households == ()


def test_householder_change_moves_the_new_head_to_the_front_of_a_clerk_set_order():
    register = family_register()
    register.apply(Change("order", ChangeReason.MINOR_CORRECTION, RecordDate.exact(ON), ON, (),
                          (Household("H1", ("R001", "R003", "R002", "R004")),)))
    change = apply(register, householder_change())
    assert change.households == (Household("H1", ("R002", "R001", "R003", "R004")),)


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: householder_change(household_id="H77"), "household_id", ("世帯番号",)),
        (lambda: householder_change(new_householder_id="R010"), "new_householder_id", ("新しい世帯主",)),
        (lambda: householder_change(new_householder_id="R001"), "new_householder_id", ("新しい世帯主", "既に")),
        (lambda: householder_change(new_householder_id=""), "new_householder_id", ("新しい世帯主",)),
        (lambda: householder_change(relationships={"R001": "夫", "R004": "子"}), "relationships[R003]", ("続柄",)),
        (lambda: householder_change(relationships={"R003": "子", "R004": "子"}), "relationships[R001]", ("続柄",)),
        (lambda: householder_change(relationships={"R001": "夫", "R002": "妻", "R003": "子", "R004": "子"}), "relationships[R002]", ("世帯主",)),
        (lambda: householder_change(relationships={"R001": "夫", "R003": "世帯主", "R004": "子"}), "relationships[R003]", ("世帯主",)),
        (lambda: householder_change(relationships={"R001": "旦那", "R003": "子", "R004": "子"}), "relationships[R001]", ("続柄",)),
        (lambda: householder_change(relationships={"R001": "夫", "R003": "子", "R004": "子", "R010": "子"}), "relationships[R010]", ("宛名番号R010",)),
        (lambda: householder_change(changed_on=dt.date(2025, 6, 5)), "changed_on", ("異動日", "未来")),
        (lambda: householder_change(notified_on=dt.date(2025, 6, 5)), "notified_on", ("届出日", "未来")),
    ],
)
def test_householder_change_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)
