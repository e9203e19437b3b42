"""職権修正 (ex officio correction, j840–j860) and its variants: 誤記修正, 軽微な修正, the 個人番号・
住民票コード・旧氏・通称 reasons. Allowed for current and removed records (a 除票 may be corrected)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Mapping

from domain.change_reasons import ChangeReason
from domain.errors import Problems
from domain.history import Change
from domain.notifications import fields
from domain.notifications.common import (
    DateLike,
    Notification,
    day,
    make_change,
    not_after,
    not_future,
    notified_on,
    record_date,
)
from domain.notifications.households import as_recorded, check_relationship
from domain.record_dates import RecordDate
from domain.register import RegisterView
from domain.residents import (
    HOUSEHOLDER,
    Address,
    ForeignCategory,
    Resident,
    ResidentKind,
    Sex,
)

# The items a correction may change, by key, with the label a clerk sees. Anything else (status,
# household, version…) changes only through its own notification.
CORRECTABLE: dict[str, str] = {
    "name.family": "氏名（氏）",
    "name.given": "氏名（名）",
    "name.family_kana": "氏名のフリガナ（氏）",
    "name.given_kana": "氏名のフリガナ（名）",
    "birth_date": "生年月日",
    "sex": "性別",
    "relationship": "続柄",
    "related_to": "続柄の基準となる世帯員",
    "domicile": "本籍",
    "domicile_head": "筆頭者",
    "address.town": "住所（町丁目）",
    "address.block": "住所（番地）",
    "address.building": "方書",
    "address.postal_code": "郵便番号",
    "became_resident_on": "住民となった年月日",
    "address_set_on": "住所を定めた年月日",
    "previous_address": "転入前住所",
    "old_surname": "旧氏",
    "old_surname_kana": "旧氏のフリガナ",
    "alias": "通称",
    "alias_kana": "通称のフリガナ",
    "my_number": "個人番号",
    "resident_code": "住民票コード",
    "foreign.nationality": "国籍・地域",
    "foreign.alphabet_name": "氏名（アルファベット）",
    "foreign.category": "法第30条の45の区分",
    "foreign.residence_status": "在留資格",
    "foreign.period_of_stay": "在留期間",
    "foreign.stay_expires_on": "在留期間の満了の日",
    "foreign.card_number": "在留カード番号",
    "foreign.became_resident_on": "外国人住民となった年月日",
}

_NAME_AND_ADDRESS = frozenset(
    {"name.family", "name.given", "name.family_kana", "name.given_kana", "address.town", "address.block", "address.building", "address.postal_code"}
)

# reason → (the keys it may change (None: any), what it does to its main item: "any" | "record" |
# "change" | "delete", the main item). 軽微な修正 (j850) touches only name and address.
REASON_RULES: dict[ChangeReason, tuple[frozenset[str] | None, str, str]] = {
    ChangeReason.EX_OFFICIO_CORRECTION: (None, "any", ""),
    ChangeReason.CLERICAL_ERROR: (None, "any", ""),
    ChangeReason.MINOR_CORRECTION: (_NAME_AND_ADDRESS, "any", ""),
    ChangeReason.MY_NUMBER_CHANGE_REQUEST: (frozenset({"my_number"}), "change", "my_number"),
    ChangeReason.MY_NUMBER_EX_OFFICIO_CORRECTION: (frozenset({"my_number"}), "change", "my_number"),
    ChangeReason.MY_NUMBER_EX_OFFICIO_RECORD: (frozenset({"my_number"}), "record", "my_number"),
    ChangeReason.RESIDENT_CODE_CHANGE_REQUEST: (frozenset({"resident_code"}), "change", "resident_code"),
    ChangeReason.RESIDENT_CODE_EX_OFFICIO_RECORD: (frozenset({"resident_code"}), "record", "resident_code"),
    ChangeReason.OLD_SURNAME_RECORD: (frozenset({"old_surname", "old_surname_kana"}), "record", "old_surname"),
    ChangeReason.OLD_SURNAME_CHANGE: (frozenset({"old_surname", "old_surname_kana"}), "change", "old_surname"),
    ChangeReason.OLD_SURNAME_DELETE: (frozenset({"old_surname", "old_surname_kana"}), "delete", "old_surname"),
    ChangeReason.ALIAS_RECORD: (frozenset({"alias", "alias_kana"}), "record", "alias"),
    ChangeReason.ALIAS_DELETE: (frozenset({"alias", "alias_kana"}), "delete", "alias"),
}
CORRECTION_REASONS: tuple[ChangeReason, ...] = tuple(REASON_RULES)


def current_value(r: Resident, key: str) -> Any:
    if "." in key:
        head, attr = key.split(".", 1)
        part = getattr(r, head)
        return None if part is None else getattr(part, attr)
    return getattr(r, key)


@dataclass(frozen=True)
class ExOfficioCorrection(Notification):
    """職権修正 / 誤記修正 / 軽微な修正 (and the 個人番号・住民票コード・旧氏・通称 reasons).

    `changes` maps a key of CORRECTABLE ("name.family_kana", "address.building", "my_number",
    "foreign.card_number"…) to its new value; `explanation` (修正理由) is required;
    `occurred_on` (異動日) defaults to `notified_on` (届出日・通知日・処理日).
    """

    resident_id: str
    changes: Mapping[str, Any]
    explanation: str
    notified_on: dt.date
    reason: ChangeReason = ChangeReason.EX_OFFICIO_CORRECTION
    occurred_on: DateLike | None = None

    def build_change(self, register: RegisterView, *, change_id: str, today: dt.date) -> Change:
        p = Problems()
        notified = notified_on(p, self.notified_on, today)
        occurred = record_date(p, self.occurred_on, "occurred_on", "異動日", required=False) if self.occurred_on is not None else None
        not_future(p, occurred, today, "occurred_on", "異動日")
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            p.add("explanation", "修正理由を入力してください")
        rule = REASON_RULES.get(self.reason)
        if rule is None:
            label = getattr(self.reason, "label", str(self.reason))
            p.add("reason", f"異動事由「{label}」は修正には使えません")
        person = register.resident(self.resident_id) if self.resident_id else None
        if person is None:
            p.add("resident_id", f"対象の住民（宛名番号{self.resident_id}）が見つかりません")
        changes = dict(self.changes or {})
        if not changes:
            p.add("changes", "修正する項目を入力してください")
        after = None
        if person is not None and rule is not None:
            if not self.reason.applies_to_kind(person.kind.value):
                p.add("reason", f"異動事由「{self.reason.label}」は{person.kind.label}には使えません")
            allowed, mode, main = rule
            for key in changes:
                if key not in CORRECTABLE:
                    p.add(key, f"「{key}」は修正できない項目です")
                elif allowed is not None and key not in allowed:
                    p.add(key, f"{CORRECTABLE[key]}は異動事由「{self.reason.label}」では修正できません")
            known = {k: v for k, v in changes.items() if k in CORRECTABLE and (allowed is None or k in allowed)}
            if mode != "any":
                self._reason_mode(p, person, mode, main, known)
            after = _corrected(p, register, person, known, today)
        p.raise_if_any()

        assert person is not None and after is not None and notified is not None
        return make_change(
            change_id=change_id,
            reason=self.reason,
            occurred_on=occurred or notified,
            notified_on=notified,
            updates=[(person, after)],
            note=self.explanation.strip(),
            register=register,
        )

    def _reason_mode(self, p: Problems, person: Resident, mode: str, main: str, changes: Mapping[str, Any]) -> None:
        label = CORRECTABLE[main]
        before = current_value(person, main)
        new = changes.get(main, before)
        if mode == "record":
            if before:
                p.add(main, f"{label}は既に記載されています（異動事由「{self.reason.label}」は使えません）")
            elif not new:
                p.add(main, f"{label}を入力してください")
        elif mode == "change":
            if not before:
                p.add(main, f"{label}が記載されていないため、変更できません（記載の異動事由を使ってください）")
            elif main not in changes:
                p.add(main, f"{label}を入力してください")
        elif mode == "delete":
            if not before:
                p.add(main, f"{label}が記載されていないため、削除できません")
            elif new:
                p.add(main, f"{label}を削除するときは空欄にしてください")


def _text(p: Problems, key: str, value: Any) -> str | None:
    if not isinstance(value, str):
        p.add(key, f"{CORRECTABLE[key]}の形式が正しくありません")
        return None
    return value


def _corrected(p: Problems, register: RegisterView, r: Resident, changes: Mapping[str, Any], today: dt.date) -> Resident:
    """The record with `changes` applied, each value checked by the rule of its item (problems go to
    `p`; the record returned is only used when there are none)."""
    for key, value in changes.items():
        same = as_recorded(value) == r.relationship if key == "relationship" else value == current_value(r, key)
        if same:
            p.add(key, f"{CORRECTABLE[key]}が修正前と同じです")
    top: dict[str, Any] = {}
    name_parts: dict[str, Any] = {}
    address_parts: dict[str, Any] = {}
    foreign_parts: dict[str, Any] = {}
    japanese = r.kind is ResidentKind.JAPANESE
    for key, value in changes.items():
        label = CORRECTABLE[key]
        head, _, attr = key.partition(".")
        if head == "name":
            if _text(p, key, value) is not None:
                name_parts[attr] = value
        elif head == "address":
            if _text(p, key, value) is not None:
                if attr in ("town", "block") and not value.strip():
                    p.add(key, f"{label}を入力してください")
                address_parts[attr] = value
        elif head == "foreign":
            if japanese:
                p.add(key, f"日本人住民には{label}はありません")
                continue
            foreign_parts[attr] = value
        elif key in ("birth_date", "became_resident_on"):
            d = record_date(p, value, key, label)
            not_future(p, d, today, key, label)
            if key == "birth_date" and d is not None and r.removal is not None:
                not_after(p, d, r.removal.occurred_on, key, label, "消除の事由が生じた日")
            if d is not None:
                top[key] = d
        elif key == "address_set_on":
            d = day(p, value, key, label)
            not_future(p, d, today, key, label)
            if d is not None:
                top[key] = d
        elif key == "sex":
            if not isinstance(value, Sex):
                p.add(key, "性別を入力してください")
            else:
                top[key] = value
        elif key == "relationship":
            if r.is_householder or as_recorded(value) == HOUSEHOLDER:
                p.add(key, "世帯主の変更は世帯主変更届で処理してください")
            elif check_relationship(p, value, key):
                top[key] = as_recorded(value)  # the j110 form: 孫 → 子の子
        elif key == "related_to":
            if _text(p, key, value) is not None:
                members = {m.resident_id for m in register.household_members(r.household_id)}
                if value and (value == r.resident_id or value not in members):
                    p.add(key, f"{label}（宛名番号{value}）が同じ世帯にいません")
                top[key] = value
        elif key in ("domicile", "domicile_head"):
            if not japanese:
                p.add(key, f"外国人住民には{label}を記載できません")
            elif _text(p, key, value) is not None:
                top[key] = value
        elif key in ("old_surname", "old_surname_kana"):
            if not japanese:
                p.add(key, f"{label}は日本人住民のみ記載できます")
            elif _text(p, key, value) is not None:
                top[key] = value
        elif key in ("alias", "alias_kana"):
            if japanese:
                p.add(key, f"{label}は外国人住民のみ記載できます")
            elif _text(p, key, value) is not None:
                top[key] = value
        elif key in ("my_number", "resident_code"):
            if _text(p, key, value) is not None:
                if not value:
                    p.add(key, f"{label}を入力してください")
                else:
                    fields.number(p, key, value, key)
                top[key] = value
        elif key == "previous_address":
            if value is not None and not isinstance(value, Address):
                p.add(key, f"{label}の形式が正しくありません")
            else:
                top[key] = value

    if name_parts:
        name = replace(r.name, **name_parts)
        fields.person_name(p, name, "name")
        top["name"] = name
    if address_parts:
        top["address"] = replace(r.address, **address_parts)
    if "domicile" in top or "domicile_head" in top:
        fields.domicile(p, r.kind, top.get("domicile", r.domicile), top.get("domicile_head", r.domicile_head), "")
    if "old_surname" in top or "old_surname_kana" in top:
        fields.kana(p, top.get("old_surname_kana", r.old_surname_kana), "old_surname_kana", "旧氏のフリガナ",
                    required=bool(top.get("old_surname", r.old_surname).strip()))
    if "alias_kana" in top:
        fields.kana(p, top["alias_kana"], "alias_kana", "通称のフリガナ", required=False)
    if foreign_parts and r.foreign is not None:
        types = {
            "category": ForeignCategory,
            "stay_expires_on": (dt.date, type(None)),
            "became_resident_on": (RecordDate, type(None)),
        }
        ok = True
        for attr, value in foreign_parts.items():
            if not isinstance(value, types.get(attr, str)):
                p.add(f"foreign.{attr}", f"{CORRECTABLE['foreign.' + attr]}の形式が正しくありません")
                ok = False
        if ok:
            info = replace(r.foreign, **foreign_parts)
            fields.foreign_info(p, info, "foreign", on=None)
            top["foreign"] = info
    elif foreign_parts and r.foreign is None and not japanese:
        p.add("foreign", "外国人住民の項目が記録されていません")
    return r.evolve(**top)
