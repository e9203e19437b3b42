"""What every notification (届出) shares: dates, addresses, looking residents up, building the Change.

Each helper adds a `FieldError` to a `Problems` (field name + a Japanese message that names the
field) instead of raising, so a notification reports every problem at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Iterable, Sequence, Union

from domain.addresses import PREFECTURE, is_known_municipality, ward_by_name
from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change, ResidentDelta
from domain.record_dates import RecordDate
from domain.register import RegisterView
from domain.relationships import standard_form
from domain.residents import Address, Household, Resident

DateLike = Union[dt.date, RecordDate]


class Notification:
    """Base of every notification kind (届出・職権の異動). Subclasses are frozen dataclasses."""

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        raise NotImplementedError


# --- dates -------------------------------------------------------------------------------------


def to_record_date(value: DateLike) -> RecordDate:
    if isinstance(value, RecordDate):
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return RecordDate.exact(value)


def day(problems: Problems, value: object, field: str, label: str, *, required: bool = True) -> dt.date | None:
    """A calendar day from a date or an exact RecordDate; an unknown/partial date is refused."""
    if value is None:
        if required:
            problems.add(field, f"{label}を入力してください")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, RecordDate):
        exact = value.to_date()
        if exact is None:
            problems.add(field, f"{label}は暦上の年月日で入力してください（不詳日は使えません）")
        return exact
    problems.add(field, f"{label}の形式が正しくありません")
    return None


def record_date(problems: Problems, value: object, field: str, label: str, *, required: bool = True) -> RecordDate | None:
    """A RecordDate from a date or a RecordDate (unknown parts allowed, j80)."""
    if value is None:
        if required:
            problems.add(field, f"{label}を入力してください")
        return None
    if isinstance(value, (dt.date, RecordDate)):
        return to_record_date(value)
    problems.add(field, f"{label}の形式が正しくありません")
    return None


def bounds(value: RecordDate | dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest day a (possibly partial) date can stand for; (None, None) when unknown.

    「令和7年4月上旬」 → (2025-04-01, 2025-04-10); 「年月日不詳」 → (None, None). Read strictly
    (RecordDate.plausible_range without the search tolerance of 頃/推定).
    """
    if value is None:
        return None, None
    if isinstance(value, dt.date):
        return value, value
    found = value.plausible_range(widen=False)
    return (None, None) if found is None else found


def not_future(problems: Problems, value: RecordDate | dt.date | None, today: dt.date, field: str, label: str) -> None:
    earliest, _ = bounds(value)
    if earliest is not None and earliest > today:
        problems.add(field, f"{label}は未来の日付にできません")


def not_after(
    problems: Problems,
    value: RecordDate | dt.date | None,
    limit: RecordDate | dt.date | None,
    field: str,
    label: str,
    limit_label: str,
) -> None:
    """`value` must not lie (entirely) after `limit`: 「{label}は{limit_label}より後の日付にできません」."""
    earliest, _ = bounds(value)
    _, latest_limit = bounds(limit)
    if earliest is not None and latest_limit is not None and earliest > latest_limit:
        problems.add(field, f"{label}は{limit_label}より後の日付にできません")


def not_before(
    problems: Problems,
    value: RecordDate | dt.date | None,
    limit: RecordDate | dt.date | None,
    field: str,
    label: str,
    limit_label: str,
) -> None:
    """`value` must not lie (entirely) before `limit`: 「{label}は{limit_label}より前の日付にできません」."""
    _, latest = bounds(value)
    earliest_limit, _ = bounds(limit)
    if latest is not None and earliest_limit is not None and latest < earliest_limit:
        problems.add(field, f"{label}は{limit_label}より前の日付にできません")


def notified_on(problems: Problems, value: object, today: dt.date, field: str = "notified_on") -> dt.date | None:
    """届出日 (j570): a calendar day, not after the processing day."""
    d = day(problems, value, field, "届出日")
    not_future(problems, d, today, field, "届出日")
    return d


# --- addresses ---------------------------------------------------------------------------------


def city_address(problems: Problems, address: object, field: str, label: str) -> Address | None:
    """An address in this city (千葉県千葉市<区>) with its 町丁目 and 番地; lg_code set to the ward's."""
    if address is None:
        problems.add(field, f"{label}を入力してください")
        return None
    if not isinstance(address, Address):
        problems.add(field, f"{label}の形式が正しくありません")
        return None
    ward = ward_by_name(address.municipality) if address.municipality.startswith("千葉市") else None
    if address.prefecture != PREFECTURE or ward is None:
        problems.add(field, f"{label}は千葉市内の住所（区まで）を入力してください")
        return None
    ok = True
    if not address.town.strip():
        problems.add(f"{field}.town", f"{label}の町名（町丁目）を入力してください")
        ok = False
    if not address.block.strip():
        problems.add(f"{field}.block", f"{label}の番地を入力してください")
        ok = False
    if not ok:
        return None
    return Address(
        prefecture=address.prefecture,
        municipality=f"千葉市{ward.name}",
        town=address.town,
        block=address.block,
        building=address.building,
        lg_code=ward.lg_code,
        postal_code=address.postal_code,
    )


def outside_address(problems: Problems, address: object, field: str, label: str) -> Address | None:
    """An address outside this city: another municipality of Japan, or 国外 (prefecture 「国外」 and
    the country in `municipality`). Only the municipality is required (j650)."""
    if address is None:
        problems.add(field, f"{label}を入力してください")
        return None
    if not isinstance(address, Address):
        problems.add(field, f"{label}の形式が正しくありません")
        return None
    if address.is_abroad:
        if not address.municipality.strip():
            problems.add(f"{field}.municipality", f"{label}の国名を入力してください")
            return None
        return address
    if not address.prefecture.strip() or not address.municipality.strip():
        problems.add(field, f"{label}の都道府県と市区町村を入力してください")
        return None
    if address.prefecture == PREFECTURE and address.municipality.startswith("千葉市"):
        problems.add(field, f"{label}が千葉市内です（市内での住所の変更は転居として処理してください）")
        return None
    if not is_known_municipality(address.prefecture, address.municipality):
        problems.add(field, f"{label}の市区町村「{address.prefecture}{address.municipality}」が見つかりません")
        return None
    return address


def same_place(a: Address, b: Address) -> bool:
    """The same 住所 and 方書 (codes and postal code aside)."""
    key = lambda x: (x.prefecture, x.municipality, x.town, x.block, x.building)  # noqa: E731
    return key(a) == key(b)


# --- residents and households ------------------------------------------------------------------


def resident_ids(problems: Problems, ids: object, field: str) -> tuple[str, ...]:
    """A non-empty tuple of distinct 宛名番号."""
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        problems.add(field, "対象の住民（宛名番号）を選択してください")
        return ()
    values = tuple(ids)
    if not values:
        problems.add(field, "対象の住民（宛名番号）を選択してください")
        return ()
    if len(set(values)) != len(values):
        problems.add(field, "対象の住民（宛名番号）が重複しています")
        return tuple(dict.fromkeys(values))
    return values


def current_resident(problems: Problems, register: RegisterView, rid: str, field: str, action: str) -> Resident | None:
    """A current (not removed) resident; 「消除された住民には{action}できません」 otherwise."""
    if not rid:
        problems.add(field, "対象の住民（宛名番号）を選択してください")
        return None
    r = register.resident(rid)
    if r is None:
        problems.add(field, f"対象の住民（宛名番号{rid}）が見つかりません")
        return None
    if not r.is_current:
        problems.add(field, f"消除された住民には{action}できません（宛名番号{rid}）")
        return None
    return r


def current_residents(
    problems: Problems, register: RegisterView, ids: object, field: str, action: str, *, same_household: bool = True
) -> list[Resident]:
    """The residents a notification is about; all current, and all of one household when asked."""
    found = [current_resident(problems, register, rid, field, action) for rid in resident_ids(problems, ids, field)]
    people = [r for r in found if r is not None]
    if same_household and len({r.household_id for r in people}) > 1:
        problems.add(field, "対象の住民（宛名番号）は同じ世帯の世帯員を選択してください")
    return people


def unused_household_id(problems: Problems, register: RegisterView, household_id: str, field: str) -> None:
    """A new 世帯番号 must not be a household that still has members."""
    if not household_id.strip():
        problems.add(field, "新しい世帯の世帯番号を入力してください")
    elif register.household_members(household_id):
        problems.add(field, f"世帯番号{household_id}は既に使われています")


def existing_household(problems: Problems, register: RegisterView, household_id: str, field: str) -> list[Resident]:
    """The current members of a household the notification joins; an error when it has none."""
    members = register.household_members(household_id) if household_id else []
    if not members:
        problems.add(field, f"世帯番号{household_id}の世帯が見つかりません（現存する世帯を指定してください）")
    return members


def one_household_target(problems: Problems, new_household_id: str, join_household_id: str, field: str = "new_household_id") -> str:
    """Exactly one of 新しい世帯 / 既存の世帯 must be chosen; answers "new" or "join" (or "" on error)."""
    if new_household_id and join_household_id:
        problems.add(field, "世帯は「新しい世帯」か「既存の世帯に入る」のどちらか一方を指定してください")
        return ""
    if not new_household_id and not join_household_id:
        problems.add(field, "世帯（新しい世帯の世帯番号又は入る世帯の世帯番号）を指定してください")
        return ""
    return "new" if new_household_id else "join"


# --- the Change --------------------------------------------------------------------------------


def make_change(
    *,
    register: RegisterView,
    change_id: str,
    reason: ChangeReason,
    occurred_on: DateLike,
    notified_on: dt.date,
    updates: Sequence[tuple[Resident | None, Resident]],
    households: Iterable[Household] = (),
    note: str = "",
    cancels: str = "",
    restoring: bool = False,
) -> Change:
    """The Change for `updates` (before, after); refuses a reason the resident's kind may not get.

    `households` are the household records the change writes; the records they replace are read
    from `register` into `households_before` (a household the change creates has none there).
    Every record produced carries its relationship in the j110 form (孫 → 子の子) — except when
    `restoring` (a cancellation gives earlier records back exactly as they were).
    """
    if not change_id:
        raise ValueError("change_id is required")
    problems = Problems()
    for _, after in updates:
        if not reason.applies_to_kind(after.kind.value):
            problems.add(
                "reason",
                f"異動事由「{reason.label}」は{after.kind.label}には使えません（宛名番号{after.resident_id}）",
            )
    problems.raise_if_any()
    seen: set[str] = set()
    deltas = []
    for before, after in updates:
        if after.resident_id in seen:
            raise ValueError(f"resident {after.resident_id} appears twice in one change")
        seen.add(after.resident_id)
        if not restoring:
            standard = standard_form(after.relationship)
            if standard and standard != after.relationship:
                after = replace(after, relationship=standard)
        deltas.append(ResidentDelta(after.resident_id, before, after))
    unique_households = {h.household_id: h for h in households}
    before_households = (register.household(hid) for hid in unique_households)
    return Change(
        change_id=change_id,
        reason=reason,
        occurred_on=to_record_date(occurred_on),
        notified_on=notified_on,
        residents=tuple(deltas),
        households=tuple(unique_households.values()),
        households_before=tuple(h for h in before_households if h is not None),
        cancels=cancels,
        note=note,
    )
