"""Card readers and cards coming and going, as Qt signals on the GUI thread (the habit of
Electrum's GUI: events from a worker thread are re-emitted as signals, so slots run on the GUI
thread).

    events = card_events()            # one monitor per process, started on first use
    events.changed.connect(update)    # readers or cards changed: look at events.readers()

hardware.readers.ReaderMonitor calls back on its own thread; only plain strings cross threads
here (the reader's name), and the state waits under a lock.
"""
from __future__ import annotations

import atexit
import logging
import threading

from app.ui.qt import QApplication, QObject, Signal
from hardware.readers import (
    CARD_INSERTED,
    CARD_REMOVED,
    READER_ADDED,
    READER_REMOVED,
    SERVICE_BACK,
    SERVICE_LOST,
    ReaderEvent,
    ReaderMonitor,
)

log = logging.getLogger(__name__)


class CardEvents(QObject):
    changed = Signal()  # anything: a reader or a card came or went, the service stopped
    card_inserted = Signal(str)  # reader name
    card_removed = Signal(str)

    def __init__(self, parent: QObject | None = None, *, start: bool = True):
        super().__init__(parent)
        self._lock = threading.Lock()
        self._readers: dict[str, bool] = {}
        self._service = True
        self.monitor = ReaderMonitor(self._on_event)
        if start:
            self.monitor.start()

    def _on_event(self, event: ReaderEvent) -> None:  # on the monitor's thread
        with self._lock:
            if event.kind == READER_ADDED:
                self._readers[event.reader] = False
            elif event.kind == READER_REMOVED:
                self._readers.pop(event.reader, None)
            elif event.kind in (CARD_INSERTED, CARD_REMOVED):
                self._readers[event.reader] = event.kind == CARD_INSERTED
            elif event.kind in (SERVICE_LOST, SERVICE_BACK):
                self._service = event.kind == SERVICE_BACK
                if not self._service:
                    self._readers.clear()
        if event.kind == CARD_INSERTED:
            self.card_inserted.emit(event.reader)
        elif event.kind == CARD_REMOVED:
            self.card_removed.emit(event.reader)
        self.changed.emit()

    def readers(self) -> dict[str, bool]:
        """Reader name → a card is on it (as last reported)."""
        with self._lock:
            return dict(self._readers)

    @property
    def service_running(self) -> bool:
        with self._lock:
            return self._service

    def summary(self) -> str:
        """One line for the screen: how things stand with readers and cards."""
        readers = self.readers()
        if not self.service_running:
            return "カードリーダーのサービスが停止しています"
        if not readers:
            return "カードリーダー未接続"
        with_card = sum(1 for present in readers.values() if present)
        if with_card:
            return "カードが置かれています"
        return "カードを置いてください"

    def stop(self) -> None:
        self.monitor.stop()


_instance: CardEvents | None = None


def card_events() -> CardEvents:
    """The process's one card monitor. It stops when the application quits, and in any case before
    the interpreter tears Qt down (atexit), so its thread never signals a deleted object."""
    global _instance
    if _instance is None:
        app = QApplication.instance()
        _instance = CardEvents(app)
        monitor = _instance.monitor
        atexit.register(monitor.stop)
        if app is not None:
            app.aboutToQuit.connect(monitor.stop)
    return _instance
