"""Records to plain dicts and back, for storage and the wire (no SQL, no JSON library choice here).

Empty values are left out so that stored records stay small; `resident_from_dict(resident_to_dict(r))
== r` for every record.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from domain.change_reasons import ChangeReason
from domain.history import Change
from domain.record_dates import RecordDate
from domain.residents import (
    Address,
    ForeignCategory,
    ForeignResidentInfo,
    Household,
    PersonName,
    Removal,
    Resident,
    ResidentKind,
    Sex,
    Status,
)


def _address_to(a: Address | None) -> dict | None:
    if a is None:
        return None
    return {k: v for k, v in a.__dict__.items() if v}


def _address_from(d: dict | None) -> Address | None:
    return None if d is None else Address(**d)


def _date_to(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date_from(s: str | None) -> dt.date | None:
    return None if s is None else dt.date.fromisoformat(s)


def _rdate_to(d: RecordDate | None) -> str | None:
    return None if d is None else d.to_storage()


def _rdate_from(s: str | None) -> RecordDate | None:
    return None if s is None else RecordDate.from_storage(s)


def resident_to_dict(r: Resident) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": r.resident_id,
        "hh": r.household_id,
        "kind": r.kind.value,
        "name": [r.name.family, r.name.given, r.name.family_kana, r.name.given_kana],
        "birth": r.birth_date.to_storage(),
        "sex": int(r.sex),
        "rel": r.relationship,
        "addr": _address_to(r.address),
        "became": r.became_resident_on.to_storage(),
        "set": r.address_set_on.isoformat(),
        "notified": r.notified_on.isoformat(),
        "v": r.version,
    }
    optional = {
        "prev": _address_to(r.previous_address),
        "old": [r.old_surname, r.old_surname_kana] if r.old_surname or r.old_surname_kana else None,
        "alias": [r.alias, r.alias_kana] if r.alias or r.alias_kana else None,
        "dom": [r.domicile, r.domicile_head] if r.domicile or r.domicile_head else None,
        "code": r.resident_code or None,
        "mn": r.my_number or None,
        "status": None if r.status is Status.CURRENT else r.status.value,
        "rel_to": r.related_to or None,
        "sup": 1 if r.suppressed else None,
        "dv": 1 if r.support_measure else None,
    }
    if r.foreign is not None:
        f = r.foreign
        optional["foreign"] = {
            k: v
            for k, v in {
                "nat": f.nationality,
                "cat": f.category.value,
                "alpha": f.alphabet_name,
                "status": f.residence_status,
                "period": f.period_of_stay,
                "expires": _date_to(f.stay_expires_on),
                "card": f.card_number,
                "became": _rdate_to(f.became_resident_on),
            }.items()
            if v
        }
    if r.removal is not None:
        optional["removal"] = {
            "reason": r.removal.reason,
            "on": r.removal.occurred_on.to_storage(),
            "dest": _address_to(r.removal.destination),
        }
    d.update({k: v for k, v in optional.items() if v is not None})
    return d


def resident_from_dict(d: dict[str, Any]) -> Resident:
    family, given, family_kana, given_kana = d["name"]
    old = d.get("old", ["", ""])
    alias = d.get("alias", ["", ""])
    dom = d.get("dom", ["", ""])
    foreign = None
    if "foreign" in d:
        f = d["foreign"]
        foreign = ForeignResidentInfo(
            nationality=f.get("nat", ""),
            category=ForeignCategory(f["cat"]),
            alphabet_name=f.get("alpha", ""),
            residence_status=f.get("status", ""),
            period_of_stay=f.get("period", ""),
            stay_expires_on=_date_from(f.get("expires")),
            card_number=f.get("card", ""),
            became_resident_on=_rdate_from(f.get("became")),
        )
    removal = None
    if "removal" in d:
        rm = d["removal"]
        removal = Removal(rm["reason"], RecordDate.from_storage(rm["on"]), _address_from(rm.get("dest")))
    return Resident(
        resident_id=d["id"],
        household_id=d["hh"],
        kind=ResidentKind(d["kind"]),
        name=PersonName(family, given, family_kana, given_kana),
        birth_date=RecordDate.from_storage(d["birth"]),
        sex=Sex(d["sex"]),
        relationship=d["rel"],
        address=Address(**d["addr"]),
        became_resident_on=RecordDate.from_storage(d["became"]),
        address_set_on=dt.date.fromisoformat(d["set"]),
        notified_on=dt.date.fromisoformat(d["notified"]),
        previous_address=_address_from(d.get("prev")),
        old_surname=old[0],
        old_surname_kana=old[1],
        alias=alias[0],
        alias_kana=alias[1],
        domicile=dom[0],
        domicile_head=dom[1],
        resident_code=d.get("code", ""),
        my_number=d.get("mn", ""),
        foreign=foreign,
        status=Status(d.get("status", "current")),
        removal=removal,
        suppressed=bool(d.get("sup")),
        support_measure=bool(d.get("dv")),
        related_to=d.get("rel_to", ""),
        version=d["v"],
    )


def resident_diff(before: Resident, after: Resident) -> tuple[dict, dict]:
    """The stored keys that differ between two versions (the version number included): (old, new)."""
    return dict_diff(resident_to_dict(before), resident_to_dict(after))


def dict_diff(b: dict, a: dict) -> tuple[dict, dict]:
    """resident_diff on records already turned into dicts."""
    keys = set(b) | set(a)
    changed = sorted(k for k in keys if b.get(k) != a.get(k))
    return {k: b.get(k) for k in changed}, {k: a.get(k) for k in changed}


def apply_diff(record: dict, values: dict) -> dict:
    """A stored record with `values` (from resident_diff) put in place; None removes a key."""
    out = dict(record)
    for k, v in values.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def household_to_dict(h: Household) -> dict:
    return {"id": h.household_id, "order": list(h.member_order)}


def household_from_dict(d: dict) -> Household:
    return Household(d["id"], tuple(d.get("order", ())))


def change_from_stored(row, residents: tuple, households: dict) -> Change:
    """A Change from its stored or sent form: `row` has the change's columns as attributes
    (change_id, reason code, occurred_on storage form, notified_on ISO, cancels, note), `residents`
    are its ResidentDeltas, `households` is {"before": [...], "after": [...]} household dicts."""
    return Change(
        change_id=row.change_id,
        reason=ChangeReason.from_code(row.reason),
        occurred_on=RecordDate.from_storage(row.occurred_on),
        notified_on=dt.date.fromisoformat(row.notified_on),
        residents=tuple(residents),
        households=tuple(household_from_dict(h) for h in households.get("after", [])),
        households_before=tuple(household_from_dict(h) for h in households.get("before", [])),
        cancels=row.cancels,
        note=row.note,
    )
