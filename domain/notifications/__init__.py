"""Notifications (届出) and ex officio changes (職権) as the counter takes them, with their rules.

Each kind is a frozen dataclass that checks itself against the register as it stands and yields
the Change (異動) it makes; nothing is mutated here — the caller applies the Change. Time (`today`)
and ids (`change_id`, new 宛名番号/世帯番号 as fields of the notification) come in from outside.

    change = apply_notification(MoveIn(...), register, change_id=uuid7(), today=date.today())

A `ValidationError` carries every problem at once, each with the field name and a Japanese message
naming the field. One module per kind; what they share lives in `common` (dates, addresses,
lookups, the Change), `fields` (the items of a person's record) and `households` (世帯主 rules).
"""
from __future__ import annotations

import datetime as dt

from domain.errors import FieldError, ValidationError
from domain.history import Change
from domain.notifications.birth import Birth
from domain.notifications.cancellation import CANCEL_REASON, Cancellation
from domain.notifications.common import DateLike, Notification
from domain.notifications.correction import CORRECTABLE, CORRECTION_REASONS, ExOfficioCorrection
from domain.notifications.death import Death
from domain.notifications.fields import UNKNOWN, NewPerson
from domain.notifications.household_change import HouseholdChange
from domain.notifications.householder_change import HouseholderChange
from domain.notifications.move_in import MoveIn
from domain.notifications.move_out import DAYS_AHEAD, DAYS_LATE, MoveOut
from domain.notifications.move_within import MoveWithin
from domain.register import RegisterView

KINDS: tuple[type[Notification], ...] = (
    MoveIn,
    MoveWithin,
    MoveOut,
    Birth,
    Death,
    HouseholdChange,
    HouseholderChange,
    ExOfficioCorrection,
    Cancellation,
)


def apply_notification(notification: Notification, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
    """Check `notification` against `register` and return the Change it makes (not applied).

    Raises ValidationError listing every problem (field + Japanese message).
    """
    if not isinstance(notification, Notification):
        raise TypeError(f"not a notification: {type(notification).__name__}")
    return notification.build_change(register, change_id=change_id, today=today)


def validate_notification(notification: Notification, register: RegisterView, *, today: dt.date) -> tuple[FieldError, ...]:
    """Every problem with `notification` (empty when it would be accepted), for a form's live check."""
    try:
        apply_notification(notification, register, change_id="validation", today=today)
    except ValidationError as e:
        return e.errors
    return ()


__all__ = [
    "apply_notification",
    "validate_notification",
    "Notification",
    "DateLike",
    "NewPerson",
    "UNKNOWN",
    "MoveIn",
    "MoveWithin",
    "MoveOut",
    "DAYS_AHEAD",
    "DAYS_LATE",
    "Birth",
    "Death",
    "HouseholdChange",
    "HouseholderChange",
    "ExOfficioCorrection",
    "CORRECTABLE",
    "CORRECTION_REASONS",
    "Cancellation",
    "CANCEL_REASON",
    "KINDS",
]
