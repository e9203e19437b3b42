"""What several forms share: the forms opened from a resident's screen (the resident and their
household loaded first), the household section of those whose members leave a household (the new
世帯主 and 続柄, j490), and the rows of the confirmation view for a new person."""
from __future__ import annotations

from typing import Iterable

from app.ui.forms.base import NotificationForm
from app.ui.forms.people import HeadPicker, RelationshipsTable
from app.ui.texts import address_text
from app.ui.forms.widgets import (
    Cell,
    DateField,
    caption,
    check_key,
    checked_key,
    date_cell,
    date_text,
    line_edit,
    name_text,
    radio_row,
)
from app.ui.qt import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget
from domain.notifications.fields import NewPerson
from domain.residents import Resident, ResidentKind


def load_resident(service, resident_id: str) -> tuple[Resident | None, list[Resident]]:
    """The resident and the current members of their household (j1010 order); runs off the GUI
    thread."""
    r = service.resident(resident_id) if resident_id else None
    if r is None:
        return None, []
    return r, service.household_members(r.household_id) if r.is_current else []


def date_row(form: NotificationForm, layout: QFormLayout, label: str, *, record: bool = False,
             required: bool = True, name: str = "", today: bool = False) -> tuple[DateField, Cell]:
    field = DateField(record=record, today=form.service.today, name=name)
    if today:
        field.set_date(form.service.today())
    cell = date_cell(field)
    layout.addRow(caption(label, required=required), cell)
    return field, cell


def text_row(layout: QFormLayout, label: str, *, required: bool = False, placeholder: str = "", name: str = ""):
    edit = line_edit(placeholder=placeholder, name=name)
    cell = Cell(edit)
    layout.addRow(caption(label, required=required), cell)
    return edit, cell


def new_person_rows(p: NewPerson) -> list[tuple[str, str]]:
    """A new person as the confirmation view lists them."""
    foreign = p.kind is ResidentKind.FOREIGN
    rows = [
        ("宛名番号", p.resident_id),
        ("氏名", name_text(p.name)),
        ("生年月日", date_text(p.birth_date, seireki=foreign)),  # type: ignore[arg-type]
        ("性別", p.sex.label if p.sex is not None else ""),
        ("続柄", p.relationship),
        ("住民種別", p.kind.label),
    ]
    if foreign and p.foreign is not None:
        f = p.foreign
        rows += [
            ("国籍・地域", f.nationality),
            ("氏名（アルファベット）", f.alphabet_name),
            ("法第30条の45の区分", f.category.label if f.category is not None else ""),
            ("在留資格", f.residence_status),
            ("在留期間", f.period_of_stay),
            ("在留期間の満了の日", date_text(f.stay_expires_on, seireki=True)),
            ("在留カード等の番号", f.card_number),
            ("外国人住民となった年月日", date_text(f.became_resident_on, seireki=True)),
            ("通称", f"{p.alias}（{p.alias_kana}）" if p.alias_kana else p.alias),
        ]
    else:
        rows += [
            ("本籍", p.domicile),
            ("筆頭者", p.domicile_head),
            ("旧氏", f"{p.old_surname}（{p.old_surname_kana}）" if p.old_surname_kana else p.old_surname),
        ]
    rows += [
        ("住民票コード", p.resident_code or "（記載なし）"),
        ("個人番号", "（入力あり）" if p.my_number else "（記載なし）"),
    ]
    if p.related_to:
        rows.append(("続柄の基準となる世帯員", p.related_to))
    return rows


class ResidentForm(NotificationForm):
    """A form opened from a resident's screen: the resident and their household are loaded before
    the clerk types. Subclasses build their fields in `build_fields` and learn the household in
    `resident_loaded`."""

    def build(self, layout: QVBoxLayout) -> None:
        self.person: Resident | None = None
        self.members: list[Resident] = []
        self.subject_label = QLabel("対象の住民を読み込んでいます…")
        self.subject_label.setObjectName("formSubject")
        self.subject_label.setWordWrap(True)
        layout.addWidget(self.subject_label)
        self.build_fields(layout)

    def build_fields(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self.load(load_resident, self.service, self.resident_id, on_done=self._loaded)

    def _loaded(self, result: tuple[Resident | None, list[Resident]]) -> None:
        self.person, self.members = result
        if self.person is None:
            self.subject_label.setText(f"対象の住民（宛名番号{self.resident_id}）が見つかりません。")
        else:
            p = self.person
            state = "" if p.is_current else "（消除された住民）"
            self.subject_label.setText(
                f"対象：{name_text(p.name)}{state}　{date_text(p.birth_date)}生　宛名番号 {p.resident_id}\n"
                f"住所：{address_text(p.address)}　世帯番号 {p.household_id}"
            )
        self.resident_loaded()
        self.adopt_widgets()

    def resident_loaded(self) -> None:
        """The household is known (self.person, self.members); fill what depends on it."""

    def subject(self) -> str:
        if self.person is None:
            return ""
        return " ".join(x for x in (self.person.name.family, self.person.name.given) if x)

    def member(self, rid: str) -> Resident | None:
        return next((m for m in self.members if m.resident_id == rid), None)

    def names(self, ids: Iterable[str]) -> str:
        out = []
        for rid in ids:
            m = self.member(rid)
            out.append(f"{m.name.full}（宛名番号 {rid}）" if m else rid)
        return "、".join(out)

    def subject_rows(self) -> list[tuple[str, str]]:
        p = self.person
        if p is None:
            return [("対象の住民", self.resident_id)]
        return [("対象の住民", f"{name_text(p.name)}　宛名番号 {p.resident_id}"), ("現在の住所", address_text(p.address))]


class HouseholdSection(QGroupBox):
    """When members leave a household (転居・転出・死亡・世帯変更): the new 世帯主 of those who stay
    (required when the 世帯主 leaves two or more behind, j490), and the 続柄 — of those who move in
    the household they form or join, and of those who stay to the new 世帯主. Owns the cells
    "new_householder_id" and "relationships.<宛名番号>"."""

    def __init__(self, title: str = "世帯主・続柄", parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setObjectName("householdSection")
        self.members: list[Resident] = []
        self.hint = QLabel()
        self.hint.setObjectName("itemLabel")
        self.hint.setWordWrap(True)
        self.head = HeadPicker()
        self.head_caption = caption("残る世帯の新しい世帯主", required=True)
        self.table = RelationshipsTable(heading="新しい続柄（変わる人・求められた人のみ）")
        layout = QFormLayout(self)
        layout.addRow(self.hint)
        layout.addRow(self.head_caption, self.head)
        layout.addRow(self.table)
        self._staying_ids: tuple[str, ...] | None = None

    def set_members(self, members: list[Resident]) -> None:
        self.members = list(members)
        self.table.set_members(self.members)
        self._staying_ids = None

    def update_for(self, leaving: set[str], *, movers_note: str = "") -> None:
        """Shows what the clerk must or may give once `leaving` leave the household; `movers_note`
        (when given) shows their rows too, for their 続柄 where they go."""
        staying = [m for m in self.members if m.resident_id not in leaving]
        movers = [m for m in self.members if m.resident_id in leaving]
        head_leaves = any(m.is_householder for m in movers)
        notes: dict[str, str] = {}
        if movers_note:
            notes.update({m.resident_id: movers_note for m in movers})
        if head_leaves and staying:
            notes.update({m.resident_id: "新しい世帯主からみた続柄" for m in staying})
        self.table.show_rows(notes)
        need_head = head_leaves and len(staying) >= 2
        ids = tuple(m.resident_id for m in staying)
        if ids != self._staying_ids:
            self._staying_ids = ids
            self.head.set_choices(staying)
        self.head.setVisible(need_head)
        self.head_caption.setVisible(need_head)
        hints = []
        if head_leaves and len(staying) == 1:
            hints.append(f"世帯主が世帯を離れるため、残る{staying[0].name.full}さんが世帯主になります。")
        elif need_head:
            hints.append("世帯主が世帯を離れ2人以上が残るため、新しい世帯主を選び、その人からみた続柄を入力してください。")
        if movers_note:
            hints.append(f"移る人の続柄：{movers_note}（空欄は現在の続柄のまま、又は新しい世帯の世帯主）。")
        self.hint.setText("\n".join(hints))
        self.setVisible(bool(notes) or need_head or bool(hints))

    def new_householder_id(self) -> str:
        return self.head.value() if not self.head.isHidden() else ""

    def relationships(self) -> dict[str, str]:
        return self.table.value() if not self.isHidden() else {}

    def cells(self) -> dict[str, Cell]:
        out = {"new_householder_id": self.head.cell}
        out.update({f"relationships.{rid}": c for rid, c in self.table.cells().items()})
        return out

    def state(self) -> dict:
        return {"new_householder_id": self.head.value(), "relationships": self.table.state()}

    def set_state(self, s: dict) -> None:
        self.table.set_state(s.get("relationships") or {})
        self.head.set_value(str(s.get("new_householder_id", "")))

    def summary(self, new_householder_id: str, relationships: dict[str, str], names) -> list[tuple[str, str]]:
        rows = []
        if new_householder_id:
            rows.append(("残る世帯の新しい世帯主", names([new_householder_id])))
        for rid, rel in relationships.items():
            rows.append((f"続柄（{names([rid])}）", rel))
        return rows


class TargetHousehold(QWidget):
    """「新しい世帯」 or 「既存の世帯に入る」 with its 世帯番号: owns "new_household_id" (the choice)
    and "join_household_id" (the number typed). The new 世帯番号 is allocated by the form (kept in
    the draft) the first time 「新しい世帯」 is chosen."""

    def __init__(self, *, new_label: str = "新しい世帯をつくる", join_label: str = "既存の世帯に入る", parent=None):
        super().__init__(parent)
        row, self.buttons = radio_row((("new", new_label), ("join", join_label)), name="householdMode")
        self.mode_cell = Cell(*self.buttons.values(), content=row)
        self.join_id = line_edit(placeholder="入る世帯の世帯番号", name="joinHouseholdId")
        self.join_cell = Cell(self.join_id)
        self.new_id_label = QLabel()
        self.new_id_label.setObjectName("itemLabel")
        self.household_id = ""
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(caption("世帯", required=True), self.mode_cell)
        self.join_caption = caption("入る世帯の世帯番号", required=True)
        layout.addRow(self.join_caption, self.join_cell)
        layout.addRow(self.new_id_label)
        for b in self.buttons.values():
            b.toggled.connect(self._mode_changed)
        self._mode_changed()

    def mode(self) -> str:
        return checked_key(self.buttons)

    def set_mode(self, mode: str) -> None:
        check_key(self.buttons, mode)
        self._mode_changed()

    def set_household_id(self, hid: str) -> None:
        self.household_id = hid
        self._mode_changed()

    def _mode_changed(self, *_args) -> None:
        join = self.mode() == "join"
        self.join_cell.setVisible(join)
        self.join_caption.setVisible(join)
        new = self.mode() == "new"
        self.new_id_label.setVisible(new)
        self.new_id_label.setText(f"新しい世帯番号：{self.household_id or '（採番中）'}")

    def new_household_id(self) -> str:
        return self.household_id if self.mode() == "new" else ""

    def join_household_id(self) -> str:
        return self.join_id.text().strip() if self.mode() == "join" else ""

    def cells(self) -> dict[str, Cell]:
        return {"new_household_id": self.mode_cell, "join_household_id": self.join_cell}

    def state(self) -> dict:
        return {"mode": self.mode(), "join_household_id": self.join_id.text(), "new_household_id": self.household_id}

    def set_state(self, s: dict) -> None:
        self.household_id = str(s.get("new_household_id", ""))
        self.join_id.setText(str(s.get("join_household_id", "")))
        self.set_mode(str(s.get("mode", "")))

    def summary(self, new_id: str, join_id: str) -> str:
        if new_id:
            return f"新しい世帯（世帯番号 {new_id}）"
        if join_id:
            return f"既存の世帯に入る（世帯番号 {join_id}）"
        return ""
