"""The small widgets every notification form (届出の受付画面) is made of.

Each input sits in a `Cell`: the input, and under it a line for its error (赤字, objectName
"fieldError"); the input gets the dynamic property `error=true` while it has one. A form finds the
cell for an error by the error's dotted path ("address.town", "persons.0.birth_date").

Composite widgets (a date, a name, an address) follow one convention:
- `changed` (Signal) whenever their value changes, by the clerk or by code;
- `value()` the domain value they stand for (None when empty or unreadable);
- `cells()` their cells by relative path ("" is the widget as a whole);
- `state()` / `set_state(d)` a JSON-safe snapshot of exactly what is on screen, for drafts.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from app.ui.style import restyle
from app.ui.qt import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStringListModel,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from domain.addresses import PREFECTURE, WARDS, Ward, complete_town, is_ward_code, municipalities, ward_by_code
from domain.record_dates import RecordDate
from domain.residents import Address, PersonName, Sex
from domain.wareki import DateError, format_seireki, format_wareki, parse_date

REQUIRED_MARK = "※"
ABROAD = "国外"


def caption(text: str, *, required: bool = False) -> QLabel:
    """A field's label; a required field is marked 「※」 (the form explains the mark)."""
    label = QLabel(f"{text} {REQUIRED_MARK}" if required else text)
    label.setObjectName("fieldCaption")
    label.setProperty("required", required)
    return label


def line_edit(*, placeholder: str = "", width: int = 0, name: str = "") -> QLineEdit:
    edit = QLineEdit()
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if width:
        edit.setMinimumWidth(width)
    if name:
        edit.setObjectName(name)
    return edit


def combo(items: Iterable[tuple[str, object]], *, editable: bool = False, name: str = "") -> QComboBox:
    """A combo box of (label, data) pairs."""
    box = QComboBox()
    for label, data in items:
        box.addItem(label, data)
    if editable:
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if name:
        box.setObjectName(name)
    return box


def select_data(box: QComboBox, data: object) -> None:
    """Selects the item whose data is `data` (the first item when none is)."""
    index = box.findData(data)
    box.setCurrentIndex(index if index >= 0 else 0)


def user_edited_signals(widget: QWidget) -> list:
    """The signals that say the clerk (not the code) changed `widget`."""
    if isinstance(widget, QLineEdit):
        return [widget.textEdited]
    if isinstance(widget, QComboBox):
        signals = [widget.activated]
        if widget.isEditable() and widget.lineEdit() is not None:
            signals.append(widget.lineEdit().textEdited)
        return signals
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return [widget.clicked]
    if isinstance(widget, DateField):
        return [widget.edit.textEdited]
    return []


class Cell(QWidget):
    """One input (or a few that belong together) and its error line.

    `local_error` gives a message the form shows without asking the service (a date that cannot
    be read). `touched` turns true at the clerk's first edit: the form shows a cell's errors once it
    is touched, and every cell's after the clerk asked for the confirmation.
    """

    touched_now = Signal()

    def __init__(
        self,
        *inputs: QWidget,
        content: QWidget | None = None,
        local_error: Callable[[], str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("fieldCell")
        self.inputs = tuple(inputs)
        self.local_error = local_error or (lambda: "")
        self.touched = False
        self.messages: tuple[str, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if content is not None:
            layout.addWidget(content)
        elif len(inputs) == 1:
            layout.addWidget(inputs[0])
        else:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            for w in inputs:
                row.addWidget(w)
            layout.addLayout(row)
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)
        for w in inputs:
            for signal in user_edited_signals(w):
                signal.connect(self._touch)

    def _touch(self, *_args) -> None:
        if not self.touched:
            self.touched = True
        self.touched_now.emit()

    def set_errors(self, messages: Iterable[str]) -> None:
        messages = tuple(dict.fromkeys(m for m in messages if m))
        if messages == self.messages:
            return
        self.messages = messages
        self.error_label.setText("\n".join(messages))
        self.error_label.setVisible(bool(messages))
        for w in self.inputs:
            target = w.edit if isinstance(w, DateField) else w
            target.setProperty("error", bool(messages))
            restyle(target)


def radio_row(options: Iterable[tuple[str, str]], *, name: str = "") -> tuple[QWidget, dict[str, QRadioButton]]:
    """Radio buttons in one row (one group: they share a parent); returns the row and the buttons
    by key."""
    row = QWidget()
    if name:
        row.setObjectName(name)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    buttons = {}
    for key, label in options:
        b = QRadioButton(label)
        b.setObjectName(f"{name}_{key}" if name else key)
        buttons[key] = b
        layout.addWidget(b)
    layout.addStretch(1)
    return row, buttons


def checked_key(buttons: dict[str, QRadioButton]) -> str:
    return next((k for k, b in buttons.items() if b.isChecked()), "")


def check_key(buttons: dict[str, QRadioButton], key: str) -> None:
    for k, b in buttons.items():
        b.setChecked(k == key)


# --- dates -------------------------------------------------------------------------------------


def date_text(value: dt.date | RecordDate | None, *, seireki: bool = False) -> str:
    """A date as the confirmation view shows it: 和暦 (and 西暦 in brackets when asked)."""
    if value is None:
        return ""
    if isinstance(value, RecordDate):
        text = value.format_wareki()
        exact = value.to_date()
        if seireki and exact is not None:
            text += f"（{format_seireki(exact)}）"
        return text
    text = format_wareki(value)
    return f"{text}（{format_seireki(value)}）" if seireki else text


class DateField(QWidget):
    """A date typed as a clerk types it (S55.12.26, 昭和55年12月26日, 1980-12-26, 4/1 …), with what
    was read shown next to it in 和暦 and 西暦.

    `record=True` reads a register date that may be partly unknown (「令和7年4月上旬」「年月日不詳」)
    as a RecordDate; otherwise a calendar day (datetime.date). `error` is the parser's Japanese
    message when the text cannot be read ("" otherwise); `value()` is then None.
    """

    changed = Signal()

    def __init__(self, *, record: bool = False, today: Callable[[], dt.date] | None = None, name: str = "", parent=None):
        super().__init__(parent)
        self.record = record
        self._today = today or dt.date.today
        self.edit = line_edit(
            placeholder="例：令和7年4月1日、R7.4.1、2025-04-01" + ("、令和7年4月上旬、年月日不詳" if record else ""),
            width=200,
            name=name,
        )
        self.hint = QLabel()
        self.hint.setObjectName("dateHint")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 2)
        layout.addWidget(self.hint, 3)
        self.setFocusProxy(self.edit)
        self._value: dt.date | RecordDate | None = None
        self.error = ""
        self.edit.textChanged.connect(self._parse)

    def _parse(self, text: str) -> None:
        self._value, self.error = None, ""
        if text.strip():
            try:
                if self.record:
                    self._value = RecordDate.parse(text)
                else:
                    self._value = parse_date(text, today=self._today())
            except DateError as e:
                self.error = e.message
        self.hint.setText(date_text(self._value, seireki=True) if self._value is not None else "")
        self.changed.emit()

    def value(self) -> dt.date | RecordDate | None:
        return self._value

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def set_date(self, value: dt.date | RecordDate | None) -> None:
        self.edit.setText(date_text(value))

    def state(self) -> str:
        return self.edit.text()

    def set_state(self, s: object) -> None:
        self.edit.setText(s if isinstance(s, str) else "")


def date_cell(field: DateField) -> Cell:
    return Cell(field, content=field, local_error=lambda: field.error)


# --- names -------------------------------------------------------------------------------------


class NameBlock(QWidget):
    """氏名 and フリガナ: 氏・名 and フリガナ（氏）・フリガナ（名） (カタカナ)."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.family = line_edit(placeholder="氏", name="family")
        self.given = line_edit(placeholder="名", name="given")
        self.family_kana = line_edit(placeholder="シ（カタカナ）", name="familyKana")
        self.given_kana = line_edit(placeholder="メイ（カタカナ）", name="givenKana")
        self._cells = {
            "family": Cell(self.family),
            "given": Cell(self.given),
            "family_kana": Cell(self.family_kana),
            "given_kana": Cell(self.given_kana),
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(caption("氏", required=True), 0, 0)
        grid.addWidget(self._cells["family"], 0, 1)
        grid.addWidget(caption("名"), 0, 2)
        grid.addWidget(self._cells["given"], 0, 3)
        grid.addWidget(caption("フリガナ（氏）", required=True), 1, 0)
        grid.addWidget(self._cells["family_kana"], 1, 1)
        grid.addWidget(caption("フリガナ（名）"), 1, 2)
        grid.addWidget(self._cells["given_kana"], 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for e in (self.family, self.given, self.family_kana, self.given_kana):
            e.textChanged.connect(self.changed)

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def value(self) -> PersonName:
        return PersonName(
            family=self.family.text().strip(),
            given=self.given.text().strip(),
            family_kana=self.family_kana.text().strip(),
            given_kana=self.given_kana.text().strip(),
        )

    def display(self) -> str:
        """「船橋 健」 for a title ("" while nothing is typed)."""
        return " ".join(p for p in (self.family.text().strip(), self.given.text().strip()) if p)

    def state(self) -> dict:
        return {k: getattr(self, k).text() for k in ("family", "given", "family_kana", "given_kana")}

    def set_state(self, s: dict) -> None:
        for k in ("family", "given", "family_kana", "given_kana"):
            getattr(self, k).setText(str(s.get(k, "")))


def name_text(name: PersonName) -> str:
    """「船橋　健（フナバシ　ケン）」."""
    kana = name.full_kana
    return f"{name.full}（{kana}）" if kana else name.full


# --- addresses ---------------------------------------------------------------------------------


class CityAddressField(QWidget):
    """An address in the city: 区 (combo), 町丁目 (completed from the address master as typed),
    番地・号, 方書 (building and room)."""

    changed = Signal()

    def __init__(self, *, ward_code: str = "", parent=None):
        super().__init__(parent)
        self.ward = combo(((w.name, w.lg_code) for w in WARDS), name="ward")
        if ward_code and is_ward_code(ward_code):
            select_data(self.ward, ward_code)
        self.town = line_edit(placeholder="町丁目（例：本千葉町、稲荷町一丁目）", width=240, name="town")
        self.block = line_edit(placeholder="番地・号（例：1番2号、12番地3）", name="block")
        self.building = line_edit(placeholder="方書（建物名・部屋番号）", name="building")
        self.town_model = QStringListModel(self)
        self.completer = QCompleter(self.town_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.town.setCompleter(self.completer)
        self.town.textEdited.connect(self._complete)
        self._cells = {
            "": Cell(self.ward),
            "town": Cell(self.town),
            "block": Cell(self.block),
            "building": Cell(self.building),
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(caption("千葉県千葉市"), 0, 0)
        grid.addWidget(self._cells[""], 0, 1)
        grid.addWidget(caption("町丁目", required=True), 0, 2)
        grid.addWidget(self._cells["town"], 0, 3)
        grid.addWidget(caption("番地", required=True), 1, 0)
        grid.addWidget(self._cells["block"], 1, 1)
        grid.addWidget(caption("方書"), 1, 2)
        grid.addWidget(self._cells["building"], 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        self.ward.currentIndexChanged.connect(self.changed)
        for e in (self.town, self.block, self.building):
            e.textChanged.connect(self.changed)

    def current_ward(self) -> Ward:
        return ward_by_code(self.ward.currentData())

    def _complete(self, text: str) -> None:
        names = [t.name for t in complete_town(self.current_ward(), text)] if text.strip() else []
        self.town_model.setStringList(names)

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def value(self) -> Address:
        ward = self.current_ward()
        return Address(
            prefecture=PREFECTURE,
            municipality=ward.municipality,
            town=self.town.text().strip(),
            block=self.block.text().strip(),
            building=self.building.text().strip(),
            lg_code=ward.lg_code,
        )

    def set_address(self, a: Address) -> None:
        if a.lg_code and is_ward_code(a.lg_code):
            select_data(self.ward, a.lg_code)
        self.town.setText(a.town)
        self.block.setText(a.block)
        self.building.setText(a.building)

    def state(self) -> dict:
        return {"ward": self.ward.currentData(), "town": self.town.text(), "block": self.block.text(), "building": self.building.text()}

    def set_state(self, s: dict) -> None:
        if s.get("ward"):
            select_data(self.ward, s["ward"])
        self.town.setText(str(s.get("town", "")))
        self.block.setText(str(s.get("block", "")))
        self.building.setText(str(s.get("building", "")))


def _outside_municipalities(prefecture: str) -> tuple[str, ...]:
    names = municipalities().get(prefecture, ())
    if prefecture == PREFECTURE:  # the city's own wards are no address outside the city
        names = tuple(n for n in names if not n.startswith("千葉市"))
    return names


class OutsideAddressField(QWidget):
    """An address outside the city (転入前住所・転出先): 都道府県 → 市区町村 from the list of every
    municipality, or 「国外」 and the country; 町名・番地・方書 are optional (j650)."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.prefecture = combo([("（選択してください）", "")] + [(p, p) for p in municipalities()] + [(ABROAD, ABROAD)], name="prefecture")
        self.municipality = combo((), editable=True, name="municipality")
        self.municipality.lineEdit().setPlaceholderText("市区町村")
        self.municipality.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.municipality.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.country = line_edit(placeholder="国名（例：アメリカ合衆国）", name="country")
        self.town = line_edit(placeholder="町名・番地など（任意）", name="outsideTown")
        self.building = line_edit(placeholder="方書（任意）", name="outsideBuilding")
        place = QWidget()
        row = QHBoxLayout(place)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.municipality, 1)
        row.addWidget(self.country, 1)
        self._cells = {
            "": Cell(self.prefecture),
            "municipality": Cell(self.municipality, self.country, content=place),
            "town": Cell(self.town),
            "building": Cell(self.building),
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(caption("都道府県・国外", required=True), 0, 0)
        grid.addWidget(self._cells[""], 0, 1)
        self.place_caption = caption("市区町村", required=True)
        grid.addWidget(self.place_caption, 0, 2)
        grid.addWidget(self._cells["municipality"], 0, 3)
        grid.addWidget(caption("町名・番地"), 1, 0)
        grid.addWidget(self._cells["town"], 1, 1)
        grid.addWidget(caption("方書"), 1, 2)
        grid.addWidget(self._cells["building"], 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        self.prefecture.currentIndexChanged.connect(self._prefecture_changed)
        self.municipality.currentTextChanged.connect(self.changed)
        for e in (self.country, self.town, self.building):
            e.textChanged.connect(self.changed)
        self._prefecture_changed()

    def _prefecture_changed(self, *_args) -> None:
        pref = self.prefecture.currentData() or ""
        abroad = pref == ABROAD
        self.country.setVisible(abroad)
        self.municipality.setVisible(not abroad)
        self.place_caption.setText(f"国名 {REQUIRED_MARK}" if abroad else f"市区町村 {REQUIRED_MARK}")
        self.municipality.blockSignals(True)
        self.municipality.clear()
        self.municipality.addItems(list(_outside_municipalities(pref)))
        self.municipality.setCurrentIndex(-1)
        self.municipality.setEditText("")
        self.municipality.blockSignals(False)
        self.changed.emit()

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def value(self) -> Address | None:
        pref = self.prefecture.currentData() or ""
        if not pref:
            return None
        place = self.country.text().strip() if pref == ABROAD else self.municipality.currentText().strip()
        return Address(prefecture=pref, municipality=place, town=self.town.text().strip(), building=self.building.text().strip())

    def set_address(self, a: Address | None) -> None:
        if a is None:
            self.set_state({})
            return
        self.set_state({
            "prefecture": a.prefecture,
            "municipality": "" if a.is_abroad else a.municipality,
            "country": a.municipality if a.is_abroad else "",
            "town": a.town + a.block,
            "building": a.building,
        })

    def state(self) -> dict:
        return {
            "prefecture": self.prefecture.currentData() or "",
            "municipality": self.municipality.currentText(),
            "country": self.country.text(),
            "town": self.town.text(),
            "building": self.building.text(),
        }

    def set_state(self, s: dict) -> None:
        select_data(self.prefecture, s.get("prefecture", ""))
        self.municipality.setEditText(str(s.get("municipality", "")))
        self.country.setText(str(s.get("country", "")))
        self.town.setText(str(s.get("town", "")))
        self.building.setText(str(s.get("building", "")))


# --- choices -----------------------------------------------------------------------------------

SEX_CHOICES: tuple[tuple[str, object], ...] = (
    ("（選択）", None),
    (Sex.MALE.label, int(Sex.MALE)),
    (Sex.FEMALE.label, int(Sex.FEMALE)),
    (Sex.UNKNOWN.label, int(Sex.UNKNOWN)),
    (Sex.NOT_APPLICABLE.label, int(Sex.NOT_APPLICABLE)),
)


def sex_of(box: QComboBox) -> Sex | None:
    data = box.currentData()
    return None if data is None else Sex(int(data))
