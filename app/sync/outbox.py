"""The outbox: every notification taken at this terminal, from the moment it is taken until the
registry has decided it.

`take` checks a notification against the cache, records its Change as provisional and puts the
operation in the outbox, all in one transaction of the encrypted cache: once the clerk sees
受付, the notification survives a crash, a pulled cable or a killed process. The registry's verdict
comes back through `record_results`; an operation in review or rejected is taken back out of the
local register (the registry's records are put in its place) and stays visible with the reason.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, func, insert, select, update

from app.store.register_store import RegisterStore, dumps
from app.store.schema import outbox
from domain.codec import dict_diff, household_from_dict, resident_from_dict, resident_to_dict
from domain.history import Change
from domain.ids import uuid7
from domain.notifications import Notification, apply_notification
from domain.notifications.codec import notification_to_dict

PENDING, SENDING, CONFIRMED, REVIEW, REJECTED = "pending", "sending", "confirmed", "review", "rejected"
OPEN_STATES = (PENDING, SENDING)

STATE_LABELS = {
    PENDING: "送信待ち",
    SENDING: "送信中",
    CONFIRMED: "本登録済み",
    REVIEW: "審査中",
    REJECTED: "差戻し",
}
KIND_LABELS = {
    "MoveIn": "転入届",
    "MoveWithin": "転居届",
    "MoveOut": "転出届",
    "Birth": "出生届",
    "Death": "死亡届",
    "HouseholdChange": "世帯変更届",
    "HouseholderChange": "世帯主変更届",
    "ExOfficioCorrection": "職権修正",
    "Cancellation": "異動の取消し",
}


@dataclass(frozen=True)
class Taken:
    operation_id: str
    change: Change


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    operation_id: str
    kind: str
    operator_id: str
    state: str
    created_at: float
    updated_at: float
    attempts: int
    code: str
    message: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    def age_seconds(self, now: float) -> float:
        return max(0.0, now - self.created_at)


def take(conn: Connection, notification: Notification, *, operator_id: str, today: dt.date, now: float | None = None) -> Taken:
    """Applies a notification to the local register (provisional) and queues it; one transaction
    is the caller's (`with cache.engine.begin() as conn`). ValidationError when the rules refuse it."""
    now = time.time() if now is None else now
    store = RegisterStore(conn)
    op_id = uuid7()
    change = apply_notification(notification, store, change_id=op_id, today=today)
    store.record_change(change, state="provisional")
    base, fields, intended = {}, {}, {}
    for d in change.residents:
        after = resident_to_dict(d.after)
        intended[d.resident_id] = after
        if d.before is not None:
            base[d.resident_id] = d.before.version
            fields[d.resident_id] = sorted(k for k in dict_diff(resident_to_dict(d.before), after)[1] if k != "v")
    encoded = notification_to_dict(notification)
    kind = encoded.pop("kind")
    payload = {
        "operation_id": op_id,
        "operator_id": operator_id,
        "kind": kind,
        "notification": encoded,
        "taken_on": today.isoformat(),
        "base": base,
        "fields": fields,
        "intended": intended,
    }
    conn.execute(
        insert(outbox).values(
            operation_id=op_id,
            kind=kind,
            operator_id=operator_id,
            payload=dumps(payload),
            state=PENDING,
            created_at=now,
            updated_at=now,
            attempts=0,
            code="",
            message="",
            result="{}",
        )
    )
    return Taken(op_id, change)


def _entry(row) -> OutboxEntry:
    return OutboxEntry(row.seq, row.operation_id, row.kind, row.operator_id, row.state, row.created_at, row.updated_at, row.attempts, row.code, row.message)


def entries(conn: Connection, *, states: tuple[str, ...] | None = None, limit: int = 500) -> list[OutboxEntry]:
    query = select(outbox).order_by(outbox.c.seq.desc()).limit(limit)
    if states:
        query = query.where(outbox.c.state.in_(states))
    return [_entry(r) for r in conn.execute(query)]


def counts(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state)).all())


def oldest_open(conn: Connection) -> float | None:
    return conn.execute(select(func.min(outbox.c.created_at)).where(outbox.c.state.in_(OPEN_STATES))).scalar()


def to_send(conn: Connection, limit: int) -> list[tuple[str, dict]]:
    """The oldest operations not yet decided (a 'sending' one was cut off: it goes again — the
    registry answers a repeat with the stored result)."""
    rows = conn.execute(
        select(outbox.c.operation_id, outbox.c.payload).where(outbox.c.state.in_(OPEN_STATES)).order_by(outbox.c.seq).limit(limit)
    )
    return [(r.operation_id, orjson.loads(r.payload)) for r in rows]


def mark_sending(conn: Connection, op_ids: list[str], now: float) -> None:
    conn.execute(
        update(outbox).where(outbox.c.operation_id.in_(op_ids)).values(state=SENDING, attempts=outbox.c.attempts + 1, updated_at=now)
    )


def note_failure(conn: Connection, op_ids: list[str] | None, code: str, message: str, now: float) -> None:
    """A send that did not get through (`op_ids`; None: every waiting one, when the sync failed
    before sending): the operations wait for the next try, with the reason shown."""
    condition = outbox.c.state.in_(OPEN_STATES)
    if op_ids is not None:
        condition = condition & outbox.c.operation_id.in_(op_ids)
    conn.execute(update(outbox).where(condition).values(state=PENDING, code=code, message=message, updated_at=now))


def record_results(conn: Connection, results: list[dict], now: float) -> dict[str, int]:
    """Puts the registry's verdicts in the outbox and the local register; returns counts by state."""
    store = RegisterStore(conn)
    tally: dict[str, int] = {}
    undecided = []
    for result in results:
        op_id, state = result.get("operation_id", ""), result.get("state", "")
        if state not in (CONFIRMED, REVIEW, REJECTED) or not op_id:
            continue
        tally[state] = tally.get(state, 0) + 1
        conn.execute(
            update(outbox)
            .where(outbox.c.operation_id == op_id)
            .values(state=state, code=result.get("code", ""), message=_message(result), result=dumps(result), updated_at=now)
        )
        if state != CONFIRMED:
            undecided.append(result)
    # Take back what the registry did not confirm, newest first, then put its records in place.
    for result in reversed(undecided):
        store.drop_provisional(result["operation_id"])
    for result in undecided:
        put_authoritative(store, result)
    return tally


def _message(result: dict) -> str:
    """The registry's verdict for the clerk: its message, the rules' messages, and a
    supervisor's reason for a 差戻し."""
    message = result.get("message", "")
    errors = result.get("errors") or []
    if errors:
        message += " " + " ".join(str(e.get("message", "")) for e in errors[:10])
    comment = result.get("comment")
    if isinstance(comment, str) and comment.strip():
        message = f"{message}　理由：{comment.strip()}" if message else f"理由：{comment.strip()}"
    return message


def put_authoritative(store: RegisterStore, records: dict) -> None:
    for record in records.get("residents", []):
        store.put_record(resident_from_dict(record))
    for h in records.get("households", []):
        store.put_household(household_from_dict(h))


def refresh(conn: Connection, results: list[dict], now: float) -> None:
    """Later news of operations in review (a supervisor decided): state and message only — an
    approved one arrives with the changes, a rejected one was already taken back."""
    for result in results:
        conn.execute(
            update(outbox)
            .where(outbox.c.operation_id == result.get("operation_id", ""), outbox.c.state == REVIEW)
            .values(state=result.get("state", REVIEW), code=result.get("code", ""), message=_message(result), result=dumps(result), updated_at=now)
        )


def in_review(conn: Connection) -> list[str]:
    return list(conn.execute(select(outbox.c.operation_id).where(outbox.c.state == REVIEW).order_by(outbox.c.seq)).scalars())
