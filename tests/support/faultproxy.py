"""A small TCP proxy that injects network faults between an HTTP client and its server.

    with FaultProxy(server_port) as proxy:
        proxy.cut_after_response_bytes(1000)
        httpx.get(proxy.url + "/big")   # fails part way

A fault applies to connections accepted after it is set; ``cut_after_response_bytes`` also to live ones.
"""
from __future__ import annotations

import select
import socket
import struct
import threading
from types import TracebackType

CHUNK = 64 * 1024
POLL = 0.05  # seconds between checks for close()


class FaultProxy:
    """Forwards 127.0.0.1:``port`` to the target, one background thread per connection."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.connections = 0  # accepted, including refused ones
        self.bytes_up = 0  # client -> server, forwarded
        self.bytes_down = 0  # server -> client, forwarded
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._fault: tuple[str, float] = ("pass", 0)
        self._since_fault = 0  # connections accepted since the fault was set (for drop_every)
        self._live: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"faultproxy-{self.port}", daemon=True)
        self._acceptor.start()

    # -- faults ---------------------------------------------------------------------------------
    def pass_through(self) -> None:
        self._set("pass", 0)

    def refuse(self) -> None:
        """Accept, then reset at once, like a dead network."""
        self._set("refuse", 0)

    def cut_after_response_bytes(self, n: int) -> None:
        """Forward n bytes server->client on a connection, then reset both ends (live connections too)."""
        self._set("cut_down", n)

    def cut_after_request_bytes(self, n: int) -> None:
        """Forward n bytes client->server on a connection, then reset both ends: the server sees a truncated request."""
        self._set("cut_up", n)

    def stall(self, seconds: float) -> None:
        """Accept and forward nothing for ``seconds``, then close."""
        self._set("stall", seconds)

    def drop_every(self, k: int) -> None:
        """Refuse every k-th new connection (counted from now); pass the others."""
        if k < 1:
            raise ValueError("k must be >= 1")
        self._set("drop_every", k)

    def _set(self, kind: str, value: float) -> None:
        with self._lock:
            self._fault, self._since_fault = (kind, value), 0

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop listening, close every live connection and join all threads."""
        self._closed.set()
        self._acceptor.join()
        self._listener.close()
        with self._lock:
            for sock in self._live:  # wakes a thread blocked in sendall
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            threads = list(self._threads)
        for thread in threads:
            thread.join()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # -- workers --------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            client.settimeout(None)
            with self._lock:
                self.connections += 1
                self._since_fault += 1
                kind, value = self._fault
                if kind == "drop_every":
                    kind = "refuse" if self._since_fault % int(value) == 0 else "pass"
                self._live.add(client)
                self._threads = [t for t in self._threads if t.is_alive()]
                thread = threading.Thread(target=self._serve, args=(client, kind, value),
                                          name=f"faultproxy-{self.port}-{self.connections}", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket, kind: str, value: float) -> None:
        upstream: socket.socket | None = None
        try:
            if kind == "refuse":
                self._abort(client)
                return
            if kind == "stall":
                self._closed.wait(value)
                return
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            with self._lock:
                self._live.add(upstream)
            self._pump(client, upstream, up_limit=int(value) if kind == "cut_up" else None)
        except OSError:
            self._abort(client, upstream)
        finally:
            self._discard(client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket, up_limit: int | None) -> None:
        """Copy both ways until both sides have finished, a cut limit is hit, or the proxy closes."""
        peer = {client: upstream, upstream: client}
        sent = {client: 0, upstream: 0}  # bytes forwarded from each source
        while peer and not self._closed.is_set():
            readable, _, _ = select.select(list(peer), [], [], POLL)
            for src in readable:
                dst = peer[src]
                data = src.recv(CHUNK)
                if not data:  # half-close: pass the EOF on, keep the other direction going
                    dst.shutdown(socket.SHUT_WR)
                    del peer[src]
                    continue
                limit = up_limit if src is client else self._down_limit()
                cut = limit is not None and sent[src] + len(data) >= limit
                if cut:
                    data = data[: max(0, int(limit or 0) - sent[src])]
                dst.sendall(data)
                sent[src] += len(data)
                with self._lock:
                    if src is client:
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                if cut:
                    self._abort(client, upstream)
                    return

    def _down_limit(self) -> int | None:
        kind, value = self._fault
        return int(value) if kind == "cut_down" else None

    def _abort(self, *socks: socket.socket | None) -> None:
        """Close with SO_LINGER 0: the peer gets a RST, not a clean end of stream."""
        for sock in socks:
            if sock is not None and sock.fileno() != -1:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
                self._discard(sock)

    def _discard(self, *socks: socket.socket | None) -> None:
        with self._lock:
            for sock in socks:
                if sock is not None:
                    self._live.discard(sock)
                    sock.close()
