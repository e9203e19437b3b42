"""The virtual card's link to vsmartcard's vpcd driver inside pcscd.

vpcd is a TCP *server* (one port per virtual reader slot); the card is its client. Every message,
both ways, is a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is a control
code (00 power off, 01 power on, 02 reset, 04 "send your ATR"); anything longer is a command APDU,
answered with the response APDU. Closing the connection is pulling the card out; connecting again
is putting it back.

    link = VpcdLink(card, port=35963).start()     # inserted: keeps (re)connecting until stopped
    link.remove(); link.insert()                  # on command (tests, `madoguchi card emulate`)

Latency: Debian's vpcd writes length and payload in two send() calls; with Nagle's algorithm and
delayed ACKs each APDU would wait ~40 ms. The card sets TCP_NODELAY once and TCP_QUICKACK before
every recv (Linux resets it), and writes each answer in one send.
"""
from __future__ import annotations

import logging
import socket
import struct
import threading
import time

from hardware.virtual_card.card import REMOVE_AFTER, REMOVE_BEFORE, VirtualCard

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963  # Debian's /etc/reader.conf.d/vpcd: CHANNELID 0x8C7B, slot 0
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class _Closed(Exception):
    pass


class VpcdLink:
    """Keeps `card` connected to vpcd on host:port while inserted. Thread-safe controls."""

    def __init__(self, card: VirtualCard, port: int = DEFAULT_PORT, host: str = "127.0.0.1", *, retry_seconds: float = 0.05):
        self.card = card
        self.host = host
        self.port = port
        self.retry_seconds = retry_seconds
        self.connected = threading.Event()
        self._inserted = True
        self._stopped = False
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # -- controls --------------------------------------------------------------------------------
    def start(self) -> "VpcdLink":
        self._thread = threading.Thread(target=self._run, name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()
        return self

    @property
    def inserted(self) -> bool:
        return self._inserted

    def insert(self, card: VirtualCard | None = None) -> None:
        """Put the card (or another one) on the reader."""
        with self._cond:
            if card is not None:
                self.card = card
            self._inserted = True
            self._cond.notify_all()

    def remove(self) -> None:
        """Pull the card out (the connection closes; vpcd reports the card absent)."""
        with self._cond:
            self._inserted = False
            self._close_socket()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._inserted = False
            self._close_socket()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self.connected.wait(timeout)

    def _close_socket(self) -> None:
        s, self._sock = self._sock, None
        if s is not None:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    # -- the connection --------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._inserted:
                    self._cond.wait()
                if self._stopped:
                    return
            sock = self._connect()
            if sock is None:
                time.sleep(self.retry_seconds)
                continue
            with self._cond:
                if not self._inserted or self._stopped:
                    sock.close()
                    continue
                self._sock = sock
            self.connected.set()
            log.info("virtual card inserted (vpcd %s:%d)", self.host, self.port)
            try:
                self._serve(sock)
            except (_Closed, OSError):
                pass
            finally:
                self.connected.clear()
                with self._cond:
                    if self._sock is sock:
                        self._close_socket()
                log.info("virtual card out of the reader (vpcd %s:%d)", self.host, self.port)
            if self._inserted and not self._stopped:
                time.sleep(self.retry_seconds)  # vpcd closed on us (pcscd restarting): try again

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=2)
        except OSError:
            return None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    @staticmethod
    def _quickack(sock: socket.socket) -> None:
        quickack = getattr(socket, "TCP_QUICKACK", None)
        if quickack is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
            except OSError:
                pass

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            self._quickack(sock)
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise _Closed()
            buf += chunk
        return bytes(buf)

    def _serve(self, sock: socket.socket) -> None:
        while True:
            (length,) = struct.unpack(">H", self._recv_exact(sock, 2))
            payload = self._recv_exact(sock, length) if length else b""
            card = self.card
            if len(payload) == 1:
                code = payload[0]
                if code == CTRL_ATR:
                    sock.sendall(struct.pack(">H", len(card.atr)) + card.atr)
                elif code in (CTRL_ON, CTRL_RESET, CTRL_OFF):
                    card.power_on()
                continue
            answer, action = card.process(payload)
            if action == REMOVE_BEFORE or answer is None:
                self.remove()
                raise _Closed()
            sock.sendall(struct.pack(">H", len(answer)) + answer)
            if action == REMOVE_AFTER:
                self.remove()
                raise _Closed()
