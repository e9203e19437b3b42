"""The notification intake forms (届出の受付画面): one guided form per kind of notification.

    form = open_form("MoveOut", service, runner, resident_id="0000000012")
    form.taken.connect(close_tab)       # operation id of the provisional registration (仮登録)
    form.closed.connect(close_tab)      # closed without saving; the draft stays

`FORMS` maps the domain class name to its form, `FORM_LABELS` gives the Japanese name of each kind
(the outbox's labels), `NEEDS_RESIDENT` the kinds opened from a resident's screen. A draft from
`service.drafts()` opens again with `open_form(draft.kind, service, runner, draft=draft)`.
"""
from __future__ import annotations

from app.services.drafts import Draft
from app.sync.outbox import KIND_LABELS
from app.ui.forms.base import NotificationForm
from app.ui.forms.births_deaths import BirthForm, DeathForm
from app.ui.forms.corrections import CancellationForm, ExOfficioCorrectionForm
from app.ui.forms.households import HouseholdChangeForm, HouseholderChangeForm
from app.ui.forms.moves import MoveInForm, MoveOutForm, MoveWithinForm

FORMS: dict[str, type[NotificationForm]] = {
    form.kind: form
    for form in (
        MoveInForm,
        MoveWithinForm,
        MoveOutForm,
        BirthForm,
        DeathForm,
        HouseholdChangeForm,
        HouseholderChangeForm,
        ExOfficioCorrectionForm,
        CancellationForm,
    )
}

FORM_LABELS: dict[str, str] = {kind: KIND_LABELS[kind] for kind in FORMS}

# Opened from a resident's screen (the resident, or for 出生 a parent, is the starting point).
# 転入 starts from nothing (or, given a resident, joins that resident's household).
NEEDS_RESIDENT: set[str] = {
    "MoveWithin",
    "MoveOut",
    "Birth",
    "Death",
    "HouseholdChange",
    "HouseholderChange",
    "ExOfficioCorrection",
    "Cancellation",
}


def open_form(kind: str, service, runner, *, resident_id: str = "", draft: Draft | None = None) -> NotificationForm:
    """The form for `kind` (a domain class name), fresh or from a draft (which knows its resident)."""
    try:
        form_class = FORMS[kind]
    except KeyError:
        raise ValueError(f"no form for notification kind {kind!r}") from None
    if draft is not None and draft.kind != kind:
        raise ValueError(f"draft {draft.draft_id} is a {draft.kind}, not a {kind}")
    return form_class(service, runner, resident_id=resident_id, draft=draft)


__all__ = ["FORMS", "FORM_LABELS", "NEEDS_RESIDENT", "NotificationForm", "open_form"]
