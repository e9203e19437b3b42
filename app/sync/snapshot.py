"""Loading a registry snapshot (NDJSON lines, see registry.feed.snapshot_lines) into the cache.

Turning lines into rows (JSON, the record objects, the search keys) costs about as much CPU as
inserting them into the encrypted file, so a big snapshot is parsed by a worker process while
this one reads the stream and inserts: the first `inline_lines` lines are parsed here (a small
scope — a ward, a work list — never pays for starting a process), the rest by the worker, in
order. Batches travel as raw bytes to the worker and as row tuples back, at most `in_flight` of
them at a time, so memory stays flat whatever the city's size.

Nothing is committed as complete before the end line has arrived and the counts agree: the
RowLoader marker stays 'running' on any failure (a cut stream, a dead worker), and the next sync
takes the snapshot again.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import re
import time
import traceback
from dataclasses import dataclass
from typing import Iterable, Iterator

import orjson

from app.store.bulk import RowLoader, Rows, snapshot_rows
from app.store.cache import Cache
from app.sync.client import RegistryUnreachable

log = logging.getLogger(__name__)

BATCH_LINES = 5000  # lines per batch of rows (one RowLoader transaction)
INLINE_LINES = 20_000  # lines parsed in this process before the worker takes over
IN_FLIGHT = 4  # batches handed to the worker and not yet inserted
WORKER_POLL_S = 1.0

_RECORD_PREFIX = b'{"r":'


@dataclass
class SnapshotStats:
    residents: int = 0
    households: int = 0
    end: dict | None = None
    worker: bool = False
    seconds: float = 0.0
    load_seconds: float = 0.0  # rows into the cache (stream, parse and insert overlapped)
    index_seconds: float = 0.0  # indexes rebuilt and analyzed at the end
    worker_peak_rss_kib: int | None = None


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


def _worker_main(inbox, outbox) -> None:
    """The worker: batches of lines (bytes joined by newlines) in, (rows, end) out; None ends it."""
    try:
        while True:
            blob = inbox.get()
            if blob is None:
                break
            outbox.put(("rows", parse_lines(blob.split(b"\n"))))
        outbox.put(("done", _peak_rss_kib()))
    except BaseException:  # the parent raises it; nothing half-done is left in the cache
        outbox.put(("error", traceback.format_exc()))


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.inbox, self.outbox = ctx.Queue(), ctx.Queue()
        self.process = ctx.Process(target=_worker_main, args=(self.inbox, self.outbox), name="snapshot-parser", daemon=True)
        self.process.start()
        self.in_flight = 0
        self.peak_rss_kib: int | None = None

    def send(self, lines: list[bytes]) -> None:
        self.inbox.put(b"\n".join(lines))
        self.in_flight += 1

    def receive(self) -> tuple[Rows, dict | None]:
        while True:
            try:
                kind, value = self.outbox.get(timeout=WORKER_POLL_S)
                break
            except queue.Empty:
                if not self.process.is_alive():
                    raise RegistryUnreachable(f"snapshot worker died (exit code {self.process.exitcode})") from None
        if kind == "error":
            raise RuntimeError(f"snapshot worker failed:\n{value}")
        self.in_flight -= 1
        return value

    def finish(self) -> None:
        self.inbox.put(None)
        kind, value = self.outbox.get(timeout=60)
        if kind == "done":
            self.peak_rss_kib = value
        self.process.join(timeout=10)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        for q in (self.inbox, self.outbox):
            q.close()
            q.cancel_join_thread()


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
) -> SnapshotStats:
    """Loads the snapshot lines after the header into the (emptied) register tables.

    RegistryUnreachable when the stream was cut (no end line) or the counts disagree."""
    started = time.perf_counter()
    stats = SnapshotStats()
    worker: _Worker | None = None
    seen = 0
    try:
        with RowLoader(cache, marker="snapshot") as loader:

            def insert(rows: Rows, end: dict | None) -> None:
                loader.add(rows)
                if end is not None:
                    stats.end = end

            for batch in _batches(lines, batch_lines):
                seen += len(batch)
                if worker is None and seen > inline_lines:
                    worker = _Worker()
                if worker is None:
                    insert(*parse_lines(batch))
                    continue
                worker.send(batch)
                while worker.in_flight >= in_flight:
                    insert(*worker.receive())
            if worker is not None:
                while worker.in_flight:
                    insert(*worker.receive())
                worker.finish()
            if stats.end is None:
                raise RegistryUnreachable("snapshot stream ended without its end line")
            if loader.stats.residents != stats.end["residents"]:
                raise RegistryUnreachable(f"snapshot had {loader.stats.residents} residents, registry said {stats.end['residents']}")
    finally:
        if worker is not None:
            worker.close()
    stats.residents, stats.households = loader.stats.residents, loader.stats.households
    stats.worker = worker is not None
    stats.worker_peak_rss_kib = worker.peak_rss_kib if worker is not None else None
    stats.load_seconds, stats.index_seconds = loader.stats.load_seconds, loader.stats.index_seconds
    stats.seconds = time.perf_counter() - started
    log.info("snapshot loaded: %s", stats)
    return stats
