"""The notification forms (届出の受付画面) as a clerk uses them: real widgets, typing through the
input method, a real encrypted cache and a real local registry (tests/ui/conftest.py).

This module holds the helpers, the 転入届 form end to end, drafts, the keyboard and the shared
widgets; tests/ui/test_forms_kinds.py goes through every other kind."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import text

from app.ui.forms import FORM_LABELS, FORMS, NEEDS_RESIDENT, NotificationForm, open_form
from app.ui.forms.widgets import Cell, DateField
from app.ui.qt import QComboBox, QLabel, QLineEdit, Qt
from app.ui.tasks import TaskRunner
from domain.notifications import KINDS, HouseholdChange
from domain.wareki import DateError, parse_date
from tests.ui.typing import ime_type, replace_text

TIMEOUT = 15000


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def runner():
    r = TaskRunner(threads=2)
    yield r
    r.wait()


def make_form(qtbot, counter, runner, kind: str, *, register: bool = True, **kw) -> NotificationForm:
    form = open_form(kind, counter, runner, **kw)
    if register:  # pytest-qt closes it after the test
        qtbot.addWidget(form)
    form.resize(1366, 768)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()  # a real focus: Enter, Esc and focus moves as on the counter PC
    qtbot.waitUntil(form.isActiveWindow, timeout=TIMEOUT)
    settle(qtbot, form)
    return form


def settle(qtbot, form: NotificationForm) -> None:
    """Until the form has checked and saved what was typed and its runner is idle."""
    qtbot.waitUntil(lambda: form.idle, timeout=TIMEOUT)


def type_text(qtbot, widget, text: str) -> None:
    """ASCII by key clicks, anything else through the input method (as a clerk's IME commits it)."""
    target = widget.edit if isinstance(widget, DateField) else widget
    if text.isascii():
        if isinstance(target, QComboBox):
            target = target.lineEdit()
        qtbot.keyClicks(target, text)
    else:
        ime_type(target, text)


def choose(combo: QComboBox, data) -> None:
    """The clerk picks the item whose data is `data` (as a choice from the open list does)."""
    index = combo.findData(data)
    assert index >= 0, f"no item {data!r} in {combo.objectName()}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def cell_of(form: NotificationForm, widget) -> Cell:
    """The Cell the widget is an input of (the place its error shows)."""
    for cell in set(form.cells().values()):
        if widget in cell.inputs:
            return cell
    raise AssertionError(f"{widget!r} is in no cell")


def error_at(form: NotificationForm, widget) -> str:
    """The error shown under `widget` ("" when none), checking that it is visible and the input is
    marked red (the dynamic property `error`)."""
    cell = cell_of(form, widget)
    if not cell.error_label.isVisible():
        return ""
    target = widget.edit if isinstance(widget, DateField) else widget
    assert target.property("error") is True
    return cell.error_label.text()


def confirm(qtbot, form: NotificationForm, from_widget=None) -> None:
    """Ctrl+Enter, then the confirmation view."""
    settle(qtbot, form)
    qtbot.keyClick(from_widget or form.confirm_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.stack.currentWidget() is form.confirm_page, timeout=TIMEOUT)


def save(qtbot, form: NotificationForm) -> str:
    """Enter on 「登録（仮登録）」; the operation id."""
    assert form.save_button.hasFocus()
    with qtbot.waitSignal(form.taken, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(form.save_button, Qt.Key.Key_Return)
    return blocker.args[0]


def outbox_ids(counter) -> list[str]:
    return [e.operation_id for e in counter.outbox_entries()]


def entry(counter, operation_id: str):
    return next(e for e in counter.outbox_entries() if e.operation_id == operation_id)


def assert_pending_then_synced(counter, operation_id: str, resident_id: str, *, final: str = "confirmed") -> None:
    """仮登録: pending in the outbox and a provisional entry on the resident's page; after a sync the
    registry's verdict (`final`)."""
    assert entry(counter, operation_id).state == "pending"
    page = counter.resident_page(resident_id)
    assert page is not None
    assert any(h.change_id == operation_id and h.state == "provisional" for h in page.history)
    report = counter.sync()
    assert report.pushed >= 1
    assert entry(counter, operation_id).state == final
    if final == "confirmed":
        page = counter.resident_page(resident_id)
        assert any(h.change_id == operation_id and h.state == "confirmed" for h in page.history)


def iso(d: dt.date) -> str:
    return d.isoformat()


# --- the registry --------------------------------------------------------------------------------


def test_every_kind_has_a_form():
    assert set(FORMS) == {k.__name__ for k in KINDS}
    assert FORM_LABELS["MoveIn"] == "転入届" and FORM_LABELS["Cancellation"] == "異動の取消し"
    assert NEEDS_RESIDENT <= set(FORMS) and "MoveIn" not in NEEDS_RESIDENT and "MoveOut" in NEEDS_RESIDENT
    for kind, form in FORMS.items():
        assert form.kind == kind and issubclass(form, NotificationForm)


# --- 転入届 --------------------------------------------------------------------------------------


def fill_move_in_first_person(qtbot, form) -> None:
    p = form.blocks[0]
    type_text(qtbot, p.name.family, "船橋")
    type_text(qtbot, p.name.given, "健")
    type_text(qtbot, p.name.family_kana, "フナバシ")
    type_text(qtbot, p.name.given_kana, "ケン")
    type_text(qtbot, p.birth, "S55.12.26")
    choose(p.sex, 1)
    type_text(qtbot, p.relationship, "世帯主")
    p.domicile_unknown.click()


def test_move_in_two_people_from_abroad_end_to_end(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    today = counter.today()
    assert form.notified.text()  # 届出日 defaults to today, in 和暦
    assert form.notified.value() == today
    assert len(form.blocks) == 1 and form.blocks[0].resident_id and form.target.household_id
    type_text(qtbot, form.moved, iso(today - dt.timedelta(days=5)))
    assert "令和" in form.moved.hint.text()  # the 和暦 it read, next to the field
    choose(form.address.ward, "121011")
    type_text(qtbot, form.address.town, "本千葉町")
    type_text(qtbot, form.address.block, "3番1号")
    type_text(qtbot, form.address.building, "船橋ハイツ203号室")
    choose(form.previous.prefecture, "国外")
    type_text(qtbot, form.previous.country, "アメリカ合衆国")
    fill_move_in_first_person(qtbot, form)

    form.add_button.click()
    qtbot.waitUntil(lambda: len(form.blocks) == 2, timeout=TIMEOUT)
    p = form.blocks[1]
    assert p.resident_id and p.resident_id != form.blocks[0].resident_id
    type_text(qtbot, p.name.family, "スミス")
    type_text(qtbot, p.name.given, "エミリー")
    type_text(qtbot, p.name.family_kana, "スミス")
    type_text(qtbot, p.name.given_kana, "エミリー")
    type_text(qtbot, p.birth, "1985-03-04")
    choose(p.sex, 2)
    type_text(qtbot, p.relationship, "妻")
    choose(p.kind, "foreign")
    assert p.foreign_box.isVisible() and not p.japanese_box.isVisible()
    type_text(qtbot, p.nationality, "アメリカ合衆国")
    type_text(qtbot, p.alphabet_name, "SMITH EMILY")
    choose(p.category, "mid_long_term")
    type_text(qtbot, p.residence_status, "日本人の配偶者等")
    type_text(qtbot, p.period_of_stay, "3年")
    type_text(qtbot, p.stay_expires_on, iso(today + dt.timedelta(days=700)))
    type_text(qtbot, p.card_number, "AB12345678CD")
    settle(qtbot, form)
    assert form.errors == ()
    assert form.title == "転入届 船橋 健"

    before = outbox_ids(counter)
    confirm(qtbot, form, p.card_number)
    text = "\n".join(form.summary_texts())
    assert "昭和55年12月26日" in text  # 和暦
    assert "船橋　健（フナバシ　ケン）" in text  # names with フリガナ
    assert "千葉県千葉市中央区本千葉町3番1号　船橋ハイツ203号室" in text
    assert "国外（アメリカ合衆国）" in text
    assert "1985年3月4日" in text  # a foreign resident's date also in 西暦
    assert "国外転入等" in text
    assert outbox_ids(counter) == before  # nothing saved before 登録
    operation_id = save(qtbot, form)

    new_ids = [b.resident_id for b in form.blocks]
    assert outbox_ids(counter) == before + [operation_id]
    e = entry(counter, operation_id)
    assert e.kind == "MoveIn"
    assert not [d for d in counter.drafts() if d.draft_id == form.draft_id]  # take discarded the draft
    r = counter.resident(new_ids[1])
    assert r.foreign.card_number == "AB12345678CD" and r.relationship == "妻"
    assert counter.resident(new_ids[0]).domicile == "不明"
    assert_pending_then_synced(counter, operation_id, new_ids[0])


def test_move_in_bad_input_shows_at_the_field_and_saves_nothing(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    before = outbox_ids(counter)
    p = form.blocks[0]
    type_text(qtbot, form.moved, "R7.13.40")  # no such month: the parser says so, not the service
    type_text(qtbot, p.name.family, "船橋")
    type_text(qtbot, p.name.family_kana, "ふなばし")  # hiragana
    type_text(qtbot, form.address.town, "本千葉町")
    settle(qtbot, form)
    with pytest.raises(DateError) as parsed:
        parse_date("R7.13.40")
    assert error_at(form, form.moved) == parsed.value.message
    assert form.moved.value() is None and form.moved.hint.text() == ""
    assert error_at(form, p.name.family_kana) == "氏名のフリガナ（氏）はカタカナで入力してください"
    assert form.field_errors("persons.0.name.family_kana") == ("氏名のフリガナ（氏）はカタカナで入力してください",)
    assert error_at(form, p.name.family) == ""  # right next to its own field only
    # untouched fields show nothing yet …
    assert error_at(form, form.address.block) == ""
    # … until the clerk asks for the confirmation: then every error, and the form stays
    qtbot.keyClick(p.name.family_kana, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, form)
    assert form.stack.currentWidget() is form.edit_page
    assert error_at(form, form.address.block) == "住所の番地を入力してください"
    assert error_at(form, form.previous.prefecture) == "転入前住所を入力してください"
    assert form.summary_label.isVisible() and "入力内容に誤りがあります" in form.summary_label.text()
    assert outbox_ids(counter) == before
    # the clerk fixes the date: its message goes, the 和暦 shows
    replace_text(form.moved.edit, "令和7年4月1日")
    settle(qtbot, form)
    assert error_at(form, form.moved) == ""
    assert form.moved.hint.text().startswith("令和7年4月1日")


def test_confirm_right_after_typing_shows_the_errors_of_what_is_on_screen(qtbot, counter, runner):
    """Typed fast and Ctrl+Enter at once (no pause for the live check): the messages are those of
    the form as it is now, an unreadable date's among them, and the form stays."""
    form = make_form(qtbot, counter, runner, "MoveIn")
    type_text(qtbot, form.moved, "R7.13.1")
    fill_move_in_first_person(qtbot, form)
    type_text(qtbot, form.blocks[0].name.given_kana, "けん")
    qtbot.keyClick(form.blocks[0].name.given_kana, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, form)
    p = form.blocks[0]
    assert form.stack.currentWidget() is form.edit_page
    assert error_at(form, form.moved) == "13月は存在しません"
    assert error_at(form, p.name.given_kana) == "氏名のフリガナ（名）はカタカナで入力してください"
    assert error_at(form, p.name.family) == "" and error_at(form, p.relationship) == ""
    assert "世帯主" not in form.summary_label.text()
    assert form.moved.edit.hasFocus()  # the cursor goes to the first error


def test_move_in_unowned_errors_go_to_the_summary(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    fill_move_in_first_person(qtbot, form)
    replace_text(form.blocks[0].relationship.lineEdit(), "子")  # nobody is 世帯主 of the new household
    form.go_confirm()
    settle(qtbot, form)
    assert form.stack.currentWidget() is form.edit_page
    assert "・新しい世帯の世帯主を1人指定してください（続柄「世帯主」）" in form.summary_label.text()


def test_move_in_refused_at_save_goes_back_with_the_messages(qtbot, counter, runner, world):
    """The register changed between the confirmation and 登録 (another terminal took the same
    世帯番号): the rules refuse it at take, the form comes back with the message, nothing saved."""
    form = make_form(qtbot, counter, runner, "MoveIn")
    today = counter.today()
    type_text(qtbot, form.moved, iso(today - dt.timedelta(days=1)))
    type_text(qtbot, form.address.town, "本千葉町")
    type_text(qtbot, form.address.block, "1番")
    choose(form.previous.prefecture, "東京都")
    type_text(qtbot, form.previous.municipality, "新宿区")
    fill_move_in_first_person(qtbot, form)
    confirm(qtbot, form)
    # meanwhile the same 世帯番号 comes into use (a household's member is moved into it)
    members = next(ms for ms in households_of(counter, 2))
    counter.take(HouseholdChange(resident_ids=(members[1].resident_id,), changed_on=today, notified_on=today,
                                 new_household_id=form.target.household_id))
    before = outbox_ids(counter)
    qtbot.keyClick(form.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.stack.currentWidget() is form.edit_page and form.idle, timeout=TIMEOUT)
    assert outbox_ids(counter) == before
    assert f"世帯番号{form.target.household_id}は既に使われています" in error_at(form, form.target.buttons["new"])
    assert [d for d in counter.drafts() if d.draft_id == form.draft_id]  # the draft is still there


def households_of(counter, size: int, *, kinds=("japanese",)) -> list[list]:
    """Current households of exactly `size` members, all of the given kinds (j1010 order)."""
    with counter.cache.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT household_id FROM residents WHERE status = 'current' GROUP BY household_id "
            "HAVING count(*) = :n AND sum(kind NOT IN (SELECT value FROM json_each(:kinds))) = 0 ORDER BY household_id"
        ), {"n": size, "kinds": json.dumps(list(kinds))}).scalars().all()
    return [counter.household_members(h) for h in rows]


# --- drafts --------------------------------------------------------------------------------------


def test_draft_survives_the_widget_and_restores_every_field(qtbot, world, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn", register=False)  # this test destroys it
    today = counter.today()
    type_text(qtbot, form.moved, "R7.4.1")
    choose(form.address.ward, "121061")  # 美浜区
    type_text(qtbot, form.address.town, "幸町一丁目")
    type_text(qtbot, form.address.block, "2番3号")
    choose(form.previous.prefecture, "東京都")
    type_text(qtbot, form.previous.municipality, "新宿区")
    type_text(qtbot, form.previous.town, "西新宿2丁目8番1号")
    p = form.blocks[0]
    type_text(qtbot, p.name.family, "船橋")
    type_text(qtbot, p.name.given, "健")
    type_text(qtbot, p.name.family_kana, "フナバシ")
    type_text(qtbot, p.birth, "令和7年4月上旬")  # a partly unknown date is kept as typed
    choose(p.sex, 1)
    type_text(qtbot, p.relationship, "世帯主")
    type_text(qtbot, p.domicile, "東京都新宿区西新宿二丁目8番")
    p.head_unknown.click()
    settle(qtbot, form)
    state = form.fields_state()
    rid, hid, draft_id = p.resident_id, form.target.household_id, form.draft_id

    drafts = [d for d in counter.drafts() if d.draft_id == draft_id]
    assert len(drafts) == 1 and drafts[0].kind == "MoveIn" and drafts[0].title == "転入届 船橋 健"
    # the window goes away without any close handler: no closeEvent, no 閉じる
    form.deleteLater()
    qtbot.waitUntil(lambda: not _alive(form), timeout=TIMEOUT)

    service = world.counter()  # the same clerk logs in again (a new session on the same cache)
    draft = next(d for d in service.drafts() if d.draft_id == draft_id)
    again = make_form(qtbot, service, runner, "MoveIn", draft=draft)
    assert again.draft_id == draft_id
    assert again.fields_state() == state
    q = again.blocks[0]
    assert (q.resident_id, again.target.household_id) == (rid, hid)  # the numbers stay the draft's
    assert again.moved.text() == "R7.4.1" and again.moved.value() == dt.date(2025, 4, 1)
    assert again.address.current_ward().name == "美浜区" and again.address.town.text() == "幸町一丁目"
    assert again.previous.prefecture.currentData() == "東京都" and again.previous.municipality.currentText() == "新宿区"
    assert again.previous.town.text() == "西新宿2丁目8番1号"
    assert (q.name.family.text(), q.name.given.text(), q.name.family_kana.text(), q.name.given_kana.text()) == ("船橋", "健", "フナバシ", "")
    assert q.birth.text() == "令和7年4月上旬" and q.birth.value().format_wareki() == "令和7年4月上旬"
    assert q.sex.currentData() == 1 and q.relationship.currentText() == "世帯主"
    assert q.domicile.text() == "東京都新宿区西新宿二丁目8番"
    assert q.head_unknown.isChecked() and q.domicile_head.text() == "不明"
    assert again.notified.value() == today
    # typing on keeps the same draft
    type_text(qtbot, q.name.given_kana, "ケン")
    settle(qtbot, again)
    same = [d for d in service.drafts() if d.draft_id == draft_id]
    assert len(same) == 1 and same[0].data["fields"]["persons"][0]["name"]["given_kana"] == "ケン"
    again.close()
    service.close()


def _alive(widget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True


def test_a_draft_being_saved_does_not_come_back_after_the_take(qtbot, counter, runner, monkeypatch):
    """登録 while a draft save is still running: the take waits for it, so the draft the take
    discards is not written again afterwards."""
    form = make_form(qtbot, counter, runner, "MoveIn")
    type_text(qtbot, form.moved, iso(counter.today()))
    type_text(qtbot, form.address.town, "本千葉町")
    type_text(qtbot, form.address.block, "1番")
    choose(form.previous.prefecture, "国外")
    type_text(qtbot, form.previous.country, "フランス")
    fill_move_in_first_person(qtbot, form)
    confirm(qtbot, form)
    original = counter.save_draft

    def slow_save_draft(*args, **kwargs):
        time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(counter, "save_draft", slow_save_draft)
    form.save_draft_now()  # a save is under way …
    operation_id = save(qtbot, form)  # … when the clerk presses 登録
    settle(qtbot, form)
    assert operation_id in outbox_ids(counter)
    assert not [d for d in counter.drafts() if d.draft_id == form.draft_id]


def test_a_resident_form_draft_restores_after_the_household_is_loaded(qtbot, counter, runner):
    members = households_of(counter, 3)[0]
    head = next(m for m in members if m.relationship == "世帯主")
    stay = [m for m in members if m is not head]
    form = make_form(qtbot, counter, runner, "MoveOut", resident_id=head.resident_id, register=False)
    for m in stay:
        form.picker.boxes[m.resident_id].click()
    type_text(qtbot, form.planned, "R8.1.5")
    choose(form.destination.prefecture, "大阪府")
    type_text(qtbot, form.destination.municipality, "大阪市北区")
    choose(form.household.head.box, stay[0].resident_id)
    type_text(qtbot, form.household.table.boxes[stay[1].resident_id], "子の子")
    settle(qtbot, form)
    state = form.fields_state()
    draft_id = form.draft_id
    form.deleteLater()
    qtbot.waitUntil(lambda: not _alive(form), timeout=TIMEOUT)
    draft = next(d for d in counter.drafts() if d.draft_id == draft_id)
    assert draft.title == f"転出届 {head.name.family} {head.name.given}" and draft.data["resident_id"] == head.resident_id
    again = make_form(qtbot, counter, runner, "MoveOut", draft=draft)  # the draft knows its resident
    assert again.resident_id == head.resident_id
    assert again.fields_state() == state
    assert again.picker.value() == (head.resident_id,)
    assert again.household.head.value() == stay[0].resident_id and again.household.head.isVisible()
    assert again.household.table.boxes[stay[1].resident_id].currentText() == "子の子"
    assert again.destination.municipality.currentText() == "大阪市北区" and again.planned.text() == "R8.1.5"


def test_an_untouched_form_leaves_no_draft(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    form.close_button.click()
    settle(qtbot, form)
    assert not [d for d in counter.drafts() if d.draft_id == form.draft_id]


# --- keyboard ------------------------------------------------------------------------------------


def test_keyboard_enter_moves_on_ctrl_enter_confirms_esc_goes_back(qtbot, counter, runner):
    members = households_of(counter, 2)[0]
    form = make_form(qtbot, counter, runner, "MoveWithin", resident_id=members[0].resident_id)
    chain = form._focus_chain()
    assert chain[0] is form.picker.boxes[members[0].resident_id]  # the first input, in layout order
    # Enter goes from one field to the next in the tab order
    form.notified.edit.setFocus()
    qtbot.keyClick(form.notified.edit, Qt.Key.Key_Return)
    assert form.moved.edit.hasFocus()
    type_text(qtbot, form.moved, iso(counter.today()))
    qtbot.keyClick(form.moved.edit, Qt.Key.Key_Return)
    assert form.address.ward.hasFocus()
    qtbot.keyClick(form.address.ward, Qt.Key.Key_Return)
    assert form.address.town.hasFocus()
    type_text(qtbot, form.address.town, "問屋町")
    qtbot.keyClick(form.address.town, Qt.Key.Key_Return)
    assert form.address.block.hasFocus()
    type_text(qtbot, form.address.block, "1番1号")
    # the tab order is the same as Enter's
    assert chain.index(form.address.block) + 1 == chain.index(form.address.building)
    qtbot.keyClick(form.address.block, Qt.Key.Key_Tab)
    assert form.address.building.hasFocus()
    form.address.block.setFocus()
    # Ctrl+Enter: the confirmation; Esc: back with everything as it was
    confirm(qtbot, form, form.address.block)
    assert form.save_button.hasFocus()
    qtbot.keyClick(form.save_button, Qt.Key.Key_Escape)
    assert form.stack.currentWidget() is form.edit_page
    assert form.address.block.text() == "1番1号"
    # no single-letter shortcut anywhere: a letter typed into a field stays in the field
    qtbot.keyClicks(form.address.building, "a")
    assert form.address.building.text() == "a"
    assert form.stack.currentWidget() is form.edit_page
    # Enter on the last field lands on 「確認へ進む」 (never on 閉じる), and Enter there confirms
    last = [w for w in form._focus_chain() if w not in (form.close_button, form.confirm_button)][-1]
    last.setFocus()
    qtbot.keyClick(last, Qt.Key.Key_Return)
    assert form.confirm_button.hasFocus()
    qtbot.keyClick(form.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.stack.currentWidget() is form.confirm_page, timeout=TIMEOUT)
    qtbot.keyClick(form.back_button, Qt.Key.Key_Return)  # 「戻る」 by Enter
    assert form.stack.currentWidget() is form.edit_page


def test_focus_stays_where_the_clerk_is_when_a_section_appears(qtbot, counter, runner):
    members = households_of(counter, 3)[0]
    form = make_form(qtbot, counter, runner, "MoveOut", resident_id=members[0].resident_id)
    box = form.picker.boxes[members[-1].resident_id]
    box.setFocus()
    box.click()  # part of the household now: the household section may appear, tab order is redone
    settle(qtbot, form)
    assert box.hasFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter on a check box moves on, it does not toggle
    assert box.isChecked() is False and not box.hasFocus()


def test_required_fields_are_marked_and_labels_are_japanese(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    captions = [w for w in form.findChildren(QLabel) if w.objectName() == "fieldCaption"]
    required = {w.text() for w in captions if w.property("required")}
    assert {"届出日 ※", "住所を定めた年月日（転入した日） ※", "町丁目 ※", "番地 ※", "氏 ※", "生年月日 ※"} <= required
    assert all(not w.text().isascii() for w in captions)
    assert form.scroll.widget() is form.content  # the form scrolls at 1366×768


# --- widgets -------------------------------------------------------------------------------------


def test_town_completion_and_municipality_list(qtbot, counter, runner):
    form = make_form(qtbot, counter, runner, "MoveIn")
    choose(form.address.ward, "121011")
    type_text(qtbot, form.address.town, "本千")
    assert "本千葉町" in form.address.town_model.stringList()
    choose(form.previous.prefecture, "北海道")
    names = [form.previous.municipality.itemText(i) for i in range(form.previous.municipality.count())]
    assert "札幌市中央区" in names and "函館市" in names
    choose(form.previous.prefecture, "千葉県")
    names = [form.previous.municipality.itemText(i) for i in range(form.previous.municipality.count())]
    assert "船橋市" in names and not any(n.startswith("千葉市") for n in names)  # the city itself is no 転入前住所
    choose(form.previous.prefecture, "国外")
    assert form.previous.country.isVisible() and not form.previous.municipality.isVisible()


def test_date_field_reads_wareki_and_seireki_and_unknown_parts(qtbot):
    field = DateField(today=lambda: dt.date(2025, 5, 20))
    qtbot.addWidget(field)
    for text, expected in (("S55.12.26", dt.date(1980, 12, 26)), ("昭和55年12月26日", dt.date(1980, 12, 26)),
                           ("1980-12-26", dt.date(1980, 12, 26)), ("4/1", dt.date(2025, 4, 1))):
        field.set_text(text)
        assert field.value() == expected and field.error == ""
        assert field.hint.text().startswith("昭和55年12月26日" if expected.year == 1980 else "令和7年4月1日")
    field.set_text("令和7年4月上旬")
    assert field.value() is None and field.error  # a calendar day is asked here
    record = DateField(record=True)
    qtbot.addWidget(record)
    record.set_text("令和7年4月上旬")
    assert record.value().format_wareki() == "令和7年4月上旬" and record.error == ""
    record.set_text("年月日不詳")
    assert record.value().format_wareki() == "年月日不詳"
    record.set_text("平成31年5月1日")
    assert record.error  # 平成 ended on 4月30日: the parser's message
    assert isinstance(record.edit, QLineEdit)
