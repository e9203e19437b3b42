"""The registry inside another process: a uvicorn server in a background thread.

`make run` uses it for the embedded default (a SQLite registry with the demo city beside the
terminal, nothing to set up); tests use it for a real registry over HTTP.
"""
from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from registry.api import RegistryConfig, create_app
from registry.database import open_database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"registry at {url} did not come up within {timeout:.0f} s")


class EmbeddedRegistry:
    """The registry app served on 127.0.0.1 by uvicorn in a daemon thread; `close()` stops it."""

    def __init__(self, db_url: str, *, port: int | None = None, **config):
        self.engine = open_database(db_url)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(RegistryConfig(engine=self.engine, **config))
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, name="embedded-registry", daemon=True)
        self.thread.start()
        wait_until_up(self.url)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.engine.dispose()

    def __enter__(self) -> "EmbeddedRegistry":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
