"""The search screen (住民検索, j320–j340): the detailed form, the results table and the
operator's search history. The one-line search bar in the header feeds the same search.

Searches run on the task runner (a newer search supersedes an older one still running), so a
keystroke never waits for the database. Enter in a result row opens the resident.

「カードで検索」 (F4) reads a My Number card (PIN dialog, app/ui/card_dialog.py) and finds its
holder by My Number, then by name and birth date: found with nothing differing, the resident
opens; when the card and the register differ (a card not updated after a move), or several
people match, they are listed here with what differs, for the clerk to look at first."""
from __future__ import annotations

from dataclasses import replace

from app.services.card_reading import CardMatch, CardReading
from app.services.search_history import describe
from app.store.search import SearchHit, SearchResult
from app.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QColor,
    QComboBox,
    QCompleter,
    QEvent,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.card_dialog import CardReadFlow
from app.ui.card_events import card_events
from app.ui.table_model import RowsModel
from app.ui.tasks import TaskRunner, message_of
from app.ui.texts import address_text, birth_text
from domain.addresses import WARDS, all_towns
from domain.errors import ValidationError
from domain.quick_search import parse_quick
from domain.search_criteria import ALL_WARDS, SearchCriteria

COLUMNS = ("氏名", "フリガナ", "生年月日", "性別", "住所", "続柄", "状態", "注意", "一致")
COLUMN_WIDTHS = (130, 170, 160, 44, 300, 90, 50, 110, 90)
MATCHES = (("prefix", "前方一致"), ("exact", "完全一致"), ("partial", "部分一致"))


class ResultsModel(RowsModel):
    HEADERS = COLUMNS

    @property
    def hits(self) -> tuple[SearchHit, ...]:
        return self.rows

    def set_hits(self, hits) -> None:
        self.replace_rows(hits)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        r = hit.resident
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                r.name.full,
                r.name.full_kana,
                birth_text(r),
                r.sex.label,
                address_text(r.address),
                r.relationship,
                r.status.label if not r.is_current else "",
                hit.marks,
                hit.matched_by,
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and (hit.support_measure or hit.suppressed) and index.column() == 7:
            return QColor("#b42318")
        if role == Qt.ItemDataRole.ForegroundRole and not r.is_current:
            return QColor("#7b8794")
        if role == Qt.ItemDataRole.UserRole:
            return r.resident_id
        return None


class SearchPanel(QWidget):
    open_resident = Signal(str)

    def __init__(self, service, runner: TaskRunner, *, delay_ms: int = 200, parent=None):
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.quick_text = ""
        self.last_result: SearchResult | None = None
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.search_now)

        form = QGroupBox("検索条件")
        grid = QGridLayout(form)
        self.name = QLineEdit(objectName="searchName", placeholderText="カナ・漢字（例：サトウ ハナコ、髙橋）")
        self.given_only = QCheckBox("名のみ")
        self.match = QComboBox(objectName="searchMatch")
        for value, label in MATCHES:
            self.match.addItem(label, value)
        self.birth = QLineEdit(objectName="searchBirth", placeholderText="S55.12.26、昭和55年、1980")
        self.sex = QComboBox(objectName="searchSex")
        for label, value in (("指定なし", None), ("男", 1), ("女", 2)):
            self.sex.addItem(label, value)
        self.address = QLineEdit(objectName="searchAddress", placeholderText="町丁目（例：稲荷町一丁目）")
        towns = sorted({t.name for t in all_towns()})
        completer = QCompleter(towns, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.address.setCompleter(completer)
        self.ward = QComboBox(objectName="searchWard")
        self.ward.addItem("自区", "")
        self.ward.addItem("全区", ALL_WARDS)
        for w in WARDS:
            self.ward.addItem(w.name, w.lg_code)
        self.resident_id = QLineEdit(objectName="searchResidentId")
        self.resident_code = QLineEdit(objectName="searchResidentCode", placeholderText="11桁")
        self.my_number = QLineEdit(objectName="searchMyNumber", placeholderText="12桁")
        self.my_number.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.include_removed = QCheckBox("除票を含む", checked=True)
        rows = (
            ("氏名", self.name, self.given_only, self.match),
            ("生年月日", self.birth, QLabel("性別"), self.sex),
            ("住所", self.address, QLabel("区"), self.ward),
            ("宛名番号", self.resident_id, QLabel("住民票コード"), self.resident_code),
            ("個人番号", self.my_number, self.include_removed, None),
        )
        for i, (label, a, b, c) in enumerate(rows):
            grid.addWidget(QLabel(label), i, 0)
            grid.addWidget(a, i, 1)
            if b is not None:
                grid.addWidget(b, i, 2)
            if c is not None:
                grid.addWidget(c, i, 3)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        self.search_button = QPushButton("検索（Enter）", objectName="primaryButton")
        self.clear_button = QPushButton("条件をクリア")
        self.card_button = QPushButton("カードで検索（F4）", objectName="cardReadButton")
        self.card_state = QLabel(objectName="cardState")
        buttons.addWidget(self.card_button)
        buttons.addWidget(self.card_state)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.search_button)
        grid.addLayout(buttons, len(rows), 0, 1, 4)

        self.message = QLabel(objectName="searchMessage")
        self.message.setWordWrap(True)
        self.model = ResultsModel(self)
        self.table = QTableView(objectName="results")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Fixed starting widths (the clerk may drag them): sizing columns to their contents
        # measures every cell on each new result, a visible stutter while typing.
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)
        self.table.installEventFilter(self)

        self.history = QListWidget(objectName="searchHistory")
        self.history.itemActivated.connect(self._history_chosen)
        side = QWidget()
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(0, 0, 0, 0)
        side_box.addWidget(QLabel("検索履歴", objectName="sectionTitle"))
        side_box.addWidget(self.history)

        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(form)
        left_box.addWidget(self.message)
        left_box.addWidget(self.table, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        box = QVBoxLayout(self)
        box.addWidget(split)

        for edit in (self.name, self.birth, self.address, self.resident_id, self.resident_code, self.my_number):
            edit.textEdited.connect(self._typed)
            edit.returnPressed.connect(self.search_now)
        for combo in (self.match, self.sex, self.ward):
            combo.currentIndexChanged.connect(self._typed)
        for check in (self.given_only, self.include_removed):
            check.toggled.connect(self._typed)
        self.search_button.clicked.connect(self.search_now)
        self.clear_button.clicked.connect(self.clear)
        self.card_button.clicked.connect(self.read_card)
        self.card_reading = CardReading(service)
        self.card_flow: CardReadFlow | None = None
        self._card_events = card_events()
        self._card_events.changed.connect(self._card_state_changed)
        self._card_state_changed()
        self.refresh_history()

    # -- what was asked --------------------------------------------------------------------
    def criteria(self) -> SearchCriteria:
        quick = parse_quick(self.quick_text) if self.quick_text.strip() else SearchCriteria()
        form = dict(
            name=self.name.text().strip(),
            given_only=self.given_only.isChecked(),
            birth=self.birth.text().strip(),
            sex=self.sex.currentData(),
            address=self.address.text().strip(),
            ward=self.ward.currentData(),
            resident_code=self.resident_code.text().strip(),
            my_number=self.my_number.text().strip(),
            resident_id=self.resident_id.text().strip(),
            include_removed=self.include_removed.isChecked(),
            match=self.match.currentData(),
        )
        merged = {k: v for k, v in form.items() if v not in ("", None)}
        for key in ("name", "birth", "address", "resident_code", "my_number", "resident_id", "sex"):
            if not merged.get(key) and getattr(quick, key):
                merged[key] = getattr(quick, key)
        if quick.ward == ALL_WARDS and not form["ward"]:
            merged["ward"] = ALL_WARDS
        return replace(SearchCriteria(), **merged)

    def set_quick(self, text: str, *, now: bool = False) -> None:
        """The header's search bar: searched after a pause, or at once on Enter."""
        self.quick_text = text
        if now:
            self.search_now()
        else:
            self._timer.start()

    def _typed(self, *_):
        self._timer.start()

    def is_empty(self, c: SearchCriteria) -> bool:
        return not any((c.name, c.birth, c.address, c.resident_code, c.my_number, c.resident_id))

    def search_now(self) -> None:
        self._timer.stop()
        c = self.criteria()
        if self.is_empty(c):
            self.model.set_hits(())
            self.message.setText("氏名・生年月日・住所・番号のいずれかを入力してください。")
            return
        self.message.setText("検索しています…")
        self.runner.run(self.service.search, c, on_done=self._show, on_error=self._failed, key="search")

    def _show(self, result: SearchResult) -> None:
        self.last_result = result
        self.model.set_hits(result.hits)
        if not result.hits:
            self.message.setText("該当する住民はいません。条件を変えて検索してください（全区を検索するには区を「全区」に）。")
        elif result.truncated:
            self.message.setText(f"{len(result.hits)}件以上あります。条件を加えて絞り込んでください。")
        else:
            self.message.setText(f"{len(result.hits)}件　↓で一覧へ、Enter で開きます")
        if result.hits:
            self.table.selectRow(0)
        self.refresh_history()

    def _failed(self, error: BaseException) -> None:
        self.model.set_hits(())
        if isinstance(error, ValidationError):
            self.message.setText("\n".join(e.message for e in error.errors))
        else:
            self.message.setText(message_of(error))

    def clear(self) -> None:
        for edit in (self.name, self.birth, self.address, self.resident_id, self.resident_code, self.my_number):
            edit.clear()
        self.sex.setCurrentIndex(0)
        self.ward.setCurrentIndex(0)
        self.match.setCurrentIndex(0)
        self.given_only.setChecked(False)
        self.include_removed.setChecked(True)
        self.quick_text = ""
        self.model.set_hits(())
        self.message.setText("")
        self.name.setFocus()

    # -- history ----------------------------------------------------------------------------
    def refresh_history(self) -> None:
        self.runner.run(self.service.search_history, on_done=self._fill_history, key="search-history")

    def _fill_history(self, items) -> None:
        self.history.clear()
        for c in items:
            item = QListWidgetItem(describe(c))
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.history.addItem(item)

    def _history_chosen(self, item) -> None:
        c: SearchCriteria = item.data(Qt.ItemDataRole.UserRole)
        self.clear()
        self.name.setText(c.name)
        self.given_only.setChecked(c.given_only)
        self.birth.setText(c.birth)
        self.address.setText(c.address)
        self.resident_id.setText(c.resident_id)
        self.resident_code.setText(c.resident_code)
        self.my_number.setText(c.my_number)
        self.include_removed.setChecked(c.include_removed)
        for combo, value in ((self.sex, c.sex), (self.ward, c.ward), (self.match, c.match)):
            i = combo.findData(value)
            combo.setCurrentIndex(max(0, i))
        self.search_now()

    # -- the My Number card ------------------------------------------------------------------
    def _card_state_changed(self) -> None:
        self.card_state.setText(self._card_events.summary())

    def read_card(self) -> None:
        """「カードで検索」: the PIN dialog, then the holder of the card."""
        if self.card_flow is not None:
            if self.card_flow.dialog.isVisible():
                self.card_flow.dialog.activateWindow()
                return
            self.card_flow.dispose()
        self.card_flow = CardReadFlow(self.runner, self.card_reading.pin_status, self.card_reading.read_and_find, parent=self)
        self.card_flow.finished.connect(self._card_read)
        self.card_flow.start()

    def _card_read(self, match: CardMatch) -> None:
        self.last_result = SearchResult(match.hits, False)
        self.model.set_hits(match.hits)
        self.message.setText(match.message)
        if match.hits:
            self.table.selectRow(0)
        if match.found and not match.differences:
            self.open_resident.emit(match.resident.resident_id)
        elif match.hits:
            # after the dialog has given the keyboard back: Enter then opens the row
            QTimer.singleShot(0, self.focus_results)

    # -- opening ----------------------------------------------------------------------------
    def _activated(self, index) -> None:
        if index.isValid():
            self.open_resident.emit(self.model.hits[index.row()].resident.resident_id)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._activated(self.table.currentIndex())
            return True
        return super().eventFilter(obj, event)

    def focus_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
