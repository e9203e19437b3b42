"""FaultProxy between httpx and a real http.server: each fault shows up as the client would see it."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.faultproxy import FaultProxy

BODY = bytes(range(256)) * 4096  # 1 MiB
CHUNK = 64 * 1024
# A reset reaches httpx as ReadError/WriteError, or as RemoteProtocolError when it lands while the
# request is still being written (httpcore then reads the response and finds the stream ended).
RESET = (httpx.NetworkError, httpx.RemoteProtocolError)
SLOW_CHUNK, SLOW_CHUNKS = 16 * 1024, 20  # /slow: 20 chunks, 50 ms apart


class Server(ThreadingHTTPServer):
    daemon_threads = True
    received: list[int]  # body bytes each POST got

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets are the point of these tests


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        slow = self.path == "/slow"
        self.send_response(200)
        self.send_header("Content-Length", str(SLOW_CHUNK * SLOW_CHUNKS if slow else len(BODY)))
        self.end_headers()
        if not slow:
            self.wfile.write(BODY)
            return
        for _ in range(SLOW_CHUNKS):
            self.wfile.write(b"x" * SLOW_CHUNK)
            self.wfile.flush()
            time.sleep(0.05)

    def do_POST(self) -> None:
        length, got = int(self.headers["Content-Length"]), 0
        try:
            while got < length and (chunk := self.rfile.read1(min(CHUNK, length - got))):
                got += len(chunk)
        finally:
            self.server.received.append(got)
        self.send_response(200 if got == length else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.received = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


@pytest.fixture
def proxy(server: Server) -> Iterator[FaultProxy]:
    server.received.clear()
    with FaultProxy(server.server_address[1]) as p:
        yield p
    leaked = [t.name for t in threading.enumerate() if t.name.startswith(f"faultproxy-{p.port}")]
    assert not leaked


def test_pass_through_delivers_whole_body(proxy: FaultProxy) -> None:
    response = httpx.get(proxy.url + "/big", timeout=5)
    assert response.content == BODY
    assert proxy.connections == 1 and proxy.bytes_up > 0 and proxy.bytes_down > len(BODY)


def test_cut_after_response_bytes_breaks_the_download(proxy: FaultProxy) -> None:
    proxy.cut_after_response_bytes(1000)
    with pytest.raises(httpx.ReadError):
        httpx.get(proxy.url + "/big", timeout=5)
    assert proxy.bytes_down == 1000


def test_cut_after_response_bytes_hits_a_live_connection(proxy: FaultProxy) -> None:
    with httpx.stream("GET", proxy.url + "/slow", timeout=5) as response:
        chunks = response.iter_bytes()
        first = next(chunks)
        proxy.cut_after_response_bytes(1)
        with pytest.raises(httpx.ReadError):
            for _ in chunks:
                pass
    assert 0 < len(first) < SLOW_CHUNK * SLOW_CHUNKS


def test_cut_after_request_bytes_truncates_the_upload(proxy: FaultProxy, server: Server) -> None:
    proxy.cut_after_request_bytes(500)
    with pytest.raises(RESET):
        httpx.post(proxy.url + "/upload", content=BODY, timeout=5)
    assert proxy.bytes_up == 500
    deadline = time.monotonic() + 2
    while not server.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.received and all(got < len(BODY) for got in server.received)


def test_stall_gives_a_client_timeout(proxy: FaultProxy) -> None:
    proxy.stall(5)
    began = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(proxy.url + "/big", timeout=0.5)
    assert time.monotonic() - began < 2 and proxy.bytes_up == 0  # and close() does not wait out the stall


def test_refuse_gives_a_connection_error(proxy: FaultProxy) -> None:
    proxy.refuse()
    with pytest.raises(RESET):
        httpx.get(proxy.url + "/big", timeout=2)
    proxy.pass_through()
    assert httpx.get(proxy.url + "/big", timeout=5).content == BODY


def test_drop_every_second_connection(proxy: FaultProxy) -> None:
    proxy.drop_every(2)
    outcomes = []
    for _ in range(4):
        try:
            outcomes.append(httpx.get(proxy.url + "/big", timeout=2).content == BODY)
        except RESET:
            outcomes.append(False)
    assert outcomes == [True, False, True, False]
    assert proxy.connections == 4
