"""What a certificate says: the items it shows for its kind and the applicant's choices, in order.

Pure: from the request (confirmed Resident records, their history, the choices) to rows of
label/value text per household and per person, with dates already written as printed — 和暦
everywhere, 西暦 for a foreign resident's birth date and 在留期間の満了日 (j20), フリガナ in
parentheses after 氏名・旧氏・通称 (j1020), 方書 always (j1030, unless a 記載事項証明書 asks for the
address without it). Layout and drawing come after (layout.py, render.py).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from app.certificates.certifier import Certifier
from app.certificates.kinds import CertificateKind
from domain.change_reasons import ChangeReason
from domain.history import Change
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, Resident, ResidentKind
from domain.wareki import format_seireki, format_wareki
from registry.protocol.issuing import PageSummary, PersonSummary

# Items a 住民票記載事項証明書 may show (ItemChoice.items), with their labels; 氏名 is always shown.
ITEM_LABELS: dict[str, str] = {
    "address": "住所",
    "address_without_building": "住所（方書を除く）",
    "householder": "世帯主",
    "relationship": "続柄",
    "birth_date": "生年月日",
    "sex": "性別",
    "old_surname": "旧氏",
    "alias": "通称",
    "became_resident_on": "住民となった年月日",
    "address_set_on": "住所を定めた年月日",
    "notified_on": "届出日",
    "previous_address": "前住所",
    "domicile": "本籍",
    "domicile_head": "筆頭者",
    "resident_code": "住民票コード",
    "my_number": "個人番号",
    "nationality": "国籍・地域",
    "foreign_category": "法第30条の45に規定する区分",
    "residence_status": "在留資格",
    "period_of_stay": "在留期間",
    "stay_expires_on": "在留期間の満了の日",
    "card_number": "在留カード等の番号",
}
# What a 住民票除票記載事項証明書 may also certify: the removal (消除) itself.
REMOVAL_ITEM_LABELS: dict[str, str] = {
    "removal_reason": "消除事由",
    "removal_date": "消除事由の生じた年月日",
    "destination": "転出先",
}


def item_labels(kind: CertificateKind) -> dict[str, str]:
    """The items a 記載事項証明書 of this kind may be asked to certify, with their labels."""
    return ITEM_LABELS | REMOVAL_ITEM_LABELS if kind.for_removed_records else ITEM_LABELS


@dataclass(frozen=True)
class ItemChoice:
    """What the applicant asked to show or omit (j1000). The four items omitted unless asked for are
    off by default; a foreign resident's items are on and each can be omitted. `items` is used by the
    記載事項証明書 only: the keys of item_labels(kind) the applicant asked for."""

    householder_relationship: bool = False  # 世帯主・続柄
    domicile: bool = False  # 本籍・筆頭者
    resident_code: bool = False  # 住民票コード
    my_number: bool = False  # 個人番号 (the caller decides whether it may be shown)
    history: bool = False  # 履歴
    furigana: bool = True
    nationality: bool = True  # 国籍・地域
    foreign_category: bool = True  # 法第30条の45に規定する区分
    residence_status: bool = True  # 在留資格
    period_of_stay: bool = True  # 在留期間
    stay_expires_on: bool = True  # 在留期間の満了の日
    card_number: bool = True  # 在留カード等の番号
    alias: bool = True  # 通称
    items: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = set(self.items) - set(ITEM_LABELS) - set(REMOVAL_ITEM_LABELS)
        if unknown:
            raise ValueError(f"unknown certificate items: {sorted(unknown)}")

    def for_kind(self, kind: CertificateKind) -> "ItemChoice":
        """Only what this kind uses: a 記載事項証明書 has its items and the フリガナ choice; the
        other kinds have everything but those items. A choice left over from another kind (ticked,
        then the kind changed) neither prints nor counts as printed."""
        if kind.certifies_chosen_items:
            return ItemChoice(furigana=self.furigana, items=self.items)
        return replace(self, items=frozenset()) if self.items else self


@dataclass(frozen=True)
class CertificateRequest:
    """One certificate to render. `persons` are already chosen, in the j1010 order, and are the
    confirmed versions; `history` maps a resident_id to that person's changes (any order)."""

    kind: CertificateKind
    persons: tuple[Resident, ...]
    householder: Resident | None
    items: ItemChoice
    certifier: Certifier
    history: Mapping[str, tuple[Change, ...]] = field(default_factory=dict)
    official_use: bool = False  # 公用 (j1060)
    household_form: bool = True  # 世帯連記式; False: one person a sheet (個人票)

    def __post_init__(self) -> None:
        if not self.persons:
            raise ValueError("a certificate needs at least one person")
        if self.kind is CertificateKind.MOVE_OUT and any(r.removal is None for r in self.persons):
            raise ValueError("a 転出証明書 needs the move-out (removal) of every person")
        if self.kind.for_removed_records and any(r.removal is None for r in self.persons):
            raise ValueError(f"a {self.kind.title} needs removed records")
        misplaced = set(self.items.items) - set(item_labels(self.kind))
        if misplaced:
            raise ValueError(f"items {sorted(misplaced)} cannot be certified on a {self.kind.title}")


@dataclass(frozen=True)
class Row:
    """One printed item: a key (ITEM_LABELS' keys and a few more), its label and its text."""

    key: str
    label: str
    value: str
    person: str = ""  # resident_id; "" for the household's rows


@dataclass(frozen=True)
class PersonContent:
    resident_id: str
    number: int  # 1-based position on the certificate
    rows: tuple[Row, ...]
    history: tuple[Row, ...]
    summary: PersonSummary


@dataclass(frozen=True)
class Sheet:
    """What one sheet shows: the household rows at the top, then persons (a 世帯連記式 certificate is
    one sheet; 個人票 are one sheet per person)."""

    household: tuple[Row, ...]
    persons: tuple[PersonContent, ...]
    address: str  # for the QR summary


@dataclass(frozen=True)
class CertificateContent:
    kind: CertificateKind
    title: str
    statement: str
    sheets: tuple[Sheet, ...]
    certifier: Certifier
    official_use: bool


# --- formatting helpers ------------------------------------------------------------------------


def record_date(d: RecordDate, *, seireki: bool = False) -> str:
    return d.format_seireki() if seireki else d.format_wareki()


def day_text(d: dt.date, *, seireki: bool = False) -> str:
    return format_seireki(d) if seireki else format_wareki(d)


def with_kana(text: str, kana: str, furigana: bool) -> str:
    """「住民　太郎　（ジュウミン　タロウ）」 (j1020): the kana after the item, in parentheses."""
    if furigana and kana and kana != text:
        return f"{text}\u3000（{kana}）"
    return text


def _is_kana_only(text: str) -> bool:
    return all(unicodedata.name(c, "").startswith(("KATAKANA", "HIRAGANA")) or c in "\u3000 ・ー" for c in text)


def display_name(r: Resident) -> str:
    """The name as it heads a record: kanji; a foreign resident's alphabet name when the record has
    no kanji name."""
    if r.kind is ResidentKind.FOREIGN and r.foreign and r.foreign.alphabet_name and _is_kana_only(r.name.full):
        return r.foreign.alphabet_name
    return r.name.full


def name_value(r: Resident, furigana: bool) -> str:
    """氏名 as printed: 「千葉　太郎　（チバ　タロウ）」, 「ZHANG YULIN　張　玉蓮　（チャン　ユウリン）」."""
    full, kana = r.name.full, r.name.full_kana
    if r.kind is ResidentKind.FOREIGN and r.foreign and r.foreign.alphabet_name:
        alpha = r.foreign.alphabet_name
        if _is_kana_only(full):
            return with_kana(alpha, kana or full, furigana)
        return with_kana(f"{alpha}\u3000{full}", kana, furigana)
    return with_kana(full, kana, furigana)


def address_text(a: Address, *, building: bool = True) -> str:
    """住所 as printed, with its 方書 (j1030); an address abroad is its country (「中華人民共和国」)."""
    if a.is_abroad:
        return f"{a.municipality}{a.town}{a.block}" or "国外"
    return a.full_text if building else a.text


def _sex(r: Resident) -> str:
    return r.sex.label


def _card_label(r: Resident) -> str:
    if r.foreign and r.foreign.category is ForeignCategory.SPECIAL_PERMANENT:
        return "特別永住者証明書の番号"
    return "在留カード等の番号"


def _reason_label(code: str) -> str:
    try:
        return ChangeReason.from_code(code).label
    except KeyError:
        return code


def _is_move_out(code: str) -> bool:
    return code in (ChangeReason.MOVE_OUT_DOMESTIC.code, ChangeReason.MOVE_OUT_ABROAD.code)


# --- the rows of one person --------------------------------------------------------------------


class _Rows:
    def __init__(self, person: str):
        self.person = person
        self.rows: list[Row] = []

    def add(self, key: str, label: str, value: str) -> None:
        if value:
            self.rows.append(Row(key, label, value, self.person))


def _wanted(kind: CertificateKind, c: ItemChoice, key: str) -> bool:
    """Whether `key` is shown for this kind and choice (氏名 always)."""
    if key == "name":
        return True
    if kind.certifies_chosen_items:
        return key in c.items
    if kind is CertificateKind.MOVE_OUT:
        # 転出証明書 (施行令第23条): the items the new municipality needs; 個人番号 only when allowed.
        return key != "my_number" or c.my_number
    if key in ("householder", "relationship"):
        return c.householder_relationship
    if key in ("domicile", "domicile_head"):
        return c.domicile
    if key in ("resident_code", "my_number", "nationality", "foreign_category", "residence_status",
               "period_of_stay", "stay_expires_on", "card_number", "alias"):
        return getattr(c, key)
    return True


def person_rows(kind: CertificateKind, r: Resident, c: ItemChoice) -> tuple[Row, ...]:
    w = lambda key: _wanted(kind, c, key)  # noqa: E731
    foreign = r.kind is ResidentKind.FOREIGN
    f = r.foreign
    out = _Rows(r.resident_id)
    out.add("name", "氏名", name_value(r, c.furigana))
    if w("old_surname"):
        out.add("old_surname", "旧氏", with_kana(r.old_surname, r.old_surname_kana, c.furigana))
    if foreign and w("alias"):
        out.add("alias", "通称", with_kana(r.alias, r.alias_kana, c.furigana))
    if w("birth_date"):
        out.add("birth_date", "生年月日", record_date(r.birth_date, seireki=foreign))
    if w("sex"):
        out.add("sex", "性別", _sex(r))
    if w("relationship"):
        out.add("relationship", "続柄", r.relationship)
    if foreign and f is not None:
        if w("nationality"):
            out.add("nationality", "国籍・地域", f.nationality)
        if w("foreign_category"):
            out.add("foreign_category", "法第30条の45に規定する区分", f.category.label)
        if w("residence_status"):
            out.add("residence_status", "在留資格", f.residence_status)
        if w("period_of_stay"):
            out.add("period_of_stay", "在留期間", f.period_of_stay)
        if w("stay_expires_on") and f.stay_expires_on is not None:
            out.add("stay_expires_on", "在留期間の満了の日", day_text(f.stay_expires_on, seireki=True))
        if w("card_number"):
            out.add("card_number", _card_label(r), f.card_number)
    if w("became_resident_on"):
        if foreign:
            became = f.became_resident_on if f is not None and f.became_resident_on is not None else r.became_resident_on
            out.add("became_resident_on", "外国人住民となった年月日", record_date(became))
        else:
            out.add("became_resident_on", "住民となった年月日", record_date(r.became_resident_on))
    if w("address_set_on"):
        out.add("address_set_on", "住所を定めた年月日", day_text(r.address_set_on))
    if w("notified_on"):
        out.add("notified_on", "届出日", day_text(r.notified_on))
    if w("previous_address") and r.previous_address is not None and kind is not CertificateKind.MOVE_OUT:
        out.add("previous_address", "前住所", address_text(r.previous_address))
    if not foreign:
        if w("domicile"):
            out.add("domicile", "本籍", r.domicile)
        if w("domicile_head"):
            out.add("domicile_head", "筆頭者", r.domicile_head)
    if w("resident_code"):
        out.add("resident_code", "住民票コード", r.resident_code)
    if w("my_number"):
        out.add("my_number", "個人番号", r.my_number)
    removal = r.removal
    if removal is not None and kind.for_removed_records:
        moving = _is_move_out(removal.reason)
        if w("removal_reason"):
            out.add("removal_reason", "消除事由", _reason_label(removal.reason))
        if w("removal_date"):
            out.add("removal_date", "転出予定年月日" if moving else "消除事由の生じた年月日", record_date(removal.occurred_on))
        if removal.destination is not None and w("destination"):
            out.add("destination", "転出先", address_text(removal.destination))
    if removal is not None and kind is CertificateKind.MOVE_OUT:
        out.add("moving_on", "転出予定年月日", record_date(removal.occurred_on))
        if removal.destination is not None:
            out.add("destination", "転出先（予定）", address_text(removal.destination))
    return tuple(out.rows)


# --- history -----------------------------------------------------------------------------------

_HISTORY_FIELDS = (
    ("name", "氏名", None),
    ("old_surname", "旧氏", None),
    ("alias", "通称", "alias"),
    ("relationship", "続柄", "householder_relationship"),
    ("address", "住所", None),
    ("domicile", "本籍", "domicile"),
    ("domicile_head", "筆頭者", "domicile"),
    ("resident_code", "住民票コード", "resident_code"),
    ("my_number", "個人番号", "my_number"),
)


def _field_text(r: Resident, name: str) -> str:
    value = getattr(r, name)
    if name == "name":
        return value.full
    if name == "address":
        return value.full_text
    return str(value or "")


def history_rows(r: Resident, changes: tuple[Change, ...], c: ItemChoice) -> tuple[Row, ...]:
    """One row a change that touched this person, oldest first: 「令和3年4月1日　転居（令和3年4月3日届出）
    住所　千葉県千葉市…から変更」. Only items the certificate may show are described."""
    rows = []
    ordered = sorted(changes, key=lambda ch: (ch.occurred_on.sort_key(), ch.notified_on, ch.change_id))
    for ch in ordered:
        delta = next((d for d in ch.residents if d.resident_id == r.resident_id), None)
        if delta is None:
            continue
        parts = []
        if delta.before is not None:
            changed = set(delta.changed_fields())
            for name, label, choice in _HISTORY_FIELDS:
                if name in changed and (choice is None or getattr(c, choice)):
                    before = _field_text(delta.before, name)
                    parts.append(f"{label}　{before}から変更" if before else f"{label}を記載")
        text = f"{record_date(ch.occurred_on)}\u3000{ch.reason.label}（{day_text(ch.notified_on)}届出）"
        if parts:
            text += "\u3000" + "、".join(parts)
        rows.append(Row("history", "異動履歴", text, r.resident_id))
    return tuple(rows)


# --- the whole certificate ---------------------------------------------------------------------


def _household_rows(req: CertificateRequest, persons: tuple[Resident, ...]) -> tuple[tuple[Row, ...], str]:
    kind, c = req.kind, req.items
    rows: list[Row] = []
    first = persons[0]
    address = ""
    if kind.certifies_chosen_items:
        if "address" in c.items:
            address = address_text(first.address)
        elif "address_without_building" in c.items:
            address = address_text(first.address, building=False)
    else:
        address = address_text(first.address)
    if address:
        rows.append(Row("address", "住所", address))
    if _wanted(kind, c, "householder") and req.householder is not None:
        rows.append(Row("householder", "世帯主", display_name(req.householder)))
    return tuple(rows), address


def build_content(req: CertificateRequest) -> CertificateContent:
    c = req.items
    numbered = []
    for i, r in enumerate(req.persons, start=1):
        rows = person_rows(req.kind, r, c)
        # a person living elsewhere than the sheet's address (a 除票 of several) shows their own
        if r.address != req.persons[0].address and req.household_form:
            rows = rows[:1] + (Row("address", "住所", address_text(r.address), r.resident_id),) + rows[1:]
        history = history_rows(r, tuple(req.history.get(r.resident_id, ())), c) if c.history else ()
        values = {row.key: row.value for row in rows}
        summary = PersonSummary(display_name(r), values.get("birth_date", ""), values.get("sex", ""))
        numbered.append((r, PersonContent(r.resident_id, i, rows, history, summary)))
    if req.household_form:
        household, address = _household_rows(req, req.persons)
        sheets = (Sheet(household, tuple(p for _, p in numbered), address),)
    else:
        built = []
        for r, p in numbered:
            household, address = _household_rows(req, (r,))
            built.append(Sheet(household, (p,), address))
        sheets = tuple(built)
    return CertificateContent(req.kind, req.kind.title, req.kind.statement, sheets, req.certifier, req.official_use)


def page_summary(content: CertificateContent, persons: tuple[PersonContent, ...], address: str, certified_on: str) -> PageSummary:
    return PageSummary(content.title, certified_on, content.certifier.text, address, tuple(p.summary for p in persons))
