"""When a person last touched the keyboard, the mouse or the screen — for the clerk's idle lock and
the kiosk's inactivity timeout — without taxing every event.

An application-wide event filter written in Python is called for every event of every widget
(thousands when a resident's screen is built: 30 ms of a 70 ms opening). So the watch notes the
first input event, steps aside for `rest_ms`, then listens again. The idle time is then known to
within that rest, against a timeout measured in minutes (the desktop) or tens of seconds (the kiosk).
"""
from __future__ import annotations

import time
from typing import Callable

from app.ui.qt import QApplication, QEvent, QObject, QTimer, Signal

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.InputMethod,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})
DESKTOP_REST_MS = 5000
KIOSK_REST_MS = 1000


class InputWatch(QObject):
    """`last` is the monotonic time of the last input seen; `input_seen` is emitted with it."""

    input_seen = Signal(float)

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, rest_ms: int = DESKTOP_REST_MS, parent=None):
        super().__init__(parent)
        self.monotonic = monotonic
        self.last = monotonic()
        self._rest = QTimer(self, singleShot=True, interval=rest_ms)
        self._rest.timeout.connect(self.listen)
        self.listening = False
        self.listen()

    @property
    def rest_ms(self) -> int:
        return self._rest.interval()

    def listen(self) -> None:
        QApplication.instance().installEventFilter(self)
        self.listening = True

    def stop(self) -> None:
        self._rest.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.listening = False

    def touched(self) -> None:
        self.last = self.monotonic()
        self.input_seen.emit(self.last)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS:
            QApplication.instance().removeEventFilter(self)
            self.listening = False
            self._rest.start()
            self.touched()
        return False
