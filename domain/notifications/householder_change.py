"""世帯主変更届 (j720, j730): another member becomes 世帯主; every member's relationship is given anew."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change
from domain.notifications.common import (
    DateLike,
    Notification,
    day,
    existing_household,
    make_change,
    not_after,
    not_future,
    notified_on,
)
from domain.notifications.households import kept_order, new_relationships, relationship_field
from domain.register import RegisterView


@dataclass(frozen=True)
class HouseholderChange(Notification):
    """世帯主変更.

    `relationships` must give every member's relationship to the new 世帯主 (the new 世帯主's own is
    「世帯主」 and may be left out). Every member gets a new version: the 世帯主 on each record changes.
    A clerk-set member order keeps its order with the new 世帯主 moved to the front (the record before
    is kept in the Change, so that a cancellation gives the clerk's order back exactly).
    """

    household_id: str
    new_householder_id: str
    relationships: Mapping[str, str]
    changed_on: DateLike
    notified_on: dt.date

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        changed = day(p, self.changed_on, "changed_on", "異動日")
        not_future(p, changed, today, "changed_on", "異動日")
        notified = notified_on(p, self.notified_on, today)
        not_after(p, changed, notified, "changed_on", "異動日", "届出日")
        members = existing_household(p, register, self.household_id, "household_id")
        rels = dict(self.relationships or {})
        result = None
        if members:
            if not self.new_householder_id:
                p.add("new_householder_id", "新しい世帯主を選択してください")
            else:
                current = next((m for m in members if m.resident_id == self.new_householder_id), None)
                if current is not None and current.is_householder:
                    p.add("new_householder_id", f"新しい世帯主（宛名番号{self.new_householder_id}）は既に世帯主です")
                else:
                    result = new_relationships(
                        p, members, self.new_householder_id, rels, require_all=True,
                        field_new="new_householder_id", field_rel="relationships",
                    )
            ids = {m.resident_id for m in members}
            for rid in rels:
                if rid not in ids:
                    p.add(relationship_field("relationships", rid), f"宛名番号{rid}はこの世帯の世帯員ではありません")
        p.raise_if_any()

        assert changed is not None and notified is not None and result is not None
        updates = [(m, m.evolve(relationship=result[m.resident_id], notified_on=notified)) for m in sorted(members, key=lambda m: m.resident_id)]
        household = kept_order(register, self.household_id, {m.resident_id for m in members}, self.new_householder_id)
        return make_change(
            change_id=change_id,
            reason=ChangeReason.HOUSEHOLDER_CHANGE,
            occurred_on=changed,
            notified_on=notified,
            updates=updates,
            households=[household] if household else [],
            register=register,
        )
