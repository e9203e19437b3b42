"""The outbox screen (送信状況) over a real cache and registry: states and ages, the filter, retry
now offline and online, rejected entries standing out, and opening the resident of an entry."""
from __future__ import annotations

import time

import pytest

from app.services import review
from app.ui.outbox_view import AGE, ATTEMPTS, KIND, MESSAGE, STATE, SUBJECT, OutboxView
from app.ui.qt import QFont, Qt
from app.ui.tasks import TaskRunner
from app.sync.client import UNREACHABLE_MESSAGE
from tests.support.world import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.ui.test_review_view import a_move, correction, japanese_residents, settle


class Clock:
    """The terminal's time, moved on by the test."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def clerk(world, clock):
    service = world.counter(clock=clock)
    yield service
    service.close()


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.wait()


@pytest.fixture
def make_view(qtbot, runner):
    def make(service) -> OutboxView:
        view = OutboxView(service, runner)
        qtbot.addWidget(view)
        view.resize(1100, 600)
        view.show()
        view.refresh()
        settle(qtbot, runner)
        return view

    return make


def column(view: OutboxView, c: int) -> list[str]:
    return [view.model.index(r, c).data() for r in range(view.model.rowCount())]


def test_entries_show_kind_state_age_attempts_and_message_and_ages_move_on(clerk, clock, make_view):
    person = japanese_residents(clerk)[0]
    held = clerk.take(correction(clerk, person.resident_id))
    assert clerk.sync().verdicts == {"review": 1}
    clock.now += 60
    move = a_move(clerk)
    waiting = clerk.take(move)
    clock.now += 3 * 60

    view = make_view(clerk)
    assert view.filter_choice.currentText() == "未完了のみ"
    ids = [view.model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1) for r in range(view.model.rowCount())]
    assert ids == [waiting.operation_id, held.operation_id]  # newest first
    assert column(view, KIND) == ["転居届", "職権修正"]
    assert column(view, STATE) == ["送信待ち", "審査中"]
    assert column(view, AGE) == ["3分前", "4分前"]
    assert column(view, ATTEMPTS) == ["0回", "1回"]
    assert column(view, SUBJECT)[1] == person.name.full
    mover = clerk.resident(move.resident_ids[0])
    assert column(view, SUBJECT)[0].startswith(mover.name.full)
    assert column(view, MESSAGE)[0] == "" and "決裁" in column(view, MESSAGE)[1]
    assert "令和" in view.model.index(0, AGE).data(Qt.ItemDataRole.ToolTipRole)
    assert view.count_label.text() == "2件" and not view.rejected_label.isVisible()

    clock.now += 2 * 3600
    view.age_timer.timeout.emit()  # what the timer does every 30 seconds
    assert column(view, AGE) == ["2時間前", "2時間前"]


def test_retry_now_offline_shows_the_offline_message_and_keeps_the_entries(world, clerk, make_view, qtbot, runner):
    taken = clerk.take(a_move(clerk))
    view = make_view(clerk)
    assert column(view, STATE) == ["送信待ち"]
    world.registry_offline()
    qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert view.result_label.text() == UNREACHABLE_MESSAGE
    assert view.retry_button.isEnabled()
    assert [e.operation_id for e in clerk.outbox_entries()] == [taken.operation_id]
    assert column(view, STATE) == ["送信待ち"]
    assert column(view, MESSAGE) == [UNREACHABLE_MESSAGE]  # why it has not gone yet


def test_retry_now_online_confirms_and_the_filter_shows_only_the_unfinished(clerk, make_view, qtbot, runner):
    taken = clerk.take(a_move(clerk))
    view = make_view(clerk)
    assert column(view, STATE) == ["送信待ち"]
    qtbot.mouseClick(view.retry_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert view.result_label.text().startswith("1件を送信しました（本登録 1件）")
    assert view.model.rowCount() == 0  # 未完了のみ: the confirmed one has gone from the list
    assert view.count_label.text() == "表示する届出はありません。"

    view.filter_choice.setCurrentIndex(1)  # すべて
    settle(qtbot, runner)
    assert view.filter_choice.currentText() == "すべて"
    assert column(view, STATE) == ["本登録済み"]
    assert view.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1) == taken.operation_id
    assert "本登録" in column(view, MESSAGE)[0]
    view.filter_choice.setCurrentIndex(0)
    settle(qtbot, runner)
    assert view.model.rowCount() == 0


def test_a_rejected_entry_stands_out_with_the_supervisors_reason(world, clerk, make_view):
    person = japanese_residents(clerk)[0]
    taken = clerk.take(correction(clerk, person.resident_id))
    clerk.sync()
    supervisor = world.counter(SUPERVISOR, SUPERVISOR_PASSWORD)
    try:
        supervisor.decide(taken.operation_id, approve=False, comment="本籍の番地を確認してください")
    finally:
        supervisor.close()
    clerk.sync()
    other = clerk.take(a_move(clerk))

    view = make_view(clerk)
    assert column(view, STATE) == ["送信待ち", "差戻し"]
    assert "差し戻" in column(view, MESSAGE)[1] and "理由：本籍の番地を確認してください" in column(view, MESSAGE)[1]
    assert view.rejected_label.isVisible() and "1件" in view.rejected_label.text()
    assert view.rejected_label.objectName() == "dangerLabel"
    rejected_font = view.model.index(1, STATE).data(Qt.ItemDataRole.FontRole)
    assert isinstance(rejected_font, QFont) and rejected_font.bold()
    assert view.model.index(1, STATE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert view.model.index(0, STATE).data(Qt.ItemDataRole.FontRole) is None  # the others as they are
    assert other.operation_id == view.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)


def test_enter_on_an_entry_opens_its_resident_and_buttons_are_reachable_by_tab(clerk, make_view, qtbot):
    person = japanese_residents(clerk)[0]
    clerk.take(correction(clerk, person.resident_id))
    view = make_view(clerk)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    with qtbot.waitSignal(view.open_resident, timeout=5000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [person.resident_id]
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert view.retry_button.hasFocus()
    qtbot.keyClick(view.retry_button, Qt.Key.Key_Tab)
    assert view.refresh_button.hasFocus()
    assert view.retry_button.objectName() == "primaryButton"


def test_age_text():
    assert [review.age_text(s) for s in (0, 59, 60, 3 * 60 + 5, 3599, 3600, 86399, 86400, 5 * 86400)] == [
        "たった今", "たった今", "1分前", "3分前", "59分前", "1時間前", "23時間前", "1日前", "5日前",
    ]
