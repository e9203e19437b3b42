"""Two versions of a resident's record side by side (記録の比較), item by item, the differing items
marked — for the review screen (審査): the registry's current record against the one a held
operation would make. The rows come from `app.services.review` (Qt-free); this is the Qt adapter.

A differing item is marked three ways, so that it never depends on colour alone: the 差異 column
says 「変更」, the row is bold, and its background takes the palette's tool-tip colour (a theme or
style sheet decides what that looks like; no colour is written here).
"""
from __future__ import annotations

from app.services.review import ComparedItem, Comparison, HeldOperation
from app.ui.table_model import RowsModel
from app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPalette,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)

DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 1  # bool: the item differs between the two versions
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # the item's key ("domicile", "address.town"…)

LABEL, CURRENT, INTENDED, MARK = range(4)
CHANGED_MARK = "変更"


class RecordDiffModel(RowsModel):
    """Rows: the items of one resident's record; columns: 項目, 現在の記録, 届出による記録, 差異."""

    HEADERS = ("項目", "現在の記録", "届出による記録", "差異")

    def __init__(self, parent=None):
        super().__init__(parent)

    def set_comparison(self, comparison: Comparison | None) -> None:
        items = comparison.items if comparison is not None else ()
        # the items that differ first: what the supervisor has to judge is in view without scrolling
        self.replace_rows(sorted(items, key=lambda i: not i.differs))

    def item(self, row: int) -> ComparedItem | None:
        return self.row(row)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == LABEL:
                return item.label
            if column == CURRENT:
                return item.current or ("（記載なし）" if role == Qt.ItemDataRole.ToolTipRole else "")
            if column == INTENDED:
                return item.intended or ("（記載なし）" if role == Qt.ItemDataRole.ToolTipRole else "")
            return CHANGED_MARK if item.differs else ""
        if role == Qt.ItemDataRole.AccessibleTextRole and column == MARK:
            return "変更された項目" if item.differs else "変更なし"
        if role == DIFFERS_ROLE:
            return item.differs
        if role == KEY_ROLE:
            return item.key
        if item.differs:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.ToolTipBase)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.ToolTipText)
        return None


class RecordDiffView(QWidget):
    """The comparison of one held operation: a chooser when it touches several residents, where
    the current version comes from, and the item table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._operation: HeldOperation | None = None
        self.resident_label = QLabel("対象者")
        self.resident_choice = QComboBox()
        self.resident_choice.setObjectName("residentChoice")
        self.resident_choice.setAccessibleName("比較する住民")
        self.resident_label.setBuddy(self.resident_choice)
        self.source_label = QLabel("")
        self.source_label.setObjectName("hintLabel")
        self.source_label.setWordWrap(True)
        self.model = RecordDiffModel(self)
        self.table = QTableView()
        self.table.setObjectName("recordDiffTable")
        self.table.setAccessibleName("現在の記録と届出による記録の比較")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CURRENT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(INTENDED, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MARK, QHeaderView.ResizeMode.ResizeToContents)

        chooser = QHBoxLayout()
        chooser.addWidget(self.resident_label)
        chooser.addWidget(self.resident_choice, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(chooser)
        layout.addWidget(self.source_label)
        layout.addWidget(self.table, 1)
        self.resident_choice.currentIndexChanged.connect(self._show_resident)
        self.show_operation(None)

    @property
    def comparison(self) -> Comparison | None:
        if self._operation is None:
            return None
        i = self.resident_choice.currentIndex()
        comparisons = self._operation.comparisons
        return comparisons[i] if 0 <= i < len(comparisons) else None

    def show_operation(self, operation: HeldOperation | None) -> None:
        self._operation = operation
        self.resident_choice.blockSignals(True)
        self.resident_choice.clear()
        for c in operation.comparisons if operation is not None else ():
            self.resident_choice.addItem(f"{c.name}（宛名番号 {c.resident_id}）", c.resident_id)
        self.resident_choice.blockSignals(False)
        several = operation is not None and len(operation.comparisons) > 1
        self.resident_label.setVisible(several)
        self.resident_choice.setVisible(several)
        self._show_resident()

    def _show_resident(self, *_args) -> None:
        comparison = self.comparison
        self.model.set_comparison(comparison)
        if comparison is None:
            self.source_label.setText("")
            return
        changed = len(comparison.differing)
        self.source_label.setText(
            f"{comparison.name}（宛名番号 {comparison.resident_id}）　左：{comparison.current_source}　右：この届出による記録"
            f"　異なる項目 {changed}件"
        )
        self.table.resizeRowsToContents()
