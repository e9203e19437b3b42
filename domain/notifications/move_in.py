"""転入届 (move-in, j590): one or more people come to live in the city, from elsewhere in Japan
(国内転入) or from abroad (国外転入等)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change
from domain.notifications import fields
from domain.notifications.common import (
    DateLike,
    Notification,
    city_address,
    day,
    existing_household,
    make_change,
    not_after,
    not_future,
    notified_on,
    one_household_target,
    outside_address,
    same_place,
    to_record_date,
    unused_household_id,
)
from domain.notifications.fields import NewPerson
from domain.notifications.households import destination_householders, related_to_member
from domain.register import RegisterView
from domain.residents import Address, Household, Resident


@dataclass(frozen=True)
class MoveIn(Notification):
    """転入届.

    `moved_on` is 住所を定めた年月日 (also 住民となった年月日, j590); `previous_address` the 転入前住所
    (国外 allowed: prefecture 「国外」). The people form a new household (`new_household_id`, one of
    them 世帯主) or join an existing one at the same address (`join_household_id`, none 世帯主).
    """

    persons: tuple[NewPerson, ...]
    address: Address
    moved_on: DateLike
    notified_on: dt.date
    previous_address: Address | None
    new_household_id: str = ""
    join_household_id: str = ""

    @property
    def reason(self) -> ChangeReason:
        abroad = self.previous_address is not None and self.previous_address.is_abroad
        return ChangeReason.MOVE_IN_ABROAD if abroad else ChangeReason.MOVE_IN_DOMESTIC

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        moved = day(p, self.moved_on, "moved_on", "住所を定めた年月日")
        not_future(p, moved, today, "moved_on", "住所を定めた年月日")
        notified = notified_on(p, self.notified_on, today)
        not_after(p, moved, notified, "moved_on", "住所を定めた年月日", "届出日")
        address = city_address(p, self.address, "address", "住所")
        previous = outside_address(p, self.previous_address, "previous_address", "転入前住所")

        persons = tuple(self.persons or ())
        if not persons:
            p.add("persons", "転入者を1人以上入力してください")
        births = {}
        seen: set[str] = set()
        previous_records: dict[str, Resident | None] = {}
        for i, person in enumerate(persons):
            prefix = f"persons[{i}]."
            births[i] = fields.new_person(p, person, prefix, today=today, becomes_resident_on=moved)
            if not isinstance(person, NewPerson):
                continue
            rid = person.resident_id
            if rid in seen:
                p.add(f"{prefix}resident_id", f"宛名番号{rid}が重複しています")
            seen.add(rid)
            existing = register.resident(rid) if rid else None
            if existing is not None and existing.is_current:
                p.add(f"{prefix}resident_id", f"宛名番号{rid}の住民は既に住民として記録されています（転入できません）")
            previous_records[rid] = existing

        people = [x for x in persons if isinstance(x, NewPerson)]
        mode = one_household_target(p, self.new_household_id, self.join_household_id)
        members: list[Resident] = []
        if mode == "new":
            unused_household_id(p, register, self.new_household_id, "new_household_id")
        elif mode == "join":
            members = existing_household(p, register, self.join_household_id, "join_household_id")
            if members and address is not None and not same_place(address, members[0].address):
                p.add("address", f"住所が入る世帯（世帯番号{self.join_household_id}）の住所と一致しません")
        if mode:
            destination_householders(
                p,
                joining=mode == "join",
                relationships={x.resident_id: x.relationship for x in people},
                fields={x.resident_id: f"persons[{i}].relationship" for i, x in enumerate(persons) if isinstance(x, NewPerson)},
                existing=members,
                field="persons",
            )
        allowed = {m.resident_id for m in members} | {x.resident_id for x in people}
        for i, x in enumerate(persons):
            if isinstance(x, NewPerson) and x.related_to:
                related_to_member(p, x.related_to, x.resident_id, allowed, f"persons[{i}].related_to")
        p.raise_if_any()

        assert moved is not None and notified is not None and address is not None
        household_id = self.new_household_id or self.join_household_id
        moved_record = to_record_date(moved)
        updates = []
        for i, x in enumerate(people):
            before = previous_records.get(x.resident_id)
            after = fields.resident_from(
                x,
                household_id=household_id,
                address=address,
                birth_date=births[i],  # type: ignore[arg-type]
                became_resident_on=moved_record,
                address_set_on=moved,
                notified_on=notified,
                previous_address=previous,
                previous=before,
            )
            updates.append((before, after))
        households = [Household(household_id)] if mode == "new" else []
        return make_change(
            change_id=change_id,
            reason=self.reason,
            occurred_on=moved,
            notified_on=notified,
            updates=updates,
            households=households,
            register=register,
        )
