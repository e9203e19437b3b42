"""Who may be given which certificate (証明書の交付): standard-spec j1000 (kinds and items), j410
(抑止), j440 (支援措置). Pure rules: the clerk's counter, the kiosk and the registry run these same
checks, so a protected person is refused the same way everywhere.

- A person under a support measure (支援措置, DV protection) or a suppression (抑止) is never on a
  certificate — alone or as a member of a household certificate — unless a supervisor lifted the
  protection for this one issuance (一時解除). At the counter the clerk is told who and why; at a
  kiosk the message is neutral and reveals nothing.
- Each kind has the records it is for: 住民票の写し and 記載事項証明書 for current residents (and a
  person whose 転出 is planned for a later day: until then they are printed as before the move-out,
  j1000), 除票の写し and 除票記載事項証明書 for removed records, 転出証明書 for a domestic move-out.
- A kiosk never prints the My Number or the resident code (j1210).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from domain.change_reasons import ChangeReason
from domain.residents import Resident

NEUTRAL_MESSAGE = "この証明書はこちらでは発行できません。窓口でお手続きください。"


class CertificateKind(Enum):
    """証明書の種別."""

    COPY = "copy"  # 住民票の写し
    REMOVED_COPY = "removed_copy"  # 住民票の除票の写し
    ITEMS = "items"  # 住民票記載事項証明書
    REMOVED_ITEMS = "removed_items"  # 住民票除票記載事項証明書
    MOVE_OUT = "move_out"  # 転出証明書

    @property
    def label(self) -> str:
        """The title printed at the top of the certificate."""
        return _TITLES[self.value]

    title = label

    @property
    def statement(self) -> str:
        """The certification statement (認証文), printed once, on the last page."""
        return _STATEMENTS[self.value]

    @property
    def certifies_chosen_items(self) -> bool:
        """A 記載事項証明書: only the items the applicant asked for are printed."""
        return self in (CertificateKind.ITEMS, CertificateKind.REMOVED_ITEMS)

    @property
    def for_removed_records(self) -> bool:
        """Issued from the 除票 (removed records), not the current register."""
        return self in (CertificateKind.REMOVED_COPY, CertificateKind.REMOVED_ITEMS)


_TITLES = {
    "copy": "住民票の写し",
    "removed_copy": "住民票の除票の写し",
    "items": "住民票記載事項証明書",
    "removed_items": "住民票除票記載事項証明書",
    "move_out": "転出証明書",
}
_STATEMENTS = {
    "copy": "この写しは、住民票の原本と相違ないことを証明する。",
    "removed_copy": "この写しは、住民票の除票の原本と相違ないことを証明する。",
    "items": "上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
    "removed_items": "上記の事項は、住民票の除票に記載されている事項と相違ないことを証明する。",
    "move_out": "上記の者は、転出の届出をしたことを証明する。",
}


class Channel(Enum):
    """Where a certificate is issued: at the counter by a clerk, or by the resident at a kiosk."""

    COUNTER = "counter"
    KIOSK = "kiosk"


@dataclass(frozen=True)
class Protection:
    """A person a certificate must not show without a lift."""

    resident_id: str
    name: str
    support_measure: bool  # 支援措置
    suppressed: bool  # 抑止

    @property
    def label(self) -> str:
        return "支援措置" if self.support_measure else "抑止"


class IssuanceRefused(Exception):
    """A certificate the rules refuse. `.message` is Japanese, for the screen; `.code` is for logs
    and the registry; `.protected` names the protected persons (never shown at a kiosk)."""

    def __init__(self, code: str, message: str, log_message: str, protected: tuple[Protection, ...] = ()):
        super().__init__(log_message)
        self.code = code
        self.message = message
        self.protected = protected


def protections(persons: Iterable[Resident]) -> tuple[Protection, ...]:
    return tuple(
        Protection(p.resident_id, p.name.full, p.support_measure, p.suppressed)
        for p in persons
        if p.support_measure or p.suppressed
    )


def check_protection(persons: Iterable[Resident], *, lifted: Iterable[str] = (), channel: Channel = Channel.COUNTER) -> None:
    """Raises IssuanceRefused when a protected person is among `persons` and not in `lifted`."""
    lifted = set(lifted)
    blocked = tuple(p for p in protections(persons) if p.resident_id not in lifted)
    if not blocked:
        return
    log_message = "protected persons on the certificate: " + ", ".join(f"{b.resident_id} ({b.label})" for b in blocked)
    if channel is Channel.KIOSK:
        raise IssuanceRefused("protected", NEUTRAL_MESSAGE, log_message, blocked)
    names = "、".join(f"{b.name}（{b.label}）" for b in blocked)
    raise IssuanceRefused(
        "protected",
        f"{names}は支援措置・抑止の対象のため、証明書を発行できません。発行するには上席者による一時解除が必要です。",
        log_message,
        blocked,
    )


def move_out_pending(r: Resident, on: dt.date) -> bool:
    """Removed by a 転出届 whose planned day is still ahead: until then the person is a resident,
    and a certificate shows them as before the move-out (j1000)."""
    if r.is_current or r.removal is None or r.removal.reason not in (ChangeReason.MOVE_OUT_DOMESTIC.code, ChangeReason.MOVE_OUT_ABROAD.code):
        return False
    planned = r.removal.occurred_on.to_date()  # a move-out day is always a whole date
    return planned is not None and planned > on


def check_kind(kind: CertificateKind, persons: Iterable[Resident], *, on: dt.date) -> None:
    """The kind fits the records: raises IssuanceRefused with what to choose instead."""
    persons = tuple(persons)
    if not persons:
        raise IssuanceRefused("no_person", "証明書に記載する人を選んでください。", "no person chosen")
    # (who does not fit, the reason code, what the clerk reads after their names)
    if kind in (CertificateKind.COPY, CertificateKind.ITEMS):
        misfits = [p for p in persons if not p.is_current and not move_out_pending(p, on)]
        code, text = "removed_record", "の住民票は消除されています。「住民票の除票の写し」を選んでください。"
    elif kind.for_removed_records:
        misfits = [p for p in persons if p.is_current]
        instead = "住民票記載事項証明書" if kind.certifies_chosen_items else "住民票の写し"
        code, text = "current_record", f"は現在の住民です。除票ではなく「{instead}」を選んでください。"
    else:  # MOVE_OUT
        misfits = [p for p in persons if p.removal is None or p.removal.reason != ChangeReason.MOVE_OUT_DOMESTIC.code]
        code, text = "no_move_out", "には国内への転出届の記録がないため、転出証明書は発行できません。"
    if misfits:
        names = "、".join(p.name.full for p in misfits)
        raise IssuanceRefused(code, names + text, f"{kind.value}: {code} {[p.resident_id for p in misfits]}")
    if kind is CertificateKind.MOVE_OUT:
        if len({p.household_id for p in persons}) > 1:
            raise IssuanceRefused("several_households", "転出証明書は世帯ごとに発行してください。", "move_out certificate over several households")


def check_items(channel: Channel, *, my_number: bool, resident_code: bool) -> None:
    """At a kiosk the My Number and the resident code are never printed."""
    if channel is Channel.KIOSK and (my_number or resident_code):
        raise IssuanceRefused(
            "item_not_at_kiosk",
            "個人番号・住民票コードの記載された証明書は窓口でお申し込みください。",
            "my_number/resident_code asked for at a kiosk",
        )
