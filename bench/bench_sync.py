"""Sync with the central registry over HTTP on loopback: first sync, pushing operations, idle syncs.

    madoguchi bench --only sync [--residents 1000000] [--ops 10000] [--syncs 50]
                    [--pg postgresql://postgres@127.0.0.1:5432] [--sync-db URL]

The registry runs as its own process (`madoguchi registry serve`, uvicorn) on a PostgreSQL
database kept between runs: `madoguchi_bench_<N>` on the --pg server (default $MADOGUCHI_BENCH_PG
or postgresql://postgres@127.0.0.1:5432), reused when it holds the N-resident demo city, else
(re)built with registry.load — then its time is the `registry_load` figure (≈ 3 min for 1,000,000).
--sync-db names another database to use (an empty one is loaded; the tests give a throwaway one).
Each run enrols a new terminal (city scope) with an empty encrypted cache in a temporary folder.

Figures (one JSON object each):
- first_sync: the whole first `SyncEngine.sync()`: the city's snapshot streamed into the empty
  cache, indexes built. Residents/s; peak RSS of this (client) process, of its snapshot parser
  processes and of the registry process during it (VmHWM, reset just before; when run after the
  other benchmarks in one `madoguchi bench`, the client's figure starts from what they left).
  Target for 1,000,000 residents: ≤ 120 s.
- sync_idle: `SyncEngine.sync()` with nothing to push or pull (right after the first sync),
  --syncs times: median and p95. Target p95 ≤ 50 ms.
- push_operations: --ops notifications (default min(10000, N/10); 転居届 of distinct whole
  households, which the default policy confirms, unlike 職権修正 that goes to review) taken offline
  in the cache, then one `SyncEngine.push()` timed after a warm-up request: ops/s (target ≥ 500),
  and the latency of each push request (100 operations) and per operation (request / batch).
- sync_bench_wall: the whole benchmark's time, by phase.
`load_avg_1m` is in each record: other work on the machine shows in these figures.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.city import BUILD_DATE
from bench.run import percentiles

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"
DB_PREFIX = "madoguchi_bench_"
CLERK, CLERK_PASSWORD = "bench-clerk", "ベンチ窓口のパスワード2026"
WARD = "121011"
MARKER_KEY = "bench_city"
FIRST_SYNC_TARGET_S = 120  # for 1,000,000 residents
PUSH_TARGET_OPS_S = 500
IDLE_TARGET_P95_MS = 50


# -- memory ----------------------------------------------------------------------------------------
def peak_rss_kib(pid: int | str = "self") -> int:
    """VmHWM of a process (its peak resident set since start or the last reset_peak_rss)."""
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))


def reset_peak_rss(pid: int | str = "self") -> None:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:  # not ours to reset: the figure is then the peak since the process started
        pass


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


# -- the registry database -------------------------------------------------------------------------
def _server_url(ctx) -> str:
    return (getattr(ctx, "pg", "") or os.environ.get("MADOGUCHI_BENCH_PG") or DEFAULT_PG).rstrip("/")


def _conninfo(server_url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(server_url.replace("postgresql+psycopg://", "postgresql://"))
    conninfo = f"host={u.host or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname=postgres connect_timeout=5"
    if u.password:
        conninfo += f" password={u.password}"
    return conninfo


def _admin(server_url: str, sql: str) -> list:
    import psycopg

    with psycopg.connect(_conninfo(server_url), autocommit=True) as conn:
        cur = conn.execute(sql.encode())
        return cur.fetchall() if cur.description else []


@contextmanager
def _bench_lock(server_url: str, name: str):
    """Two benchmarks of one size at once (two test runs) check and build the database in turn."""
    import psycopg

    with psycopg.connect(_conninfo(server_url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))


def _marker(residents: int, seed: int) -> str:
    return f"{residents}:{seed}:{BUILD_DATE.isoformat()}"


def _holds_city(engine, residents: int, seed: int) -> bool:
    from sqlalchemy import func, select

    from registry.schema import residents as residents_t
    from registry.schema import settings

    with engine.connect() as conn:
        marker = conn.execute(select(settings.c.value).where(settings.c.key == MARKER_KEY)).scalar()
        if marker != _marker(residents, seed):
            return False
        current = conn.execute(select(func.count()).select_from(residents_t).where(residents_t.c.status == "current")).scalar()
    return current == residents


def _is_empty(engine) -> bool:
    from sqlalchemy import select

    from registry.schema import residents as residents_t

    with engine.connect() as conn:
        return conn.execute(select(residents_t.c.resident_id).limit(1)).first() is None


def ensure_registry(ctx) -> tuple[str, dict]:
    """The registry database URL, and the `registry_load` record (reused or built)."""
    residents = ctx.residents
    if getattr(ctx, "sync_db", ""):
        return ctx.sync_db, _ensure_city(ctx, ctx.sync_db, own=False)
    server = _server_url(ctx)
    name = f"{DB_PREFIX}{residents}"
    with _bench_lock(server, name):
        if not _admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            _create_database(server, name)
        return f"{server}/{name}", _ensure_city(ctx, f"{server}/{name}", own=True)


def _ensure_city(ctx, db_url: str, *, own: bool) -> dict:
    from sqlalchemy import insert, select

    from registry import accounts
    from registry.database import open_database
    from registry.load import load_demo_city
    from registry.passwords import PasswordHasher
    from registry.schema import operators, settings

    residents, seed = ctx.residents, ctx.seed
    started = time.perf_counter()
    engine = open_database(db_url)
    try:
        record: dict = {"metric": "registry_load", "residents": residents, "database": db_url.rsplit("/", 1)[-1]}
        if _holds_city(engine, residents, seed):
            record["reused"] = True
        else:
            if not _is_empty(engine):
                if not own:
                    raise RuntimeError(f"{db_url} holds another registry; give an empty database or the bench one")
                engine.dispose()
                server, name = db_url.rsplit("/", 1)
                _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                _create_database(server, name)
                engine = open_database(db_url)
            loaded = load_demo_city(engine, residents_count=residents, seed=seed, today=BUILD_DATE)
            t0 = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("VACUUM ANALYZE")
            vacuum_s = time.perf_counter() - t0
            with engine.begin() as conn:
                conn.execute(insert(settings).values(key=MARKER_KEY, value=_marker(residents, seed)))
            record.update(reused=False, households=loaded.get("households"), records=loaded.get("residents"),
                          changes=loaded.get("changes"), load_seconds=loaded.get("seconds"), vacuum_analyze_seconds=round(vacuum_s, 1),
                          seconds=round(time.perf_counter() - started, 1))
        with engine.begin() as conn:
            if conn.execute(select(operators.c.operator_id).where(operators.c.operator_id == CLERK)).first() is None:
                accounts.add_operator(conn, PasswordHasher.for_tests(), operator_id=CLERK, display_name="ベンチ 窓口",
                                      role="clerk", ward_code=WARD, password=CLERK_PASSWORD)
    finally:
        engine.dispose()
    return record


def _create_database(server: str, name: str) -> None:
    _admin(server, f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")


def _new_terminal(db_url: str) -> str:
    from registry import terminals
    from registry.database import open_database

    engine = open_database(db_url)
    try:
        with engine.begin() as conn:
            _, code = terminals.register_terminal(conn, name="ベンチ端末", kind="counter", ward_code=WARD, scope="city")
    finally:
        engine.dispose()
    return code


# -- the registry process --------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RegistryProcess:
    """`madoguchi registry serve` on a free loopback port."""

    def __init__(self, db_url: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "registry", "serve", "--db", db_url, "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the registry process exited ({self.proc.returncode}): {self._log_tail()}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the registry process did not come up")
            time.sleep(0.05)

    def _log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


# -- the terminal ----------------------------------------------------------------------------------
class TimedClient:
    """The RegistryClient, with the time of every POST /v1/operations noted (ms, operations)."""

    def __init__(self, client):
        self._client = client
        self.pushes: list[tuple[float, int]] = []

    def call(self, method, path, **kw):
        t0 = time.perf_counter()
        try:
            return self._client.call(method, path, **kw)
        finally:
            if method == "POST" and path == "/v1/operations":
                self.pushes.append(((time.perf_counter() - t0) * 1000, len(kw["body"]["operations"])))

    def __getattr__(self, name):
        return getattr(self._client, name)


class _SnapshotStatsCatcher(logging.Handler):
    """Keeps the SnapshotStats that app.sync.snapshot logs when a snapshot is in (not printed)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.stats = None
        self.logger = logging.getLogger("app.sync.snapshot")

    def __enter__(self) -> "_SnapshotStatsCatcher":
        self._saved = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self._saved[0])
        self.logger.propagate = self._saved[1]

    def emit(self, record: logging.LogRecord) -> None:
        if record.args and type(record.args[0]).__name__ == "SnapshotStats":
            self.stats = record.args[0]


def _load_1m() -> float:
    return round(os.getloadavg()[0], 2)


def _households_to_move(cache, n: int, seed: int) -> list[tuple[str, str, list[str]]]:
    """n distinct whole current households (id, ward, member ids), picked at random."""
    with cache.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT household_id, min(ward_code), group_concat(resident_id) FROM residents "
            "WHERE status = 'current' GROUP BY household_id HAVING count(*) <= 20"
        ).all()
    rng = random.Random(seed)
    picked = rng.sample(rows, min(len(rows), n + n // 10 + 10))  # spares, should the rules refuse one
    return [(h, w, ids.split(",")) for h, w, ids in picked]


def _take_moves(cache, candidates, n: int, rng: random.Random, today: dt.date, label: str) -> tuple[int, int]:
    """Takes n 転居届 offline (whole households from `candidates`, each to a new address in its
    ward), 100 to a transaction; returns (taken, refused)."""
    from app.sync import outbox
    from domain.addresses import WARDS, towns
    from domain.errors import ValidationError
    from domain.notifications import MoveWithin
    from domain.residents import Address

    wards = {w.lg_code: w for w in WARDS}
    taken = refused = 0
    while taken < n:
        with cache.engine.begin() as conn:
            for _ in range(min(100, n - taken)):
                try:
                    hid, ward_code, ids = next(candidates)
                except StopIteration:
                    return taken, refused
                ward = wards.get(ward_code, wards[WARD])
                to = Address("千葉県", ward.municipality, rng.choice(towns(ward)).name, f"{rng.randint(1, 40)}番{rng.randint(1, 30)}号",
                             f"ベンチ荘{label}-{taken}", ward.lg_code)
                move = MoveWithin(resident_ids=tuple(ids), address=to, moved_on=today - dt.timedelta(days=1), notified_on=today)
                try:
                    with conn.begin_nested():
                        outbox.take(conn, move, operator_id=CLERK, today=today)
                    taken += 1
                except ValidationError:
                    refused += 1
    return taken, refused


def run(ctx):
    from app.sync import terminal as terminal_mod
    from app.sync.engine import SyncEngine

    bench_started = time.perf_counter()
    residents = ctx.residents
    ops = ctx.ops if getattr(ctx, "ops", None) is not None else min(10_000, max(1, residents // 10))
    syncs = getattr(ctx, "syncs", 50)
    try:
        db_url, load_record = ensure_registry(ctx)
    except OSError as e:  # no PostgreSQL server: nothing to measure
        yield {"metric": "registry_load", "residents": residents, "skipped": f"PostgreSQL unavailable: {e}"}
        return
    except Exception as e:
        if type(e).__module__.startswith("psycopg"):
            yield {"metric": "registry_load", "residents": residents, "skipped": f"PostgreSQL unavailable: {e}"}
            return
        raise
    yield load_record
    phases: dict[str, float] = {"registry_load": round(time.perf_counter() - bench_started, 1)}

    work = Path(ctx.directory).parent
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    server = RegistryProcess(db_url)
    phases["registry_start"] = round(time.perf_counter() - t0, 1)
    try:
        with tempfile.TemporaryDirectory(prefix=f"sync-{residents}-", dir=work) as tmp:
            folder = Path(tmp) / "terminal"
            t0 = time.perf_counter()
            terminal_mod.enrol(folder, server.url, _new_terminal(db_url))
            client = terminal_mod.client_for(folder, timeout=300)
            login = terminal_mod.login(folder, CLERK, CLERK_PASSWORD, client=client)
            cache = login.cache
            engine = SyncEngine(cache, client)
            phases["enrol_login"] = round(time.perf_counter() - t0, 1)
            try:
                # 1. the first sync: the whole city into the empty cache
                reset_peak_rss()
                reset_peak_rss(server.proc.pid)
                registry_cpu = _cpu_seconds(server.proc.pid)
                with _SnapshotStatsCatcher() as caught:
                    t0 = time.perf_counter()
                    report = engine.sync()
                    seconds = time.perf_counter() - t0
                client_kib, registry_kib = peak_rss_kib(), peak_rss_kib(server.proc.pid)
                registry_cpu = _cpu_seconds(server.proc.pid) - registry_cpu
                snap = caught.stats
                phases["first_sync"] = round(seconds, 1)
                yield {
                    "metric": "first_sync",
                    "residents": residents,
                    "records": report.snapshot_residents,
                    "households": snap.households if snap else None,
                    "seconds": round(seconds, 2),
                    "residents_per_s": round(residents / seconds),
                    "records_per_s": round((report.snapshot_residents or 0) / seconds),
                    "load_seconds": round(snap.load_seconds, 1) if snap else None,
                    "index_seconds": round(snap.index_seconds, 1) if snap else None,
                    "parse_workers": snap.workers if snap else None,
                    "parse_workers_cpu_s": round(snap.worker_cpu_seconds, 1) if snap and snap.worker_cpu_seconds else None,
                    "client_waited_for_workers_s": round(snap.waited_seconds, 1) if snap and snap.workers else None,
                    "client_peak_rss_mib": mib(client_kib),
                    "client_workers_peak_rss_mib": mib(snap.worker_peak_rss_kib) if snap else None,
                    "registry_peak_rss_mib": mib(registry_kib),
                    "registry_cpu_s": round(registry_cpu, 1),
                    "cache_mib": round(sum(f.stat().st_size for f in cache.directory.iterdir() if f.name.startswith("cache.db")) / 2**20, 1),
                    "load_avg_1m": _load_1m(),
                    "target_s": FIRST_SYNC_TARGET_S,
                    "target_residents": 1_000_000,
                }

                # 2. idle incremental syncs: nothing to push, nothing to pull
                t0 = time.perf_counter()
                engine.sync()  # warm
                times = []
                for _ in range(max(1, syncs)):
                    s0 = time.perf_counter()
                    r = engine.sync()
                    times.append((time.perf_counter() - s0) * 1000)
                    assert r.changes == 0 and r.pushed == 0 and r.snapshot_residents is None, r
                phases["idle_syncs"] = round(time.perf_counter() - t0, 1)
                yield {
                    "metric": "sync_idle",
                    "residents": residents,
                    **percentiles(times),
                    "median_ms": round(statistics.median(times), 3),
                    "load_avg_1m": _load_1m(),
                    "target_p95_ms": IDLE_TARGET_P95_MS,
                }

                # 3. operations taken offline, then pushed and confirmed (after a first request
                #    of warm-up operations, so that statement caches are not in the figure)
                if ops > 0:
                    t0 = time.perf_counter()
                    today, rng, tag = dt.date.today(), random.Random(ctx.seed + 1), f"{int(time.time()) % 100000:05d}"
                    warm = min(100, max(1, ops // 10))
                    candidates = iter(_households_to_move(cache, warm + ops, ctx.seed))
                    _take_moves(cache, candidates, warm, rng, today, f"{tag}w")
                    engine.push()
                    taken, refused = _take_moves(cache, candidates, ops, rng, today, tag)
                    take_s = time.perf_counter() - t0
                    phases["take_operations"] = round(take_s, 1)
                    timed = TimedClient(client)
                    engine.client = timed
                    reset_peak_rss(server.proc.pid)
                    t0 = time.perf_counter()
                    pushed = engine.push()
                    seconds = time.perf_counter() - t0
                    engine.client = client
                    phases["push"] = round(seconds, 1)
                    req = percentiles([ms for ms, _ in timed.pushes])
                    per_op = percentiles([ms / k for ms, k in timed.pushes if k])
                    yield {
                        "metric": "push_operations",
                        "residents": residents,
                        "ops": pushed.pushed,
                        "kind": "MoveWithin",
                        "verdicts": pushed.verdicts,
                        "seconds": round(seconds, 2),
                        "ops_per_s": round(pushed.pushed / seconds) if seconds else None,
                        "requests": req["n"],
                        "batch": max((k for _, k in timed.pushes), default=0),
                        **{f"request_{k}": v for k, v in req.items() if k != "n"},
                        **{f"per_op_{k}": v for k, v in per_op.items() if k != "n"},
                        "registry_peak_rss_mib": mib(peak_rss_kib(server.proc.pid)),
                        "warm_up_ops": warm,
                        "take_seconds": round(take_s, 1),
                        "refused_when_taken": refused,
                        "load_avg_1m": _load_1m(),
                        "target_ops_per_s": PUSH_TARGET_OPS_S,
                    }
            finally:
                client.close()
                cache.close()
    finally:
        server.close()
    yield {"metric": "sync_bench_wall", "residents": residents, "seconds": round(time.perf_counter() - bench_started, 1), "phases_s": phases}
