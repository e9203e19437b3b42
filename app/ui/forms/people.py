"""The person widgets of the forms: a new person (転入者・出生子), the household members a
notification is about, their relationships (続柄) and the new 世帯主."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from app.ui.forms.widgets import (
    SEX_CHOICES,
    Cell,
    DateField,
    NameBlock,
    caption,
    combo,
    date_cell,
    date_text,
    line_edit,
    select_data,
    sex_of,
)
from app.ui.qt import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from domain.notifications.fields import UNKNOWN, NewPerson
from domain.relationships import KNOWN_RELATIONSHIPS
from domain.residents import ForeignCategory, ForeignResidentInfo, Resident, ResidentKind

RESIDENCE_STATUSES = (
    "永住者", "日本人の配偶者等", "永住者の配偶者等", "定住者", "技術・人文知識・国際業務", "技能", "経営・管理",
    "高度専門職", "特定技能1号", "特定技能2号", "技能実習", "留学", "家族滞在", "特定活動", "教授", "研究",
)


def relationship_box(*, allow_blank: bool = False, name: str = "relationship") -> QComboBox:
    """続柄: the j110 forms to pick from; any other valid form (and 孫, 未届の妻…) may be typed."""
    items = [("", "")] if allow_blank else []
    box = combo(items + [(r, r) for r in KNOWN_RELATIONSHIPS], editable=True, name=name)
    box.setCurrentIndex(-1)
    box.setEditText("")
    box.lineEdit().setPlaceholderText("続柄（例：妻、子、子の子、同居人）")
    return box


def member_text(m: Resident) -> str:
    return f"{m.name.full}（{m.relationship}）　{date_text(m.birth_date)}生　宛名番号 {m.resident_id}"


class PersonBlock(QGroupBox):
    """A NewPerson: 氏名・フリガナ, 生年月日, 性別, 続柄, 住民種別, 本籍・筆頭者 (「不明」 allowed),
    旧氏, 住民票コード, 個人番号, and the foreign-resident items (国籍・地域, 法第30条の45の区分, 在留資格,
    在留期間, 満了日, 在留カード番号…) shown when 外国人住民 is chosen. Its cells are relative to the
    person ("name.family", "foreign.card_number"…)."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, *, resident_id: str, heading: str, today: Callable[[], dt.date], removable: bool = False,
                 default_relationship: str = "", parent=None):
        super().__init__(heading, parent)
        self.setObjectName("personBlock")
        self.resident_id = resident_id
        self.id_label = QLabel()
        self.id_label.setObjectName("itemLabel")
        self.remove_button = QPushButton("この人を削除")
        self.remove_button.setObjectName("dangerButton")
        self.remove_button.setVisible(removable)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        head = QWidget()
        head_row = QHBoxLayout(head)
        head_row.setContentsMargins(0, 0, 0, 0)
        head_row.addWidget(self.id_label, 1)
        head_row.addWidget(self.remove_button)

        self.name = NameBlock()
        self.birth = DateField(record=True, today=today, name="birthDate")
        self.sex = combo(SEX_CHOICES, name="sex")
        self.relationship = relationship_box()
        if default_relationship:
            self.relationship.setEditText(default_relationship)
        self.kind = combo(((ResidentKind.JAPANESE.label, ResidentKind.JAPANESE.value),
                           (ResidentKind.FOREIGN.label, ResidentKind.FOREIGN.value)), name="residentKind")
        self.related_to = combo([("（指定しない）", "")], name="relatedTo")

        # 日本人住民
        self.domicile = line_edit(placeholder="本籍（例：千葉県千葉市中央区千葉港1番）", width=280, name="domicile")
        self.domicile_unknown = QCheckBox("不明")
        self.domicile_unknown.setObjectName("domicileUnknown")
        self.domicile_head = line_edit(placeholder="筆頭者の氏名", name="domicileHead")
        self.head_unknown = QCheckBox("不明")
        self.head_unknown.setObjectName("domicileHeadUnknown")
        self.old_surname = line_edit(placeholder="旧氏（任意）", name="oldSurname")
        self.old_surname_kana = line_edit(placeholder="旧氏のフリガナ", name="oldSurnameKana")
        # 外国人住民
        self.nationality = line_edit(placeholder="国籍・地域（例：中国、ベトナム）", name="nationality")
        self.alphabet_name = line_edit(placeholder="例：NGUYEN VAN AN", name="alphabetName")
        self.category = combo([("（選択）", "")] + [(c.label, c.value) for c in ForeignCategory], name="foreignCategory")
        self.residence_status = combo([(s, s) for s in RESIDENCE_STATUSES], editable=True, name="residenceStatus")
        self.residence_status.setCurrentIndex(-1)
        self.residence_status.setEditText("")
        self.period_of_stay = line_edit(placeholder="例：3年、6月", name="periodOfStay")
        self.stay_expires_on = DateField(today=today, name="stayExpiresOn")
        self.card_number = line_edit(placeholder="例：AB12345678CD", name="cardNumber")
        self.became_foreign_resident_on = DateField(record=True, today=today, name="becameForeignResidentOn")
        self.alias = line_edit(placeholder="通称（任意）", name="alias")
        self.alias_kana = line_edit(placeholder="通称のフリガナ", name="aliasKana")
        # 番号
        self.resident_code = line_edit(placeholder="11桁（任意）", name="residentCode")
        self.my_number = line_edit(placeholder="12桁（任意）", name="myNumber")

        cells = {
            "": Cell(head, content=head),
            "resident_id": Cell(self.id_label),
            "birth_date": date_cell(self.birth),
            "sex": Cell(self.sex),
            "relationship": Cell(self.relationship),
            "related_to": Cell(self.related_to),
            "kind": Cell(self.kind),
            "domicile": Cell(self.domicile, self.domicile_unknown),
            "domicile_head": Cell(self.domicile_head, self.head_unknown),
            "old_surname": Cell(self.old_surname),
            "old_surname_kana": Cell(self.old_surname_kana),
            "resident_code": Cell(self.resident_code),
            "my_number": Cell(self.my_number),
            "foreign": Cell(self.nationality),
            "foreign.alphabet_name": Cell(self.alphabet_name),
            "foreign.category": Cell(self.category),
            "foreign.residence_status": Cell(self.residence_status),
            "foreign.period_of_stay": Cell(self.period_of_stay),
            "foreign.stay_expires_on": date_cell(self.stay_expires_on),
            "foreign.card_number": Cell(self.card_number),
            "foreign.became_resident_on": date_cell(self.became_foreign_resident_on),
            "alias": Cell(self.alias),
            "alias_kana": Cell(self.alias_kana),
        }
        cells["foreign.nationality"] = cells["foreign"]
        self._cells = cells
        for key, cell in self.name.cells().items():
            self._cells[f"name.{key}"] = cell

        layout = QVBoxLayout(self)
        layout.addWidget(cells[""])
        layout.addWidget(self.name)
        grid = QGridLayout()
        grid.addWidget(caption("生年月日", required=True), 0, 0)
        grid.addWidget(cells["birth_date"], 0, 1, 1, 3)
        grid.addWidget(caption("性別", required=True), 1, 0)
        grid.addWidget(cells["sex"], 1, 1)
        grid.addWidget(caption("続柄", required=True), 1, 2)
        grid.addWidget(cells["relationship"], 1, 3)
        grid.addWidget(caption("住民種別", required=True), 2, 0)
        grid.addWidget(cells["kind"], 2, 1)
        self.related_caption = caption("続柄の基準となる世帯員")
        grid.addWidget(self.related_caption, 2, 2)
        grid.addWidget(cells["related_to"], 2, 3)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)

        self.japanese_box = QWidget()
        jg = QGridLayout(self.japanese_box)
        jg.setContentsMargins(0, 0, 0, 0)
        jg.addWidget(caption("本籍", required=True), 0, 0)
        jg.addWidget(cells["domicile"], 0, 1, 1, 3)
        jg.addWidget(caption("筆頭者", required=True), 1, 0)
        jg.addWidget(cells["domicile_head"], 1, 1, 1, 3)
        jg.addWidget(caption("旧氏"), 2, 0)
        jg.addWidget(cells["old_surname"], 2, 1)
        jg.addWidget(caption("旧氏のフリガナ"), 2, 2)
        jg.addWidget(cells["old_surname_kana"], 2, 3)
        jg.setColumnStretch(3, 1)
        layout.addWidget(self.japanese_box)

        self.foreign_box = QGroupBox("外国人住民の記載事項")
        self.foreign_box.setObjectName("foreignBox")
        fg = QGridLayout(self.foreign_box)
        fg.addWidget(caption("国籍・地域", required=True), 0, 0)
        fg.addWidget(cells["foreign"], 0, 1)
        fg.addWidget(caption("氏名（アルファベット）"), 0, 2)
        fg.addWidget(cells["foreign.alphabet_name"], 0, 3)
        fg.addWidget(caption("法第30条の45の区分", required=True), 1, 0)
        fg.addWidget(cells["foreign.category"], 1, 1, 1, 3)
        fg.addWidget(caption("在留資格"), 2, 0)
        fg.addWidget(cells["foreign.residence_status"], 2, 1)
        fg.addWidget(caption("在留期間"), 2, 2)
        fg.addWidget(cells["foreign.period_of_stay"], 2, 3)
        fg.addWidget(caption("在留期間の満了の日"), 3, 0)
        fg.addWidget(cells["foreign.stay_expires_on"], 3, 1, 1, 3)
        fg.addWidget(caption("在留カード等の番号"), 4, 0)
        fg.addWidget(cells["foreign.card_number"], 4, 1)
        fg.addWidget(caption("外国人住民となった年月日"), 5, 0)
        fg.addWidget(cells["foreign.became_resident_on"], 5, 1, 1, 3)
        fg.addWidget(caption("通称"), 6, 0)
        fg.addWidget(cells["alias"], 6, 1)
        fg.addWidget(caption("通称のフリガナ"), 6, 2)
        fg.addWidget(cells["alias_kana"], 6, 3)
        fg.setColumnStretch(3, 1)
        layout.addWidget(self.foreign_box)

        numbers = QGridLayout()
        numbers.addWidget(caption("住民票コード"), 0, 0)
        numbers.addWidget(cells["resident_code"], 0, 1)
        numbers.addWidget(caption("個人番号"), 0, 2)
        numbers.addWidget(cells["my_number"], 0, 3)
        layout.addLayout(numbers)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.domicile_unknown.toggled.connect(lambda on: self._unknown(self.domicile, on))
        self.head_unknown.toggled.connect(lambda on: self._unknown(self.domicile_head, on))
        for w in (self.birth, self.name):
            w.changed.connect(self.changed)
        self.stay_expires_on.changed.connect(self.changed)
        self.became_foreign_resident_on.changed.connect(self.changed)
        self.set_related_choices([])
        self.set_resident_id(resident_id)
        self._kind_changed()

    # -- behaviour --------------------------------------------------------------------------
    def set_resident_id(self, rid: str) -> None:
        self.resident_id = rid
        self.id_label.setText(f"宛名番号 {rid}（新規）" if rid else "宛名番号 （採番中）")

    def set_heading(self, text: str) -> None:
        self.setTitle(text)

    def set_related_choices(self, members: Iterable[Resident]) -> None:
        """The members a 子の妻・子の子 may be related through (j1010 order); hidden when none."""
        members = list(members)
        current = self.related_to.currentData()
        self.related_to.blockSignals(True)
        self.related_to.clear()
        self.related_to.addItem("（指定しない）", "")
        for m in members:
            self.related_to.addItem(f"{m.name.full}（{m.relationship}）", m.resident_id)
        select_data(self.related_to, current or "")
        self.related_to.blockSignals(False)
        self.related_to.setVisible(bool(members))
        self.related_caption.setVisible(bool(members))

    def _unknown(self, edit, on: bool) -> None:
        if on:
            edit.setText(UNKNOWN)
        elif edit.text() == UNKNOWN:
            edit.clear()
        edit.setReadOnly(on)

    def is_foreign(self) -> bool:
        return self.kind.currentData() == ResidentKind.FOREIGN.value

    def _kind_changed(self, *_args) -> None:
        foreign = self.is_foreign()
        self.foreign_box.setVisible(foreign)
        self.japanese_box.setVisible(not foreign)
        self.changed.emit()

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def display_name(self) -> str:
        return self.name.display()

    # -- value and state --------------------------------------------------------------------
    def value(self) -> NewPerson:
        foreign = self.is_foreign()
        info = None
        if foreign:
            category = self.category.currentData()
            info = ForeignResidentInfo(
                nationality=self.nationality.text().strip(),
                category=ForeignCategory(category) if category else None,  # type: ignore[arg-type]
                alphabet_name=self.alphabet_name.text().strip(),
                residence_status=self.residence_status.currentText().strip(),
                period_of_stay=self.period_of_stay.text().strip(),
                stay_expires_on=self.stay_expires_on.value(),  # type: ignore[arg-type]
                card_number=self.card_number.text().strip().upper(),
                became_resident_on=self.became_foreign_resident_on.value(),  # type: ignore[arg-type]
            )
        return NewPerson(
            resident_id=self.resident_id,
            name=self.name.value(),
            birth_date=self.birth.value(),
            sex=sex_of(self.sex),
            relationship=self.relationship.currentText().strip(),
            kind=ResidentKind.FOREIGN if foreign else ResidentKind.JAPANESE,
            foreign=info,
            domicile="" if foreign else self.domicile.text().strip(),
            domicile_head="" if foreign else self.domicile_head.text().strip(),
            old_surname="" if foreign else self.old_surname.text().strip(),
            old_surname_kana="" if foreign else self.old_surname_kana.text().strip(),
            alias=self.alias.text().strip() if foreign else "",
            alias_kana=self.alias_kana.text().strip() if foreign else "",
            resident_code=self.resident_code.text().strip(),
            my_number=self.my_number.text().strip(),
            related_to=self.related_to.currentData() or "" if self.related_to.isVisibleTo(self) else "",
        )

    _TEXTS = ("domicile", "domicile_head", "old_surname", "old_surname_kana", "nationality", "alphabet_name",
              "period_of_stay", "card_number", "alias", "alias_kana", "resident_code", "my_number")

    def state(self) -> dict:
        s = {
            "resident_id": self.resident_id,
            "name": self.name.state(),
            "birth_date": self.birth.state(),
            "sex": self.sex.currentData(),
            "relationship": self.relationship.currentText(),
            "kind": self.kind.currentData(),
            "related_to": self.related_to.currentData() or "",
            "domicile_unknown": self.domicile_unknown.isChecked(),
            "head_unknown": self.head_unknown.isChecked(),
            "category": self.category.currentData() or "",
            "residence_status": self.residence_status.currentText(),
            "stay_expires_on": self.stay_expires_on.state(),
            "became_resident_on": self.became_foreign_resident_on.state(),
        }
        for k in self._TEXTS:
            s[k] = getattr(self, k).text()
        return s

    def set_state(self, s: dict) -> None:
        self.set_resident_id(str(s.get("resident_id", self.resident_id)))
        self.name.set_state(s.get("name") or {})
        self.birth.set_state(s.get("birth_date", ""))
        select_data(self.sex, s.get("sex"))
        self.relationship.setEditText(str(s.get("relationship", "")))
        select_data(self.kind, s.get("kind") or ResidentKind.JAPANESE.value)
        self.domicile_unknown.setChecked(bool(s.get("domicile_unknown")))
        self.head_unknown.setChecked(bool(s.get("head_unknown")))
        for k in self._TEXTS:
            getattr(self, k).setText(str(s.get(k, "")))
        select_data(self.category, s.get("category", ""))
        self.residence_status.setEditText(str(s.get("residence_status", "")))
        self.stay_expires_on.set_state(s.get("stay_expires_on", ""))
        self.became_foreign_resident_on.set_state(s.get("became_resident_on", ""))
        select_data(self.related_to, s.get("related_to", ""))


class MemberPicker(QWidget):
    """The household's members with a check box each: who this notification is about (転居・転出・
    世帯変更). Members in the j1010 order."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("memberPicker")
        self.members: list[Resident] = []
        self.boxes: dict[str, QCheckBox] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.cell_box = QWidget()
        self._rows = QVBoxLayout(self.cell_box)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self.cell = Cell(content=self.cell_box)
        self._layout.addWidget(self.cell)

    def set_members(self, members: list[Resident], checked: Iterable[str] = ()) -> None:
        checked = set(checked)
        for box in self.boxes.values():
            box.setParent(None)
            box.deleteLater()
        self.members = list(members)
        self.boxes = {}
        for m in self.members:
            box = QCheckBox(member_text(m))
            box.setObjectName(f"member_{m.resident_id}")
            box.setChecked(m.resident_id in checked)
            box.toggled.connect(self.changed)
            box.clicked.connect(self.cell._touch)
            self._rows.addWidget(box)
            self.boxes[m.resident_id] = box
        self.cell.inputs = tuple(self.boxes.values())
        self.changed.emit()

    def value(self) -> tuple[str, ...]:
        return tuple(rid for rid, box in self.boxes.items() if box.isChecked())

    def set_value(self, ids: Iterable[str]) -> None:
        ids = set(ids)
        for rid, box in self.boxes.items():
            box.setChecked(rid in ids)

    def whole(self) -> bool:
        return bool(self.boxes) and len(self.value()) == len(self.boxes)

    def cells(self) -> dict[str, Cell]:
        return {"": self.cell}


class RelationshipsTable(QWidget):
    """Member → 続柄, one row each (cells by 宛名番号): a blank new 続柄 means "not given". Rows are
    shown or hidden, and captioned, as the form needs (those who move / those who stay)."""

    changed = Signal()

    def __init__(self, *, heading: str = "新しい続柄", parent=None):
        super().__init__(parent)
        self.setObjectName("relationshipsTable")
        self.members: list[Resident] = []
        self.boxes: dict[str, QComboBox] = {}
        self.notes: dict[str, QLabel] = {}
        self._cells: dict[str, Cell] = {}
        self._row_widgets: dict[str, list[QWidget]] = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(("世帯員", "現在の続柄", heading, "")):
            label = QLabel(text)
            label.setObjectName("itemLabel")
            self.grid.addWidget(label, 0, col)
        self.grid.setColumnStretch(2, 1)

    def set_members(self, members: list[Resident]) -> None:
        for widgets in self._row_widgets.values():
            for w in widgets:
                w.setParent(None)
                w.deleteLater()
        self.members = list(members)
        self.boxes, self.notes, self._cells, self._row_widgets = {}, {}, {}, {}
        for i, m in enumerate(self.members, start=1):
            name = QLabel(f"{m.name.full}　{date_text(m.birth_date)}生")
            current = QLabel(m.relationship)
            box = relationship_box(name=f"relationship_{m.resident_id}")
            box.currentTextChanged.connect(self.changed)
            cell = Cell(box)
            note = QLabel()
            note.setObjectName("itemLabel")
            self.grid.addWidget(name, i, 0)
            self.grid.addWidget(current, i, 1)
            self.grid.addWidget(cell, i, 2)
            self.grid.addWidget(note, i, 3)
            self.boxes[m.resident_id] = box
            self.notes[m.resident_id] = note
            self._cells[m.resident_id] = cell
            self._row_widgets[m.resident_id] = [name, current, cell, note]
        self.changed.emit()

    def show_rows(self, notes: dict[str, str]) -> None:
        """Shows the rows of the members in `notes` (with that note beside), hides the others."""
        for rid, widgets in self._row_widgets.items():
            for w in widgets:
                w.setVisible(rid in notes)
            self.notes[rid].setText(notes.get(rid, ""))

    def visible_ids(self) -> list[str]:
        return [rid for rid, cell in self._cells.items() if not cell.isHidden()]

    def value(self) -> dict[str, str]:
        """The relationships given, of the rows shown."""
        out = {}
        for rid in self.visible_ids():
            text = self.boxes[rid].currentText().strip()
            if text:
                out[rid] = text
        return out

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def state(self) -> dict:
        return {rid: box.currentText() for rid, box in self.boxes.items() if box.currentText()}

    def set_state(self, s: dict) -> None:
        for rid, box in self.boxes.items():
            box.setEditText(str((s or {}).get(rid, "")))


class HeadPicker(QWidget):
    """The new 世帯主 among some members (combo); `fixed` shows the one it must be when there is
    no choice."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.box = combo([("（選択してください）", "")], name="newHouseholder")
        self.cell = Cell(self.box)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.cell, 1)
        self.box.currentIndexChanged.connect(self.changed)

    def set_choices(self, members: Iterable[Resident]) -> None:
        current = self.box.currentData() or ""
        self.box.blockSignals(True)
        self.box.clear()
        self.box.addItem("（選択してください）", "")
        for m in members:
            self.box.addItem(f"{m.name.full}（{m.relationship}）", m.resident_id)
        select_data(self.box, current)
        self.box.blockSignals(False)
        self.changed.emit()

    def value(self) -> str:
        return self.box.currentData() or ""

    def set_value(self, rid: str) -> None:
        select_data(self.box, rid or "")

    def cells(self) -> dict[str, Cell]:
        return {"": self.cell}
