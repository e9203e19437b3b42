"""Sync under faults: a terminal killed mid-sync, a registry killed mid-push, connections cut or
stalled between them, retries with backoff. Real processes, real HTTP, real SQLCipher caches.

Every test ends the same way: after the fault, one more clean sync() leaves the cache equal to the
registry (scope city), every operation taken at the terminal is in the registry exactly once (one
`operations` row, one `changes` row, state confirmed), and nothing in the outbox is pending or
sending.
"""
from __future__ import annotations

import datetime as dt
import itertools
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.sync import outbox
from app.sync import terminal as terminal_mod
from app.sync.client import UNREACHABLE_MESSAGE, RegistryUnreachable
from app.sync.engine import SyncEngine, backoff_delays, get_meta, sync_with_retry
from registry.database import create_registry_engine, normalize_url
from registry.schema import access_log as registry_access_log
from registry.schema import changes, counter, operations, settings
from tests.support.faultproxy import FaultProxy
from tests.sync.harness import (
    CLERK,
    CLERK_PASSWORD,
    FAST_SCRYPT,
    ProcessServer,
    ThreadServer,
    add_terminal,
    cache_state,
    demo_households,
    enrolled_terminal,
    prepare,
    registry_state,
)
from tests.sync.sync_child import household_at, move

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("sync_child.py")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
TODAY = dt.date.today()


# -- shared checks ----------------------------------------------------------------------------
def take_moves(cache, n: int, *, round_: int = 0) -> list[str]:
    """n 転居届 taken at the terminal, one transaction each, households no other round touches."""
    ids = []
    for i in range(n):
        with cache.engine.begin() as conn:
            hid = household_at(conn, round_ * n + i)
            assert hid is not None, f"the registry has fewer than {round_ * n + i + 1} households"
            ids.append(outbox.take(conn, move(conn, hid, round_, i, TODAY), operator_id=CLERK, today=TODAY).operation_id)
    return ids


def outbox_entries(cache) -> list[outbox.OutboxEntry]:
    with cache.engine.connect() as conn:
        return outbox.entries(conn, limit=1_000_000)


def registry_engine(db_url: str):
    return create_registry_engine(db_url)


def registry_copies(db_url: str, op_ids) -> dict[str, tuple[int, int, set[str]]]:
    """For each operation id: (rows in operations, rows in changes, the states of those operations rows)."""
    op_ids = sorted(op_ids)
    found = {i: [0, 0, set()] for i in op_ids}
    engine = registry_engine(db_url)
    try:
        with engine.connect() as conn:
            for part in (op_ids[i : i + 500] for i in range(0, len(op_ids), 500)):
                for op_id, state in conn.execute(select(operations.c.operation_id, operations.c.state).where(operations.c.operation_id.in_(part))):
                    found[op_id][0] += 1
                    found[op_id][2].add(state)
                for op_id, n in conn.execute(
                    select(changes.c.operation_id, func.count()).where(changes.c.operation_id.in_(part)).group_by(changes.c.operation_id)
                ):
                    found[op_id][1] += n
    finally:
        engine.dispose()
    return {k: (v[0], v[1], v[2]) for k, v in found.items()}


def registry_changes_by(db_url: str, terminal_id: str) -> int:
    engine = registry_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(changes).where(changes.c.terminal_id == terminal_id)).scalar_one()
    finally:
        engine.dispose()


def registry_head(db_url: str) -> int:
    engine = registry_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(counter.c.seq).where(counter.c.id == 1)).scalar_one()
    finally:
        engine.dispose()


def assert_converged(cache, db_url: str, terminal_id: str, *, taken=()) -> list[outbox.OutboxEntry]:
    """The invariant every fault test ends with (after one clean sync)."""
    assert cache_state(cache) == registry_state(db_url), "the cache differs from the registry"
    with cache.engine.connect() as conn:
        provisional = conn.exec_driver_sql("SELECT count(*) FROM changes WHERE state = 'provisional'").scalar()
    assert provisional == 0, "provisional changes left in the cache"
    entries = outbox_entries(cache)
    assert [e for e in entries if e.state in outbox.OPEN_STATES] == [], "operations still pending or sending"
    ids = [e.operation_id for e in entries]
    assert len(ids) == len(set(ids))
    assert set(taken) <= set(ids), "an operation the clerk took is missing from the outbox"
    copies = registry_copies(db_url, ids)
    wrong = {i: c for i, c in copies.items() if c != (1, 1, {"confirmed"})}
    assert wrong == {}, f"operations not in the registry exactly once (operations rows, changes rows, states): {wrong}"
    assert {e.state for e in entries} <= {"confirmed"}
    assert registry_changes_by(db_url, terminal_id) == len(ids), "the registry holds changes of this terminal no operation accounts for"
    for e in entries:
        assert JAPANESE.search(e.message), f"outbox entry {e.operation_id} has no message for the clerk: {e.message!r}"
    return entries


def assert_clerk_message(entries) -> None:
    """Each outbox entry shows the clerk a Japanese message: the registry's verdict, or why it waits."""
    for e in entries:
        assert JAPANESE.search(e.message) and "Traceback" not in e.message, (e.state, e.message)
        if e.state in outbox.OPEN_STATES:
            assert e.message == UNREACHABLE_MESSAGE and e.code == "unreachable"


def assert_unreachable(excinfo) -> None:
    e = excinfo.value
    assert type(e) is RegistryUnreachable, f"{type(e).__name__}: {e}"
    assert e.message == UNREACHABLE_MESSAGE and e.code == "unreachable"


# -- 1. the terminal killed with SIGKILL at random points of a sync, many times -----------------
KILL_SEED = 20260525
KILL_OPS = 3  # notifications taken per round


class ChildRun:
    """tests/sync/sync_child.py as its own process; its stdout lines are read as they come."""

    def __init__(self, directory: Path, round_: int, plan: str, log: Path):
        with open(log, "wb") as stderr:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, str(CHILD), str(directory), str(round_), str(KILL_OPS), plan],
                stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True, cwd=ROOT,
            )
        self.log = log
        self.seen: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        self._eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _next(self, timeout: float) -> str | None:
        line = self._lines.get(timeout=timeout)
        if line is None:
            self._eof = True
        else:
            self.seen.append(line)
        return line

    def wait_for(self, word: str, timeout: float = 60) -> bool:
        """True once the child said `word`; False if it ended without saying it."""
        deadline = time.monotonic() + timeout
        while not self._eof:
            try:
                line = self._next(max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the child did not say {word!r} within {timeout} s; it said {self.seen}") from None
            if line is not None and line.split(" ", 1)[0] == word:
                return True
        return False

    def kill_after(self, seconds: float) -> None:
        """SIGKILL once `seconds` have passed, unless the child ended before."""
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def finish(self) -> int:
        rc = self.proc.wait(30)
        self._reader.join(30)
        while not self._eof:
            self._next(30)
        self.proc.stdout.close()
        return rc

    @property
    def taken(self) -> list[str]:
        return [line.split(" ", 1)[1] for line in self.seen if line.startswith("taken ")]

    def landed(self, rc: int) -> str:
        """Where the kill landed, from what the child said before it died."""
        if rc == 0:
            return "after the sync"
        if "paused" in self.seen:
            return "paused"
        for line in reversed(self.seen):
            if line.startswith("call "):
                return line[5:]
            if line in ("ready",) or line.startswith("taken "):
                return line.split(" ", 1)[0]
        return "startup"


def inspect_cache(directory: Path) -> dict:
    """Opens the cache as the next background sync would, and checks it is sound."""
    cache = terminal_mod.open_for_sync(directory)
    try:
        with cache.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert conn.exec_driver_sql("PRAGMA cipher_integrity_check").all() == []
            return {
                "snapshot": get_meta(conn, "snapshot"),
                "outbox": {e.operation_id: e.state for e in outbox.entries(conn, limit=1_000_000)},
            }
    finally:
        cache.close()


def kill_plan(rng: random.Random, residents: int) -> list[str]:
    """Three kills inside the first snapshot (after a random number of its lines: it has a line
    per resident and per household, and a first and a last), then a seeded mix of kills at random
    moments and kills just after the registry answered a push, a page of changes or the access log
    (the registry did the work; the terminal never recorded it)."""
    plans = [f"snapshot:{rng.randint(1, residents)}" for _ in range(3)]
    rest = ["random"] * 7 + ["answered:/v1/operations"] * 3 + ["answered:/v1/changes"] * 2 + ["answered:/v1/access-log"]
    rng.shuffle(rest)
    return plans + rest


def test_terminal_killed_at_random_points_of_sync_loses_and_doubles_nothing(sqlite_url, tmp_path):
    prepare(sqlite_url, households_=demo_households(400))
    server = ThreadServer(sqlite_url)
    directory = tmp_path / "terminal"
    try:
        t = enrolled_terminal(directory, server.url, sqlite_url)  # enrolled, cache created, never synced
        terminal_id = terminal_mod.TerminalIdentity.load(directory).terminal_id
        t.close()
        rng = random.Random(KILL_SEED)
        taken: list[str] = []
        landed: Counter = Counter()
        answered_not_recorded = 0
        for round_, plan in enumerate(kill_plan(rng, len(registry_state(sqlite_url)[0]))):
            child = ChildRun(directory, round_, "none" if plan == "random" else plan, tmp_path / f"child-{round_}.log")
            try:
                if plan == "random" and rng.random() < 0.3:
                    child.kill_after(rng.uniform(0.0, 0.5))  # from its start: opening the cache, taking notifications
                elif plan == "random":
                    child.wait_for("ready")
                    child.kill_after(rng.uniform(0.0, 0.12))  # a sync here takes some tens of milliseconds
                else:
                    child.wait_for("paused")
                    child.kill_after(0)
                rc = child.finish()
            finally:
                child.kill_after(0)  # never leave one behind, whatever failed
            assert rc in (0, -signal.SIGKILL), f"round {round_} ({plan}): exit {rc}\n{child.seen}\n{child.log.read_text()}"
            where = child.landed(rc)
            landed[f"{plan if plan != 'random' else 'random'} -> {where}"] += 1
            taken += child.taken

            state = inspect_cache(directory)  # opens after every kill, integrity checked
            assert set(child.taken) <= set(state["outbox"]), "a notification the clerk saw accepted is gone"
            if plan.startswith("snapshot:"):
                assert where == "paused" and state["snapshot"] != "done", "the kill should have landed inside the snapshot"
            if plan == "answered:/v1/operations" and where == "paused":
                sending = [op for op, s in state["outbox"].items() if s == "sending"]
                assert sending, "killed after the registry answered a push: its operations should still be 'sending'"
                assert all(c == (1, 1, {"confirmed"}) for c in registry_copies(sqlite_url, sending).values())
                answered_not_recorded += 1

        assert answered_not_recorded >= 1, landed
        assert landed["answered:/v1/changes -> paused"] >= 1, landed

        cache = terminal_mod.open_for_sync(directory)
        client = terminal_mod.client_for(directory, timeout=10)
        try:
            SyncEngine(cache, client).sync()
            assert_converged(cache, sqlite_url, terminal_id, taken=taken)
            assert len(taken) >= 15, landed  # five planned rounds at least take theirs after the snapshot is in
            with cache.engine.connect() as conn:
                local_log = [tuple(r) for r in conn.exec_driver_sql("SELECT seq, mac FROM access_log ORDER BY seq")]
        finally:
            client.close()
            cache.close()
        engine = registry_engine(sqlite_url)
        with engine.connect() as conn:
            held = [tuple(r) for r in conn.execute(
                select(registry_access_log.c.seq, registry_access_log.c.mac)
                .where(registry_access_log.c.terminal_id == terminal_id).order_by(registry_access_log.c.seq)
            )]
        engine.dispose()
        assert held == local_log and len(held) >= len(taken), "the access log reached the registry whole, once"
        print("\nSIGKILL rounds, by where the kill landed:", dict(sorted(landed.items())))
    finally:
        server.close()


# -- 2. the registry killed mid-push, restarted on the same port and database ----------------------
def writer_busy(db_url: str) -> bool:
    """Whether a registry transaction holds the writer lock right now (a push being applied)."""
    url = make_url(normalize_url(db_url))
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    engine = registry_engine(db_url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT seq FROM counter WHERE id = 1 FOR UPDATE NOWAIT"))
        return False
    except DBAPIError:
        return True
    finally:
        engine.dispose()


def wait_until(condition, timeout: float = 30, every: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)


def test_registry_killed_mid_push_restarts_and_no_operation_is_lost_or_applied_twice(db_url, tmp_path):
    prepare(db_url, households_=demo_households(600))
    server = ProcessServer(db_url)
    t = None
    try:
        t = enrolled_terminal(tmp_path / "terminal", server.url, db_url)
        terminal_id = terminal_mod.TerminalIdentity.load(t.directory).terminal_id
        t.engine.sync()
        taken = take_moves(t.cache, 200)  # a day offline: 200 notifications, two batches of 100
        first, second = set(taken[:100]), set(taken[100:])

        real_call, second_push = t.client.call, threading.Event()
        pushes = []

        def call(method, path, **kw):
            if (method, path) == ("POST", "/v1/operations"):
                pushes.append(path)
                if len(pushes) == 2:
                    second_push.set()
            return real_call(method, path, **kw)

        t.client.call = call
        outcome: dict = {}

        def run():
            try:
                outcome["report"] = t.engine.sync()
            except BaseException as e:  # noqa: BLE001 - handed to the test thread
                outcome["error"] = e

        syncing = threading.Thread(target=run)
        syncing.start()
        assert second_push.wait(60), "the second batch was never sent"
        wait_until(lambda: writer_busy(db_url))  # the registry is applying the second batch
        time.sleep(0.05)  # (on SQLite the lock seen could be the request's short signature check:
        wait_until(lambda: writer_busy(db_url))  # seen again 50 ms on, it is the push's, ~0.5 s long)
        server.kill()
        syncing.join(60)
        assert not syncing.is_alive()
        assert type(outcome.get("error")) is RegistryUnreachable, outcome
        t.client.call = real_call

        # The batch in flight was not applied at all (one transaction); the first one was, once.
        copies = registry_copies(db_url, taken)
        assert all(copies[i] == (1, 1, {"confirmed"}) for i in first)
        assert all(copies[i] == (0, 0, set()) for i in second)
        states = {e.operation_id: e for e in outbox_entries(t.cache)}
        assert {states[i].state for i in first} == {"confirmed"} and {states[i].state for i in second} == {"pending"}
        assert_clerk_message(states.values())

        server.start()  # same port, same database
        report = t.engine.sync()
        assert report.pushed == 100 and report.verdicts == {"confirmed": 100}
        entries = assert_converged(t.cache, db_url, terminal_id, taken=taken)
        assert len(entries) == 200
        assert not any(orjson.loads(r).get("duplicate") for r in _results(t.cache))
    finally:
        if t is not None:
            t.close()
        server.close()


def _results(cache) -> list[str]:
    with cache.engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT result FROM outbox").scalars())


# -- 3. connections cut mid-response / mid-request, and stalled, through a fault proxy ---------------
CLIENT_TIMEOUT = 1.0


class Wire(httpx.HTTPTransport):
    """The terminal's transport in these tests: a new connection for every request (so a proxy
    fault set for one request applies to that request alone), and faults armed for the next
    request matching a method and path, set just before its connection opens."""

    def __init__(self):
        super().__init__(limits=httpx.Limits(max_keepalive_connections=0))
        self._armed: dict[tuple[str, str], object] = {}
        self.requests: list[tuple[str, str]] = []

    def arm(self, method: str, path: str, fault) -> None:
        self._armed[(method, path)] = fault

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.method, request.url.path)
        self.requests.append(key)
        fault = self._armed.pop(key, None)
        if fault is not None:
            fault(request)
        return super().handle_request(request)


@dataclass
class Proxied:
    db_url: str
    directory: Path
    terminal_id: str
    proxy: FaultProxy
    wire: Wire
    client: object
    cache: object
    engine: SyncEngine

    def meta(self, key: str) -> str:
        with self.cache.engine.connect() as conn:
            return get_meta(conn, key)


@pytest.fixture
def proxied(sqlite_url, tmp_path):
    """A registry of 300 residents and a terminal that reaches it only through a FaultProxy
    (enrolled with the proxy's URL), logged in, not yet synced."""
    prepare(sqlite_url, households_=demo_households(300))
    server = ThreadServer(sqlite_url)
    proxy = FaultProxy(server.port)
    directory = tmp_path / "terminal"
    terminal_mod.enrol(directory, proxy.url, add_terminal(sqlite_url))
    wire = Wire()
    client = terminal_mod.client_for(directory, transport=wire, timeout=CLIENT_TIMEOUT)
    login = terminal_mod.login(directory, CLERK, CLERK_PASSWORD, client=client, scrypt_n=FAST_SCRYPT)
    identity = terminal_mod.TerminalIdentity.load(directory)
    assert identity.registry_url == proxy.url
    p = Proxied(sqlite_url, directory, identity.terminal_id, proxy, wire, client, login.cache, SyncEngine(login.cache, client))
    yield p
    client.close()
    login.cache.close()
    proxy.close()
    server.close()


def set_min_cursor(db_url: str, value: int) -> None:
    """What compacting the change log does: cursors below `value` must take a new snapshot."""
    engine = registry_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(settings).values(key="min_cursor", value=str(value)))
    engine.dispose()


SNAPSHOT, CHANGES, PUSH = ("GET", "/v1/snapshot"), ("GET", "/v1/changes"), ("POST", "/v1/operations")
# fault: (notifications taken before the sync, the request it hits, what the proxy does to that request)
FAULTS = {
    "snapshot-first": (0, SNAPSHOT, lambda proxy, request: proxy.cut_after_response_bytes(20_000)),
    "snapshot-again": (3, SNAPSHOT, lambda proxy, request: proxy.cut_after_response_bytes(20_000)),
    "changes-page": (40, CHANGES, lambda proxy, request: proxy.cut_after_response_bytes(8_000)),
    "push-answer-lost": (3, PUSH, lambda proxy, request: proxy.cut_after_response_bytes(10)),
    "push-request-cut": (3, PUSH, lambda proxy, request: proxy.cut_after_request_bytes(len(request.content) // 2)),
    "stall": (3, PUSH, lambda proxy, request: proxy.stall(CLIENT_TIMEOUT * 10)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_cut_or_stalled_connection_is_unreachable_and_the_next_sync_converges(proxied, fault):
    p, proxy = proxied, proxied.proxy
    n_taken, hit, action = FAULTS[fault]
    if fault != "snapshot-first":
        p.engine.sync()
    taken = take_moves(p.cache, n_taken)
    cursor = p.meta("sync_cursor")
    if fault == "snapshot-again":
        set_min_cursor(p.db_url, registry_head(p.db_url) + 1)  # the log was compacted past our cursor
    p.wire.arm(*hit, lambda request: action(proxy, request))

    started = time.monotonic()
    with pytest.raises(RegistryUnreachable) as excinfo:
        p.engine.sync()
    assert_unreachable(excinfo)
    assert p.wire.requests[-1] == hit  # the sync failed on the request the fault was set for
    entries = outbox_entries(p.cache)
    assert {e.operation_id for e in entries} == set(taken)
    assert_clerk_message(entries)

    # Where the fault landed, and what it left behind.
    copies = registry_copies(p.db_url, taken)
    if fault.startswith("snapshot"):
        assert p.meta("snapshot") == "running"  # cut inside the stream: the next sync takes it again
        assert {e.state for e in entries} <= {"confirmed"}  # pushed before the pull
    elif fault == "changes-page":
        assert p.meta("sync_cursor") == cursor and {e.state for e in entries} == {"confirmed"}
    elif fault == "push-answer-lost":
        assert all(c == (1, 1, {"confirmed"}) for c in copies.values())  # applied; the terminal never heard
        assert {e.state for e in entries} == {"pending"}
    else:  # the registry never got the whole request
        assert all(c == (0, 0, set()) for c in copies.values())
        assert {e.state for e in entries} == {"pending"}
    if fault == "stall":
        assert CLIENT_TIMEOUT <= time.monotonic() - started < CLIENT_TIMEOUT * 10  # gave up at the timeout

    proxy.pass_through()
    report = p.engine.sync()
    if fault.startswith("snapshot"):
        assert report.snapshot_residents == len(registry_state(p.db_url)[0])
    if fault in ("push-answer-lost", "push-request-cut", "stall"):
        assert report.verdicts == {"confirmed": 3}
        duplicates = [orjson.loads(r).get("duplicate", False) for r in _results(p.cache)]
        # The retry of a push the registry had applied gets the stored results, not new changes.
        assert duplicates == [fault == "push-answer-lost"] * 3
    assert_converged(p.cache, p.db_url, p.terminal_id, taken=taken)


def test_the_production_client_recovers_its_kept_alive_connection_after_a_cut(proxied):
    """The same lost push answer with the terminal's ordinary client (connections kept alive): the
    cut hits the live connection, and the next sync gets a sound one."""
    p, proxy = proxied, proxied.proxy
    client = terminal_mod.client_for(p.directory, timeout=10)
    engine = SyncEngine(p.cache, client)
    try:
        engine.sync()
        taken = take_moves(p.cache, 3)
        connections = proxy.connections
        real_call = client.call

        def call(method, path, **kw):
            if (method, path) == ("POST", "/v1/operations"):
                proxy.cut_after_response_bytes(1)  # live connections too: the answer never arrives
            return real_call(method, path, **kw)

        client.call = call
        with pytest.raises(RegistryUnreachable) as excinfo:
            engine.sync()
        assert_unreachable(excinfo)
        client.call = real_call
        assert proxy.connections == connections  # it was the kept-alive connection that was cut
        assert all(c == (1, 1, {"confirmed"}) for c in registry_copies(p.db_url, taken).values())
        assert_clerk_message(outbox_entries(p.cache))
        proxy.pass_through()
        assert engine.sync().verdicts == {"confirmed": 3}
        assert_converged(p.cache, p.db_url, p.terminal_id, taken=taken)
    finally:
        client.close()


# -- 4. sync_with_retry: backoff until the registry answers -----------------------------------------
def test_sync_with_retry_backs_off_while_refused_then_succeeds(proxied):
    p = proxied
    p.engine.sync()
    taken = take_moves(p.cache, 3)
    p.proxy.refuse()
    connections = p.proxy.connections
    asked: list[float] = []

    def fake_sleep(seconds: float) -> None:
        asked.append(seconds)
        if len(asked) == 3:
            p.proxy.pass_through()  # the network comes back during the third wait

    report = sync_with_retry(p.engine, attempts=5, sleep=fake_sleep)
    assert report.verdicts == {"confirmed": 3}
    assert len(asked) == 3 and p.proxy.connections - connections > 3  # three refused attempts, then a whole sync
    assert all(0 <= d <= 2**i for i, d in enumerate(asked)), asked  # full jitter under 1 s, 2 s, 4 s
    assert_converged(p.cache, p.db_url, p.terminal_id, taken=taken)

    # Refused for good: it gives up after its attempts, with the same clear error.
    p.proxy.refuse()
    more = take_moves(p.cache, 2, round_=5)
    asked.clear()
    delays = backoff_delays(rng=random.Random(11))
    with pytest.raises(RegistryUnreachable) as excinfo:
        sync_with_retry(p.engine, attempts=4, sleep=asked.append, delays=delays)
    assert_unreachable(excinfo)
    assert asked == list(itertools.islice(backoff_delays(rng=random.Random(11)), 3))
    waiting = [e for e in outbox_entries(p.cache) if e.operation_id in more]
    assert [(e.state, e.attempts, e.state_label) for e in waiting] == [("pending", 0, "送信待ち")] * 2  # never sent, kept

    # What the clerk sees from `madoguchi sync`: the Japanese message, no traceback.
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "sync", "--dir", str(p.directory), "--attempts", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
    )
    assert done.returncode == 1 and UNREACHABLE_MESSAGE in done.stderr and "Traceback" not in done.stderr, done.stderr

    p.proxy.pass_through()
    p.engine.sync()
    assert_converged(p.cache, p.db_url, p.terminal_id, taken=taken + more)


def test_backoff_delays_grow_exponentially_under_a_cap_with_full_jitter():
    runs = [list(itertools.islice(backoff_delays(base=1.0, cap=300.0, rng=random.Random(seed)), 12)) for seed in range(400)]
    means = []
    for attempt in range(12):
        column = [run[attempt] for run in runs]
        bound = min(300.0, 2.0**attempt)
        assert all(0 <= d <= bound for d in column)
        assert len(set(column)) == len(column)  # jittered: no two terminals wait alike
        assert 0.4 * bound < sum(column) / len(column) < 0.6 * bound  # uniform over [0, bound]
        means.append(sum(column) / len(column))
    assert all(later > 1.5 * earlier for earlier, later in itertools.pairwise(means[:9]))  # doubling up to the cap
    assert max(max(run) for run in runs) <= 300.0

    class Unreachable:
        def sync(self):
            raise RegistryUnreachable("test: always down")

    # sync_with_retry's own default delays: fresh jitter per call, within the growing bounds.
    seen = []
    for _ in range(50):
        asked: list[float] = []
        with pytest.raises(RegistryUnreachable):
            sync_with_retry(Unreachable(), attempts=6, sleep=asked.append)
        assert len(asked) == 5 and all(0 <= d <= 2**i for i, d in enumerate(asked))
        seen.append(tuple(asked))
    assert len(set(seen)) == len(seen)
