"""出生 (birth, j810): a child born to the city's residents is recorded from the 出生届."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change
from domain.notifications import fields
from domain.notifications.common import (
    Notification,
    city_address,
    day,
    existing_household,
    make_change,
    not_before,
    notified_on,
    one_household_target,
    same_place,
    to_record_date,
    unused_household_id,
)
from domain.notifications.fields import NewPerson
from domain.notifications.households import destination_householders, related_to_member
from domain.register import RegisterView
from domain.residents import Address, ForeignCategory, ForeignResidentInfo, Household, ResidentKind


@dataclass(frozen=True)
class Birth(Notification):
    """出生.

    The child usually joins an existing household (`join_household_id`, the household's address);
    rarely forms a new one (`new_household_id` with `address`, the child as 世帯主). A foreign
    newborn is registered as 出生による経過滞在者 (ForeignCategory.TRANSITIONAL). 住民となった年月日
    and 住所を定めた年月日 are the birth date, which must be a calendar day.
    """

    person: NewPerson
    notified_on: dt.date
    join_household_id: str = ""
    new_household_id: str = ""
    address: Address | None = None

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        person = self.person
        notified = notified_on(p, self.notified_on, today)
        born = None
        if isinstance(person, NewPerson) and person.birth_date is not None:
            born = day(p, person.birth_date, "person.birth_date", "生年月日")
            not_before(p, notified, born, "notified_on", "届出日", "生年月日")
        birth = fields.new_person(p, person, "person.", today=today, becomes_resident_on=born)
        previous = None
        if isinstance(person, NewPerson):
            if person.kind is ResidentKind.FOREIGN and isinstance(person.foreign, ForeignResidentInfo):
                if person.foreign.category is not ForeignCategory.TRANSITIONAL:
                    p.add("person.foreign.category", "外国人住民の出生子の法第30条の45の区分は「出生による経過滞在者」です")
            previous = register.resident(person.resident_id) if person.resident_id else None
            if previous is not None:
                p.add("person.resident_id", f"宛名番号{person.resident_id}は既に使われています")

        mode = one_household_target(p, self.new_household_id, self.join_household_id)
        members = []
        address = None
        if mode == "new":
            unused_household_id(p, register, self.new_household_id, "new_household_id")
            address = city_address(p, self.address, "address", "住所")
        elif mode == "join":
            members = existing_household(p, register, self.join_household_id, "join_household_id")
            if members:
                address = members[0].address
                if self.address is not None and not same_place(self.address, address):
                    p.add("address", f"住所が入る世帯（世帯番号{self.join_household_id}）の住所と一致しません")
        if mode and isinstance(person, NewPerson):
            destination_householders(
                p,
                joining=mode == "join",
                relationships={person.resident_id: person.relationship},
                fields={person.resident_id: "person.relationship"},
                existing=members,
                field="person.relationship",
            )
            if person.related_to:
                allowed = {m.resident_id for m in members}
                related_to_member(p, person.related_to, person.resident_id, allowed, "person.related_to")
        p.raise_if_any()

        assert born is not None and notified is not None and address is not None and birth is not None
        household_id = self.new_household_id or self.join_household_id
        after = fields.resident_from(
            person,
            household_id=household_id,
            address=address,
            birth_date=birth,
            became_resident_on=to_record_date(born),
            address_set_on=born,
            notified_on=notified,
        )
        return make_change(
            change_id=change_id,
            reason=ChangeReason.BIRTH,
            occurred_on=born,
            notified_on=notified,
            updates=[(None, after)],
            households=[Household(household_id)] if mode == "new" else [],
            register=register,
        )
