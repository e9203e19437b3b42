"""Card readers: which are connected and what is on them now (`list_readers`), and a monitor that
reports readers and cards coming and going (`ReaderMonitor`), as plain callbacks on its own
thread — the app's Qt adapter re-emits them as signals on the GUI thread.

    monitor = ReaderMonitor(on_event=print).start()     # ReaderEvent("card_inserted", "…00 00")
    monitor.stop()

The monitor blocks in SCardGetStatusChange on every reader and on PC/SC's plug-and-play
notification pseudo reader, so an event costs no polling of ours (pcscd itself polls readers
about every 0.4 s); `stop` wakes it with SCardCancel. When the PC/SC service goes away it reports
that and tries again every `retry_seconds`.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from smartcard import scard

from hardware.connection import (
    E_CANCELLED,
    E_TIMEOUT,
    READER_GONE,
    SERVICE_GONE,
    card_presence,
    establish_context,
    hresult,
    list_reader_names,
    pcsc_text,
    release_context,
)
from hardware.errors import CardError, ReaderServiceUnavailable

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

READER_ADDED = "reader_added"
READER_REMOVED = "reader_removed"
CARD_INSERTED = "card_inserted"
CARD_REMOVED = "card_removed"
SERVICE_LOST = "service_lost"  # the PC/SC service stopped: no reader can be used
SERVICE_BACK = "service_back"


@dataclass(frozen=True)
class ReaderState:
    name: str
    card_present: bool
    in_use: bool  # another program holds the card exclusively
    atr: bytes  # for diagnostics only: cards are recognized by their applications, not the ATR


@dataclass(frozen=True)
class ReaderEvent:
    kind: str  # one of the constants above
    reader: str = ""


def list_readers() -> list[ReaderState]:
    """The connected readers, sorted by name; ReaderServiceUnavailable when PC/SC is not running."""
    context = establish_context()
    try:
        names = list_reader_names(context)
        presence = card_presence(context, names)
    finally:
        release_context(context)
    return [ReaderState(n, *presence.get(n, (False, False, b""))) for n in sorted(names)]


class ReaderMonitor:
    """Reports ReaderEvents to `on_event` from a daemon thread until `stop()`."""

    def __init__(self, on_event: Callable[[ReaderEvent], None], *, retry_seconds: float = 2.0, timeout_ms: int = 5000):
        self.on_event = on_event
        self.retry_seconds = retry_seconds
        self.timeout_ms = timeout_ms  # re-lists readers at least this often (a missed notification)
        self._stop = threading.Event()
        self._context: int | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.readers: dict[str, bool] = {}  # reader -> card present, as last reported

    def start(self) -> "ReaderMonitor":
        self._thread = threading.Thread(target=self._run, name="card-reader-monitor", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Wakes the thread (SCardCancel) and waits for it. A cancel that arrives while the thread
        is between two waits is lost, so it is sent again until the thread has ended."""
        self._stop.set()
        if self._thread is None:
            return
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            with self._lock:
                if self._context is not None:
                    try:
                        scard.SCardCancel(self._context)
                    except Exception:  # noqa: BLE001 - the service may be gone
                        pass
            self._thread.join(0.05)

    def _emit(self, kind: str, reader: str = "") -> None:
        try:
            self.on_event(ReaderEvent(kind, reader))
        except Exception:  # noqa: BLE001 - a listener's bug must not end the monitor
            log.exception("card reader event listener failed on %s %s", kind, reader)

    def _run(self) -> None:
        service_up: bool | None = None
        while not self._stop.is_set():
            try:
                context = establish_context()
            except (ReaderServiceUnavailable, CardError) as e:
                if service_up is not False:
                    log.warning("card reader monitor: %s", e)
                    self._forget_all()
                    self._emit(SERVICE_LOST)
                    service_up = False
                self._stop.wait(self.retry_seconds)
                continue
            with self._lock:
                self._context = context
            if service_up is False:
                self._emit(SERVICE_BACK)
            service_up = True
            try:
                self._watch(context)
            except ReaderServiceUnavailable as e:
                log.warning("card reader monitor: %s", e)
                self._forget_all()
                self._emit(SERVICE_LOST)
                service_up = False
            except CardError as e:  # anything else PC/SC says: look again in a moment
                log.warning("card reader monitor: %s", e)
                self._stop.wait(self.retry_seconds)
            finally:
                with self._lock:
                    self._context = None
                release_context(context)
            if not self._stop.is_set() and service_up is False:
                self._stop.wait(self.retry_seconds)

    def _forget_all(self) -> None:
        for name in sorted(self.readers):
            present = self.readers.pop(name)
            if present:
                self._emit(CARD_REMOVED, name)
            self._emit(READER_REMOVED, name)

    def _watch(self, context: int) -> None:
        states: dict[str, int] = {}
        pnp_state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            names = list_reader_names(context)
            for gone in sorted(set(self.readers) - set(names)):
                if self.readers.pop(gone):
                    self._emit(CARD_REMOVED, gone)
                self._emit(READER_REMOVED, gone)
                states.pop(gone, None)
            for new in sorted(set(names) - set(self.readers)):
                self.readers[new] = False
                states[new] = scard.SCARD_STATE_UNAWARE
                self._emit(READER_ADDED, new)
            query = [(n, states[n]) for n in sorted(names)] + [(PNP_NOTIFICATION, pnp_state)]
            hr, result = scard.SCardGetStatusChange(context, self.timeout_ms, query)
            code = hresult(hr)
            if code == E_CANCELLED or self._stop.is_set():
                return
            if code in SERVICE_GONE:
                raise ReaderServiceUnavailable(f"SCardGetStatusChange: {pcsc_text(hr)}")
            if code == E_TIMEOUT or code in READER_GONE:
                continue  # list again (a reader came or went)
            if hr != scard.SCARD_S_SUCCESS:
                log.warning("card reader monitor: %s", pcsc_text(hr))
                self._stop.wait(self.retry_seconds)
                continue
            for name, event, _atr in result:
                if name == PNP_NOTIFICATION:
                    pnp_state = event & ~scard.SCARD_STATE_CHANGED
                    continue
                if name not in self.readers:
                    continue
                states[name] = event & ~scard.SCARD_STATE_CHANGED
                if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_IGNORE):
                    continue  # gone: the next listing reports it
                present = bool(event & scard.SCARD_STATE_PRESENT)
                if present != self.readers[name]:
                    self.readers[name] = present
                    self._emit(CARD_INSERTED if present else CARD_REMOVED, name)
