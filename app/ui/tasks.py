"""Running service calls off the GUI thread (the habit of Anki's operations): the GUI thread only
starts a task and later receives its result; it never waits on SQL, the network or the disk.

    runner.run(service.search, criteria, on_done=self.show_results, key="search")

Results and errors come back through a queued signal, so the callbacks run on the GUI thread. A
task started with a `key` supersedes an older task with the same key: the older one's result is
dropped (search as you type shows only the newest answer). An error with a Japanese `.message`
(the services' convention) is shown with that message; anything else is logged in English and
shown as a plain Japanese sentence — never a traceback on screen.
"""
from __future__ import annotations

import itertools
import logging
import traceback
from typing import Any, Callable

from app.ui.qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

UNEXPECTED = "処理中に予期しないエラーが発生しました。操作をやり直しても解決しない場合は、システム担当者に連絡してください。"


def message_of(error: BaseException) -> str:
    """The Japanese sentence for the screen."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    errors = getattr(error, "errors", None)  # domain ValidationError
    if errors:
        return "\n".join(getattr(e, "message", str(e)) for e in errors)
    return UNEXPECTED


class _Relay(QObject):
    finished = Signal(int, bool, object)


class _Job(QRunnable):
    def __init__(self, number: int, relay: _Relay, fn: Callable, args: tuple, kwargs: dict):
        super().__init__()
        self.number, self.relay, self.fn, self.args, self.kwargs = number, relay, fn, args, kwargs
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result, ok = self.fn(*self.args, **self.kwargs), True
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the GUI thread
            if not hasattr(e, "message") and not hasattr(e, "errors"):
                log.error("task %s failed:\n%s", getattr(self.fn, "__qualname__", self.fn), traceback.format_exc())
            result, ok = e, False
        self.relay.finished.emit(self.number, ok, result)


class TaskRunner(QObject):
    """Starts tasks on a thread pool; `busy_changed` drives the busy indicator."""

    busy_changed = Signal(bool)
    failed = Signal(str)  # a Japanese message for a task that had no on_error of its own

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._numbers = itertools.count(1)
        self._pending: dict[int, tuple[Callable | None, Callable | None, str]] = {}
        self._latest: dict[str, int] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, fn: Callable, *args: Any, on_done: Callable | None = None, on_error: Callable | None = None, key: str = "", **kwargs: Any) -> int:
        number = next(self._numbers)
        was_busy = self.busy
        self._pending[number] = (on_done, on_error, key)
        if key:
            self._latest[key] = number
        self.pool.start(_Job(number, self._relay, fn, args, kwargs))
        if not was_busy:
            self.busy_changed.emit(True)
        return number

    def _finished(self, number: int, ok: bool, result: object) -> None:
        on_done, on_error, key = self._pending.pop(number, (None, None, ""))
        try:
            if key and self._latest.get(key) != number:
                return  # superseded by a newer task with the same key
            if key:
                self._latest.pop(key, None)
            if ok:
                if on_done is not None:
                    on_done(result)
            elif on_error is not None:
                on_error(result)
            else:
                self.failed.emit(message_of(result))
        finally:
            if not self.busy:
                self.busy_changed.emit(False)

    def wait(self, msecs: int = 30000) -> bool:
        """For shutdown: let running tasks end (their results are no longer delivered)."""
        return self.pool.waitForDone(msecs)
