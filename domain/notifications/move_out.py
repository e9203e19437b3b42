"""転出届 (move-out, j640/j650): people leave the city for another municipality (国内転出) or abroad
(国外転出). Their records become removed records (除票) at the planned moving day."""
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
    make_change,
    not_before,
    notified_on,
    outside_address,
    to_record_date,
)
from domain.notifications.households import after_householder_leaves
from domain.register import RegisterView
from domain.residents import Address, Removal, Resident, Status

# How far the 転出予定日 may lie from the 届出日.
# - Before: a 転出届 is accepted up to 14 days ahead of the move (the usual counter practice: 「転出
#   予定日の14日前から届出可」); a move further ahead is notified later.
# - After: j640 — when the 届出日 is more than 14 days after the move, the record is removed ex officio
#   (職権消除), not on a notification.
DAYS_AHEAD = 14
DAYS_LATE = 14


@dataclass(frozen=True)
class MoveOut(Notification):
    """転出届.

    `planned_on` is the 転出予定日 (may lie in the future, j480); `destination` the 転出先住所（予定）,
    municipality only is enough (j650), 国外 allowed (prefecture 「国外」). When the 世帯主 leaves and
    others stay: one stays → they become 世帯主; more → `new_householder_id` is required, and the
    relationships of those who stay (to the new 世帯主) may be given in `relationships` (j490).
    """

    resident_ids: tuple[str, ...]
    destination: Address | None
    planned_on: DateLike
    notified_on: dt.date
    new_householder_id: str = ""
    relationships: Mapping[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> ChangeReason:
        abroad = self.destination is not None and self.destination.is_abroad
        return ChangeReason.MOVE_OUT_ABROAD if abroad else ChangeReason.MOVE_OUT_DOMESTIC

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        leavers = current_residents(p, register, self.resident_ids, "resident_ids", "転出の処理は")
        planned = day(p, self.planned_on, "planned_on", "転出予定日")
        notified = notified_on(p, self.notified_on, today)
        if planned is not None and notified is not None:
            if planned > notified + dt.timedelta(days=DAYS_AHEAD):
                p.add("planned_on", f"転出予定日は届出日から{DAYS_AHEAD}日以内の日にしてください")
            if planned < notified - dt.timedelta(days=DAYS_LATE):
                p.add("planned_on", f"転出予定日から{DAYS_LATE}日を過ぎた届出は受け付けられません（職権消除として処理してください）")
        for r in leavers:
            not_before(p, planned, r.address_set_on, "planned_on", "転出予定日", f"住所を定めた年月日（宛名番号{r.resident_id}）")
        destination = outside_address(p, self.destination, "destination", "転出先住所")

        updates: list[tuple[Resident | None, Resident]] = []
        households = []
        staying: list[tuple[Resident, Resident]] = []
        note = ""
        if leavers:
            household_id = leavers[0].household_id
            leaving = {r.resident_id for r in leavers}
            staying, household, note = after_householder_leaves(
                p, register, household_id, leaving, self.new_householder_id, dict(self.relationships or {})
            )
            if household is not None:
                households.append(household)
        p.raise_if_any()

        assert planned is not None and notified is not None
        removal = Removal(self.reason.code, to_record_date(planned), destination)
        for r in leavers:
            updates.append((r, r.evolve(status=Status.REMOVED, removal=removal, notified_on=notified)))
        updates += staying
        return make_change(
            change_id=change_id,
            reason=self.reason,
            occurred_on=planned,
            notified_on=notified,
            updates=updates,
            households=households,
            note=note,
            register=register,
        )
