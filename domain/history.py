"""異動履歴: every change kept with the state before and after (j200); a cancellation is a new change (j980)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.change_reasons import ChangeReason
from domain.record_dates import RecordDate
from domain.residents import Household, Resident


@dataclass(frozen=True)
class ResidentDelta:
    """One resident's record before and after a change; `before` is None when the record is new."""

    resident_id: str
    before: Resident | None
    after: Resident

    def changed_fields(self) -> tuple[str, ...]:
        if self.before is None:
            return ("*",)
        return tuple(
            name
            for name in self.after.__dataclass_fields__
            if name != "version" and getattr(self.before, name) != getattr(self.after, name)
        )


@dataclass(frozen=True)
class Change:
    """One change (異動) as a whole: what a notification did to one or more residents and households.

    `change_id` is made by the client (a UUIDv7), `occurred_on` is the 異動日, `notified_on` the 届出日.
    `cancels` names the change this one reverses (異動の取消し). `households` are the household
    records as the change leaves them, `households_before` as they were (empty for a new one), so
    that a cancellation can restore a clerk-set member order.
    """

    change_id: str
    reason: ChangeReason
    occurred_on: RecordDate
    notified_on: dt.date
    residents: tuple[ResidentDelta, ...]
    households: tuple[Household, ...] = field(default=())
    households_before: tuple[Household, ...] = field(default=())
    cancels: str = ""
    note: str = ""

    @property
    def resident_ids(self) -> tuple[str, ...]:
        return tuple(d.resident_id for d in self.residents)
