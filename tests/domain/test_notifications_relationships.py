"""続柄 in notifications (j110): the everyday word a clerk types is accepted, the record carries the
j110 standard form; a word for several forms is refused with a message naming them."""
from __future__ import annotations

import datetime as dt

import pytest

from domain.notifications import (
    Birth,
    Cancellation,
    Death,
    ExOfficioCorrection,
    HouseholdChange,
    HouseholderChange,
    MoveIn,
    MoveOut,
    MoveWithin,
)
from domain.relationships import is_standard_relationship
from domain.residents import Address, PersonName, Sex
from tests.domain.factories import (
    ELSEWHERE,
    TODAY,
    address,
    apply,
    assert_refused,
    delta,
    family_register,
    new_person,
    register_of,
    resident,
)

NEW_HOME = address("緑区", "おゆみ野中央一丁目", "2番3号")


def baby(relationship: str, **kw):
    values = dict(name=PersonName("千葉", "さくら", "チバ", "サクラ"), birth_date=dt.date(2025, 5, 21), sex=Sex.FEMALE,
                  domicile="千葉県千葉市中央区千葉港1番地", domicile_head="千葉　太郎", related_to="R003")
    values.update(kw)
    return new_person("R300", relationship, **values)


def test_birth_of_a_grandchild_typed_as_mago_is_recorded_as_ko_no_ko():
    register = family_register()
    change = apply(register, Birth(baby("孫"), TODAY, join_household_id="H1"))
    assert delta(change, "R300").after.relationship == "子の子"
    assert register.resident("R300").relationship == "子の子"


def test_move_in_records_standard_forms():
    register = family_register()
    apply(register, MoveIn((new_person("R100"), new_person("R101", "未届の妻", sex=Sex.FEMALE)), NEW_HOME, TODAY, TODAY,
                           ELSEWHERE, new_household_id="H9"))
    assert register.resident("R101").relationship == "妻（未届）"
    apply(register, MoveIn((new_person("R102", "孫の妻", sex=Sex.FEMALE), new_person("R103", "養母", sex=Sex.FEMALE)),
                           address(), TODAY, TODAY, ELSEWHERE, join_household_id="H1"))
    assert register.resident("R102").relationship == "子の子の妻"
    assert register.resident("R103").relationship == "母"


def test_householder_and_household_changes_record_standard_forms():
    register = family_register()
    apply(register, Birth(baby("子の子"), TODAY, join_household_id="H1"))
    change = apply(register, HouseholderChange("H1", "R002", {"R001": "夫", "R003": "子", "R004": "子", "R300": "孫"},
                                               TODAY, TODAY))
    assert delta(change, "R300").after.relationship == "子の子"
    apply(register, HouseholdChange(("R020",), TODAY, TODAY, join_household_id="H1", relationships={"R020": "妻(未届)"}))
    assert register.resident("R020").relationship == "妻（未届）"


def test_staying_members_given_everyday_words_when_the_householder_leaves():
    register = family_register()
    apply(register, Birth(baby("孫"), TODAY, join_household_id="H1"))
    apply(register, MoveOut(("R001",), Address("東京都", "港区"), TODAY, TODAY, new_householder_id="R002",
                            relationships={"R003": "子", "R004": "子", "R300": "孫"}))
    assert register.resident("R300").relationship == "子の子"


def test_correction_to_an_everyday_word_records_the_standard_form():
    register = family_register()
    apply(register, ExOfficioCorrection("R004", {"relationship": "孫"}, "誤記", TODAY))
    assert register.resident("R004").relationship == "子の子"
    assert_refused(register, ExOfficioCorrection("R004", {"relationship": "子の子"}, "誤記", TODAY),
                   "relationship", "修正前と同じ")


@pytest.mark.parametrize(
    "make, field, words",
    [
        (lambda: Birth(baby("祖父"), TODAY, join_household_id="H1"), "person.relationship", ("「父の父」又は「母の父」",)),
        (lambda: MoveIn((new_person("R100", "甥"),), address(), TODAY, TODAY, ELSEWHERE, join_household_id="H1"),
         "persons[0].relationship", ("「兄の子」", "「妹の子」")),
        (lambda: MoveIn((new_person("R100", "おば"),), address(), TODAY, TODAY, ELSEWHERE, join_household_id="H1"),
         "persons[0].relationship", ("「父の姉」", "「母の妹」")),
        (lambda: HouseholdChange(("R020",), TODAY, TODAY, join_household_id="H1", relationships={"R020": "祖母"}),
         "relationships[R020]", ("続柄（宛名番号R020）", "「父の母」又は「母の母」")),
        (lambda: HouseholderChange("H1", "R003", {"R001": "父", "R002": "母", "R004": "叔父"}, TODAY, TODAY),
         "relationships[R004]", ("「父の弟」又は「母の弟」",)),
        (lambda: ExOfficioCorrection("R004", {"relationship": "姪"}, "誤記", TODAY), "relationship", ("「姉の子」",)),
        (lambda: MoveIn((new_person("R100", "子の子の子の子の子"),), address(), TODAY, TODAY, ELSEWHERE,
                        join_household_id="H1"), "persons[0].relationship", ("「縁故者」としてください",)),
        (lambda: MoveWithin(("R004",), NEW_HOME, TODAY, TODAY, new_household_id="H5", relationships={"R004": "曾孫の子の子"}),
         "relationships[R004]", ("縁故者",)),
    ],
)
def test_a_word_for_several_forms_or_a_chain_too_long_is_refused(make, field, words):
    assert_refused(family_register(), make(), field, *words)


def test_an_old_spelling_on_a_record_is_standardized_when_the_record_changes():
    """A record loaded from elsewhere with 孫: any notification that produces a new version of it
    writes 子の子. A 祖父 cannot be decided (父の父 or 母の父?) and is left as it was."""
    register = register_of(
        resident("A", "世帯主", household_id="X"),
        resident("B", "孫", household_id="X", given="花", birth=dt.date(2000, 1, 1)),
        resident("C", "祖父", household_id="X", given="一", birth=dt.date(1920, 1, 1)),
        resident("D", "未届の妻", household_id="X", given="和子", birth=dt.date(1962, 1, 1), sex=Sex.FEMALE),
    )
    moved = apply(register, MoveWithin(("A", "B", "C", "D"), NEW_HOME, TODAY, TODAY))
    assert [d.after.relationship for d in moved.residents] == ["世帯主", "子の子", "祖父", "妻（未届）"]
    assert delta(moved, "B").before.relationship == "孫"
    back = apply(register, Cancellation(moved.change_id, TODAY, "誤り"))  # a cancellation restores exactly
    assert delta(back, "B").after.relationship == "孫"
    died = apply(register, Death("B", dt.date(2025, 5, 1), TODAY))  # the 除票 too
    assert delta(died, "B").after.relationship == "子の子"


def test_every_record_the_notifications_produce_carries_a_standard_form():
    register = family_register()
    changes = [
        apply(register, Birth(baby("孫"), TODAY, join_household_id="H1")),
        apply(register, MoveIn((new_person("R100", "孫の夫"),), address(), TODAY, TODAY, ELSEWHERE, join_household_id="H1")),
        apply(register, HouseholderChange("H1", "R003", {"R001": "父", "R002": "母", "R004": "弟", "R300": "子",
                                                         "R100": "子の夫"}, TODAY, TODAY)),
        apply(register, MoveWithin(("R001", "R002"), NEW_HOME, TODAY, TODAY, new_household_id="H5",
                                   relationships={"R001": "世帯主", "R002": "未届の妻"})),
    ]
    for change in changes:
        for d in change.residents:
            assert is_standard_relationship(d.after.relationship), d.after.relationship
