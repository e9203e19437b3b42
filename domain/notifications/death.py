"""死亡 (death, j820): the record becomes a removed record (除票) with the day of death."""
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
    current_resident,
    make_change,
    not_before,
    not_future,
    notified_on,
    record_date,
)
from domain.notifications.households import after_householder_leaves
from domain.register import RegisterView
from domain.residents import Removal, Resident, Status


@dataclass(frozen=True)
class Death(Notification):
    """死亡.

    `death_date` may be partly unknown (j80: 「令和7年4月上旬」「年月日不詳」), but not after today nor
    before the birth date. A 世帯主 who dies leaving others: the same rule as 転出 (j490).
    """

    resident_id: str
    death_date: DateLike | None
    notified_on: dt.date
    new_householder_id: str = ""
    relationships: Mapping[str, str] = field(default_factory=dict)

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        person = current_resident(p, register, self.resident_id, "resident_id", "死亡の処理は")
        died = record_date(p, self.death_date, "death_date", "死亡日")
        not_future(p, died, today, "death_date", "死亡日")
        notified = notified_on(p, self.notified_on, today)
        not_before(p, notified, died, "notified_on", "届出日", "死亡日")
        staying: list[tuple[Resident, Resident]] = []
        households = []
        note = ""
        if person is not None:
            not_before(p, died, person.birth_date, "death_date", "死亡日", "生年月日")
            staying, household, note = after_householder_leaves(
                p, register, person.household_id, {person.resident_id}, self.new_householder_id,
                dict(self.relationships or {}),
            )
            if household is not None:
                households.append(household)
        p.raise_if_any()

        assert person is not None and died is not None and notified is not None
        removal = Removal(ChangeReason.DEATH.code, died)
        updates: list[tuple[Resident | None, Resident]] = [
            (person, person.evolve(status=Status.REMOVED, removal=removal, notified_on=notified))
        ]
        return make_change(
            change_id=change_id,
            reason=ChangeReason.DEATH,
            occurred_on=died,
            notified_on=notified,
            updates=updates + staying,
            households=households,
            note=note,
            register=register,
        )
