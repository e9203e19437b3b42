"""The review screen (審査): operations the registry holds — a conflict (競合), a kind the city sends to
審査・決裁, or one waiting behind another — each shown with both versions of the records it touches,
and a supervisor's 承認 / 差戻し (a 差戻し needs a reason).

Every service call runs on the TaskRunner; the GUI thread only shows what comes back. A clerk, or a
supervisor whose session is offline, sees the service's Japanese message in place of the queue.
"""
from __future__ import annotations

import logging

from app.services import review
from app.services.review import HeldOperation
from app.ui.qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPushButton,
    QShortcut,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.record_diff import RecordDiffView
from app.ui.table_model import RowsModel
from app.ui.tasks import TaskRunner, message_of

log = logging.getLogger(__name__)

OPERATION_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_MESSAGE = "審査待ちの届出はありません。"
LOADING_MESSAGE = "審査待ちの届出を読み込んでいます…"


class HeldOperationsModel(RowsModel):
    """The review queue as a table: 届出の種類, 理由, 対象者, 受付端末, 職員, 受付日時."""

    HEADERS = ("届出の種類", "理由", "対象者", "受付端末", "職員", "受付日時")

    def set_operations(self, operations: list[HeldOperation]) -> None:
        self.replace_rows(operations)

    def operation(self, row: int) -> HeldOperation | None:
        return self.row(row)

    def row_of(self, operation_id: str) -> int:
        return next((i for i, op in enumerate(self.rows) if op.operation_id == operation_id), -1)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        op = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (op.kind_label, op.reason_label, op.subject, op.terminal_id, op.operator_id, op.received_text)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return op.message
        if role == OPERATION_ROLE:
            return op.operation_id
        return None


class ReviewView(QWidget):
    """審査: the held operations, the comparison of the one selected, and the decision."""

    decided = Signal(str)  # the operation id, once approved (本登録) or rejected (差戻し)

    def __init__(self, service, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewView")
        self.service = service
        self.runner = runner
        self._key = f"review-queue:{id(self)}"
        self._deciding = False
        self._selected_id = ""

        title = QLabel("審査待ちの届出")
        title.setObjectName("viewTitle")
        self.status_label = QLabel("")
        self.status_label.setObjectName("statusLabel")
        self.refresh_button = QPushButton("再読み込み")
        self.refresh_button.setToolTip("審査待ちの届出を登録サーバーから読み込み直します（F5）")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.status_label, 1)
        top.addWidget(self.refresh_button)

        # The message in place of the queue (権限がない・オフライン).
        self.notice_label = QLabel("")
        self.notice_label.setObjectName("noticeLabel")
        self.notice_label.setWordWrap(True)
        self.notice_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = HeldOperationsModel(self)
        self.table = QTableView()
        self.table.setObjectName("reviewQueueTable")
        self.table.setAccessibleName("審査待ちの届出の一覧")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.summary_label = QLabel("")
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.diff = RecordDiffView()

        self.reason_label = QLabel("審査の意見（差戻しのときは理由が必要です）")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonField")
        self.reason_edit.setAccessibleName("審査の意見・差戻しの理由")
        self.reason_edit.setPlaceholderText("例：本籍の番地を戸籍の附票と照合してください")
        self.reason_edit.setMaxLength(500)
        self.reason_label.setBuddy(self.reason_edit)
        self.reason_error = QLabel("")
        self.reason_error.setObjectName("fieldError")
        self.reason_error.setWordWrap(True)
        self.approve_button = QPushButton("承認")
        self.approve_button.setObjectName("primaryButton")
        self.approve_button.setToolTip("この届出を承認し、本登録します")
        self.reject_button = QPushButton("差戻し")
        self.reject_button.setObjectName("dangerButton")
        self.reject_button.setToolTip("この届出を差し戻します（理由が必要です）")
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason_edit, 1)
        reason_row.addWidget(self.reason_error, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_label, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)

        self.detail_box = QGroupBox("内容の確認と決裁")
        detail = QVBoxLayout(self.detail_box)
        detail.addWidget(self.summary_label)
        detail.addWidget(self.diff, 1)
        detail.addWidget(self.reason_label)
        detail.addLayout(reason_row)
        detail.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)

        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(self.notice_label)
        self._content = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

        self.setTabOrder(self.table, self.diff.resident_choice)
        self.setTabOrder(self.diff.resident_choice, self.diff.table)
        self.setTabOrder(self.diff.table, self.reason_edit)
        self.setTabOrder(self.reason_edit, self.approve_button)
        self.setTabOrder(self.approve_button, self.reject_button)
        self.setTabOrder(self.reject_button, self.refresh_button)

        self.refresh_button.clicked.connect(self.refresh)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(self._activated)  # Enter or double-click: on to the decision
        self.reason_edit.textChanged.connect(lambda _text: self.reason_error.setText(""))
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self._show(None)

    # -- state ---------------------------------------------------------------------------------
    @property
    def selected(self) -> HeldOperation | None:
        return self.model.operation(self.table.currentIndex().row())

    @property
    def showing_notice(self) -> bool:
        return self.pages.currentWidget() is self.notice_label

    def _update_buttons(self) -> None:
        can = self.selected is not None and not self._deciding
        self.approve_button.setEnabled(can)
        self.reject_button.setEnabled(can)
        self.reason_edit.setEnabled(self.selected is not None)

    # -- loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reads the review queue again (on the runner)."""
        self.status_label.setText(LOADING_MESSAGE)
        self.refresh_button.setEnabled(False)
        self.runner.run(review.held_operations, self.service, on_done=self._loaded, on_error=self._load_failed, key=self._key)

    def _loaded(self, operations: list[HeldOperation]) -> None:
        self.refresh_button.setEnabled(True)
        self.pages.setCurrentWidget(self._content)
        keep = self._selected_id
        self.model.set_operations(operations)
        self.status_label.setText(f"{len(operations)}件" if operations else EMPTY_MESSAGE)
        if not operations:
            self._show(None)
            return
        row = self.model.row_of(keep)
        self.table.setCurrentIndex(self.model.index(max(row, 0), 0))
        self._show(self.selected)  # the same operation again after a reset: shown with its new data

    def _load_failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.model.set_operations([])
        self._show(None)
        self.status_label.setText("")
        self.notice_label.setText(message_of(error))
        self.pages.setCurrentWidget(self.notice_label)

    # -- the selected operation -----------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show(self.model.operation(current.row()))

    def _show(self, operation: HeldOperation | None) -> None:
        previous = self._selected_id
        self._selected_id = operation.operation_id if operation is not None else ""
        self.diff.show_operation(operation)
        if operation is None:
            self.summary_label.setText("届出を選ぶと、現在の記録と届出による記録を並べて表示します。" if self.model.rowCount() else "")
        else:
            lines = [f"{operation.kind_label}　理由：{operation.reason_label}　受付：{operation.received_text}（{operation.terminal_id}・{operation.operator_id}）"]
            if operation.message:
                lines.append(operation.message)
            lines.extend(operation.details)
            self.summary_label.setText("\n".join(lines))
            if operation.operation_id != previous:
                self.reason_error.setText("")
                # Looking at the records is an access like any other: it goes in the access log.
                self.runner.run(review.note_review_view, self.service, operation, on_error=self._log_failed)
        self._update_buttons()

    def _log_failed(self, error: BaseException) -> None:
        log.warning("access log for a review view failed: %r", error)
        self.result_label.setText(message_of(error))

    def _activated(self, index: QModelIndex) -> None:
        if self.model.operation(index.row()) is not None:
            self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the decision --------------------------------------------------------------------------
    def approve(self) -> None:
        self._decide(True)

    def reject(self) -> None:
        self._decide(False)

    def _decide(self, approve: bool) -> None:
        operation = self.selected
        if operation is None or self._deciding:
            return
        self._deciding = True
        self._update_buttons()
        self.reason_error.setText("")
        self.result_label.setText("承認しています…" if approve else "差し戻しています…")
        comment = self.reason_edit.text()
        op_id = operation.operation_id
        self.runner.run(
            self.service.decide,
            op_id,
            approve=approve,
            comment=comment,
            on_done=lambda result: self._decided(op_id, result),
            on_error=self._decide_failed,
        )

    def _decided(self, operation_id: str, result: dict) -> None:
        self._deciding = False
        message = str(result.get("message", ""))
        errors = [str(e.get("message", "")) for e in result.get("errors") or [] if isinstance(e, dict)]
        if result.get("state") == "review":
            # The rules refuse it against today's register: it stays in review, with the reasons.
            self.result_label.setText("承認できませんでした。" + " ".join(filter(None, [message, *errors])))
            self._update_buttons()
            return
        self.result_label.setText(message)
        self.reason_edit.clear()
        self.decided.emit(operation_id)
        self.refresh()

    def _decide_failed(self, error: BaseException) -> None:
        self._deciding = False
        self._update_buttons()
        errors = getattr(error, "errors", None)
        if errors and any(getattr(e, "field", "") == "comment" for e in errors):
            self.result_label.setText("")
            self.reason_error.setText(message_of(error))
            self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.result_label.setText(message_of(error))
        if getattr(error, "code", "") == "operation_not_in_review":
            self.refresh()  # decided elsewhere meanwhile: show the queue as it is now
