"""世帯変更届 (j720): members move between households at the same address.

What happened decides the reason: members leave to form a NEW household → 世帯分離; a whole household
joins another → 世帯合併; some members join another existing household → 世帯変更.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change
from domain.notifications.common import (
    DateLike,
    Notification,
    current_residents,
    day,
    existing_household,
    make_change,
    not_after,
    not_future,
    notified_on,
    one_household_target,
    same_place,
    unused_household_id,
)
from domain.notifications.households import after_householder_leaves, mover_relationships, relationship_field
from domain.register import RegisterView
from domain.residents import Household, Resident


@dataclass(frozen=True)
class HouseholdChange(Notification):
    """世帯分離 (`new_household_id`) / 世帯合併・世帯変更 (`join_household_id`).

    `relationships` gives each mover's relationship in the destination (a single person forming a
    new household is its 世帯主 unasked) and, when the 世帯主 leaves others behind, the relationships
    of those who stay to `new_householder_id` (required when two or more stay, j490).
    """

    resident_ids: tuple[str, ...]
    changed_on: DateLike
    notified_on: dt.date
    new_household_id: str = ""
    join_household_id: str = ""
    relationships: Mapping[str, str] = field(default_factory=dict)
    new_householder_id: str = ""

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        movers = current_residents(p, register, self.resident_ids, "resident_ids", "世帯変更の処理は")
        changed = day(p, self.changed_on, "changed_on", "異動日")
        not_future(p, changed, today, "changed_on", "異動日")
        notified = notified_on(p, self.notified_on, today)
        not_after(p, changed, notified, "changed_on", "異動日", "届出日")

        mover_ids = {r.resident_id for r in movers}
        source_id = movers[0].household_id if movers else ""
        source_members = register.household_members(source_id) if source_id else []
        whole = bool(movers) and mover_ids == {m.resident_id for m in source_members}
        rels = dict(self.relationships or {})
        mode = one_household_target(p, self.new_household_id, self.join_household_id)
        destination: dict[str, str] = {}
        reason = ChangeReason.HOUSEHOLD_CHANGE
        if mode == "new":
            reason = ChangeReason.HOUSEHOLD_SEPARATION
            unused_household_id(p, register, self.new_household_id, "new_household_id")
            if whole:
                p.add("new_household_id", "世帯全員を新しい世帯に分離することはできません")
            elif movers:
                destination = mover_relationships(p, movers, rels, joining=False, joined=[])
        elif mode == "join":
            reason = ChangeReason.HOUSEHOLD_MERGER if whole else ChangeReason.HOUSEHOLD_CHANGE
            joined = existing_household(p, register, self.join_household_id, "join_household_id")
            if self.join_household_id == source_id:
                p.add("join_household_id", "入る世帯が現在の世帯と同じです")
            elif joined and movers and not same_place(joined[0].address, movers[0].address):
                p.add("join_household_id", "世帯変更は同じ住所の世帯の間でのみできます（住所が違うときは転居届です）")
            elif movers:
                destination = mover_relationships(p, movers, rels, joining=True, joined=joined)

        staying: list[tuple[Resident, Resident]] = []
        source_household = None
        note = ""
        if movers and not whole:
            staying_ids = {m.resident_id for m in source_members} - mover_ids
            staying, source_household, note = after_householder_leaves(
                p, register, source_id, mover_ids, self.new_householder_id,
                {k: v for k, v in rels.items() if k in staying_ids},
            )
        elif self.new_householder_id:
            p.add("new_householder_id", "世帯全員が移るため、残る世帯の新しい世帯主は指定できません")
        known = mover_ids | {m.resident_id for m in source_members}
        for rid in rels:
            if rid not in known:
                p.add(relationship_field("relationships", rid), f"宛名番号{rid}は世帯を移る人にも世帯に残る人にも含まれません")
        p.raise_if_any()

        assert changed is not None and notified is not None
        target = self.new_household_id or self.join_household_id
        by_id = {r.resident_id: r for r in movers}
        updates: list[tuple[Resident | None, Resident]] = [
            (
                by_id[rid],
                by_id[rid].evolve(household_id=target, relationship=destination[rid], notified_on=notified),
            )
            for rid in self.resident_ids
        ]
        updates += staying
        households = [h for h in (source_household,) if h is not None]
        if self.new_household_id:
            households.append(Household(self.new_household_id))
        return make_change(
            change_id=change_id,
            reason=reason,
            occurred_on=changed,
            notified_on=notified,
            updates=updates,
            households=households,
            note=note,
            register=register,
        )
