"""The counter service (窓口サービス): one object per logged-in operator that the clerk's screens
call for everything they do — search, view, take a notification, drafts, the outbox, sync and the
review queue. No Qt here; every method is safe to call from a worker thread (the cache's
connection pool is thread-safe) and none blocks on the GUI. Time comes in through `clock`.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import orjson

from sqlalchemy import text

from app.services import drafts as drafts_mod
from app.services import resident_page
from app.services import search_history
from app.services.resident_page import ResidentPage
from app.store.cache import Cache
from app.store.keys import CacheKeyError
from app.store.register_store import RegisterStore
from app.store.search import Operator, SearchResult, SearchService
from app.sync import outbox
from app.sync.client import RegistryClient, RegistryUnreachable, SyncError
from app.sync.engine import SyncEngine, SyncReport, get_meta, set_meta, tracked_sync
from app.sync.limits import offline_state
from registry.protocol.issuing import ANCHOR_FILE
from domain.certificate_rules import Channel
from domain.errors import FieldError, ValidationError
from domain.household_order import order_members
from domain.ids import uuid7
from domain.notifications import Notification, validate_notification
from domain.residents import Household, Resident
from domain.search_criteria import SearchCriteria

log = logging.getLogger(__name__)

ID_COUNTER = "local_id_counter"


@dataclass(frozen=True)
class TerminalInfo:
    """The terminal as the screens name it (from terminal.json)."""

    terminal_id: str
    name: str
    ward_code: str
    kind: str = "counter"


@dataclass(frozen=True)
class SyncStatus:
    """The sync state the main window always shows."""

    online: bool
    last_sync_at: float | None
    open_operations: int  # 送信待ち・送信中
    in_review: int
    rejected: int
    warning: str  # "" or the offline-limit warning (Japanese)
    last_error: str  # Japanese, "" when the last attempt worked

    def summary(self, now: float) -> str:
        state = "オンライン" if self.online else "オフライン"
        if self.last_sync_at is None:
            last = "未同期"
        else:
            minutes = int(max(0, now - self.last_sync_at) // 60)
            last = "最終同期 たった今" if minutes < 1 else (f"最終同期 {minutes}分前" if minutes < 120 else f"最終同期 {minutes // 60}時間前" if minutes < 2880 else f"最終同期 {minutes // 1440}日前")
        return f"{state}　{last}　送信待ち {self.open_operations}件"


class CounterService:
    def __init__(
        self,
        cache: Cache,
        *,
        operator: dict,
        terminal: TerminalInfo,
        client: RegistryClient | None = None,
        online: bool = False,
        clock: Callable[[], float] = time.time,
        on_revoked: Callable[[], None] | None = None,
        directory: Path | None = None,
    ):
        self.directory = Path(directory) if directory else None  # the terminal folder (settings, anchor)
        self.cache = cache
        self.operator = operator
        self.operator_id: str = operator["operator_id"]
        self.role: str = operator.get("role", "clerk")
        self.terminal = terminal
        self.client = client
        self.clock = clock
        self.online = online
        self.last_error = ""
        self._on_revoked = on_revoked
        self._sync_lock = threading.Lock()
        self.search_service = SearchService(
            cache, Operator(self.operator_id, terminal.terminal_id, operator.get("ward_code") or terminal.ward_code)
        )
        self._issuance = None

    @property
    def issuance(self):
        """The certificate service (app.services.issuance), made on first use: its PDF and font
        libraries stay out of the login path."""
        if self._issuance is None:
            from app.services.issuance import CertificateSettings, IssuanceService

            self._issuance = IssuanceService(
                self.cache,
                operator_id=self.operator_id,
                terminal_id=self.terminal.terminal_id,
                terminal_name=self.terminal.name,
                log_access=self.log_access,
                settings=CertificateSettings.load(self.directory),
                client=self.client,
                online=lambda: self.online,
                channel=Channel.KIOSK if self.terminal.kind == "kiosk" else Channel.COUNTER,
                clock=self.clock,
            )
        return self._issuance

    @property
    def display_name(self) -> str:
        return self.operator.get("display_name") or self.operator_id

    @property
    def ward_code(self) -> str:
        return self.search_service.operator.ward_code

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "administrator")

    def verify_password(self, password: str) -> bool:
        """For the idle lock: the operator's own password opens their key slot again (offline)."""
        try:
            self.cache.slots.unlock_operator(self.operator_id, password)
        except CacheKeyError:
            return False
        return True

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.clock()).date()

    # -- search and view ----------------------------------------------------------------------
    def search(self, criteria: SearchCriteria) -> SearchResult:
        """ValidationError (Japanese, per field) when what was typed cannot be searched."""
        result = self.search_service.search(criteria)
        with self.cache.writer.begin() as conn:
            search_history.remember(conn, self.operator_id, criteria, now=self.clock())
        return result

    def search_history(self, limit: int = 20) -> list[SearchCriteria]:
        with self.cache.engine.connect() as conn:
            return search_history.recent(conn, self.operator_id, limit)

    def resident_page(self, resident_id: str) -> ResidentPage | None:
        """The resident screen's content; the view is logged in the same transaction."""
        with self.cache.writer.begin() as conn:
            page = resident_page.build(conn, resident_id)
            self.log_access(conn, "view", resident_id, {"found": page is not None})
        return page

    def log_access(self, conn, action: str, resident_id: str, detail: dict, *, my_number_shown: bool = False) -> None:
        """An access-log entry by this operator at this terminal, in the caller's transaction."""
        self.search_service.log.append(
            conn,
            operator=self.operator_id,
            terminal=self.terminal.terminal_id,
            action=action,
            resident_id=resident_id,
            detail=detail,
            my_number_shown=my_number_shown,
        )

    def reveal_my_number(self, resident_id: str, purpose: str) -> str:
        return self.search_service.reveal_my_number(resident_id, purpose=purpose)

    # -- what the forms look up ---------------------------------------------------------------
    def resident(self, resident_id: str) -> Resident | None:
        """A record for a form (My Number removed); not an access of its own: the form was opened
        from a resident screen, which logged the view."""
        with self.cache.engine.connect() as conn:
            r = RegisterStore(conn).resident(resident_id)
        return None if r is None else replace(r, my_number="")

    def household_members(self, household_id: str) -> list[Resident]:
        with self.cache.engine.connect() as conn:
            store = RegisterStore(conn)
            members = [replace(m, my_number="") for m in store.household_members(household_id) if m.is_current]
            h = store.household(household_id)
        return order_members(members, h.member_order if h else ())

    def household(self, household_id: str) -> Household | None:
        with self.cache.engine.connect() as conn:
            return RegisterStore(conn).household(household_id)

    def new_ids(self, residents: int = 0, households: int = 0) -> tuple[list[str], list[str]]:
        """Fresh 宛名番号 and 世帯番号 made on this terminal, unique across terminals while offline:
        the terminal id and a counter kept in the cache (a number never comes back, even unused)."""
        with self.cache.writer.begin() as conn:
            n = int(get_meta(conn, ID_COUNTER, "0"))
            set_meta(conn, ID_COUNTER, n + residents + households)
        prefix = self.terminal.terminal_id
        ids = [f"{prefix}-{n + i + 1:06d}" for i in range(residents + households)]
        return ids[:residents], ids[residents:]

    # -- notifications -------------------------------------------------------------------------
    def validate(self, notification: Notification) -> tuple[FieldError, ...]:
        """Every problem the rules find, for the form's live check (nothing is written)."""
        with self.cache.engine.connect() as conn:
            return validate_notification(notification, RegisterStore(conn), today=self.today())

    def take(self, notification: Notification, *, draft_id: str = "") -> outbox.Taken:
        """Records the notification as provisional and queues it; the draft goes in the same
        transaction. ValidationError when the rules refuse it (nothing is written)."""
        with self.cache.writer.begin() as conn:
            taken = outbox.take(conn, notification, operator_id=self.operator_id, today=self.today(), now=self.clock())
            if draft_id:
                drafts_mod.discard(conn, draft_id)
            self.log_access(
                conn,
                "take",
                taken.change.resident_ids[0] if taken.change.resident_ids else "",
                {"operation_id": taken.operation_id, "kind": type(notification).__name__, "residents": list(taken.change.resident_ids)},
            )
        log.info("took %s as %s", type(notification).__name__, taken.operation_id)
        return taken

    # -- drafts --------------------------------------------------------------------------------
    def new_draft_id(self) -> str:
        return uuid7()

    def save_draft(self, draft_id: str, kind: str, title: str, data: dict) -> None:
        with self.cache.writer.begin() as conn:
            drafts_mod.save(conn, draft_id=draft_id, operator_id=self.operator_id, kind=kind, title=title, data=data, now=self.clock())

    def drafts(self) -> list[drafts_mod.Draft]:
        with self.cache.engine.connect() as conn:
            return drafts_mod.of_operator(conn, self.operator_id)

    def discard_draft(self, draft_id: str) -> None:
        with self.cache.writer.begin() as conn:
            drafts_mod.discard(conn, draft_id)

    # -- outbox and sync -----------------------------------------------------------------------
    def outbox_entries(self, states: tuple[str, ...] | None = None) -> list[outbox.OutboxEntry]:
        with self.cache.engine.connect() as conn:
            return outbox.entries(conn, states=states)

    def pending_operations_of(self, resident_id: str) -> list[outbox.OutboxEntry]:
        """Open operations (送信待ち・送信中・審査中・差戻し) that touch this resident."""
        with self.cache.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT operation_id FROM outbox WHERE state != 'confirmed' AND instr(payload, :rid) > 0"),
                {"rid": f'"{resident_id}"'},
            ).scalars().all()
            return [e for e in outbox.entries(conn) if e.operation_id in set(rows)]

    def retry_now(self, operation_ids: list[str] | None = None) -> SyncReport:
        """送信の再試行: failed operations go back to the queue, then a sync runs now."""
        with self.cache.writer.begin() as conn:
            q = "UPDATE outbox SET state = 'pending' WHERE state = 'sending'"
            if operation_ids:
                conn.execute(text(q + " AND operation_id IN (SELECT value FROM json_each(:ids))"), {"ids": orjson.dumps(operation_ids).decode()})
            else:
                conn.execute(text(q))
        return self.sync()

    def sync(self) -> SyncReport:
        """One sync with the registry. Sets `online`; raises SyncError (Japanese .message)."""
        if self.client is None:
            self.online = False
            raise RegistryUnreachable("no registry client", "この端末は登録サーバーに接続する設定がありません。")
        anchor = self.directory / ANCHOR_FILE if self.directory else None
        return tracked_sync(self, SyncEngine(self.cache, self.client, clock=self.clock, on_revoked=self._on_revoked, anchor_file=anchor))

    def status(self) -> SyncStatus:
        with self.cache.engine.connect() as conn:
            counts = outbox.counts(conn)
            state = offline_state(conn, now=self.clock())
        warning = state.message if state.warning or state.last_sync_at is None else ""
        return SyncStatus(
            online=self.online,
            last_sync_at=state.last_sync_at,
            open_operations=sum(counts.get(s, 0) for s in outbox.OPEN_STATES),
            in_review=counts.get(outbox.REVIEW, 0),
            rejected=counts.get(outbox.REJECTED, 0),
            warning=warning,
            last_error=self.last_error,
        )

    # -- review (supervisors, online) ----------------------------------------------------------
    def review_queue(self) -> list[dict]:
        """Operations the registry holds for 審査, with both versions; SyncError when offline."""
        self._require_session()
        return self.client.call("GET", "/v1/review")["operations"]

    def decide(self, operation_id: str, *, approve: bool, comment: str) -> dict:
        """A supervisor's 承認 / 差戻し; a rejection needs a reason (ValidationError otherwise)."""
        if not approve and not comment.strip():
            raise ValidationError([FieldError("comment", "差戻しの理由を入力してください")])
        self._require_session()
        return self.client.call("POST", f"/v1/review/{operation_id}", body={"approve": approve, "comment": comment.strip()})

    def _require_session(self) -> None:
        if not self.is_supervisor:
            raise SyncError(f"{self.operator_id} is not a supervisor", "審査は監督者（承認者）の権限で行ってください。", "forbidden")
        if self.client is None or not self.client.session_token:
            raise SyncError("no registry session", "審査には登録サーバーへのオンラインでのログインが必要です。", "no_session")

    def close(self) -> None:
        self.cache.close()
