"""What the resident screen shows (住民記録の照会): the record, the household in the j1010 order,
the change history (異動履歴) and whether anything is still provisional. Built from the cache in
one read; the My Number never leaves here (it is revealed through the counter service, logged)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection, select

from app.store import issuance_history
from app.store.issuance_history import IssuedCopy
from app.store.register_store import RegisterStore
from app.store.schema import change_residents, changes
from domain.history import Change
from domain.household_order import order_members
from domain.notifications.correction import CORRECTABLE
from domain.residents import Resident
from domain.wareki import format_wareki

PROVISIONAL = "provisional"

FIELD_LABELS = {  # a record's top-level items, for "what changed" in the history
    **{k: v for k, v in CORRECTABLE.items() if "." not in k},
    "name": "氏名",
    "address": "住所",
    "household_id": "世帯",
    "status": "状態",
    "removal": "消除",
    "foreign": "外国人住民の項目",
    "suppressed": "抑止",
    "support_measure": "支援措置",
    "notified_on": "届出日",
    "kind": "住民の種別",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of 異動履歴 for this resident."""

    change_id: str
    reason: str  # 異動事由, Japanese
    occurred_on: str  # 異動日 (和暦)
    notified_on: str  # 届出日 (和暦)
    fields: str  # what changed, Japanese labels; 「新規記載」 for a new record
    state: str  # confirmed | provisional
    cancels: str  # the change this one cancels, or ""
    note: str

    @property
    def pending(self) -> bool:
        return self.state == PROVISIONAL


@dataclass(frozen=True)
class ResidentPage:
    resident: Resident  # My Number removed
    has_my_number: bool
    household: tuple[Resident, ...]  # members in the j1010 order, My Numbers removed
    history: tuple[HistoryEntry, ...]  # oldest first
    issuances: tuple[IssuedCopy, ...] = ()  # 交付履歴 at this terminal, newest first

    @property
    def pending(self) -> bool:
        """A provisional change (仮登録) that the registry has not confirmed yet."""
        return any(h.pending for h in self.history)

    @property
    def householder(self) -> Resident | None:
        return next((m for m in self.household if m.is_householder), None)


def _blank(r: Resident) -> Resident:
    return replace(r, my_number="")


def changed_labels(change: Change, resident_id: str) -> str:
    delta = next((d for d in change.residents if d.resident_id == resident_id), None)
    if delta is None:
        return ""
    if delta.before is None:
        return "新規記載"
    labels = [FIELD_LABELS.get(f, f) for f in delta.changed_fields()]
    return "、".join(dict.fromkeys(labels))


def history(conn: Connection, store: RegisterStore, resident_id: str) -> tuple[HistoryEntry, ...]:
    states = dict(
        conn.execute(
            select(changes.c.change_id, changes.c.state)
            .join(change_residents, change_residents.c.change_seq == changes.c.seq)
            .where(change_residents.c.resident_id == resident_id)
        ).all()
    )
    out = []
    for c in store.changes_of(resident_id):
        out.append(
            HistoryEntry(
                change_id=c.change_id,
                reason=c.reason.label,
                occurred_on=c.occurred_on.format_wareki(),
                notified_on=format_wareki(c.notified_on),
                fields=changed_labels(c, resident_id),
                state=states.get(c.change_id, "confirmed"),
                cancels=c.cancels,
                note=c.note,
            )
        )
    return tuple(out)


def build(conn: Connection, resident_id: str) -> ResidentPage | None:
    store = RegisterStore(conn)
    r = store.resident(resident_id)
    if r is None:
        return None
    members = store.household_members(r.household_id) if r.household_id else [r]
    h = store.household(r.household_id) if r.household_id else None
    current = [m for m in members if m.is_current] or [r]
    ordered = order_members(current, h.member_order if h else ())
    return ResidentPage(
        _blank(r),
        bool(r.my_number),
        tuple(_blank(m) for m in ordered),
        history(conn, store, resident_id),
        tuple(issuance_history.copies_for(conn, resident_id)),
    )
