"""Issuance history (交付履歴, standard-spec j300) in the terminal's encrypted cache.

Append-only: a copy issued is one `issued` row; a copy spoiled afterwards (誤って発行した証明書の処分,
a print that failed) is a second, `spoiled`, row naming it. A kiosk also records the attempts the
rules turned down as `refused` rows (no number, no pages, the reason), so the history shows every
attempt of an identified resident. Each row carries what j300 asks for —
when, where (terminal), for whom (resident ids), which kind and items, pages, issue numbers, the
operator — so that each row read alone says what happened. The rows go up to the registry in seq
order (app.sync.engine), like the access log.

The issue number's sequence (j1040) counts the copies issued at this terminal on one day; it is
taken in the same transaction that records the copy, so no two copies ever share a number and a
number is never handed out without a row that says what became of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection, func, insert, select

from app.store.schema import issuance_history, issuance_residents

ISSUED = "issued"
SPOILED = "spoiled"
REFUSED = "refused"


class NotIssuedHere(Exception):
    message = "その発行番号の証明書はこの端末で発行されていないか、すでに処分済みです。"


@dataclass(frozen=True)
class IssuedCopy:
    """One copy of a certificate as the history keeps it."""

    issuance_id: str
    batch_id: str
    at: dt.datetime  # aware
    sequence: int
    operator_id: str
    terminal_id: str
    channel: str
    kind: str
    resident_ids: tuple[str, ...]
    items: dict
    pages: int
    issue_numbers: tuple[str, ...]
    printer: str = ""
    my_number_printed: bool = False
    official_use: bool = False
    fee: int = 0
    lift_id: str = ""
    reprint_of: str = ""
    reason: str = ""
    state: str = ISSUED  # issued | spoiled (as read back)
    spoiled_reason: str = field(default="", compare=False)

    @property
    def issued_on(self) -> dt.date:
        return self.at.date()


def next_sequence(conn: Connection, day: dt.date) -> int:
    """The next issue-number sequence of `day` at this terminal (call inside the writing transaction)."""
    last = conn.execute(
        select(func.max(issuance_history.c.sequence)).where(
            issuance_history.c.issued_on == day.strftime("%Y%m%d"), issuance_history.c.event == ISSUED
        )
    ).scalar()
    return (last or 0) + 1


def _row(event: str, c: IssuedCopy, *, at: dt.datetime, operator_id: str, reason: str) -> dict:
    return {
        "event": event,
        "issuance_id": c.issuance_id,
        "batch_id": c.batch_id,
        "at": at.isoformat(timespec="seconds"),
        "issued_on": c.issued_on.strftime("%Y%m%d"),
        "sequence": c.sequence,
        "operator_id": operator_id,
        "terminal_id": c.terminal_id,
        "channel": c.channel,
        "kind": c.kind,
        "resident_ids": orjson.dumps(list(c.resident_ids)).decode(),
        "items": orjson.dumps(c.items, option=orjson.OPT_SORT_KEYS).decode(),
        "pages": c.pages,
        "issue_numbers": orjson.dumps(list(c.issue_numbers)).decode(),
        "printer": c.printer,
        "my_number_printed": int(c.my_number_printed),
        "official_use": int(c.official_use),
        "fee": c.fee,
        "lift_id": c.lift_id,
        "reprint_of": c.reprint_of,
        "reason": reason,
    }


def record_issued(conn: Connection, copy: IssuedCopy) -> int:
    seq = conn.execute(insert(issuance_history).values(**_row(ISSUED, copy, at=copy.at, operator_id=copy.operator_id, reason=copy.reason))).inserted_primary_key[0]
    conn.execute(insert(issuance_residents), [{"seq": seq, "resident_id": r} for r in dict.fromkeys(copy.resident_ids)])
    return seq


def record_refused(conn: Connection, attempt: IssuedCopy) -> int:
    """An attempt the rules refused (a kiosk's): the order as asked, no number, the reason."""
    row = _row(REFUSED, attempt, at=attempt.at, operator_id=attempt.operator_id, reason=attempt.reason)
    seq = conn.execute(insert(issuance_history).values(**row)).inserted_primary_key[0]
    conn.execute(insert(issuance_residents), [{"seq": seq, "resident_id": r} for r in dict.fromkeys(attempt.resident_ids)])
    return seq


def _from_row(row) -> IssuedCopy:
    return IssuedCopy(
        issuance_id=row.issuance_id,
        batch_id=row.batch_id,
        at=dt.datetime.fromisoformat(row.at),
        sequence=row.sequence,
        operator_id=row.operator_id,
        terminal_id=row.terminal_id,
        channel=row.channel,
        kind=row.kind,
        resident_ids=tuple(orjson.loads(row.resident_ids)),
        items=orjson.loads(row.items),
        pages=row.pages,
        issue_numbers=tuple(orjson.loads(row.issue_numbers)),
        printer=row.printer,
        my_number_printed=bool(row.my_number_printed),
        official_use=bool(row.official_use),
        fee=row.fee,
        lift_id=row.lift_id,
        reprint_of=row.reprint_of,
        reason=row.reason,
    )


def copy(conn: Connection, issuance_id: str) -> IssuedCopy | None:
    """A copy as issued, with its state now (spoiled or not)."""
    rows = conn.execute(
        select(issuance_history).where(issuance_history.c.issuance_id == issuance_id).order_by(issuance_history.c.seq)
    ).all()
    issued = next((r for r in rows if r.event == ISSUED), None)
    if issued is None:
        return None
    spoiled = next((r for r in rows if r.event == SPOILED), None)
    c = _from_row(issued)
    if spoiled is None:
        return c
    return IssuedCopy(**{**c.__dict__, "state": SPOILED, "spoiled_reason": spoiled.reason})


def record_spoiled(conn: Connection, issuance_id: str, *, operator_id: str, at: dt.datetime, reason: str) -> int:
    """処分: a copy that must not be used (misprinted, a print that failed, handed back)."""
    c = copy(conn, issuance_id)
    if c is None or c.state == SPOILED:
        raise NotIssuedHere(issuance_id)
    return conn.execute(insert(issuance_history).values(**_row(SPOILED, c, at=at, operator_id=operator_id, reason=reason))).inserted_primary_key[0]


def copies_for(conn: Connection, resident_id: str, limit: int = 200) -> list[IssuedCopy]:
    """The copies that showed this resident, newest first, each with its state (the resident view's 交付履歴)."""
    ids = conn.execute(
        select(issuance_history.c.issuance_id)
        .join(issuance_residents, issuance_residents.c.seq == issuance_history.c.seq)
        .where(issuance_residents.c.resident_id == resident_id)
        .order_by(issuance_history.c.seq.desc())
        .limit(limit)
    ).scalars().all()
    return [c for c in (copy(conn, i) for i in ids) if c is not None]


def events_after(conn: Connection, seq: int, limit: int) -> list[dict]:
    """History rows after `seq`, as they go up to the registry."""
    rows = conn.execute(select(issuance_history).where(issuance_history.c.seq > seq).order_by(issuance_history.c.seq).limit(limit)).all()
    return [{str(k): v for k, v in r._mapping.items()} for r in rows]  # plain str keys (orjson refuses quoted_name)
