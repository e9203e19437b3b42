"""Household records a change writes, the records they replace (`Change.households_before`), and how
a cancellation gives a clerk-set member order (j1010) back exactly."""
from __future__ import annotations

import datetime as dt

from domain.change_reasons import ChangeReason
from domain.history import Change
from domain.household_order import order_members
from domain.notifications import (
    Birth,
    Cancellation,
    Death,
    HouseholdChange,
    HouseholderChange,
    MoveIn,
    MoveOut,
    MoveWithin,
)
from domain.record_dates import RecordDate
from domain.residents import Address, Household
from tests.domain.factories import (
    ELSEWHERE,
    TODAY,
    address,
    apply,
    assert_refused,
    family_register,
    new_person,
)

CLERK_ORDER = ("R001", "R003", "R002", "R004")  # 世帯主, 長男, 妻, 次男: set by hand
NEW_HOME = address("緑区", "おゆみ野中央一丁目", "2番3号")
TOKYO = Address("東京都", "港区")


def ordered_register(order=CLERK_ORDER):
    register = family_register()
    register.apply(Change("order", ChangeReason.MINOR_CORRECTION, RecordDate.exact(TODAY), TODAY, (),
                          (Household("H1", order),)))
    return register


def cancel(change: Change) -> Cancellation:
    return Cancellation(change.change_id, TODAY, "届出人の申出による")


def order_of(register, household_id="H1") -> list[str]:
    household = register.household(household_id)
    return [r.resident_id for r in order_members(register.household_members(household_id), household.member_order)]


# --- what each notification records -------------------------------------------------------------


def test_a_new_household_has_no_record_before():
    register = family_register()
    moved = apply(register, MoveIn((new_person(),), NEW_HOME, TODAY, TODAY, ELSEWHERE, new_household_id="H9"))
    assert moved.households == (Household("H9"),) and moved.households_before == ()
    born = apply(register, Birth(new_person("R300", birth_date=TODAY), TODAY, new_household_id="H8", address=NEW_HOME))
    assert born.households == (Household("H8"),) and born.households_before == ()


def test_a_reused_household_number_keeps_the_record_it_replaces():
    register = ordered_register(("R004",))
    register.apply(Change("gone", ChangeReason.MINOR_CORRECTION, RecordDate.exact(TODAY), TODAY, (),
                          (Household("H7", ("X1", "X2")),)))
    moved = apply(register, MoveIn((new_person(),), NEW_HOME, TODAY, TODAY, ELSEWHERE, new_household_id="H7"))
    assert moved.households == (Household("H7"),)
    assert moved.households_before == (Household("H7", ("X1", "X2")),)


def test_householder_change_records_the_order_it_replaces():
    register = ordered_register()
    change = apply(register, HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子", "R004": "子"}, TODAY, TODAY))
    assert change.households == (Household("H1", ("R002", "R001", "R003", "R004")),)
    assert change.households_before == (Household("H1", CLERK_ORDER),)


def test_members_leaving_drop_out_of_the_clerks_order():
    register = ordered_register()
    died = apply(register, Death("R003", dt.date(2025, 5, 1), TODAY))
    assert died.households == (Household("H1", ("R001", "R002", "R004")),)
    assert died.households_before == (Household("H1", CLERK_ORDER),)
    out = apply(register, MoveOut(("R001",), TOKYO, TODAY, TODAY, new_householder_id="R004",
                                  relationships={"R002": "母"}))
    assert out.households == (Household("H1", ("R004", "R002")),)  # the new 世帯主 in front
    assert out.households_before == (Household("H1", ("R001", "R002", "R004")),)
    assert order_of(register) == ["R004", "R002"]


def test_separation_records_both_households():
    register = ordered_register()
    split = apply(register, HouseholdChange(("R003",), TODAY, TODAY, new_household_id="H6"))
    assert split.households == (Household("H1", ("R001", "R002", "R004")), Household("H6"))
    assert split.households_before == (Household("H1", CLERK_ORDER),)


def test_no_clerk_order_no_household_record():
    register = family_register()
    for change in (
        apply(register, Death("R004", dt.date(2025, 5, 1), TODAY)),
        apply(register, HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子"}, TODAY, TODAY)),
        apply(register, MoveWithin(("R001", "R002", "R003"), NEW_HOME, TODAY, TODAY)),
    ):
        assert change.households == () and change.households_before == ()


def test_a_whole_household_leaving_leaves_its_record_alone():
    register = ordered_register()
    out = apply(register, MoveOut(("R001", "R002", "R003", "R004"), TOKYO, TODAY, TODAY))
    assert out.households == () and register.household("H1") == Household("H1", CLERK_ORDER)


# --- cancellation -------------------------------------------------------------------------------


def test_clerk_order_changed_by_a_householder_change_comes_back_exactly_when_cancelled():
    register = ordered_register()
    changed = apply(register, HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子", "R004": "子"}, TODAY, TODAY))
    assert order_of(register) == ["R002", "R001", "R003", "R004"]
    back = apply(register, cancel(changed))
    assert back.households == (Household("H1", CLERK_ORDER),)
    assert back.households_before == changed.households
    assert register.household("H1") == Household("H1", CLERK_ORDER)
    assert order_of(register) == list(CLERK_ORDER)
    again = apply(register, cancel(back))  # cancelling the cancellation puts the change's order back
    assert register.household("H1") == changed.households[0] and again.households == changed.households


def test_a_member_who_left_comes_back_to_their_place():
    register = ordered_register()
    died = apply(register, Death("R003", dt.date(2025, 5, 1), TODAY))
    apply(register, cancel(died))
    assert register.household("H1") == Household("H1", CLERK_ORDER)
    assert order_of(register) == list(CLERK_ORDER)


def test_a_householder_who_left_comes_back_in_front():
    register = ordered_register(("R003", "R001", "R002", "R004"))  # the clerk put the 長男 first
    out = apply(register, MoveOut(("R001",), TOKYO, TODAY, TODAY, new_householder_id="R002",
                                  relationships={"R003": "子", "R004": "子"}))
    assert register.household("H1") == Household("H1", ("R002", "R003", "R004"))
    apply(register, cancel(out))
    assert register.household("H1") == Household("H1", ("R003", "R001", "R002", "R004"))


def test_a_household_the_change_created_loses_its_record_again():
    register = family_register()
    split = apply(register, HouseholdChange(("R004",), TODAY, TODAY, new_household_id="H6"))
    back = apply(register, cancel(split))
    assert back.households == (Household("H6"),) and register.household_members("H6") == []


def test_refused_while_a_later_change_has_rewritten_the_household_record():
    register = ordered_register()
    first = apply(register, Death("R004", dt.date(2025, 5, 1), TODAY))
    later = apply(register, Death("R003", dt.date(2025, 5, 2), TODAY))  # another resident, same record
    assert_refused(register, cancel(first), "cancels", "世帯番号H1", "並び順", "新しい異動から順に")
    apply(register, cancel(later))
    apply(register, cancel(first))
    assert register.household("H1") == Household("H1", CLERK_ORDER)


def test_a_later_change_that_leaves_the_household_record_alone_does_not_block():
    register = ordered_register()
    changed = apply(register, HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子", "R004": "子"}, TODAY, TODAY))
    apply(register, Birth(new_person("R300", "子", birth_date=TODAY), TODAY, join_household_id="H1"))
    apply(register, cancel(changed))
    assert register.household("H1") == Household("H1", CLERK_ORDER)
    assert order_of(register) == [*CLERK_ORDER, "R300"]  # the newborn, not in the clerk's order, follows
