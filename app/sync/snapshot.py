"""Loading a registry snapshot (NDJSON lines, see registry.feed.snapshot_lines) into the cache.

Turning lines into rows (JSON, the record objects, the search keys) costs more CPU than
inserting them into the encrypted file, so a big snapshot is parsed by worker processes while
this one reads the stream and inserts: the first `inline_lines` lines are parsed here (a small
scope — a work list, a test city — never pays for starting processes), the rest by the workers,
round-robin and inserted in the order received. Batches travel as raw bytes to a worker and as
row tuples back, at most `in_flight` of them at a time, so memory stays flat whatever the size.

Nothing is committed as complete before the end line has arrived and the counts agree: the
RowLoader marker stays 'running' on any failure (a cut stream, a dead worker), and the next sync
takes the snapshot again.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import re
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Iterable, Iterator

import orjson

from app.store.bulk import RowLoader, Rows, snapshot_rows
from app.store.cache import Cache
from app.sync.client import RegistryUnreachable

try:
    import resource
except ImportError:  # not on every platform: the worker's CPU time is then not reported
    resource = None

log = logging.getLogger(__name__)

BATCH_LINES = 5000  # lines per batch of rows (one RowLoader transaction)
INLINE_LINES = 20_000  # lines parsed in this process before the workers take over
IN_FLIGHT = 4  # batches handed to the workers and not yet inserted
# Two parsers keep one inserting process busy; a single CPU gains nothing from them.
WORKERS = 2 if (os.cpu_count() or 1) >= 2 else 0

PIPE_BYTES = 1 << 20

_RECORD_PREFIX = b'{"r":'


@dataclass
class SnapshotStats:
    residents: int = 0
    households: int = 0
    end: dict | None = None
    workers: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0  # rows into the cache (stream, parse and insert overlapped)
    index_seconds: float = 0.0  # indexes rebuilt and analyzed at the end
    worker_peak_rss_kib: int | None = None  # the workers' peaks, added up
    worker_cpu_seconds: float | None = None
    waited_seconds: float = 0.0  # this process waiting for the workers' rows
    send_seconds: float = 0.0  # this process handing batches to the workers


def parse_lines(lines: Iterable[bytes]) -> tuple[Rows, dict | None]:
    """Rows for a run of snapshot lines, and the end line's counts if it was among them.

    A record line is `{"r":<record>}`: the record's JSON text goes into the cache as sent
    (an orjson.Fragment, not dumped again)."""
    records: list[dict] = []
    texts: list[orjson.Fragment] = []
    households: list[dict] = []
    end = None
    for line in lines:
        if not line:
            continue
        if line.startswith(_RECORD_PREFIX) and line.endswith(b"}"):
            raw = line[len(_RECORD_PREFIX) : -1]
            records.append(orjson.loads(raw))
            texts.append(orjson.Fragment(raw))
            continue
        item = orjson.loads(line)
        if "r" in item:
            records.append(item["r"])
            texts.append(orjson.Fragment(orjson.dumps(item["r"])))
        elif "h" in item:
            households.append(item["h"])
        elif "end" in item:
            end = item["end"]
    return snapshot_rows(records, households, texts=texts), end


def _peak_rss_kib() -> int | None:
    try:
        with open("/proc/self/status") as f:
            return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        return None


def _widen(*conns) -> None:
    """Bigger pipe buffers (Linux): a batch crosses in a few reads instead of a hundred 64 KiB
    ones, each of which the worker's reading thread must win the GIL back for."""
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size") as f:
            size = min(PIPE_BYTES, int(f.read()))
        for conn in conns:
            fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


def _worker_main(blobs, results) -> None:
    """A parser process: batches of lines (bytes joined by newlines) in, ("rows", (rows, end))
    out, in order; the parent closing its end means no more. A thread takes the batches in as
    they come, so the parent never waits on a worker busy sending its rows back."""
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def take_in() -> None:
        try:
            while True:
                inbox.put(blobs.recv_bytes())
        except (EOFError, OSError):
            inbox.put(None)

    threading.Thread(target=take_in, name="snapshot-batches", daemon=True).start()
    try:
        while (blob := inbox.get()) is not None:
            results.send(("rows", parse_lines(blob.split(b"\n"))))
        usage = resource.getrusage(resource.RUSAGE_SELF) if resource is not None else None
        results.send(("done", (_peak_rss_kib(), usage and usage.ru_utime + usage.ru_stime)))
    except BaseException:  # the parent raises it; nothing half-done is taken for complete
        try:
            results.send(("error", traceback.format_exc()))
        except OSError:
            pass


class _Workers:
    """Parser processes: batches go round-robin and their rows come back in the order sent.

    Each worker has a pipe in and a pipe out, and this process keeps only its own end of each:
    a worker that dies is an end of file here, never a wait for ever."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.processes, self.to_workers, self.from_workers = [], [], []
        try:
            for i in range(count):
                blobs_in, blobs_out = ctx.Pipe(duplex=False)
                results_in, results_out = ctx.Pipe(duplex=False)
                _widen(blobs_out, results_out)
                process = ctx.Process(target=_worker_main, args=(blobs_in, results_out), name=f"snapshot-parser-{i}", daemon=True)
                self.processes.append(process)
                self.to_workers.append(blobs_out)
                self.from_workers.append(results_in)
                process.start()
                blobs_in.close()
                results_out.close()
        except BaseException:
            self.close()
            raise
        self.sent = self.received = 0
        self.peak_rss_kib: list[int | None] = []
        self.cpu_seconds = 0.0
        self.waited = 0.0
        self.send_seconds = 0.0

    @property
    def in_flight(self) -> int:
        return self.sent - self.received

    def _died(self, k: int) -> RegistryUnreachable:
        self.processes[k].join(timeout=5)
        return RegistryUnreachable(f"snapshot worker {k} died (exit code {self.processes[k].exitcode})")

    def send(self, lines: list[bytes]) -> None:
        k = self.sent % len(self.processes)
        started = time.perf_counter()
        try:
            self.to_workers[k].send_bytes(b"\n".join(lines))
        except OSError:
            raise self._died(k) from None
        self.send_seconds += time.perf_counter() - started
        self.sent += 1

    def _get(self, k: int):
        started = time.perf_counter()
        try:
            kind, value = self.from_workers[k].recv()
        except (EOFError, OSError):
            raise self._died(k) from None
        self.waited += time.perf_counter() - started
        if kind == "error":
            raise RuntimeError(f"snapshot worker {k} failed:\n{value}")
        return kind, value

    def receive(self) -> tuple[Rows, dict | None]:
        _, value = self._get(self.received % len(self.processes))
        self.received += 1
        return value

    def finish(self) -> None:
        for conn in self.to_workers:
            conn.close()
        for k, process in enumerate(self.processes):
            _, (rss, cpu) = self._get(k)
            self.peak_rss_kib.append(rss)
            self.cpu_seconds += cpu or 0.0
            process.join(timeout=10)

    def close(self) -> None:
        for process in self.processes:
            if process.pid is None:  # never started
                continue
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
        for conn in (*self.to_workers, *self.from_workers):
            conn.close()


def _batches(lines: Iterator[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_snapshot(
    cache: Cache,
    lines: Iterator[bytes],
    *,
    inline_lines: int = INLINE_LINES,
    batch_lines: int = BATCH_LINES,
    in_flight: int = IN_FLIGHT,
    workers: int | None = None,
) -> SnapshotStats:
    """Loads the snapshot lines after the header into the (emptied) register tables; `workers`
    parser processes (default WORKERS, 0: none) once more than `inline_lines` lines came.

    RegistryUnreachable when the stream was cut (no end line), a worker died or the counts
    disagree; the load is then left marked 'running'."""
    started = time.perf_counter()
    count = WORKERS if workers is None else workers
    stats = SnapshotStats()
    pool: _Workers | None = None
    seen = 0
    try:
        with RowLoader(cache, marker="snapshot") as loader:

            def insert(rows: Rows, end: dict | None) -> None:
                loader.add(rows)
                if end is not None:
                    stats.end = end

            for batch in _batches(lines, batch_lines):
                seen += len(batch)
                if pool is None and count > 0 and seen > inline_lines:
                    pool = _Workers(count)
                if pool is None:
                    insert(*parse_lines(batch))
                    continue
                pool.send(batch)
                while pool.in_flight >= in_flight:
                    insert(*pool.receive())
            if pool is not None:
                while pool.in_flight:
                    insert(*pool.receive())
                pool.finish()
            if stats.end is None:
                raise RegistryUnreachable("snapshot stream ended without its end line")
            if loader.stats.residents != stats.end["residents"]:
                raise RegistryUnreachable(f"snapshot had {loader.stats.residents} residents, registry said {stats.end['residents']}")
    finally:
        if pool is not None:
            pool.close()
    stats.residents, stats.households = loader.stats.residents, loader.stats.households
    stats.load_seconds, stats.index_seconds = loader.stats.load_seconds, loader.stats.index_seconds
    if pool is not None:
        stats.workers = len(pool.processes)
        stats.worker_peak_rss_kib = sum(k or 0 for k in pool.peak_rss_kib) or None
        stats.worker_cpu_seconds, stats.waited_seconds, stats.send_seconds = pool.cpu_seconds, pool.waited, pool.send_seconds
    stats.seconds = time.perf_counter() - started
    log.info("snapshot loaded: %s", stats)
    return stats
