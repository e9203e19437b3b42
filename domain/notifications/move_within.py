"""転居届 (move within the city, j630). In a 指定都市 a move to another ward is still a 転居; the
record takes the new ward's 地方公共団体コード."""
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
    city_address,
    current_residents,
    day,
    existing_household,
    make_change,
    not_after,
    not_before,
    not_future,
    notified_on,
    same_place,
    unused_household_id,
)
from domain.notifications.households import after_householder_leaves, mover_relationships, relationship_field
from domain.register import RegisterView
from domain.residents import Address, Household, Resident


@dataclass(frozen=True)
class MoveWithin(Notification):
    """転居届.

    A whole household moves as it is. When part of a household moves, the movers form a new
    household (`new_household_id`; the one whose relationship is 「世帯主」 heads it — a single mover
    heads it without saying) or join an existing household at the new address
    (`join_household_id`). `relationships` gives each mover's relationship in the destination and,
    when the 世帯主 moves away from others, the relationships of those who stay to
    `new_householder_id` (j490).
    """

    resident_ids: tuple[str, ...]
    address: Address
    moved_on: DateLike
    notified_on: dt.date
    new_household_id: str = ""
    join_household_id: str = ""
    relationships: Mapping[str, str] = field(default_factory=dict)
    new_householder_id: str = ""

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        movers = current_residents(p, register, self.resident_ids, "resident_ids", "転居の処理は")
        moved = day(p, self.moved_on, "moved_on", "転居日")
        not_future(p, moved, today, "moved_on", "転居日")
        notified = notified_on(p, self.notified_on, today)
        not_after(p, moved, notified, "moved_on", "転居日", "届出日")
        for r in movers:
            not_before(p, moved, r.address_set_on, "moved_on", "転居日", f"住所を定めた年月日（宛名番号{r.resident_id}）")
        address = city_address(p, self.address, "address", "転居先住所")
        if address is not None and any(same_place(address, r.address) for r in movers):
            p.add("address", "転居先住所が現在の住所と同じです")

        mover_ids = {r.resident_id for r in movers}
        source_id = movers[0].household_id if movers else ""
        source_members = register.household_members(source_id) if source_id else []
        whole = bool(movers) and mover_ids == {m.resident_id for m in source_members}
        rels = dict(self.relationships or {})
        destination: dict[str, str] = {}
        if self.join_household_id:
            if self.new_household_id:
                p.add("new_household_id", "世帯は「新しい世帯」か「既存の世帯に入る」のどちらか一方を指定してください")
            joined = existing_household(p, register, self.join_household_id, "join_household_id")
            if self.join_household_id == source_id:
                p.add("join_household_id", "入る世帯が現在の世帯と同じです")
            elif joined and address is not None and not same_place(address, joined[0].address):
                p.add("join_household_id", f"入る世帯（世帯番号{self.join_household_id}）の住所が転居先住所と一致しません")
            destination = mover_relationships(p, movers, rels, joining=True, joined=joined)
        elif self.new_household_id:
            if whole:
                p.add("new_household_id", "世帯全員が転居するときは、新しい世帯番号は指定できません")
            else:
                unused_household_id(p, register, self.new_household_id, "new_household_id")
                destination = mover_relationships(p, movers, rels, joining=False, joined=[])
        elif movers and not whole:
            p.add("new_household_id", "世帯の一部の人が転居するときは、新しい世帯又は入る世帯を指定してください")
        elif whole:
            for rid in sorted(mover_ids & set(rels)):
                p.add(relationship_field("relationships", rid), "世帯全員の転居では続柄は変更できません（世帯主変更届で変更してください）")

        staying_updates: list[tuple[Resident, Resident]] = []
        source_household = None
        note = ""
        if movers and not whole and (self.join_household_id or self.new_household_id):
            staying_ids = {m.resident_id for m in source_members} - mover_ids
            staying_updates, source_household, note = after_householder_leaves(
                p, register, source_id, mover_ids, self.new_householder_id,
                {k: v for k, v in rels.items() if k in staying_ids},
            )
        elif self.new_householder_id:
            p.add("new_householder_id", "世帯主はこの世帯に残るため、新しい世帯主は指定できません")
        known = mover_ids | {m.resident_id for m in source_members}
        for rid in rels:
            if rid not in known:
                p.add(relationship_field("relationships", rid), f"宛名番号{rid}は転居する人にも世帯に残る人にも含まれません")
        p.raise_if_any()

        assert moved is not None and notified is not None and address is not None
        target = self.join_household_id or self.new_household_id or source_id
        updates: list[tuple[Resident | None, Resident]] = []
        for rid in self.resident_ids:
            r = next(m for m in movers if m.resident_id == rid)
            updates.append(
                (
                    r,
                    r.evolve(
                        address=address,
                        address_set_on=moved,
                        notified_on=notified,
                        household_id=target,
                        relationship=destination.get(rid, r.relationship),
                    ),
                )
            )
        updates += staying_updates
        households = [h for h in (source_household,) if h is not None]
        if self.new_household_id:
            households.append(Household(self.new_household_id))
        return make_change(
            change_id=change_id,
            reason=ChangeReason.MOVE_WITHIN,
            occurred_on=moved,
            notified_on=notified,
            updates=updates,
            households=households,
            note=note,
            register=register,
        )
