"""The outbox screen (送信状況): every notification taken at this terminal, from 送信待ち to the
registry's verdict — 本登録済み, 審査中 or 差戻し with its reason — and 「今すぐ再送信」.

Reading the outbox and the retry run on the TaskRunner. A rejected operation (差戻し) stands out:
bold, a warning icon, and a line above the table saying how many there are.
"""
from __future__ import annotations

from app.services import review
from app.services.review import UNFINISHED, OutboxRow
from app.sync import outbox
from app.sync.engine import SyncReport
from app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QModelIndex,
    QPalette,
    QPushButton,
    QShortcut,
    QStyle,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.table_model import RowsModel
from app.ui.tasks import TaskRunner, message_of

OPERATION_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2

KIND, SUBJECT, STATE, AGE, ATTEMPTS, MESSAGE = range(6)
FILTERS = (("未完了のみ", UNFINISHED), ("すべて", None))
AGE_TICK_MS = 30_000
VERDICT_ORDER = ((outbox.CONFIRMED, "本登録"), (outbox.REVIEW, "審査中"), (outbox.REJECTED, "差戻し"))


class OutboxModel(RowsModel):
    """種類, 対象者, 状態, 受付 (age), 送信回数, 登録サーバーからのメッセージ."""

    HEADERS = ("種類", "対象者", "状態", "受付", "送信回数", "登録サーバーからのメッセージ")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._now = 0.0

    def set_rows(self, rows: list[OutboxRow], now: float) -> None:
        self._now = now
        self.replace_rows(rows)

    def set_now(self, now: float) -> None:
        """Ages move on without reading the outbox again."""
        self._now = now
        if self.rows:
            self.dataChanged.emit(self.index(0, AGE), self.index(len(self.rows) - 1, AGE), [Qt.ItemDataRole.DisplayRole])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        e, column = r.entry, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == KIND:
                return e.kind_label
            if column == SUBJECT:
                return r.subject
            if column == STATE:
                return e.state_label
            if column == AGE:
                return review.age_text(e.age_seconds(self._now))
            if column == ATTEMPTS:
                return f"{e.attempts}回"
            return r.message
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == AGE:
                return f"受付 {review.timestamp_text(e.created_at)}　最終更新 {review.timestamp_text(e.updated_at)}"
            if column == MESSAGE and r.message:
                return r.message
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == OPERATION_ROLE:
            return e.operation_id
        if role == STATE_ROLE:
            return e.state
        if r.rejected:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.ToolTipBase)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.ToolTipText)
            if role == Qt.ItemDataRole.DecorationRole and column == STATE:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return None


def report_text(report: SyncReport) -> str:
    """What a retry did, in one Japanese sentence."""
    if not report.pushed:
        text = "送信待ちの届出はありませんでした。"
    else:
        verdicts = "、".join(f"{label} {report.verdicts[state]}件" for state, label in VERDICT_ORDER if report.verdicts.get(state))
        text = f"{report.pushed}件を送信しました" + (f"（{verdicts}）" if verdicts else "") + "。"
    if report.changes:
        text += f"他の端末からの異動 {report.changes}件を受信しました。"
    return text + "登録サーバーと同期しました。"


class OutboxView(QWidget):
    """送信状況: the outbox with its states, a filter and 「今すぐ再送信」."""

    open_resident = Signal(str)  # the resident an entry is about (Enter or double-click)

    def __init__(self, service, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("outboxView")
        self.service = service
        self.runner = runner
        self._key = f"outbox:{id(self)}"
        self._retrying = False

        title = QLabel("送信状況")
        title.setObjectName("viewTitle")
        self.filter_label = QLabel("表示")
        self.filter_choice = QComboBox()
        self.filter_choice.setObjectName("stateFilter")
        self.filter_choice.setAccessibleName("表示する届出")
        for label, _states in FILTERS:
            self.filter_choice.addItem(label)
        self.filter_label.setBuddy(self.filter_choice)
        self.count_label = QLabel("")
        self.count_label.setObjectName("statusLabel")
        self.retry_button = QPushButton("今すぐ再送信")
        self.retry_button.setObjectName("primaryButton")
        self.retry_button.setToolTip("送信待ちの届出を今すぐ登録サーバーへ送り、結果を受け取ります")
        self.refresh_button = QPushButton("再読み込み")
        self.refresh_button.setToolTip("この画面の表示を更新します（F5）")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.filter_label)
        top.addWidget(self.filter_choice)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.retry_button)
        top.addWidget(self.refresh_button)

        self.rejected_label = QLabel("")
        self.rejected_label.setObjectName("dangerLabel")
        self.rejected_label.setWordWrap(True)
        self.rejected_label.hide()

        self.model = OutboxModel(self)
        self.table = QTableView()
        self.table.setObjectName("outboxTable")
        self.table.setAccessibleName("送信状況の一覧")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)

        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.rejected_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.result_label)

        self.setTabOrder(self.filter_choice, self.table)
        self.setTabOrder(self.table, self.retry_button)
        self.setTabOrder(self.retry_button, self.refresh_button)

        self.filter_choice.currentIndexChanged.connect(lambda _i: self.refresh())
        self.retry_button.clicked.connect(self.retry_now)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.activated.connect(self._activated)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self.age_timer = QTimer(self)
        self.age_timer.setInterval(AGE_TICK_MS)
        self.age_timer.timeout.connect(lambda: self.model.set_now(self.service.clock()))
        self.age_timer.start()

    @property
    def states(self) -> tuple[str, ...] | None:
        return FILTERS[max(0, self.filter_choice.currentIndex())][1]

    def refresh(self) -> None:
        """Reads the outbox again (on the runner)."""
        self.runner.run(review.outbox_rows, self.service, self.states, on_done=self._loaded, on_error=self._load_failed, key=self._key)

    def _loaded(self, rows: list[OutboxRow]) -> None:
        keep = self.model.row(self.table.currentIndex().row())
        self.model.set_rows(rows, self.service.clock())
        self.count_label.setText(f"{len(rows)}件" if rows else "表示する届出はありません。")
        rejected = sum(1 for r in rows if r.rejected)
        if rejected:
            self.rejected_label.setText(f"差し戻された届出が{rejected}件あります。理由を確認し、必要なら届出をやり直してください。")
        self.rejected_label.setVisible(bool(rejected))
        if keep is not None:
            row = next((i for i, r in enumerate(rows) if r.entry.operation_id == keep.entry.operation_id), -1)
            if row >= 0:
                self.table.setCurrentIndex(self.model.index(row, 0))

    def _load_failed(self, error: BaseException) -> None:
        self.result_label.setText(message_of(error))

    def retry_now(self) -> None:
        """送信の再試行: sends what waits and takes the verdicts, then shows the outbox again."""
        if self._retrying:
            return
        self._retrying = True
        self.retry_button.setEnabled(False)
        self.result_label.setText("登録サーバーへ送信しています…")
        self.runner.run(self.service.retry_now, on_done=self._retried, on_error=self._retry_failed)

    def _retried(self, report: SyncReport) -> None:
        self._retrying = False
        self.retry_button.setEnabled(True)
        self.result_label.setText(report_text(report))
        self.refresh()

    def _retry_failed(self, error: BaseException) -> None:
        self._retrying = False
        self.retry_button.setEnabled(True)
        self.result_label.setText(message_of(error))
        self.refresh()  # the entries stay, with the reason the send did not get through

    def _activated(self, index: QModelIndex) -> None:
        r = self.model.row(index.row())
        if r is None:
            return
        if r.resident_ids:
            self.open_resident.emit(r.resident_ids[0])
        else:
            self.result_label.setText("この届出には表示できる住民の記録がありません。")
