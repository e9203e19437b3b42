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
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
import logging
import threading
import traceback
from typing import Any, Callable

from app.ui.qt import QObject, Signal, isValid

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
    # Only the task's number crosses threads (a plain int, copied by Qt); the result itself waits
    # in `outcomes` under a lock, so no Python object's life depends on Qt's queued events.
    finished = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lock = threading.Lock()
        self.outcomes: dict[int, tuple[bool, object]] = {}

    def deliver(self, number: int, ok: bool, result: object) -> None:
        with self.lock:
            self.outcomes[number] = (ok, result)
        self.finished.emit(number)

    def take(self, number: int) -> tuple[bool, object]:
        with self.lock:
            return self.outcomes.pop(number)


def _job(number: int, relay: _Relay, fn: Callable, args: tuple, kwargs: dict) -> None:
    try:
        result, ok = fn(*args, **kwargs), True
    except BaseException as e:  # noqa: BLE001 - every failure goes back to the GUI thread
        if not hasattr(e, "message") and not hasattr(e, "errors"):
            log.error("task %s failed:\n%s", getattr(fn, "__qualname__", fn), traceback.format_exc())
        result, ok = e, False
    relay.deliver(number, ok, result)


def _alive(callback: Callable) -> bool:
    """False when the callback is a method of a widget that has been deleted."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or isValid(owner)


class TaskRunner(QObject):
    """Starts tasks on a thread pool; `busy_changed` drives the busy indicator."""

    busy_changed = Signal(bool)
    failed = Signal(str)  # a Japanese message for a task that had no on_error of its own

    def __init__(self, parent: QObject | None = None, *, threads: int = 2):
        super().__init__(parent)
        # Python's own thread pool: plain functions, no QRunnable wrappers to own and delete.
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="madoguchi-task")
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._numbers = itertools.count(1)
        self._pending: dict[int, tuple[Callable | None, Callable | None, str]] = {}
        self._latest: dict[str, int] = {}
        self._futures: set[futures.Future] = set()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, fn: Callable, *args: Any, on_done: Callable | None = None, on_error: Callable | None = None, key: str = "", **kwargs: Any) -> int:
        number = next(self._numbers)
        was_busy = self.busy
        self._pending[number] = (on_done, on_error, key)
        if key:
            self._latest[key] = number
        future = self.pool.submit(_job, number, self._relay, fn, args, kwargs)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        if not was_busy:
            self.busy_changed.emit(True)
        return number

    def _finished(self, number: int) -> None:
        ok, result = self._relay.take(number)
        on_done, on_error, key = self._pending.pop(number, (None, None, ""))
        try:
            if key and self._latest.get(key) != number:
                return  # superseded by a newer task with the same key
            if key:
                self._latest.pop(key, None)
            callback = on_done if ok else on_error
            if callback is not None and not _alive(callback):
                return  # the screen that asked was closed meanwhile
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
        """For shutdown: let the tasks already started end (their results are not delivered)."""
        done, not_done = futures.wait(list(self._futures), timeout=msecs / 1000)
        return not not_done
