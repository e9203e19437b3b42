"""Sync between a terminal's cache and the registry: operations up, confirmed changes down.

One `sync()` runs, in order: push every operation in the outbox (oldest first, in batches), pull
the changes after the cursor (or a snapshot for a first sync, a cursor too old or a new scope),
ask about operations still in review, and send the access log up. Each step commits on its own:
a page of changes and the new cursor go into the cache in one transaction, so a process killed at
any point resumes where it was, and nothing is applied twice (the registry answers a repeated
operation with its stored result). Pulling waits until the outbox is empty, so the terminal's own
provisional changes are never overwritten before the registry has decided them.
"""
from __future__ import annotations

import logging
import random
import time
from pathlib import Path
from types import SimpleNamespace
from dataclasses import dataclass, field
from typing import Callable

import orjson
from sqlalchemy import text

from app.store.cache import Cache
from app.store.meta import get_meta, set_meta  # noqa: F401  (part of this module's interface)
from app.store.register_store import RegisterStore
from app.store import issuance_history
from app.sync import issuing, outbox
from app.sync.client import RegistryClient, RegistryRefused, RegistryUnreachable, SyncError, TerminalRevoked
from app.sync.snapshot import load_snapshot
from domain.codec import change_from_stored, resident_from_dict
from domain.history import ResidentDelta

log = logging.getLogger(__name__)

PUSH_BATCH = 100
STORED_CHANGE_KEYS = ("change_id", "reason", "occurred_on", "notified_on", "cancels", "note")
REGISTER_TABLES = ("name_keys", "address_keys", "change_residents", "changes", "residents", "households")


@dataclass
class SyncReport:
    pushed: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    changes: int = 0
    snapshot_residents: int | None = None
    cursor: int = 0
    access_log_sent: int = 0
    issuances_sent: int = 0
    seconds: float = 0.0


class SyncEngine:
    def __init__(
        self,
        cache: Cache,
        client: RegistryClient,
        *,
        clock: Callable[[], float] = time.time,
        on_revoked: Callable[[], None] | None = None,
        anchor_file: Path | None = None,
    ):
        self.cache = cache
        self.client = client
        self.clock = clock
        self.on_revoked = on_revoked
        self.anchor_file = anchor_file  # where the registry's issuing public key is kept (verify-certificate --dir)

    # -- the whole round ----------------------------------------------------------------------
    def sync(self) -> SyncReport:
        started = time.perf_counter()
        report = SyncReport()
        try:
            status = self.client.call("GET", "/v1/status")
            with self.cache.writer.begin() as conn:
                set_meta(conn, "offline_limit_days", status.get("offline_limit_days", 7))
            self.push(report)
            self.pull(report)
            self.refresh_reviews()
            report.access_log_sent = self.push_access_log()
            report.issuances_sent = self.push_issuances()
            issuing.ensure_delegation(self.cache, self.client, now=self.clock(), anchor_file=self.anchor_file)
            with self.cache.writer.begin() as conn:
                set_meta(conn, "last_sync_at", self.clock())
        except TerminalRevoked:
            log.warning("terminal revoked by the registry: wiping the cache")
            if self.on_revoked is not None:
                self.on_revoked()
            raise
        except SyncError as e:
            with self.cache.writer.begin() as conn:
                outbox.note_failure(conn, None, e.code, e.message, self.clock())
            raise
        report.seconds = time.perf_counter() - started
        return report

    # -- up ------------------------------------------------------------------------------------
    def push(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        while True:
            with self.cache.writer.begin() as conn:
                batch = outbox.to_send(conn, PUSH_BATCH)
                if not batch:
                    return report
                ids = [op_id for op_id, _ in batch]
                outbox.mark_sending(conn, ids, self.clock())
            try:
                answer = self.client.call("POST", "/v1/operations", body={"operations": [payload for _, payload in batch]})
            except SyncError as e:
                with self.cache.writer.begin() as conn:
                    outbox.note_failure(conn, ids, e.code, e.message, self.clock())
                raise
            with self.cache.writer.begin() as conn:
                tally = outbox.record_results(conn, answer.get("results", []), self.clock())
            report.pushed += len(batch)
            for state, n in tally.items():
                report.verdicts[state] = report.verdicts.get(state, 0) + n
            if sum(tally.values()) < len(batch):  # the registry could not read some: they stay queued
                log.error("registry answered %d of %d operations", sum(tally.values()), len(batch))
                return report

    def refresh_reviews(self) -> None:
        with self.cache.engine.connect() as conn:
            waiting = outbox.in_review(conn)
        for i in range(0, len(waiting), 200):
            answer = self.client.call("GET", "/v1/operations", params={"ids": ",".join(waiting[i : i + 200])})
            with self.cache.writer.begin() as conn:
                outbox.refresh(conn, answer.get("results", []), self.clock())

    # -- down ----------------------------------------------------------------------------------
    def pull(self, report: SyncReport | None = None) -> SyncReport:
        report = report or SyncReport()
        with self.cache.engine.connect() as conn:
            if outbox.to_send(conn, 1):
                raise SyncError("outbox not empty: pull deferred", "未送信の届出があるため、受信を後回しにしました。")
            cursor = int(get_meta(conn, "sync_cursor", "0"))
            scope_version = int(get_meta(conn, "scope_version", "0"))
            snapshot_state = get_meta(conn, "snapshot")
        fresh = cursor == 0 or snapshot_state == "running"
        if fresh:
            cursor, scope_version = self.snapshot(report)
        while True:
            try:
                page = self.client.call("GET", "/v1/changes", params={"after": cursor, "scope_version": scope_version})
            except RegistryRefused as e:
                if e.code != "snapshot_required" or fresh:  # a snapshot that is not enough: never loop
                    raise
                cursor, scope_version = self.snapshot(report)
                fresh = True
                continue
            with self.cache.writer.begin() as conn:
                store = RegisterStore(conn)
                # The outbox is empty: every provisional change here has been decided, and the
                # confirmed ones come in these pages. Newest first, or their history would break.
                store.drop_all_provisional()
                for c in page["changes"]:
                    apply_change(store, c)
                set_meta(conn, "sync_cursor", page["cursor"])
            report.changes += len(page["changes"])
            cursor = report.cursor = page["cursor"]
            if not page.get("more"):
                return report

    def snapshot(self, report: SyncReport) -> tuple[int, int]:
        """Replaces the register in the cache with the registry's snapshot of this terminal's scope."""
        lines = self.client.lines("/v1/snapshot")
        header = orjson.loads(next(lines))
        cursor, scope_version = int(header["cursor"]), int(header["snapshot"]["version"])
        with self.cache.writer.begin() as conn:
            set_meta(conn, "snapshot", "running")
            for table in REGISTER_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        end = load_snapshot(self.cache, lines).end
        with self.cache.writer.begin() as conn:
            set_meta(conn, "sync_cursor", cursor)
            set_meta(conn, "scope_version", scope_version)
            set_meta(conn, "snapshot", "done")
        report.snapshot_residents = end["residents"]
        report.cursor = cursor
        return cursor, scope_version

    # -- access log ----------------------------------------------------------------------------
    def push_access_log(self, batch: int = 2000) -> int:
        sent = 0
        while True:
            with self.cache.engine.connect() as conn:
                last = int(get_meta(conn, "access_log_sent", "0"))
                rows = conn.execute(
                    text(
                        "SELECT seq, at, operator, action, resident_id, detail, my_number_shown, mac FROM access_log "
                        "WHERE seq > :s ORDER BY seq LIMIT :n"
                    ),
                    {"s": last, "n": batch},
                ).all()
            if not rows:
                return sent
            entries = [
                {
                    "seq": r.seq,
                    "at": r.at,
                    "operator": r.operator,
                    "action": r.action,
                    "resident_id": r.resident_id,
                    "detail": r.detail,
                    "my_number_shown": bool(r.my_number_shown),
                    "mac": r.mac,
                }
                for r in rows
            ]
            head = self.client.call("POST", "/v1/access-log", body={"entries": entries})
            with self.cache.writer.begin() as conn:
                set_meta(conn, "access_log_sent", head["seq"])
                set_meta(conn, "access_log_anchor", orjson.dumps(head).decode())
            sent += len(rows)

    # -- issuance history (交付履歴) --------------------------------------------------------------
    def push_issuances(self, batch: int = 1000) -> int:
        sent = 0
        while True:
            with self.cache.engine.connect() as conn:
                last = int(get_meta(conn, "issuances_sent", "0"))
                rows = issuance_history.events_after(conn, last, batch)
            if not rows:
                return sent
            entries = [{k: v for k, v in r.items() if k != "terminal_id"} for r in rows]
            for e in entries:
                e["my_number_printed"], e["official_use"] = bool(e["my_number_printed"]), bool(e["official_use"])
            head = self.client.call("POST", "/v1/issuances", body={"entries": entries})
            with self.cache.writer.begin() as conn:
                set_meta(conn, "issuances_sent", head["seq"])
            sent += len(rows)


def apply_change(store: RegisterStore, c: dict) -> None:
    """Puts one confirmed change from the registry into the cache (our own provisional one first
    taken back: the registry's version is the one that counts)."""
    store.drop_provisional(c["change_id"])
    if store.change(c["change_id"]) is not None:
        return
    records = [resident_from_dict(r) for r in c["residents"]]
    before = store.residents_by_id([r.resident_id for r in records])
    hh = c["households"] if isinstance(c["households"], dict) else orjson.loads(c["households"])
    deltas = tuple(ResidentDelta(r.resident_id, before.get(r.resident_id), r) for r in records)
    change = change_from_stored(SimpleNamespace(**{k: c.get(k, "") for k in STORED_CHANGE_KEYS}), deltas, hh)
    store.record_change(change, state="confirmed")


def tracked_sync(service, engine: SyncEngine) -> SyncReport:
    """One sync for a terminal's service (the counter's or the kiosk's), one at a time (its
    `_sync_lock`), keeping its `online` and `last_error` (Japanese) up to date; errors re-raised."""
    with service._sync_lock:
        try:
            report = engine.sync()
        except TerminalRevoked:
            service.online = False
            raise
        except RegistryUnreachable as e:
            service.online, service.last_error = False, e.message
            raise
        except SyncError as e:
            service.online, service.last_error = True, e.message
            raise
        service.online, service.last_error = True, ""
        return report


def backoff_delays(base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None):
    """Waits between retries: exponential, capped, with full jitter (never all terminals at once)."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        yield rng.uniform(0, min(cap, base * 2**attempt))
        attempt += 1


def sync_with_retry(engine: SyncEngine, *, attempts: int = 5, sleep: Callable[[float], None] = time.sleep, delays=None) -> SyncReport:
    """sync(), retried on network trouble with backoff; refusals and revocation are not retried."""
    delays = delays or backoff_delays()
    for attempt in range(attempts):
        try:
            return engine.sync()
        except RegistryUnreachable as e:
            if attempt == attempts - 1:
                raise
            wait = next(delays)
            log.info("sync failed (%s); retrying in %.1f s", e, wait)
            sleep(wait)
    raise AssertionError("unreachable")
