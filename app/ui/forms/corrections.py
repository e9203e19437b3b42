"""職権修正 (j840–j860, and 誤記修正・軽微な修正・個人番号・住民票コード・旧氏・通称) and 異動の取消し
(j980/j990)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from app.ui.forms.common import ResidentForm, date_row, text_row
from app.ui.forms.moves import prefixed
from app.ui.forms.people import relationship_box
from app.ui.texts import address_text
from app.ui.forms.widgets import (
    SEX_CHOICES,
    Cell,
    DateField,
    OutsideAddressField,
    caption,
    combo,
    date_cell,
    date_text,
    line_edit,
    select_data,
    sex_of,
)
from app.ui.qt import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.services.resident_page import HistoryEntry
from domain.change_reasons import ChangeReason
from domain.notifications import CORRECTABLE, CORRECTION_REASONS, Cancellation, ExOfficioCorrection
from domain.notifications.correction import current_value
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, Resident, ResidentKind, Sex

RECORD_DATES = {"birth_date", "became_resident_on", "foreign.became_resident_on"}
DAYS = {"address_set_on", "foreign.stay_expires_on"}
JAPANESE_ONLY = {"domicile", "domicile_head", "old_surname", "old_surname_kana"}
FOREIGN_ONLY = {"alias", "alias_kana"}
HIDDEN_VALUES = {"my_number"}  # never shown on screen (revealed only through the logged service call)


def value_text(value: Any) -> str:
    """A record item's value as the screens show it."""
    if value is None or value == "":
        return "（記載なし）"
    if isinstance(value, (dt.date, RecordDate)):
        return date_text(value)
    if isinstance(value, Sex):
        return value.label
    if isinstance(value, ForeignCategory):
        return value.label
    if isinstance(value, Address):
        return address_text(value)
    return str(value)


def correctable_keys(person: Resident | None) -> list[str]:
    """The items a correction of this resident may offer: a Japanese resident has no foreign items
    nor 通称, a foreign resident no 本籍・筆頭者・旧氏."""
    keys = list(CORRECTABLE)
    if person is None:
        return keys
    if person.kind is ResidentKind.JAPANESE:
        return [k for k in keys if not k.startswith("foreign.") and k not in FOREIGN_ONLY]
    return [k for k in keys if k not in JAPANESE_ONLY]


class CorrectionRow(QWidget):
    """One item to correct: its label, the value now on the record, the new value."""

    remove_requested = Signal(object)

    def __init__(self, key: str, person: Resident | None, members: list[Resident], today: Callable[[], dt.date], parent=None):
        super().__init__(parent)
        self.setObjectName("correctionRow")
        self.key = key
        current = current_value(person, key) if person is not None else None
        self.current_text = "（表示しません）" if key in HIDDEN_VALUES else value_text(current)
        self.editor: QWidget
        self._cells: dict[str, Cell]
        if key in RECORD_DATES or key in DAYS:
            self.editor = DateField(record=key in RECORD_DATES, today=today, name=f"new_{key}")
            if current is not None:
                self.editor.set_date(current)
            self._cells = {key: date_cell(self.editor)}
        elif key == "sex":
            self.editor = combo(SEX_CHOICES, name="new_sex")
            select_data(self.editor, int(current) if isinstance(current, Sex) else None)
            self._cells = {key: Cell(self.editor)}
        elif key == "foreign.category":
            self.editor = combo([("（選択）", "")] + [(c.label, c.value) for c in ForeignCategory], name="new_category")
            select_data(self.editor, current.value if isinstance(current, ForeignCategory) else "")
            self._cells = {key: Cell(self.editor)}
        elif key == "relationship":
            self.editor = relationship_box(name="new_relationship")
            self.editor.setEditText(str(current or ""))
            self._cells = {key: Cell(self.editor)}
        elif key == "related_to":
            self.editor = combo([("（指定しない）", "")], name="new_related_to")
            for m in members:
                if person is None or m.resident_id != person.resident_id:
                    self.editor.addItem(f"{m.name.full}（{m.relationship}）", m.resident_id)
            select_data(self.editor, current or "")
            self._cells = {key: Cell(self.editor)}
        elif key == "previous_address":
            self.editor = OutsideAddressField()
            self.editor.set_address(current if isinstance(current, Address) else None)
            self._cells = prefixed(key, self.editor.cells())
        else:
            self.editor = line_edit(name=f"new_{key}")
            if key not in HIDDEN_VALUES:
                self.editor.setText("" if current is None else str(current))
            self._cells = {key: Cell(self.editor)}
        self.remove_button = QPushButton("取りやめる")
        self.remove_button.setObjectName("dangerButton")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.addWidget(caption(CORRECTABLE[key], required=True), 0, 0)
        now = QLabel(f"現在：{self.current_text}")
        now.setObjectName("itemLabel")
        now.setWordWrap(True)
        grid.addWidget(now, 0, 1)
        grid.addWidget(self.remove_button, 0, 2)
        if isinstance(self.editor, OutsideAddressField):
            grid.addWidget(self.editor, 1, 0, 1, 3)
        else:
            grid.addWidget(caption("修正後"), 1, 0)
            grid.addWidget(self._cells[key], 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)

    def value(self) -> Any:
        e = self.editor
        if isinstance(e, DateField):
            return e.value()
        if isinstance(e, OutsideAddressField):
            return e.value()
        if self.key == "sex":
            return sex_of(e)  # type: ignore[arg-type]
        if self.key == "foreign.category":
            data = e.currentData()  # type: ignore[union-attr]
            return ForeignCategory(data) if data else None
        if self.key == "related_to":
            return e.currentData() or ""  # type: ignore[union-attr]
        if isinstance(e, QComboBox):
            return e.currentText().strip()
        return e.text().strip()  # type: ignore[union-attr]

    def display(self, value: Any) -> str:
        if self.key in HIDDEN_VALUES:
            return "（入力あり）" if value else "（記載なし）"
        if self.key == "related_to" and isinstance(self.editor, QComboBox):
            return self.editor.currentText() if value else "（指定しない）"
        return value_text(value)

    def cells(self) -> dict[str, Cell]:
        return dict(self._cells)

    def state(self) -> dict:
        e = self.editor
        if isinstance(e, (DateField, OutsideAddressField)):
            value: Any = e.state()
        elif isinstance(e, QComboBox) and e.isEditable():
            value = e.currentText()
        elif isinstance(e, QComboBox):
            value = e.currentData()
        else:
            value = e.text()  # type: ignore[union-attr]
        return {"key": self.key, "value": value}

    def set_state(self, s: dict) -> None:
        e, value = self.editor, s.get("value")
        if isinstance(e, (DateField, OutsideAddressField)):
            e.set_state(value if value is not None else ({} if isinstance(e, OutsideAddressField) else ""))
        elif isinstance(e, QComboBox) and e.isEditable():
            e.setEditText(str(value or ""))
        elif isinstance(e, QComboBox):
            select_data(e, value)
        elif isinstance(e, QLineEdit):
            e.setText(str(value or ""))


class ExOfficioCorrectionForm(ResidentForm):
    """職権修正: the reason (異動事由), the items to correct chosen from CORRECTABLE (each with its
    value now and the new one), 修正理由, 異動日 (optional) and 届出日（処理日）. Goes to 審査."""

    kind = "ExOfficioCorrection"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self.rows: list[CorrectionRow] = []
        self.section("修正の内容")
        f = self.form_layout()
        self.reason = combo(((r.label, r.name) for r in CORRECTION_REASONS), name="correctionReason")
        self.reason_cell = Cell(self.reason)
        f.addRow(caption("異動事由", required=True), self.reason_cell)
        picker = QWidget()
        row = QHBoxLayout(picker)
        row.setContentsMargins(0, 0, 0, 0)
        self.item = combo(((v, k) for k, v in CORRECTABLE.items()), name="correctionItem")
        self.add_button = QPushButton("修正する項目に追加")
        self.add_button.setObjectName("addItemButton")
        self.add_button.clicked.connect(self.add_selected)
        row.addWidget(self.item, 1)
        row.addWidget(self.add_button)
        self.changes_cell = Cell(self.item, content=picker)
        f.addRow(caption("修正する項目", required=True), self.changes_cell)
        self.rows_layout = QVBoxLayout()
        layout.addLayout(self.rows_layout)
        self.section("理由と日付")
        g = self.form_layout()
        self.explanation, self.explanation_cell = text_row(g, "修正理由", required=True, placeholder="例：戸籍の附票との照合による誤記の修正", name="explanation")
        self.occurred, self.occurred_cell = date_row(self, g, "異動日（省略時は届出日）", record=True, required=False, name="occurredOn")
        self.notified, self.notified_cell = date_row(self, g, "届出日（処理日）", today=True, name="notifiedOn")

    def resident_loaded(self) -> None:
        keys = correctable_keys(self.person)
        self.item.clear()
        for k in keys:
            self.item.addItem(CORRECTABLE[k], k)

    def add_selected(self) -> None:
        """Adds the item chosen in the combo (once) and puts the cursor in its new value."""
        key = self.item.currentData()
        if not key:
            return
        row = self.add_row(key)
        target = row.editor.edit if isinstance(row.editor, DateField) else row.editor
        if isinstance(row.editor, OutsideAddressField):
            target = row.editor.prefecture
        target.setFocus()
        self.scroll.ensureWidgetVisible(row)
        self.user_edited()
        self.changed()

    def add_row(self, key: str) -> CorrectionRow:
        existing = next((r for r in self.rows if r.key == key), None)
        if existing is not None:
            return existing
        row = CorrectionRow(key, self.person, self.members, self.service.today)
        row.remove_requested.connect(self._remove_row)
        self.rows_layout.addWidget(row)
        self.rows.append(row)
        self.adopt_widgets()
        return row

    def _remove_row(self, row: CorrectionRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
            self.fix_tab_order()
            self.user_edited()
            self.changed()

    def cells(self) -> dict[str, Cell]:
        out = {
            "reason": self.reason_cell,
            "changes": self.changes_cell,
            "explanation": self.explanation_cell,
            "occurred_on": self.occurred_cell,
            "notified_on": self.notified_cell,
        }
        for r in self.rows:
            out.update(r.cells())
        return out

    def notification(self) -> ExOfficioCorrection:
        return ExOfficioCorrection(
            resident_id=self.resident_id,
            changes={r.key: r.value() for r in self.rows},
            explanation=self.explanation.text().strip(),
            notified_on=self.notified.value(),  # type: ignore[arg-type]
            reason=ChangeReason[self.reason.currentData()],
            occurred_on=self.occurred.value(),
        )

    def fields_state(self) -> dict:
        return {
            "reason": self.reason.currentData(),
            "rows": [r.state() for r in self.rows],
            "explanation": self.explanation.text(),
            "occurred_on": self.occurred.state(),
            "notified_on": self.notified.state(),
        }

    def restore(self, fields: dict) -> None:
        select_data(self.reason, fields.get("reason"))
        for s in fields.get("rows") or []:
            if s.get("key") in CORRECTABLE:
                self.add_row(s["key"]).set_state(s)
        self.explanation.setText(str(fields.get("explanation", "")))
        self.occurred.set_state(fields.get("occurred_on", ""))
        self.notified.set_state(fields.get("notified_on", ""))

    def summary(self, n: ExOfficioCorrection) -> list[tuple[str, str]]:
        rows = self.subject_rows() + [("異動事由", n.reason.label)]
        for r in self.rows:
            rows.append((CORRECTABLE[r.key], f"{r.current_text} → {r.display(n.changes.get(r.key))}"))
        return rows + [
            ("修正理由", n.explanation),
            ("異動日", date_text(n.occurred_on) if n.occurred_on is not None else f"{date_text(n.notified_on)}（届出日）"),
            ("届出日（処理日）", date_text(n.notified_on)),
        ]


def load_history(service, resident_id: str) -> tuple[HistoryEntry, ...]:
    page = service.resident_page(resident_id) if resident_id else None
    return page.history if page is not None else ()


def entry_text(h: HistoryEntry) -> str:
    state = "仮登録" if h.pending else "本登録"
    cancels = "（取消しの異動）" if h.cancels else ""
    fields = f"　{h.fields}" if h.fields else ""
    return f"{h.occurred_on}　{h.reason}{cancels}　［{state}］{fields}"


class CancellationForm(ResidentForm):
    """異動の取消し: one of this resident's changes (newest first; the rules allow only the newest in
    force), 取消しの理由 and 届出日. Goes to 審査."""

    kind = "Cancellation"

    def build_fields(self, layout: QVBoxLayout) -> None:
        self.history: tuple[HistoryEntry, ...] = ()
        self.choices: dict[str, QRadioButton] = {}
        self.section("取り消す異動")
        self.list_box = QWidget()
        self.list_box.setObjectName("changeList")
        self.list_layout = QVBoxLayout(self.list_box)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.empty_label = QLabel("異動履歴を読み込んでいます…")
        self.empty_label.setObjectName("itemLabel")
        self.list_layout.addWidget(self.empty_label)
        self.cancels_cell = Cell(content=self.list_box)
        layout.addWidget(self.cancels_cell)
        self.section("理由と日付")
        f = self.form_layout()
        self.explanation, self.explanation_cell = text_row(f, "取消しの理由", required=True, placeholder="例：届出人の申出による誤りの判明", name="explanation")
        self.notified, self.notified_cell = date_row(self, f, "届出日（処理日）", today=True, name="notifiedOn")

    def start(self) -> None:
        super().start()
        self.load(load_history, self.service, self.resident_id, on_done=self._history_loaded)

    def _history_loaded(self, history: tuple[HistoryEntry, ...]) -> None:
        self.history = tuple(reversed(history))  # newest first
        self.empty_label.setText("" if self.history else "取り消せる異動がありません。")
        self.empty_label.setVisible(not self.history)
        for h in self.history:
            b = QRadioButton(entry_text(h))
            b.setObjectName(f"change_{h.change_id}")
            b.clicked.connect(self.cancels_cell._touch)
            self.list_layout.addWidget(b)
            self.choices[h.change_id] = b
        self.cancels_cell.inputs = tuple(self.choices.values())
        self.adopt_widgets()

    def selected(self) -> str:
        return next((cid for cid, b in self.choices.items() if b.isChecked()), "")

    def select(self, change_id: str) -> None:
        for cid, b in self.choices.items():
            b.setChecked(cid == change_id)

    def cells(self) -> dict[str, Cell]:
        return {"cancels": self.cancels_cell, "explanation": self.explanation_cell, "notified_on": self.notified_cell}

    def notification(self) -> Cancellation:
        return Cancellation(cancels=self.selected(), notified_on=self.notified.value(), explanation=self.explanation.text().strip())  # type: ignore[arg-type]

    def fields_state(self) -> dict:
        return {"cancels": self.selected(), "explanation": self.explanation.text(), "notified_on": self.notified.state()}

    def restore(self, fields: dict) -> None:
        self.select(str(fields.get("cancels", "")))
        self.explanation.setText(str(fields.get("explanation", "")))
        self.notified.set_state(fields.get("notified_on", ""))

    def summary(self, n: Cancellation) -> list[tuple[str, str]]:
        h = next((x for x in self.history if x.change_id == n.cancels), None)
        rows = self.subject_rows()
        if h is not None:
            rows += [
                ("取り消す異動", f"{h.reason}（異動日 {h.occurred_on}、届出日 {h.notified_on}）"),
                ("その異動で変わった項目", h.fields),
            ]
        rows.append(("異動の番号", n.cancels))
        return rows + [("取消しの理由", n.explanation), ("届出日（処理日）", date_text(n.notified_on))]
