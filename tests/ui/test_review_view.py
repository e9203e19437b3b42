"""The review screen (審査) over a real registry: operations held for 審査 by the default policy and
by a conflict, both versions side by side, 承認 and 差戻し, and the messages for a clerk and for an
offline session."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from app.services import review
from app.ui.qt import QApplication, QFont, Qt
from app.ui.record_diff import CHANGED_MARK, DIFFERS_ROLE, KEY_ROLE, MARK
from app.ui.review_view import EMPTY_MESSAGE, ReviewView
from app.ui.tasks import TaskRunner
from domain.notifications import Cancellation, ExOfficioCorrection, MoveWithin
from domain.residents import Address, ResidentKind
from tests.support.world import CLERK, TERMINAL_ID
from tests.ui.typing import ime_type

NEW_DOMICILE = "千葉県千葉市中央区千葉港1番地"
OTHER_DOMICILE = "千葉県千葉市中央区本千葉町2番地"
EXPLANATION = "戸籍の附票の通知による"


# -- helpers (also used by the outbox tests) ------------------------------------------------------
def japanese_residents(service, n: int = 1):
    """Current Japanese residents of the cache with a 本籍 to correct."""
    with service.cache.engine.connect() as conn:
        ids = conn.execute(
            text("SELECT resident_id FROM residents WHERE status = 'current' AND kind = 'japanese' ORDER BY resident_id LIMIT 60")
        ).scalars().all()
    found = []
    for rid in ids:
        r = service.resident(rid)
        if r is not None and r.kind is ResidentKind.JAPANESE and r.domicile and r.domicile not in (NEW_DOMICILE, OTHER_DOMICILE):
            found.append(r)
            if len(found) == n:
                return found
    raise AssertionError("the demo city has too few Japanese residents with a 本籍")


def correction(service, resident_id: str, domicile: str = NEW_DOMICILE) -> ExOfficioCorrection:
    return ExOfficioCorrection(resident_id=resident_id, changes={"domicile": domicile}, explanation=EXPLANATION, notified_on=service.today())


def a_move(service, *, members: int = 1) -> MoveWithin:
    """転居届 of a whole household (of at least `members`) to an address in 中央区."""
    with service.cache.engine.connect() as conn:
        hid = conn.execute(
            text(
                "SELECT household_id FROM residents WHERE status = 'current' GROUP BY household_id"
                " HAVING count(*) >= :n ORDER BY household_id DESC LIMIT 1"
            ),
            {"n": members},
        ).scalar()
    household = service.household_members(hid)
    town = "本千葉町" if household[0].address.town != "本千葉町" else "千葉港"
    to = Address("千葉県", "千葉市中央区", town, "3番7号", "", "121011")
    today = service.today()
    return MoveWithin(resident_ids=tuple(m.resident_id for m in household), address=to, moved_on=today - dt.timedelta(days=1), notified_on=today)


def settle(qtbot, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)


def cells(model) -> list[list[str]]:
    return [[model.index(r, c).data() or "" for c in range(model.columnCount())] for r in range(model.rowCount())]


def diff_row(view: ReviewView, key: str) -> int:
    m = view.diff.model
    return next(r for r in range(m.rowCount()) if m.index(r, 0).data(KEY_ROLE) == key)


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.wait()


@pytest.fixture
def make_view(qtbot, runner):
    def make(service) -> ReviewView:
        view = ReviewView(service, runner)
        qtbot.addWidget(view)
        view.resize(1100, 800)
        view.show()
        view.refresh()
        settle(qtbot, runner)
        return view

    return make


# -- tests ------------------------------------------------------------------------------------------
def test_supervisor_sees_the_held_correction_with_both_versions_and_the_changed_item_marked(counter, supervisor, make_view):
    person = japanese_residents(counter)[0]
    taken = counter.take(correction(counter, person.resident_id))
    assert counter.sync().verdicts == {"review": 1}

    view = make_view(supervisor)
    assert not view.showing_notice
    rows = cells(view.model)
    assert len(rows) == 1
    kind, reason, subject, terminal, operator, received = rows[0]
    assert (kind, reason, subject, terminal, operator) == ("職権修正", "審査対象の届出", person.name.full, TERMINAL_ID, CLERK)
    assert received.startswith("令和") and ":" in received
    assert view.selected.operation_id == taken.operation_id  # the first one is shown at once
    assert "修正理由：" + EXPLANATION in view.summary_label.text() and "決裁" in view.summary_label.text()

    assert review.CURRENT_FROM_CACHE in view.diff.source_label.text() and "版が異なります" not in view.diff.source_label.text()
    assert not view.diff.resident_choice.isVisible()  # one resident: no chooser
    m = view.diff.model
    assert [m.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["項目", "現在の記録", "届出による記録", "差異"]
    dom = diff_row(view, "domicile")
    assert m.index(dom, 0).data() == "本籍"
    assert (m.index(dom, 1).data(), m.index(dom, 2).data()) == (person.domicile, NEW_DOMICILE)
    assert m.index(dom, MARK).data() == CHANGED_MARK and m.index(dom, 1).data(DIFFERS_ROLE) is True
    font = m.index(dom, 2).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert m.index(dom, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    changed = [m.index(r, 0).data(KEY_ROLE) for r in range(m.rowCount()) if m.index(r, 0).data(DIFFERS_ROLE)]
    assert changed == ["domicile"]  # only what the correction changes
    name = diff_row(view, "name.family")
    assert m.index(name, 1).data() == m.index(name, 2).data() == person.name.family
    assert m.index(name, MARK).data() == "" and m.index(name, 1).data(Qt.ItemDataRole.BackgroundRole) is None
    birth = m.index(diff_row(view, "birth_date"), 1).data()
    assert birth == person.birth_date.format_wareki() and birth[:2] in ("明治", "大正", "昭和", "平成", "令和")

    # The My Number travels in the payload but is never on screen; looking is logged.
    my_number = supervisor.review_queue()[0]["payload"]["intended"][person.resident_id]["mn"]
    shown = json.dumps(cells(m), ensure_ascii=False) + view.summary_label.text()
    assert my_number and my_number not in shown
    assert m.index(diff_row(view, "my_number"), 1).data() == review.MY_NUMBER_RECORDED
    with supervisor.cache.engine.connect() as conn:
        logged = conn.execute(text("SELECT operator, action, resident_id, detail FROM access_log ORDER BY seq DESC LIMIT 1")).one()
    assert logged[:3] == ("super01", "view", person.resident_id) and taken.operation_id in logged[3]


def test_approval_by_keyboard_then_the_clerks_sync_confirms_it_and_changes_the_record(qtbot, world, counter, supervisor, make_view, runner):
    person = japanese_residents(counter)[0]
    taken = counter.take(correction(counter, person.resident_id))
    counter.sync()
    view = make_view(supervisor)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)

    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter: on to the decision
    assert QApplication.focusWidget() is view.reason_edit
    ime_type(view.reason_edit, "戸籍の附票と照合済み")
    qtbot.keyClick(view.reason_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.approve_button
    with qtbot.waitSignal(view.decided, timeout=15000) as decided:
        qtbot.keyClick(view.approve_button, Qt.Key.Key_Space)
    assert decided.args == [taken.operation_id]
    settle(qtbot, runner)
    assert "承認" in view.result_label.text() and "本登録" in view.result_label.text()
    assert view.model.rowCount() == 0 and view.status_label.text() == EMPTY_MESSAGE
    assert view.reason_edit.text() == "" and not view.approve_button.isEnabled()

    assert counter.resident(person.resident_id).domicile == person.domicile  # not before the sync
    counter.sync()
    entry = next(e for e in counter.outbox_entries() if e.operation_id == taken.operation_id)
    assert entry.state_label == "本登録済み"
    assert counter.resident(person.resident_id).domicile == NEW_DOMICILE


def test_rejection_needs_a_reason_and_the_reason_reaches_the_clerks_outbox(qtbot, counter, supervisor, make_view, runner):
    person = japanese_residents(counter)[0]
    taken = counter.take(correction(counter, person.resident_id))
    counter.sync()
    view = make_view(supervisor)

    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert view.reason_error.text() == "差戻しの理由を入力してください"
    assert [q["operation_id"] for q in supervisor.review_queue()] == [taken.operation_id]  # nothing sent
    assert view.model.rowCount() == 1 and view.reject_button.isEnabled()

    ime_type(view.reason_edit, "本籍の番地を確認してください")
    assert view.reason_error.text() == ""  # the message goes once the field is filled
    with qtbot.waitSignal(view.decided, timeout=15000):
        qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert "差し戻" in view.result_label.text()
    assert supervisor.review_queue() == [] and view.model.rowCount() == 0

    counter.sync()
    rows = review.outbox_rows(counter)
    row = next(r for r in rows if r.entry.operation_id == taken.operation_id)
    assert row.entry.state_label == "差戻し" and row.rejected
    assert "差し戻" in row.message and "本籍の番地を確認してください" in row.message
    assert counter.resident(person.resident_id).domicile == person.domicile  # the register is as it was


def test_a_conflict_shows_the_registrys_current_record_against_the_stale_one(counter, supervisor, make_view):
    person = japanese_residents(counter)[0]
    first = counter.take(correction(counter, person.resident_id, NEW_DOMICILE))
    counter.sync()
    supervisor.decide(first.operation_id, approve=True, comment="")  # the registry's record moves on
    second = counter.take(correction(counter, person.resident_id, OTHER_DOMICILE))  # against the old version
    assert counter.sync().verdicts == {"review": 1}

    view = make_view(supervisor)
    rows = cells(view.model)
    assert [r[1] for r in rows] == ["競合"]
    held = view.selected
    assert held.operation_id == second.operation_id and held.code == "conflict"
    assert "他の端末と重なった項目：本籍・筆頭者" in view.summary_label.text()
    assert review.CURRENT_FROM_REGISTRY in view.diff.source_label.text()
    m = view.diff.model
    dom = diff_row(view, "domicile")
    assert (m.index(dom, 1).data(), m.index(dom, 2).data()) == (NEW_DOMICILE, OTHER_DOMICILE)
    assert m.index(dom, 1).data(DIFFERS_ROLE) is True


def test_waiting_behind_another_is_named_as_such(counter, supervisor, make_view, qtbot):
    person = japanese_residents(counter)[0]
    first = counter.take(correction(counter, person.resident_id, NEW_DOMICILE))
    second = counter.take(ExOfficioCorrection(resident_id=person.resident_id, changes={"address.building": "中央ハイツ101号室"}, explanation=EXPLANATION, notified_on=counter.today()))
    counter.sync()
    view = make_view(supervisor)
    assert [(r[1]) for r in cells(view.model)] == ["審査対象の届出", "先行する届出の審査待ち"]
    view.table.setCurrentIndex(view.model.index(1, 0))
    assert view.selected.operation_id == second.operation_id
    assert first.operation_id in view.summary_label.text()
    m = view.diff.model
    building = diff_row(view, "address.building")
    assert m.index(building, 2).data() == "中央ハイツ101号室" and m.index(building, 1).data(DIFFERS_ROLE)


def test_an_operation_of_several_residents_has_a_chooser(counter, supervisor, make_view, qtbot):
    move = a_move(counter, members=2)
    towns_before = {rid: counter.resident(rid).address.town for rid in move.resident_ids}
    moved = counter.take(move)
    assert counter.sync().verdicts == {"confirmed": 1}
    cancel = counter.take(Cancellation(cancels=moved.operation_id, notified_on=counter.today(), explanation="届出人の申出の誤りによる"))
    assert counter.sync().verdicts == {"review": 1}  # 異動の取消し goes to 審査 by default

    view = make_view(supervisor)
    held = view.selected
    assert held.operation_id == cancel.operation_id and held.kind_label == "異動の取消し"
    assert len(held.comparisons) == len(move.resident_ids) >= 2
    assert view.model.index(0, 2).data().endswith(f"ほか{len(move.resident_ids) - 1}名")
    choice = view.diff.resident_choice
    assert not choice.isHidden() and choice.count() == len(move.resident_ids)
    seen = []
    for i in range(choice.count()):
        choice.setCurrentIndex(i)
        rid = choice.currentData()
        m = view.diff.model
        town = diff_row(view, "address.town")
        # Back from the moved-to address (the current record) to the one before the move.
        assert m.index(town, 1).data() == move.address.town and m.index(town, 1).data(DIFFERS_ROLE)
        assert m.index(town, 2).data() == towns_before[rid] != move.address.town
        assert rid in view.diff.source_label.text()
        seen.append(rid)
    assert sorted(seen) == sorted(move.resident_ids)


def test_a_clerk_sees_the_permission_message_instead_of_the_queue(counter, make_view):
    counter.take(correction(counter, japanese_residents(counter)[0].resident_id))
    counter.sync()
    view = make_view(counter)
    assert view.showing_notice and not view.table.isVisible()
    assert view.notice_label.text() == "審査は監督者（承認者）の権限で行ってください。"
    assert view.model.rowCount() == 0 and not view.approve_button.isEnabled()


def test_offline_the_supervisor_sees_the_offline_message_instead_of_the_queue(world, counter, supervisor, make_view, runner, qtbot):
    counter.take(correction(counter, japanese_residents(counter)[0].resident_id))
    counter.sync()
    view = make_view(supervisor)
    assert view.model.rowCount() == 1 and not view.showing_notice
    world.registry_offline()
    view.refresh()
    settle(qtbot, runner)
    assert view.showing_notice and not view.table.isVisible()
    assert view.notice_label.text().startswith("登録サーバーに接続できません")
    assert view.model.rowCount() == 0 and view.diff.model.rowCount() == 0 and not view.approve_button.isEnabled()
