"""The items of a person's record and how each is checked (j10 日本人住民, j20 外国人住民).

Used for a new person (転入・出生) and for a correction (職権修正), so each item has one rule.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from domain.checkdigits import check_number
from domain.errors import Problems
from domain.notifications.common import DateLike, not_after, not_future, record_date
from domain.record_dates import RecordDate
from domain.relationships import relationship_problem
from domain.residents import ForeignCategory, ForeignResidentInfo, PersonName, Resident, ResidentKind, Sex

UNKNOWN = "不明"  # 本籍・筆頭者 not known at the counter: recorded as 「不明」, never left empty

_KATAKANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]+$")  # カタカナ, ー, ・, spaces
CARD_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{8}[A-Z]{2}$")  # 在留カード / 特別永住者証明書の番号


@dataclass(frozen=True)
class NewPerson:
    """A person who becomes a resident (転入者・出生子): everything of a Resident that the form gives.

    `resident_id` (宛名番号) is allocated by the caller. A Japanese resident needs 本籍 and 筆頭者
    (「不明」 when not known); a foreign resident needs `foreign` (国籍・地域 and 30条の45区分 …).
    `relationship` may be typed as an everyday word that stands for one j110 form (孫, 未届の妻); the
    record carries the j110 form (子の子, 妻（未届）). `related_to` names the member through whom a
    子の妻 or 子の子 belongs to a family (j1010 order).
    """

    resident_id: str
    name: PersonName
    birth_date: DateLike | None
    sex: Sex | None
    relationship: str
    kind: ResidentKind = ResidentKind.JAPANESE
    foreign: ForeignResidentInfo | None = None
    domicile: str = ""
    domicile_head: str = ""
    old_surname: str = ""
    old_surname_kana: str = ""
    alias: str = ""
    alias_kana: str = ""
    resident_code: str = ""
    my_number: str = ""
    related_to: str = ""


def kana(problems: Problems, value: str, field: str, label: str, *, required: bool) -> None:
    if not value or not value.strip():
        if required:
            problems.add(field, f"{label}を入力してください")
        return
    if not _KATAKANA.match(value):
        problems.add(field, f"{label}はカタカナで入力してください")


def person_name(problems: Problems, name: object, field: str) -> None:
    """氏名 and its フリガナ: the family name and its kana are required; a given name needs its kana."""
    if not isinstance(name, PersonName):
        problems.add(field, "氏名を入力してください")
        return
    if not name.family.strip():
        problems.add(f"{field}.family", "氏名（氏）を入力してください")
    kana(problems, name.family_kana, f"{field}.family_kana", "氏名のフリガナ（氏）", required=True)
    kana(problems, name.given_kana, f"{field}.given_kana", "氏名のフリガナ（名）", required=bool(name.given.strip()))
    if name.given_kana.strip() and not name.given.strip():
        problems.add(f"{field}.given", "氏名（名）を入力してください（フリガナ（名）だけが入力されています）")


def number(problems: Problems, kind: str, value: str, field: str) -> None:
    """個人番号 / 住民票コード: optional, but when given its check digit must match."""
    if value:
        message = check_number(kind, value)
        if message:
            problems.add(field, message)


def card_number(problems: Problems, value: str, field: str, label: str) -> None:
    if not value.strip():
        problems.add(field, f"{label}を入力してください")
    elif not CARD_NUMBER.match(value):
        problems.add(field, f"{label}は英字2桁・数字8桁・英字2桁（例：AB12345678CD）で入力してください")


def foreign_info(problems: Problems, info: object, field: str, *, on: dt.date | None) -> None:
    """The 30条の45 items of a foreign resident; `on` is the day they become a resident here."""
    if not isinstance(info, ForeignResidentInfo):
        problems.add(field, "外国人住民の項目（国籍・地域、法第30条の45の区分）を入力してください")
        return
    if not info.nationality.strip():
        problems.add(f"{field}.nationality", "国籍・地域を入力してください")
    category = info.category
    if not isinstance(category, ForeignCategory):
        problems.add(f"{field}.category", "法第30条の45の区分を入力してください")
        return
    if category is ForeignCategory.MID_LONG_TERM:
        if not info.residence_status.strip():
            problems.add(f"{field}.residence_status", "在留資格を入力してください")
        if not info.period_of_stay.strip():
            problems.add(f"{field}.period_of_stay", "在留期間を入力してください")
        if info.stay_expires_on is None:
            problems.add(f"{field}.stay_expires_on", "在留期間の満了の日を入力してください")
        elif on is not None and info.stay_expires_on < on:
            problems.add(f"{field}.stay_expires_on", "在留期間の満了の日が過ぎています")
        card_number(problems, info.card_number, f"{field}.card_number", "在留カード番号")
    elif category is ForeignCategory.SPECIAL_PERMANENT:
        card_number(problems, info.card_number, f"{field}.card_number", "特別永住者証明書番号")
    elif category is ForeignCategory.TEMPORARY_REFUGE:
        if not info.period_of_stay.strip():
            problems.add(f"{field}.period_of_stay", "上陸期間を入力してください")
    elif category is ForeignCategory.PROVISIONAL_STAY:
        if not info.period_of_stay.strip():
            problems.add(f"{field}.period_of_stay", "仮滞在期間を入力してください")
    if info.became_resident_on is not None:
        if not isinstance(info.became_resident_on, RecordDate):
            problems.add(f"{field}.became_resident_on", "外国人住民となった年月日の形式が正しくありません")
        elif on is not None:
            not_after(problems, info.became_resident_on, on, f"{field}.became_resident_on",
                      "外国人住民となった年月日", "住民となった日")


def domicile(problems: Problems, kind: ResidentKind, domicile_: str, head: str, prefix: str) -> None:
    """本籍・筆頭者: required for a Japanese resident (「不明」 allowed), absent for a foreign one."""
    if kind is ResidentKind.JAPANESE:
        if not domicile_.strip():
            problems.add(f"{prefix}domicile", f"本籍を入力してください（不明の場合は「{UNKNOWN}」）")
        elif domicile_.strip() != UNKNOWN and not head.strip():
            problems.add(f"{prefix}domicile_head", f"筆頭者を入力してください（不明の場合は「{UNKNOWN}」）")
    else:
        if domicile_.strip():
            problems.add(f"{prefix}domicile", "外国人住民には本籍を記載できません")
        if head.strip():
            problems.add(f"{prefix}domicile_head", "外国人住民には筆頭者を記載できません")


def kind_items(problems: Problems, kind: ResidentKind, prefix: str, *, old_surname: str, alias: str) -> None:
    """旧氏 is a Japanese resident's item, 通称 a foreign resident's (j70)."""
    if kind is ResidentKind.JAPANESE and alias.strip():
        problems.add(f"{prefix}alias", "通称は外国人住民のみ記載できます")
    if kind is ResidentKind.FOREIGN and old_surname.strip():
        problems.add(f"{prefix}old_surname", "旧氏は日本人住民のみ記載できます")


def new_person(
    problems: Problems,
    person: object,
    prefix: str,
    *,
    today: dt.date,
    becomes_resident_on: dt.date | None,
    becomes_label: str = "住所を定めた年月日",
) -> RecordDate | None:
    """Every item of a NewPerson; returns the birth date read as a RecordDate.

    `prefix` is e.g. "persons[0]." so that fields read "persons[0].birth_date".
    """
    if not isinstance(person, NewPerson):
        problems.add(prefix.rstrip("."), "住民の情報の形式が正しくありません")
        return None
    p = person
    if not p.resident_id.strip():
        problems.add(f"{prefix}resident_id", "宛名番号を入力してください")
    person_name(problems, p.name, f"{prefix}name")
    birth = record_date(problems, p.birth_date, f"{prefix}birth_date", "生年月日")
    not_future(problems, birth, today, f"{prefix}birth_date", "生年月日")
    if becomes_resident_on is not None:
        not_after(problems, birth, becomes_resident_on, f"{prefix}birth_date", "生年月日", becomes_label)
    if not isinstance(p.sex, Sex):
        problems.add(f"{prefix}sex", "性別を入力してください")
    message = relationship_problem(p.relationship)
    if message:
        problems.add(f"{prefix}relationship", message)
    if not isinstance(p.kind, ResidentKind):
        problems.add(f"{prefix}kind", "住民種別（日本人住民・外国人住民）を入力してください")
        return birth
    domicile(problems, p.kind, p.domicile, p.domicile_head, prefix)
    kind_items(problems, p.kind, prefix, old_surname=p.old_surname, alias=p.alias)
    if p.kind is ResidentKind.JAPANESE:
        if p.foreign is not None:
            problems.add(f"{prefix}foreign", "日本人住民には外国人住民の項目を記載できません")
    else:
        foreign_info(problems, p.foreign, f"{prefix}foreign", on=becomes_resident_on)
    kana(problems, p.old_surname_kana, f"{prefix}old_surname_kana", "旧氏のフリガナ", required=bool(p.old_surname.strip()))
    kana(problems, p.alias_kana, f"{prefix}alias_kana", "通称のフリガナ", required=False)
    number(problems, "my_number", p.my_number, f"{prefix}my_number")
    number(problems, "resident_code", p.resident_code, f"{prefix}resident_code")
    return birth


def resident_from(
    person: NewPerson,
    *,
    household_id: str,
    address,
    birth_date: RecordDate,
    became_resident_on: RecordDate,
    address_set_on: dt.date,
    notified_on: dt.date,
    previous_address=None,
    previous: Resident | None = None,
) -> Resident:
    """The record a NewPerson becomes. A person who lived here before (再転入, j600) keeps their
    宛名番号: the new record is the next version of the removed one (`previous`)."""
    foreign = person.foreign
    if foreign is not None and foreign.became_resident_on is None:
        foreign = replace(foreign, became_resident_on=became_resident_on)
    return Resident(
        resident_id=person.resident_id,
        household_id=household_id,
        kind=person.kind,
        name=person.name,
        birth_date=birth_date,
        sex=person.sex,  # type: ignore[arg-type]
        relationship=person.relationship,
        address=address,
        became_resident_on=became_resident_on,
        address_set_on=address_set_on,
        notified_on=notified_on,
        previous_address=previous_address,
        old_surname=person.old_surname,
        old_surname_kana=person.old_surname_kana,
        alias=person.alias,
        alias_kana=person.alias_kana,
        domicile=person.domicile if person.kind is ResidentKind.JAPANESE else "",
        domicile_head=person.domicile_head if person.kind is ResidentKind.JAPANESE else "",
        resident_code=person.resident_code,
        my_number=person.my_number,
        foreign=foreign if person.kind is ResidentKind.FOREIGN else None,
        related_to=person.related_to,
        version=1 if previous is None else previous.version + 1,
    )
