"""The registry app in-process for request-level tests: a database, `create_app`, an ASGI client,
terminals enrolled over POST /v1/enrol with their own keys, and signed requests."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, select

from domain.ids import uuid7
from domain.notifications import MoveIn, MoveWithin, NewPerson
from domain.notifications.codec import notification_to_dict
from domain.residents import Address, PersonName, Sex
from registry import accounts, terminals
from registry.api import RegistryConfig, create_app
from registry.database import create_registry_engine, open_database
from registry.protocol.signing import TerminalKey, b64url_encode, sign_request
from registry.schema import (
    access_log,
    change_residents,
    changes,
    households,
    nonces,
    operation_residents,
    operations,
    operators,
    residents,
    sessions,
    terminals as terminals_table,
)
from tests.support.postgres import DB_PREFIX, PostgresServer
from tests.sync.harness import CHUO, CLERK, HASHER, prepare

BASE_URL = "http://registry.test"
ADMIN, ADMIN_PASSWORD = "admin01", "管理者の正しいパスワード2026"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# What a request must not touch when it is refused (the nonce table is checked separately: a
# request refused after its signature was accepted has used up its nonce, and that is right).
DATA_TABLES = {
    "operations": operations,
    "operation_residents": operation_residents,
    "changes": changes,
    "change_residents": change_residents,
    "residents": residents,
    "households": households,
    "access_log": access_log,
    "sessions": sessions,
    "operators": operators,
    "terminals": terminals_table,
}


class Clock:
    """A registry clock the test moves; it starts at the real time (signatures carry real times)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Client:
    """Synchronous calls into the ASGI app through httpx's ASGITransport (one event loop)."""

    def __init__(self, app) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE_URL)

    def build_request(self, method: str, url: str, **kw) -> httpx.Request:
        return self._client.build_request(method, url, **kw)

    def send(self, request: httpx.Request) -> httpx.Response:
        return self._loop.run_until_complete(self._client.send(request))

    def request(self, method: str, url: str, **kw) -> httpx.Response:
        return self.send(self.build_request(method, url, **kw))

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


@dataclass
class Terminal:
    terminal_id: str
    key: TerminalKey


def prepare_registry(db_url: str) -> None:
    """Schema and operators: the clerk and supervisor of tests/sync, and an administrator."""
    prepare(db_url)
    engine = open_database(db_url)
    with engine.begin() as conn:
        accounts.add_operator(conn, HASHER, operator_id=ADMIN, display_name="管理 次郎", role="administrator", ward_code=CHUO, password=ADMIN_PASSWORD)
    engine.dispose()


def sqlite_copy(template: Path, folder: Path) -> str:
    copy = folder / "registry.db"
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}"


def postgres_copy_of(server: PostgresServer, template: str) -> str:
    """A fresh database made from the prepared template (named so that drop_database accepts it)."""
    name = DB_PREFIX + uuid.uuid4().hex[:16]
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres connect_timeout=3", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'.encode())
    return f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{name}"


class Registry:
    """The app over a database made by `prepare_registry` (or a copy of one)."""

    def __init__(self, db_url: str, **config) -> None:
        self.engine = create_registry_engine(db_url)
        self.clock = config.setdefault("clock", Clock())
        self.app = create_app(RegistryConfig(engine=self.engine, hasher=HASHER, **config))
        self.client = Client(self.app)

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()

    # -- terminals --------------------------------------------------------------------------------
    def register(self, **kw) -> tuple[str, str]:
        """A registered (not yet enrolled) terminal: (terminal_id, one-time code)."""
        values = dict(name="テスト端末", kind="counter", ward_code=CHUO, scope="city", now=self.clock())
        values.update(kw)
        with self.engine.begin() as conn:
            return terminals.register_terminal(conn, **values)

    def enrol(self, **kw) -> Terminal:
        terminal_id, code = self.register(**kw)
        key = TerminalKey.generate()
        response = self.client.request("POST", "/v1/enrol", json={"code": code, "public_key": b64url_encode(key.public_key_bytes())})
        assert response.status_code == 200, response.text
        assert response.json()["terminal_id"] == terminal_id
        return Terminal(terminal_id, key)

    # -- signed requests --------------------------------------------------------------------------
    def prepare(
        self,
        terminal: Terminal,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: dict | None = None,
        params=None,
        now: float | None = None,
        signer: TerminalKey | None = None,
    ) -> httpx.Request:
        """A request signed exactly as it goes on the wire (the raw path with its query string)."""
        extra = {"content-type": "application/json"} if body else {}
        extra.update(headers or {})
        request = self.client.build_request(method, path, params=params, content=body, headers=extra)
        target = request.url.raw_path.decode("ascii")
        signature = sign_request(signer or terminal.key, terminal.terminal_id, method, target, body, now=self.clock() if now is None else now)
        request.headers.update(signature)
        return request

    def signed(self, terminal: Terminal, method: str, path: str, body: bytes | dict | None = None, **kw) -> httpx.Response:
        # The standard json module: it also writes what orjson refuses (integers beyond 64 bits).
        raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        return self.client.send(self.prepare(terminal, method, path, raw, **kw))

    def login(self, terminal: Terminal, operator_id: str, password: str) -> dict:
        """Authorization header of a session opened on this terminal."""
        response = self.signed(terminal, "POST", "/v1/sessions", {"operator_id": operator_id, "password": password})
        assert response.status_code == 200, response.text
        return {"authorization": f"Bearer {response.json()['token']}"}

    # -- the database -----------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table)).scalar_one() for name, table in DATA_TABLES.items()}

    def nonces(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(nonces)).scalar_one()

    def operator_row(self, operator_id: str):
        with self.engine.connect() as conn:
            return conn.execute(select(operators.c.failures, operators.c.locked_until).where(operators.c.operator_id == operator_id)).one()


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """A JSON refusal with this status and code and a Japanese message; returns the message."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and JAPANESE.search(error["message"]), error
    return error["message"]


# -- operations ---------------------------------------------------------------------------------
TODAY = dt.date.today()
NEW_HOME = Address("千葉県", "千葉市稲毛区", "稲毛東三丁目", "5番8号", "", "121037")
ELSEWHERE = Address("東京都", "千代田区", "丸の内一丁目", "1番1号")


def operation(notification, *, operator_id: str = CLERK, operation_id: str | None = None, **extra) -> dict:
    """An operation as a terminal sends it (no base: it creates or names residents itself)."""
    encoded = notification_to_dict(notification)
    kind = encoded.pop("kind")
    return {
        "operation_id": operation_id or uuid7(),
        "operator_id": operator_id,
        "kind": kind,
        "notification": encoded,
        "taken_on": TODAY.isoformat(),
        **extra,
    }


def move_in(resident_id: str = "R100", household_id: str = "H900") -> MoveIn:
    """転入届 of one person from Tokyo, heading a new household."""
    person = NewPerson(
        resident_id=resident_id,
        name=PersonName("船橋", "健", "フナバシ", "ケン"),
        birth_date=dt.date(1985, 8, 8),
        sex=Sex.MALE,
        relationship="世帯主",
        domicile="千葉県船橋市本町1番地",
        domicile_head="船橋　健",
    )
    return MoveIn(
        persons=(person,),
        address=NEW_HOME,
        moved_on=TODAY - dt.timedelta(days=3),
        notified_on=TODAY,
        previous_address=ELSEWHERE,
        new_household_id=household_id,
    )


def move_within(resident_id: str) -> MoveWithin:
    return MoveWithin(
        resident_ids=(resident_id,),
        address=Address("千葉県", "千葉市中央区", "本千葉町", "3番7号", "", CHUO),
        moved_on=TODAY - dt.timedelta(days=1),
        notified_on=TODAY,
    )
