"""Every notification kind through its form: filled as a clerk fills it, confirmed, saved as
仮登録 (pending in the outbox, provisional on the resident's page), then synced with the registry
(本登録 — or 審査 for 職権修正 and 異動の取消し, the registry's default policy). And for each kind a
bad input whose message shows next to its field while nothing is saved."""
from __future__ import annotations

import datetime as dt

import pytest

from app.ui.qt import Qt
from domain.notifications import MoveWithin
from domain.record_dates import DateError, RecordDate
from domain.residents import Address, Resident
from domain.wareki import to_wareki
from tests.ui.test_forms import (
    TIMEOUT,
    assert_pending_then_synced,
    choose,
    confirm,
    error_at,
    households_of,
    iso,
    make_form,
    outbox_ids,
    runner,  # noqa: F401 - the fixture
    save,
    settle,
    type_text,
)
from tests.ui.typing import replace_text


def household_with(counter, relationships: list[str]) -> list[Resident]:
    """A current household of Japanese residents with exactly these relationships (any order)."""
    for members in households_of(counter, len(relationships)):
        if sorted(m.relationship for m in members) == sorted(relationships):
            return members
    pytest.skip(f"no household {relationships} in the demo city")


def by_relationship(members: list[Resident], relationship: str) -> Resident:
    return next(m for m in members if m.relationship == relationship)


def head_wife_children(counter) -> list[Resident]:
    """A household of 世帯主, 妻 and one or more 子."""
    for n in (3, 4, 5):
        for members in households_of(counter, n):
            rels = sorted(m.relationship for m in members)
            if rels.count("世帯主") == 1 and rels.count("妻") == 1 and rels.count("子") == n - 2:
                return members
    pytest.skip("no 世帯主・妻・子 household in the demo city")


def bad_input_saves_nothing(qtbot, counter, form, before: list[str]) -> None:
    """「確認」 asked with errors: the form stays, nothing is saved."""
    form.go_confirm()
    settle(qtbot, form)
    assert form.stack.currentWidget() is form.edit_page
    assert outbox_ids(counter) == before


# --- 転居 --------------------------------------------------------------------------------------------


def test_move_within_whole_household(qtbot, counter, runner):  # noqa: F811
    members = households_of(counter, 2)[0]
    form = make_form(qtbot, counter, runner, "MoveWithin", resident_id=members[1].resident_id)
    assert form.picker.value() == tuple(m.resident_id for m in members)  # the whole household by default
    assert not form.target_box.isVisible()  # nothing to say about households then
    today = counter.today()
    type_text(qtbot, form.moved, iso(today - dt.timedelta(days=2)))
    choose(form.address.ward, "121011")
    type_text(qtbot, form.address.town, "問屋町")
    type_text(qtbot, form.address.block, "5番5号")
    type_text(qtbot, form.address.building, "問屋コート305号室")
    confirm(qtbot, form, form.address.building)
    text = "\n".join(form.summary_texts())
    assert "千葉県千葉市中央区問屋町5番5号　問屋コート305号室" in text and members[0].name.full in text
    operation_id = save(qtbot, form)
    for m in members:
        assert counter.resident(m.resident_id).address.town == "問屋町"
    assert_pending_then_synced(counter, operation_id, members[0].resident_id)


def test_move_within_bad_input(qtbot, counter, runner):  # noqa: F811
    members = households_of(counter, 2)[0]
    form = make_form(qtbot, counter, runner, "MoveWithin", resident_id=members[0].resident_id)
    before = outbox_ids(counter)
    type_text(qtbot, form.moved, iso(counter.today() + dt.timedelta(days=3)))
    for box in form.picker.boxes.values():
        box.click()  # nobody moves
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert "転居日は未来の日付にできません" in error_at(form, form.moved).splitlines()
    assert error_at(form, next(iter(form.picker.boxes.values()))) == "対象の住民（宛名番号）を選択してください"
    assert error_at(form, form.address.town) == "転居先住所の町名（町丁目）を入力してください"


def test_move_within_part_of_a_household_forms_a_new_one(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    child = by_relationship(members, "子")
    form = make_form(qtbot, counter, runner, "MoveWithin", resident_id=child.resident_id)
    for m in members:
        if m.resident_id != child.resident_id:
            form.picker.boxes[m.resident_id].click()
    settle(qtbot, form)
    assert form.target_box.isVisible() and form.target.mode() == "new"
    qtbot.waitUntil(lambda: bool(form.target.household_id), timeout=TIMEOUT)  # allocated for the draft
    type_text(qtbot, form.moved, iso(counter.today()))
    type_text(qtbot, form.address.town, "新町")
    type_text(qtbot, form.address.block, "18番")
    confirm(qtbot, form)
    operation_id = save(qtbot, form)
    moved = counter.resident(child.resident_id)
    assert moved.household_id == form.target.household_id and moved.relationship == "世帯主"  # a single mover heads it
    assert_pending_then_synced(counter, operation_id, child.resident_id)


# --- 転出 --------------------------------------------------------------------------------------------


def test_move_out_householder_leaves_a_new_householder_named(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    head, wife = by_relationship(members, "世帯主"), by_relationship(members, "妻")
    children = [m for m in members if m.relationship == "子"]
    form = make_form(qtbot, counter, runner, "MoveOut", resident_id=head.resident_id)
    for m in members:
        if m is not head:
            form.picker.boxes[m.resident_id].click()
    settle(qtbot, form)
    assert form.household.isVisible() and form.household.head.isVisible()  # 2+ stay: a new 世帯主
    today = counter.today()
    type_text(qtbot, form.planned, iso(today + dt.timedelta(days=3)))
    choose(form.destination.prefecture, "東京都")
    type_text(qtbot, form.destination.municipality, "新宿区")  # the municipality alone is enough
    choose(form.household.head.box, wife.resident_id)
    for c in children:
        type_text(qtbot, form.household.table.boxes[c.resident_id], "子")
    confirm(qtbot, form)
    text = "\n".join(form.summary_texts())
    assert "東京都新宿区" in text and "国内転出" in text and wife.name.full in text
    operation_id = save(qtbot, form)
    assert counter.resident(wife.resident_id).relationship == "世帯主"
    assert not counter.resident(head.resident_id).is_current
    assert_pending_then_synced(counter, operation_id, head.resident_id)


def test_move_out_bad_input(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    head = by_relationship(members, "世帯主")
    form = make_form(qtbot, counter, runner, "MoveOut", resident_id=head.resident_id)
    for m in members:
        if m is not head:
            form.picker.boxes[m.resident_id].click()
    before = outbox_ids(counter)
    type_text(qtbot, form.planned, iso(counter.today() + dt.timedelta(days=30)))
    choose(form.destination.prefecture, "国外")
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert error_at(form, form.planned) == "転出予定日は届出日から14日以内の日にしてください"
    assert error_at(form, form.destination.country) == "転出先住所の国名を入力してください"
    assert error_at(form, form.household.head.box) == "世帯主が世帯からいなくなり2人以上が残るため、新しい世帯主を指定してください"


# --- 出生 --------------------------------------------------------------------------------------------


def test_birth_joins_the_parents_household(qtbot, counter, runner):  # noqa: F811
    members = household_with(counter, ["世帯主", "妻"])
    mother = by_relationship(members, "妻")
    form = make_form(qtbot, counter, runner, "Birth", resident_id=mother.resident_id)
    assert form.target.mode() == "join" and form.target.join_id.text() == mother.household_id
    assert form.child.relationship.currentText() == "子" and form.child.resident_id
    born = counter.today() - dt.timedelta(days=7)
    c = form.child
    type_text(qtbot, c.name.family, mother.name.family)
    type_text(qtbot, c.name.given, "陽菜")
    type_text(qtbot, c.name.family_kana, mother.name.family_kana)
    type_text(qtbot, c.name.given_kana, "ヒナ")
    type_text(qtbot, c.birth, f"{born.year}年{born.month}月{born.day}日")
    choose(c.sex, 2)
    c.domicile_unknown.click()
    confirm(qtbot, form)
    text = "\n".join(form.summary_texts())
    assert str(to_wareki(born)) in text and f"{mother.name.family}　陽菜（{mother.name.family_kana}　ヒナ）" in text
    operation_id = save(qtbot, form)
    child = counter.resident(c.resident_id)
    assert child.household_id == mother.household_id and child.address == mother.address
    assert_pending_then_synced(counter, operation_id, c.resident_id)


def test_birth_bad_input(qtbot, counter, runner):  # noqa: F811
    members = household_with(counter, ["世帯主", "妻"])
    mother = by_relationship(members, "妻")
    form = make_form(qtbot, counter, runner, "Birth", resident_id=mother.resident_id)
    before = outbox_ids(counter)
    w = to_wareki(counter.today())
    type_text(qtbot, form.child.birth, f"{w.era.name}{w.year}年{w.month}月上旬")  # read, but not a calendar day
    type_text(qtbot, form.child.name.family_kana, "ヤマダ")
    type_text(qtbot, form.child.name.given, "花子")
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert error_at(form, form.child.birth) == "生年月日は暦上の年月日で入力してください（不詳日は使えません）"
    assert error_at(form, form.child.name.family) == "氏名（氏）を入力してください"
    assert error_at(form, form.child.name.given_kana) == "氏名のフリガナ（名）を入力してください"
    assert error_at(form, form.child.sex) == "性別を入力してください"


# --- 死亡 --------------------------------------------------------------------------------------------


def test_death_with_a_partly_unknown_date(qtbot, counter, runner):  # noqa: F811
    members = household_with(counter, ["世帯主", "妻"])
    wife = by_relationship(members, "妻")
    form = make_form(qtbot, counter, runner, "Death", resident_id=wife.resident_id)
    assert not form.household.isVisible()  # not the 世帯主: nothing to decide
    month = (counter.today().replace(day=1) - dt.timedelta(days=40))
    w = to_wareki(month)
    unknown_day = f"{w.era.name}{w.year}年{w.month}月上旬"
    type_text(qtbot, form.died, unknown_day)
    assert form.died.hint.text().startswith(unknown_day)
    confirm(qtbot, form)
    assert unknown_day in "\n".join(form.summary_texts())
    operation_id = save(qtbot, form)
    r = counter.resident(wife.resident_id)
    assert not r.is_current and r.removal.occurred_on.format_wareki() == unknown_day
    assert_pending_then_synced(counter, operation_id, wife.resident_id)


def test_death_bad_input(qtbot, counter, runner):  # noqa: F811
    members = household_with(counter, ["世帯主", "妻"])
    wife = by_relationship(members, "妻")
    form = make_form(qtbot, counter, runner, "Death", resident_id=wife.resident_id)
    before = outbox_ids(counter)
    type_text(qtbot, form.died, "M10.1.1")  # before the birth
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert error_at(form, form.died) == "死亡日は生年月日より前の日付にできません"
    replace_text(form.died.edit, "令和7年13月1日")  # cannot be read: the parser's own message
    settle(qtbot, form)
    with pytest.raises(DateError) as parsed:
        RecordDate.parse("令和7年13月1日")
    assert error_at(form, form.died) == parsed.value.message
    assert outbox_ids(counter) == before


# --- 世帯変更 ----------------------------------------------------------------------------------------


def test_household_separation(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    child = by_relationship(members, "子")
    form = make_form(qtbot, counter, runner, "HouseholdChange", resident_id=child.resident_id)
    assert form.picker.value() == (child.resident_id,)
    qtbot.waitUntil(lambda: bool(form.target.household_id), timeout=TIMEOUT)
    type_text(qtbot, form.changed_on, iso(counter.today()))
    confirm(qtbot, form)
    assert "世帯分離" in "\n".join(form.summary_texts())
    operation_id = save(qtbot, form)
    r = counter.resident(child.resident_id)
    assert r.household_id == form.target.household_id and r.relationship == "世帯主"
    assert_pending_then_synced(counter, operation_id, child.resident_id)


def test_household_change_bad_input(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    child = by_relationship(members, "子")
    form = make_form(qtbot, counter, runner, "HouseholdChange", resident_id=child.resident_id)
    before = outbox_ids(counter)
    form.target.buttons["join"].click()
    type_text(qtbot, form.target.join_id, "9999999999")
    type_text(qtbot, form.changed_on, iso(counter.today()))
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert error_at(form, form.target.join_id) == "世帯番号9999999999の世帯が見つかりません（現存する世帯を指定してください）"
    assert error_at(form, form.household.table.boxes[child.resident_id]) == f"続柄（宛名番号{child.resident_id}）を入力してください（入る世帯の世帯主からみた続柄）"


# --- 世帯主変更 --------------------------------------------------------------------------------------


def test_householder_change(qtbot, counter, runner):  # noqa: F811
    members = household_with(counter, ["世帯主", "妻"])
    head, wife = by_relationship(members, "世帯主"), by_relationship(members, "妻")
    form = make_form(qtbot, counter, runner, "HouseholderChange", resident_id=head.resident_id)
    choose(form.head.box, wife.resident_id)
    settle(qtbot, form)
    assert form.table.visible_ids() == [head.resident_id]  # everyone but the new 世帯主
    type_text(qtbot, form.table.boxes[head.resident_id], "夫")
    type_text(qtbot, form.changed_on, iso(counter.today()))
    confirm(qtbot, form)
    operation_id = save(qtbot, form)
    assert counter.resident(wife.resident_id).relationship == "世帯主"
    assert counter.resident(head.resident_id).relationship == "夫"
    assert_pending_then_synced(counter, operation_id, head.resident_id)


def test_householder_change_bad_input(qtbot, counter, runner):  # noqa: F811
    members = head_wife_children(counter)
    head, wife = by_relationship(members, "世帯主"), by_relationship(members, "妻")
    child = by_relationship(members, "子")
    form = make_form(qtbot, counter, runner, "HouseholderChange", resident_id=head.resident_id)
    before = outbox_ids(counter)
    choose(form.head.box, wife.resident_id)
    type_text(qtbot, form.table.boxes[head.resident_id], "祖父")  # stands for 父の父 or 母の父
    type_text(qtbot, form.changed_on, iso(counter.today()))
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert "祖父" in error_at(form, form.table.boxes[head.resident_id])
    assert error_at(form, form.table.boxes[child.resident_id]) == f"続柄（宛名番号{child.resident_id}）を入力してください（新しい世帯主からみた続柄）"


# --- 職権修正 ----------------------------------------------------------------------------------------


def test_ex_officio_correction_goes_to_review(qtbot, counter, runner):  # noqa: F811
    person = households_of(counter, 2)[0][0]
    form = make_form(qtbot, counter, runner, "ExOfficioCorrection", resident_id=person.resident_id)
    choose(form.item, "address.building")
    form.add_button.click()
    row = form.rows[0]
    replace_text(row.editor, "千葉テストハイツ101号室")
    choose(form.item, "name.given_kana")
    form.add_button.click()
    replace_text(form.rows[1].editor, person.name.given_kana + "ー")
    type_text(qtbot, form.explanation, "現地調査により方書の誤りが判明したため")
    confirm(qtbot, form)
    text = "\n".join(form.summary_texts())
    assert "→ 千葉テストハイツ101号室" in text and "職権修正" in text
    operation_id = save(qtbot, form)
    assert counter.resident(person.resident_id).address.building == "千葉テストハイツ101号室"
    assert_pending_then_synced(counter, operation_id, person.resident_id, final="review")


def test_ex_officio_correction_bad_input(qtbot, counter, runner):  # noqa: F811
    person = households_of(counter, 2)[0][0]
    form = make_form(qtbot, counter, runner, "ExOfficioCorrection", resident_id=person.resident_id)
    before = outbox_ids(counter)
    choose(form.item, "name.family_kana")
    form.add_button.click()
    replace_text(form.rows[0].editor, "すずき")
    choose(form.item, "birth_date")
    form.add_button.click()
    replace_text(form.rows[1].editor.edit, "S99.1.1")  # no such year of 昭和
    bad_input_saves_nothing(qtbot, counter, form, before)
    assert error_at(form, form.rows[0].editor) == "氏名のフリガナ（氏）はカタカナで入力してください"
    assert "昭和" in error_at(form, form.rows[1].editor)
    assert error_at(form, form.explanation) == "修正理由を入力してください"


# --- 異動の取消し ------------------------------------------------------------------------------------


def moved_and_synced(counter, members: list[Resident]) -> str:
    """A confirmed 転居 of the whole household, taken and synced before the test."""
    today = counter.today()
    taken = counter.take(MoveWithin(
        resident_ids=tuple(m.resident_id for m in members),
        address=Address("千葉県", "千葉市中央区", "問屋町", "7番7号", lg_code="121011"),
        moved_on=today, notified_on=today,
    ))
    counter.sync()
    return taken.operation_id


def test_cancellation_goes_to_review(qtbot, counter, runner):  # noqa: F811
    members = households_of(counter, 2)[1]
    change_id = moved_and_synced(counter, members)
    form = make_form(qtbot, counter, runner, "Cancellation", resident_id=members[0].resident_id)
    assert list(form.choices)[0] == change_id  # newest first
    form.choices[change_id].click()
    type_text(qtbot, form.explanation, "届出人の申出により転居の誤りが判明したため")
    confirm(qtbot, form)
    assert "転居" in "\n".join(form.summary_texts())
    operation_id = save(qtbot, form)
    assert counter.resident(members[0].resident_id).address == members[0].address  # restored (provisional)
    assert_pending_then_synced(counter, operation_id, members[0].resident_id, final="review")


def test_cancellation_bad_input(qtbot, counter, runner):  # noqa: F811
    members = households_of(counter, 2)[1]
    moved_and_synced(counter, members)
    form = make_form(qtbot, counter, runner, "Cancellation", resident_id=members[0].resident_id)
    before = outbox_ids(counter)
    bad_input_saves_nothing(qtbot, counter, form, before)
    first = next(iter(form.choices.values()))
    assert error_at(form, first) == "取り消す異動（）が見つかりません"
    assert error_at(form, form.explanation) == "取消しの理由を入力してください"
    qtbot.keyClick(form.explanation, Qt.Key.Key_Return)  # Enter does not save anything either
    settle(qtbot, form)
    assert outbox_ids(counter) == before
