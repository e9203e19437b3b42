"""The task runner: results come back on the GUI thread, newer tasks supersede older ones, errors
become Japanese messages — and thousands of tasks leave every reference count as it was."""
from __future__ import annotations

import gc
import sys
import threading

from app.ui.qt import QObject, Signal
from app.ui.tasks import UNEXPECTED, TaskRunner, message_of


def test_results_arrive_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen = []
    runner.run(lambda: threading.get_ident(), on_done=lambda worker: seen.append((worker, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    worker, gui = seen[0]
    assert worker != gui == threading.main_thread().ident


def test_a_newer_task_with_the_same_key_wins(qtbot):
    runner = TaskRunner()
    gate = threading.Event()
    shown = []
    runner.run(lambda: gate.wait(5) and "old", on_done=shown.append, key="search")
    runner.run(lambda: "new", on_done=shown.append, key="search")
    qtbot.waitUntil(lambda: shown == ["new"], timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert shown == ["new"]


def test_errors_are_japanese_and_a_bug_is_not_a_traceback(qtbot):
    runner = TaskRunner()
    failures = []
    runner.failed.connect(failures.append)

    class Refused(Exception):
        message = "登録サーバーに接続できません。"

    def bug():
        raise KeyError("internal detail")

    runner.run(lambda: (_ for _ in ()).throw(Refused("x")))
    runner.run(bug)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5000)
    assert set(failures) == {"登録サーバーに接続できません。", UNEXPECTED}
    assert message_of(KeyError("x")) == UNEXPECTED


def test_many_tasks_and_signals_keep_reference_counts(qtbot):
    """PySide6 6.12.0's Signal.emit() dropped a reference to True on every call; after some
    thousands of emits the process aborted. Pinned below 6.12 — this test catches a relapse."""

    class Relay(QObject):
        ping = Signal(int)

    relay = Relay()
    relay.ping.connect(lambda n: None)
    runner = TaskRunner()
    done = [0]
    gc.collect()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(3000):
        relay.ping.emit(i)
        runner.run(lambda: None, on_done=lambda _: done.__setitem__(0, done[0] + 1))
    qtbot.waitUntil(lambda: done[0] == 3000, timeout=30000)
    gc.collect()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50


def test_a_result_for_a_closed_screen_is_dropped(qtbot):
    from app.ui.qt import QLabel, isValid

    runner = TaskRunner()
    gate = threading.Event()
    label = QLabel()
    runner.run(lambda: gate.wait(5) and "late", on_done=label.setText)
    label.deleteLater()
    qtbot.waitUntil(lambda: not isValid(label), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)  # no crash: the result was dropped
