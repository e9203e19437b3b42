"""Operations from terminals: each one a notification (届出) taken at a counter, applied once.

An operation carries a client-made UUIDv7, the operator, the notification, the versions of the
residents it was entered against (`base`) and the record keys it changed there (`fields`). The
registry decides, against its current state and inside the caller's transaction (writer lock held):

- the same operation id again → the stored result, nothing applied twice;
- a resident of it already waits in review → it waits too (per resident, in order);
- a stale base whose changed fields overlap what changed since → review, with both versions;
  a stale base that does not overlap → merged: the notification applied to the current state;
- a kind the city's policy sends to 審査・決裁 → review (仮登録, j530) until a supervisor decides;
- the domain rules refuse it → rejected, with every field error in Japanese;
- otherwise → confirmed (本登録): recorded in the change log.

The outcome is stored with the operation in the same transaction that applies it.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from domain.codec import household_to_dict, resident_to_dict
from domain.errors import FieldError, ValidationError
from domain.ids import is_uuid7
from domain.notifications import apply_notification
from domain.notifications.codec import notification_from_dict
from registry.database import lock_writer, next_seq
from registry.register import RegistryRegister, dumps
from registry.schema import counter, operation_residents, operations, operators, residents

CONFIRMED, REVIEW, REJECTED = "confirmed", "review", "rejected"
WRITER_ROLES = frozenset({"clerk", "supervisor", "administrator"})
DEFAULT_REVIEW_KINDS = ("ExOfficioCorrection", "Cancellation")
MAX_RESIDENTS_PER_OPERATION = 200
MAX_NESTING = 32  # far deeper than any notification; orjson refuses 255 levels
OPERATOR_ID_CHARS = operations.c.operator_id.type.length
KIND_CHARS = operations.c.kind.type.length
RESIDENT_ID_CHARS = residents.c.resident_id.type.length
HOUSEHOLD_ID_CHARS = residents.c.household_id.type.length

MESSAGES = {
    "confirmed": "登録しました（本登録）。",
    "merged": "他の端末の更新と重ならない項目だったため、最新の記録に反映して登録しました。",
    "conflict": "他の端末で同じ住民の同じ項目が先に更新されています。審査に回しました。両方の内容を確認してください。",
    "needs_approval": "この届出は審査・決裁が必要です。仮登録として審査待ちにしました。",
    "waiting_for_review": "同じ住民の先の届出が審査中のため、その決裁を待っています。",
    "invalid": "届出の内容に誤りがあるため登録できませんでした。",
    "malformed": "届出のデータが読み取れませんでした。",
    "operator_unknown": "操作者が登録サーバーに登録されていないか、無効です。",
    "operator_not_allowed": "この操作者の権限では届出を登録できません。",
    "approved": "審査で承認され、登録しました（本登録）。",
    "rejected_by_supervisor": "審査で差し戻されました。",
}


@dataclass(frozen=True)
class Policy:
    """What the city sends to review instead of straight to 本登録."""

    review_kinds: frozenset[str] = frozenset(DEFAULT_REVIEW_KINDS)


@dataclass
class Operation:
    operation_id: str
    operator_id: str
    kind: str
    notification: dict
    taken_on: dt.date
    base: dict[str, int] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    intended: dict[str, dict] = field(default_factory=dict)

    def to_payload(self) -> dict:
        return {
            "operation_id": self.operation_id,
            "operator_id": self.operator_id,
            "kind": self.kind,
            "notification": self.notification,
            "taken_on": self.taken_on.isoformat(),
            "base": self.base,
            "fields": self.fields,
            "intended": self.intended,
        }


class OperationMalformed(Exception):
    def __init__(self, message_en: str):
        super().__init__(message_en)


def _unstorable(value: object) -> str | None:
    """Why a value parsed from JSON cannot be stored as it is, or None: text with NUL (PostgreSQL
    refuses it) or lone surrogates (not UTF-8), integers beyond 64 bits or too deep nesting
    (orjson refuses both)."""
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_NESTING:
            return "nested too deeply"
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for item in v.items() for x in item)
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
        elif isinstance(v, str):
            if "\x00" in v:
                return "text contains NUL"
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return "text is not valid Unicode (lone surrogate)"
        elif isinstance(v, int) and not -(2**63) <= v < 2**63:
            return "integer beyond 64 bits"
    return None


def parse_operation(d: object) -> Operation:
    """An Operation from its wire form; OperationMalformed (English, for the log) when it is not one."""
    if not isinstance(d, dict):
        raise OperationMalformed("operation is not an object")
    problem = _unstorable(d)
    if problem:
        raise OperationMalformed(problem)
    op_id = d.get("operation_id")
    if not isinstance(op_id, str) or not is_uuid7(op_id):
        raise OperationMalformed("operation_id must be a UUIDv7")
    operator_id, kind, notification = d.get("operator_id"), d.get("kind"), d.get("notification")
    if not isinstance(operator_id, str) or not operator_id or not isinstance(kind, str) or not isinstance(notification, dict):
        raise OperationMalformed("operator_id, kind and notification are required")
    if len(operator_id) > OPERATOR_ID_CHARS or len(kind) > KIND_CHARS:
        raise OperationMalformed(f"operator_id (at most {OPERATOR_ID_CHARS}) or kind (at most {KIND_CHARS}) too long")
    try:
        taken_on = dt.date.fromisoformat(d.get("taken_on") or "")
    except (TypeError, ValueError):
        raise OperationMalformed("taken_on must be an ISO date") from None
    base, fields_, intended = d.get("base", {}), d.get("fields", {}), d.get("intended", {})
    if not (isinstance(base, dict) and all(isinstance(k, str) and type(v) is int for k, v in base.items())):
        raise OperationMalformed("base must map resident ids to versions")
    if not (isinstance(fields_, dict) and all(isinstance(v, list) and all(isinstance(f, str) for f in v) for v in fields_.values())):
        raise OperationMalformed("fields must map resident ids to lists of keys")
    if not (isinstance(intended, dict) and all(isinstance(v, dict) for v in intended.values())):
        raise OperationMalformed("intended must map resident ids to records")
    if max(len(base), len(fields_), len(intended)) > MAX_RESIDENTS_PER_OPERATION:
        raise OperationMalformed("too many residents in one operation")
    if any(len(rid) > RESIDENT_ID_CHARS for rid in (*base, *fields_, *intended)):
        raise OperationMalformed(f"resident ids are at most {RESIDENT_ID_CHARS} characters")
    unknown = set(d) - {"operation_id", "operator_id", "kind", "notification", "taken_on", "base", "fields", "intended"}
    if unknown:
        raise OperationMalformed(f"unknown keys {sorted(unknown)}")
    return Operation(op_id, operator_id, kind, notification, taken_on, base, fields_, intended)


def _check_ids_fit(change) -> None:
    """The registry's columns hold ids up to their length (PostgreSQL refuses longer ones, SQLite
    would keep them): a notification that makes longer ones is refused like any other rule."""
    errors = {}
    for d in change.residents:
        if len(d.resident_id) > RESIDENT_ID_CHARS:
            errors[d.resident_id] = FieldError("resident_id", f"宛名番号は{RESIDENT_ID_CHARS}文字以内にしてください")
    for hid in {d.after.household_id for d in change.residents} | {h.household_id for h in change.households}:
        if len(hid) > HOUSEHOLD_ID_CHARS:
            errors[hid] = FieldError("household_id", f"世帯番号は{HOUSEHOLD_ID_CHARS}文字以内にしてください")
    if errors:
        raise ValidationError(list(errors.values()))


def _result(op_id: str, state: str, code: str, **extra) -> dict:
    return {"operation_id": op_id, "state": state, "code": code, "message": MESSAGES[code], **extra}


def _authoritative(reg: RegistryRegister, resident_ids) -> dict:
    """The registry's current records of residents (and their households), for a terminal to put back."""
    found = reg.residents_by_id(resident_ids)
    hh = [reg.household(hid) for hid in sorted({r.household_id for r in found.values()})]
    return {
        "residents": [resident_to_dict(r) for r in found.values()],
        "households": [household_to_dict(h) for h in hh if h is not None],
    }


class OperationService:
    """Applies operations for one connection whose transaction holds the writer lock."""

    def __init__(self, conn: Connection, policy: Policy, *, today: dt.date | None = None):
        self.conn = conn
        self.policy = policy
        self.today = today or dt.date.today()
        self.reg = RegistryRegister(conn)
        self._operator_problems: dict[str, str | None] = {}
        self._stored: dict[str, dict] = {}
        self._not_stored: set[str] = set()
        self._deferred = False
        self._pending_operations: list[dict] = []
        self._anything_held: bool | None = None

    def stored_result(self, op_id: str) -> dict | None:
        if op_id in self._stored:
            return self._stored[op_id]
        if op_id in self._not_stored:
            return None
        row = self.conn.execute(select(operations.c.result).where(operations.c.operation_id == op_id)).first()
        return None if row is None else orjson.loads(row[0])

    def submit_all(self, raws: list, *, terminal_id: str) -> list[dict]:
        """Processes a push in order; what can be read for all of them at once is read once."""
        ids = [r["operation_id"] for r in raws if isinstance(r, dict) and is_uuid7(r.get("operation_id"))]
        if ids:
            for op_id, result in self.conn.execute(select(operations.c.operation_id, operations.c.result).where(operations.c.operation_id.in_(ids))):
                self._stored[op_id] = orjson.loads(result)
        self._not_stored.update(i for i in ids if i not in self._stored)
        # Sequence numbers from memory, the counter written once at the end (writer lock held).
        last = lock_writer(self.conn)
        counter_ = iter(range(last + 1, 2**62))
        issued = [last]

        def next_number() -> int:
            issued[0] = next(counter_)
            return issued[0]

        self.reg.next_seq = next_number
        self.reg.deferred = self._deferred = True
        try:
            results = [self.submit(raw, terminal_id=terminal_id) for raw in raws]
            self.reg.flush()
            if self._pending_operations:
                self.conn.execute(insert(operations), self._pending_operations)
        finally:
            self.reg.next_seq = lambda: next_seq(self.conn)
            self.reg.deferred = self._deferred = False
            self._pending_operations = []
        if issued[0] != last:
            self.conn.execute(update(counter).where(counter.c.id == 1).values(seq=issued[0]))
        return results

    def submit(self, raw: object, *, terminal_id: str) -> dict:
        """Processes one operation as sent. Every refusal is decided before anything is written,
        so a refused operation leaves nothing behind and never spoils the others; a database
        failure while writing fails the whole push (the terminal sends it again: idempotent)."""
        try:
            op = parse_operation(raw)
        except OperationMalformed as e:
            op_id = raw.get("operation_id") if isinstance(raw, dict) and is_uuid7(raw.get("operation_id")) else ""
            return _result(op_id, REJECTED, "malformed", detail=str(e), stored=False)
        stored = self.stored_result(op.operation_id)
        if stored is not None:
            return self._reply({**stored, "duplicate": True}, op)
        result = self._decide(op, terminal_id)
        self._store(op, terminal_id, result)
        self._stored[op.operation_id] = result
        self._not_stored.discard(op.operation_id)
        return self._reply(result, op)

    def _reply(self, result: dict, op: Operation) -> dict:
        """What the terminal gets: for an operation not confirmed, the registry's current records
        of the residents it touched, to put back in place of the terminal's provisional ones."""
        if result["state"] == CONFIRMED:
            return result
        return {**result, **_authoritative(self.reg, set(op.base) | set(op.fields) | set(op.intended))}

    def _store(self, op: Operation, terminal_id: str, result: dict) -> None:
        now = time.time()
        row = {
            "operation_id": op.operation_id,
            "terminal_id": terminal_id,
            "operator_id": op.operator_id,
            "kind": op.kind,
            "payload": dumps(op.to_payload()),
            "state": result["state"],
            "result": dumps(result),
            "received_at": now,
            "decided_at": None if result["state"] == REVIEW else now,
            "decided_by": "",
            "change_seq": result.get("seq"),
        }
        if self._deferred:
            self._pending_operations.append(row)
        else:
            self.conn.execute(insert(operations), row)
        if result["state"] == REVIEW:
            self._hold(op)

    def _hold(self, op: Operation) -> None:
        ids = sorted(set(op.base) | set(op.fields) | set(op.intended))
        if ids:
            self._anything_held = True
            self.conn.execute(insert(operation_residents), [{"operation_id": op.operation_id, "resident_id": r} for r in ids])

    def _operator_problem(self, op: Operation) -> str | None:
        if op.operator_id not in self._operator_problems:
            row = self.conn.execute(select(operators.c.role, operators.c.active).where(operators.c.operator_id == op.operator_id)).first()
            problem = None
            if row is None or not row.active:
                problem = "operator_unknown"
            elif row.role not in WRITER_ROLES:
                problem = "operator_not_allowed"
            self._operator_problems[op.operator_id] = problem
        return self._operator_problems[op.operator_id]

    def _held(self, resident_ids: set[str]) -> str | None:
        """An operation in review that holds one of these residents, if any."""
        if self._anything_held is None:
            self._anything_held = self.conn.execute(select(operation_residents.c.operation_id).limit(1)).first() is not None
        if not resident_ids or not self._anything_held:
            return None
        return self.conn.execute(
            select(operation_residents.c.operation_id).where(operation_residents.c.resident_id.in_(sorted(resident_ids)))
        ).scalar()

    def _decide(self, op: Operation, terminal_id: str, *, approving: bool = False) -> dict:
        problem = self._operator_problem(op)
        if problem:
            return _result(op.operation_id, REJECTED, problem)
        try:
            notification = notification_from_dict({**op.notification, "kind": op.kind})
        except ValidationError as e:
            return _result(op.operation_id, REJECTED, "malformed", errors=[{"field": x.field, "message": x.message} for x in e.errors])
        touched = set(op.base) | set(op.fields)
        if not approving:
            waiting = self._held(touched)
            if waiting is not None:
                return _result(op.operation_id, REVIEW, "waiting_for_review", waiting_for=waiting)
        self.reg.prefetch(touched)
        code = "confirmed"
        stale = {rid: v for rid, v in op.base.items() if self.reg.version_of(rid) != v}
        if stale and not approving:
            overlap = {
                rid: sorted(set(op.fields.get(rid, ())) & self.reg.fields_changed_since(rid, v)) for rid, v in stale.items()
            }
            overlap = {rid: f for rid, f in overlap.items() if f}
            if overlap:
                return _result(
                    op.operation_id, REVIEW, "conflict", overlapping=overlap, **{"theirs": _authoritative(self.reg, stale)}
                )
            code = "merged"
        today = min(op.taken_on, self.today)
        try:
            change = apply_notification(notification, self.reg, change_id=op.operation_id, today=today)
            _check_ids_fit(change)
        except ValidationError as e:
            return _result(
                op.operation_id,
                REJECTED,
                "invalid",
                errors=[{"field": x.field, "message": x.message} for x in e.errors],
            )
        if op.kind in self.policy.review_kinds and not approving:
            return _result(op.operation_id, REVIEW, "needs_approval")
        seq = self.reg.record_change(change, operation_id=op.operation_id, operator_id=op.operator_id, terminal_id=terminal_id)
        return _result(op.operation_id, CONFIRMED, "approved" if approving else code, seq=seq)

    # -- 審査・決裁 ----------------------------------------------------------------------------
    def review_queue(self) -> list[dict]:
        rows = self.conn.execute(select(operations).where(operations.c.state == REVIEW).order_by(operations.c.received_at))
        return [
            {
                "operation_id": r.operation_id,
                "terminal_id": r.terminal_id,
                "operator_id": r.operator_id,
                "kind": r.kind,
                "received_at": r.received_at,
                "result": orjson.loads(r.result),
                "payload": orjson.loads(r.payload),
            }
            for r in rows
        ]

    def decide(self, op_id: str, *, approve: bool, supervisor_id: str, comment: str = "") -> dict:
        """A supervisor's decision on an operation in review; returns its new result.

        Approval applies it to the current state (the rules run again); if they refuse it now, the
        operation stays in review and the errors come back. Operations queued behind it run next."""
        if not is_uuid7(op_id):  # never stored (and PostgreSQL would choke on some, such as NUL)
            raise LookupError(op_id)
        row = self.conn.execute(select(operations).where(operations.c.operation_id == op_id)).first()
        if row is None or row.state != REVIEW:
            raise LookupError(op_id)
        op = parse_operation(orjson.loads(row.payload))
        if approve:
            with self.conn.begin_nested() as sp:
                result = self._decide(op, row.terminal_id, approving=True)
                if result["state"] != CONFIRMED:
                    sp.rollback()
                    return result
        else:
            result = _result(op_id, REJECTED, "rejected_by_supervisor", comment=comment)
        if comment:
            result["comment"] = comment
        self.conn.execute(
            update(operations)
            .where(operations.c.operation_id == op_id)
            .values(state=result["state"], result=dumps(result), decided_at=time.time(), decided_by=supervisor_id, change_seq=result.get("seq"))
        )
        self.conn.execute(delete(operation_residents).where(operation_residents.c.operation_id == op_id))
        self._release_waiting(set(op.base) | set(op.fields) | set(op.intended))
        return result

    def _release_waiting(self, resident_ids: set[str]) -> None:
        """Runs again, oldest first, the operations that were only waiting for these residents."""
        if not resident_ids:
            return
        waiting = self.conn.execute(
            select(operations)
            .where(
                operations.c.state == REVIEW,
                operations.c.operation_id.in_(
                    select(operation_residents.c.operation_id).where(operation_residents.c.resident_id.in_(sorted(resident_ids)))
                ),
            )
            .order_by(operations.c.received_at)
        ).all()
        waiting = [row for row in waiting if orjson.loads(row.result).get("code") == "waiting_for_review"]
        if not waiting:
            return
        # Let go of them all, then decide them in the order received: each sees only those before it.
        self.conn.execute(delete(operation_residents).where(operation_residents.c.operation_id.in_([r.operation_id for r in waiting])))
        for row in waiting:
            op = parse_operation(orjson.loads(row.payload))
            with self.conn.begin_nested():
                result = self._decide(op, row.terminal_id)
                self.conn.execute(
                    update(operations)
                    .where(operations.c.operation_id == op.operation_id)
                    .values(state=result["state"], result=dumps(result), change_seq=result.get("seq"),
                            decided_at=None if result["state"] == REVIEW else time.time())
                )
                if result["state"] == REVIEW:
                    self._hold(op)

    def results(self, op_ids: list[str]) -> list[dict]:
        rows = self.conn.execute(select(operations.c.result).where(operations.c.operation_id.in_(op_ids)))
        return [orjson.loads(r[0]) for r in rows]
