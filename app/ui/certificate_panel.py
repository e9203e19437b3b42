"""The certificate screen (証明書の発行), opened from a resident's screen (Ctrl+P): choose the kind,
the members, the items and the copies; see the real PDF as a preview (「見本」, no number); then
issue and print. Everything the rules say comes from the issuing service (app.services.issuance):
provisional changes not shown, a move-out still ahead, text that does not fit (j1070), a protected
person (支援措置・抑止) — the last with a supervisor's one-time lift, online.

Previews and issuing run on the task runner; the PDF view only shows what came back.
"""
from __future__ import annotations

import logging
from pathlib import Path

from app.certificates import ITEM_LABELS, REMOVAL_ITEM_LABELS, ItemChoice, item_labels
from app.services.issuance import CertificateOrder, IssueResult, Lift, Prepared
from app.ui.qt import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSpinBox,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.qt_pdf import QBuffer, QByteArray, QIODevice, QPdfDocument, QPdfView
from app.ui.tasks import TaskRunner, message_of
from app.ui.texts import birth_text
from domain.certificate_rules import CertificateKind
from domain.residents import ResidentKind

log = logging.getLogger(__name__)

SAVE_AS_PDF = "PDFに保存"
PREVIEW_DELAY_MS = 300
# (ItemChoice field, label): items printed only when asked for, and foreign residents' items that
# are printed unless left out (j1000).
OPTIONAL = (
    ("householder_relationship", "世帯主・続柄"),
    ("domicile", "本籍・筆頭者"),
    ("resident_code", "住民票コード"),
    ("my_number", "個人番号"),
    ("history", "履歴（異動の記録）"),
)
FOREIGN = (
    ("nationality", "国籍・地域"),
    ("foreign_category", "30条の45区分"),
    ("residence_status", "在留資格"),
    ("period_of_stay", "在留期間"),
    ("stay_expires_on", "在留期間の満了の日"),
    ("card_number", "在留カード等の番号"),
    ("alias", "通称"),
)


class CertificatePanel(QWidget):
    issued = Signal(object)  # IssueResult
    closed = Signal()

    def __init__(self, service, runner: TaskRunner, resident_id: str, *, printers: list[str] | None = None, save_dir: Path | None = None, parent=None):
        super().__init__(parent)
        self.service = service  # CounterService
        self.runner = runner
        self.resident_id = resident_id
        self.prepared: Prepared | None = None
        self.lift_granted: Lift | None = None
        self.result: IssueResult | None = None
        self._members_loaded_for: CertificateKind | None = None
        self._document = QPdfDocument(self)
        self._buffer: QBuffer | None = None

        self.title_label = QLabel("証明書の発行", objectName="formSubject")
        self.notices = QLabel(objectName="pendingBanner", wordWrap=True)
        self.notices.hide()
        self.protection = QLabel(objectName="protectionBanner", wordWrap=True)
        self.protection.hide()
        self.message = QLabel(objectName="errorSummary", wordWrap=True)
        self.message.hide()
        self.done = QLabel(objectName="doneBanner", wordWrap=True)
        self.done.hide()

        self.kind = QComboBox(objectName="certificateKind")
        for k in CertificateKind:
            self.kind.addItem(k.label, k)
        self.members = QListWidget(objectName="certificateMembers")
        self.members.setMinimumHeight(120)
        self.all_members = QPushButton("世帯全員", objectName="allMembers")
        self.only_me = QPushButton("本人のみ", objectName="onlyMe")
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.all_members)
        member_buttons.addWidget(self.only_me)
        member_buttons.addStretch(1)

        self.optional: dict[str, QCheckBox] = {}
        self.optional_box = optional_box = QGroupBox("記載事項（請求があった場合に記載）")
        ob = QVBoxLayout(optional_box)
        for name, label in OPTIONAL:
            self.optional[name] = QCheckBox(label, objectName=f"item_{name}")
            ob.addWidget(self.optional[name])
        self.furigana = QCheckBox("フリガナを記載する", objectName="item_furigana", checked=True)  # every kind (j1020)
        self.foreign_box = QGroupBox("外国人住民の記載事項（省略するものの印を外す）")
        fb = QVBoxLayout(self.foreign_box)
        self.foreign: dict[str, QCheckBox] = {}
        for name, label in FOREIGN:
            self.foreign[name] = QCheckBox(label, objectName=f"item_{name}", checked=True)
            fb.addWidget(self.foreign[name])
        self.foreign_box.hide()
        # 住民票(除票)記載事項証明書: 氏名 and exactly the items the applicant asks to have certified
        # (the removal's items only for the 除票)
        self.fields_box = QGroupBox("証明を求める事項（氏名のほか、請求のあったものに印）", objectName="itemFields")
        gb = QVBoxLayout(self.fields_box)
        self.fields: dict[str, QCheckBox] = {}
        for key, label in (ITEM_LABELS | REMOVAL_ITEM_LABELS).items():
            self.fields[key] = QCheckBox(label, objectName=f"field_{key}")
            gb.addWidget(self.fields[key])

        self.copies = QSpinBox(objectName="certificateCopies", minimum=1, maximum=10, value=1)
        self.official = QCheckBox("公用（手数料なし）", objectName="officialUse")
        self.fee = QLabel(objectName="feeLabel")
        self.printer = QComboBox(objectName="printerChoice")
        for name in printers if printers is not None else _printers():
            self.printer.addItem(name)
        self.printer.addItem(SAVE_AS_PDF)
        self.save_path = QLineEdit(objectName="savePath")
        self.save_path.setText(str(save_dir or Path.home() / "証明書"))
        self.save_path.setToolTip("「PDFに保存」のときの保存先フォルダ")

        form = QFormLayout()
        form.addRow("種別", self.kind)
        form.addRow("記載する人", self.members)
        form.addRow("", _wrap(member_buttons))
        form.addRow("", self.furigana)
        form.addRow("部数", self.copies)
        form.addRow("", self.official)
        form.addRow("手数料", self.fee)
        form.addRow("出力先", self.printer)
        form.addRow("保存先", self.save_path)

        self.issue_button = QPushButton("発行して印刷（Ctrl+P）", objectName="primaryButton")
        self.lift_button = QPushButton("上席者による一時解除…", objectName="dangerButton")
        self.lift_button.hide()
        self.close_button = QPushButton("閉じる", objectName="closeButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.lift_button)
        buttons.addWidget(self.issue_button)

        self.lift_form = QGroupBox("一時解除（この1回の発行に限る。登録サーバーに記録されます）", objectName="liftForm")
        lf = QFormLayout(self.lift_form)
        self.lift_supervisor = QLineEdit(objectName="liftSupervisor", placeholderText="上席者の職員ID")
        self.lift_password = QLineEdit(objectName="liftPassword")
        self.lift_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.lift_reason = QLineEdit(objectName="liftReason", placeholderText="例：本人からの請求で本人確認済み")
        self.lift_ok = QPushButton("一時解除する", objectName="liftOk")
        lf.addRow("上席者ID", self.lift_supervisor)
        lf.addRow("パスワード", self.lift_password)
        lf.addRow("理由", self.lift_reason)
        lf.addRow("", self.lift_ok)
        self.lift_form.hide()

        choices = QWidget()
        lbox = QVBoxLayout(choices)
        lbox.addLayout(form)
        lbox.addWidget(optional_box)
        lbox.addWidget(self.fields_box)
        lbox.addWidget(self.foreign_box)
        lbox.addWidget(self.lift_form)
        lbox.addStretch(1)
        left = QScrollArea(objectName="certificateChoices")  # fits 1366×768 with every box open
        left.setWidgetResizable(True)
        left.setWidget(choices)

        self.view = QPdfView(objectName="certificatePreview")
        self.view.setDocument(self._document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.alerts = QListWidget(objectName="overflowAlerts")
        self.alerts.setMaximumHeight(110)
        self.alerts.hide()
        self.accept_alerts = QCheckBox("印字しきれない項目があることを確認しました", objectName="acceptAlerts")
        self.accept_alerts.hide()
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        self.preview_label = QLabel("プレビュー（見本）", objectName="sectionTitle")
        rbox.addWidget(self.preview_label)
        rbox.addWidget(self.view, 1)
        rbox.addWidget(self.alerts)
        rbox.addWidget(self.accept_alerts)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        outer = QVBoxLayout(self)
        outer.addWidget(self.title_label)
        outer.addWidget(self.protection)
        outer.addWidget(self.notices)
        outer.addWidget(self.message)
        outer.addWidget(self.done)
        outer.addWidget(split, 1)
        outer.addLayout(buttons)

        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._show_item_boxes()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.members.itemChanged.connect(lambda _item: self._changed())
        for box in (*self.optional.values(), self.furigana, *self.foreign.values(), *self.fields.values(), self.official):
            box.toggled.connect(lambda _on: self._changed())
        self.copies.valueChanged.connect(lambda _v: self._show_fee())
        self.printer.currentIndexChanged.connect(lambda _i: self.save_path.setEnabled(self.printer.currentText() == SAVE_AS_PDF))
        self.save_path.setEnabled(self.printer.currentText() == SAVE_AS_PDF)
        self.all_members.clicked.connect(lambda: self._check_members(all_=True))
        self.only_me.clicked.connect(lambda: self._check_members(all_=False))
        self.issue_button.clicked.connect(self.issue)
        self.lift_button.clicked.connect(self._show_lift_form)
        self.lift_ok.clicked.connect(self.ask_lift)
        self.close_button.clicked.connect(self.closed.emit)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.issue, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.load_members()

    @property
    def title(self) -> str:
        return "証明書の発行"

    # -- members and choices -----------------------------------------------------------------
    def current_kind(self) -> CertificateKind:
        return self.kind.currentData()

    def load_members(self) -> None:
        kind = self.current_kind()
        self.runner.run(self.service.issuance.candidates, self.resident_id, kind, on_done=lambda found, k=kind: self._show_members(k, found), on_error=self._failed, key=f"cert-members-{id(self)}")

    def _show_members(self, kind: CertificateKind, found) -> None:
        members, notices = found
        self._members_loaded_for = kind
        self.members.blockSignals(True)
        self.members.clear()
        for m in members:
            item = QListWidgetItem(f"{m.relationship}　{m.name.full}（{birth_text(m)}）")
            item.setData(Qt.ItemDataRole.UserRole, m.resident_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, m.kind is ResidentKind.FOREIGN)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if m.resident_id == self.resident_id else Qt.CheckState.Unchecked)
            self.members.addItem(item)
        self.members.blockSignals(False)
        if members:
            me = next((m for m in members if m.resident_id == self.resident_id), members[0])
            self.title_label.setText(f"証明書の発行 — {me.name.full}")
        self._changed()

    def _check_members(self, *, all_: bool) -> None:
        self.members.blockSignals(True)
        for i in range(self.members.count()):
            item = self.members.item(i)
            on = all_ or item.data(Qt.ItemDataRole.UserRole) == self.resident_id
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.members.blockSignals(False)
        self._changed()

    def chosen_ids(self) -> tuple[str, ...]:
        return tuple(
            self.members.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.members.count())
            if self.members.item(i).checkState() == Qt.CheckState.Checked
        )

    def order(self) -> CertificateOrder:
        chosen = self.chosen_ids()
        kind = self.current_kind()
        items = ItemChoice(
            **{name: box.isChecked() for name, box in self.optional.items()},
            furigana=self.furigana.isChecked(),
            **{name: box.isChecked() for name, box in self.foreign.items()},
            items=frozenset(key for key in item_labels(kind) if self.fields[key].isChecked()) if kind.certifies_chosen_items else frozenset(),
        )
        return CertificateOrder(kind, chosen, items, copies=self.copies.value(), official_use=self.official.isChecked())

    def _kind_changed(self) -> None:
        self.lift_granted = None
        self._show_item_boxes()
        self.load_members()

    def _show_item_boxes(self) -> None:
        """A 記載事項証明書 lists the items to certify (the removal's only for the 除票); the other
        kinds the items to add or omit."""
        kind = self.current_kind()
        for key in REMOVAL_ITEM_LABELS:
            self.fields[key].setHidden(not kind.for_removed_records)
        self.fields_box.setVisible(kind.certifies_chosen_items)
        self.optional_box.setVisible(not kind.certifies_chosen_items)

    def _changed(self) -> None:
        foreign = any(self.members.item(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(self.members.count()) if self.members.item(i).checkState() == Qt.CheckState.Checked)
        self.foreign_box.setVisible(foreign and not self.current_kind().certifies_chosen_items)
        self.done.hide()
        self._show_fee()
        self._timer.start()

    def _show_fee(self) -> None:
        order = self.order()
        each = self.service.issuance.fee(order)
        self.fee.setText(f"{each:,}円 × {order.copies}通 ＝ {each * order.copies:,}円" if each else "無料")

    # -- preview -------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        if not self.chosen_ids():
            self._no_preview("証明書に記載する人を選んでください。")
            return
        self.runner.run(self.service.issuance.prepare, self.order(), lift=self.lift_granted, on_done=self._show_prepared,
                        on_error=lambda e: self._no_preview(message_of(e)), key=f"cert-preview-{id(self)}")

    def _no_preview(self, text: str) -> None:
        """What was chosen cannot be issued: the old preview goes (it showed another choice), and so
        does the way to issue it."""
        self.prepared = None
        self._document.close()
        self.preview_label.setText("プレビュー（見本）　なし")
        self.issue_button.setEnabled(False)
        self._show_problem(text)

    def _show_prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.message.hide()
        self._load_pdf(prepared.preview.pdf)
        self.preview_label.setText(f"プレビュー（見本）　{prepared.preview.pages}枚")
        self.notices.setText("\n".join(prepared.notices))
        self.notices.setVisible(bool(prepared.notices))
        if prepared.protected:
            names = "、".join(f"{p.name}（{p.label}）" for p in prepared.protected)
            self.protection.setText(f"{names}は支援措置・抑止の対象です。このままでは発行できません。発行するには上席者による一時解除が必要です。")
        elif self.lift_granted:
            self.protection.setText(f"一時解除中（上席者 {self.lift_granted.supervisor_id}）：この1回の発行に限ります。")
        self.protection.setVisible(bool(prepared.protected or self.lift_granted))
        self.lift_button.setVisible(bool(prepared.protected))
        self.alerts.clear()
        for alert in prepared.alerts:
            self.alerts.addItem(alert.message)
        self.alerts.setVisible(bool(prepared.alerts))
        self.accept_alerts.setVisible(bool(prepared.alerts))
        self.accept_alerts.setChecked(False)
        self.issue_button.setEnabled(not prepared.protected)

    def _load_pdf(self, pdf: bytes) -> None:
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._document.load(buffer)
        old, self._buffer = self._buffer, buffer
        if old is not None:
            old.deleteLater()

    def _show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _failed(self, error: BaseException) -> None:
        self._show_problem(message_of(error))

    # -- lift ------------------------------------------------------------------------------------
    def _show_lift_form(self) -> None:
        self.lift_form.show()
        self.lift_supervisor.setFocus()

    def ask_lift(self) -> None:
        if self.prepared is None or not self.prepared.protected:
            return
        ids = [p.resident_id for p in self.prepared.protected]
        supervisor, password, reason = self.lift_supervisor.text(), self.lift_password.text(), self.lift_reason.text()
        self.lift_password.clear()
        self.runner.run(self.service.issuance.lift, ids, supervisor_id=supervisor, password=password, reason=reason, on_done=self._lifted, on_error=self._failed)

    def _lifted(self, lift: Lift) -> None:
        self.lift_granted = lift
        self.lift_form.hide()
        self.refresh_preview()

    # -- issue -----------------------------------------------------------------------------------
    def chosen_printer(self):
        from app.ui.printing import QtPrinter
        from hardware.printer import FolderPrinter

        if self.printer.currentText() == SAVE_AS_PDF:
            return FolderPrinter(Path(self.save_path.text().strip() or Path.home() / "証明書"))
        return QtPrinter(self.printer.currentText())

    def issue(self) -> None:
        if self.prepared is None or not self.issue_button.isEnabled():
            return
        if self.prepared.alerts and not self.accept_alerts.isChecked():
            self._show_problem("印字しきれない項目があります。一覧を確認し、「確認しました」に印を付けてから発行してください。")
            self.accept_alerts.setFocus()
            return
        self.issue_button.setEnabled(False)
        self.done.setText("発行しています…")
        self.done.show()
        self.runner.run(
            self.service.issuance.issue,
            self.order(),
            self.chosen_printer(),
            lift=self.lift_granted,
            accept_alerts=self.accept_alerts.isChecked(),
            on_done=self._issued,
            on_error=self._issue_failed,
        )

    def _issued(self, result: IssueResult) -> None:
        self.result = result
        self.lift_granted = None  # a lift covers one issuance
        numbers = "\n".join(f"・{n}" for n in result.issue_numbers)
        if result.failure:
            self.message.setText(
                f"{result.failure}\n{result.printed}通を印刷しました。印刷できなかった証明書は処分として記録しました"
                f"（発行番号は交付履歴に残ります）。プリンタを確認して、もう一度発行してください。"
            )
            self.message.show()
        self.done.setText(f"{result.printed}通を発行しました（手数料 {self.prepared.fee_each * result.printed:,}円）。\n{numbers}")
        self.done.setVisible(bool(result.copies))
        self.issue_button.setEnabled(True)
        self.issued.emit(result)
        self.refresh_preview()

    def _issue_failed(self, error: BaseException) -> None:
        self.done.hide()
        self.issue_button.setEnabled(True)
        self._failed(error)


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w


def _printers() -> list[str]:
    from app.ui.printing import system_printers

    return system_printers()
