"""Residents for store tests, built through the real domain model."""
from __future__ import annotations

import datetime as dt

from domain.change_reasons import ChangeReason
from domain.history import Change, ResidentDelta
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, ForeignResidentInfo, PersonName, Resident, ResidentKind, Sex

CHUO = "121011"
INAGE = "121037"


def address(town="本千葉町", block="1番1号", building="", ward="中央区", lg=CHUO) -> Address:
    return Address("千葉県", f"千葉市{ward}", town, block, building, lg)


def person(
    rid: str,
    family: str,
    given: str,
    family_kana: str,
    given_kana: str,
    birth: dt.date | RecordDate,
    *,
    household: str = "",
    relationship: str = "世帯主",
    sex: Sex = Sex.FEMALE,
    addr: Address | None = None,
    **extra,
) -> Resident:
    birth_date = birth if isinstance(birth, RecordDate) else RecordDate.exact(birth)
    return Resident(
        resident_id=rid,
        household_id=household or f"H{rid}",
        kind=extra.pop("kind", ResidentKind.JAPANESE),
        name=PersonName(family, given, family_kana, given_kana),
        birth_date=birth_date,
        sex=sex,
        relationship=relationship,
        address=addr or address(),
        became_resident_on=RecordDate.exact(dt.date(2000, 4, 1)),
        address_set_on=dt.date(2000, 4, 1),
        notified_on=dt.date(2000, 4, 3),
        **extra,
    )


def created(change_id: str, *people: Resident) -> Change:
    return Change(
        change_id, ChangeReason.MOVE_IN_DOMESTIC, RecordDate.exact(dt.date(2000, 4, 1)), dt.date(2000, 4, 3),
        tuple(ResidentDelta(p.resident_id, None, p) for p in people),
    )


def amended(change_id: str, reason: ChangeReason, before: Resident, **changes) -> Change:
    after = before.evolve(**changes)
    return Change(change_id, reason, RecordDate.exact(dt.date(2024, 5, 1)), dt.date(2024, 5, 2), (ResidentDelta(before.resident_id, before, after),))


def foreign(rid: str, **extra) -> Resident:
    info = ForeignResidentInfo(
        nationality="ベトナム", category=ForeignCategory.MID_LONG_TERM, alphabet_name="NGUYEN VAN AN",
        residence_status="技術・人文知識・国際業務", period_of_stay="3年", stay_expires_on=dt.date(2028, 3, 31),
        card_number="AB12345678CD",
    )
    return person(rid, "グエン", "ヴァン　アン", "グエン", "ヴァンアン", dt.date(1995, 6, 1), kind=ResidentKind.FOREIGN, foreign=info, **extra)
