"""The resident screen (住民記録の照会): the record as a clerk reads it — 和暦 dates, フリガナ, the
household in the j1010 order, the change history (異動履歴) with pending changes marked — and
the notifications that start from this person. 支援措置 and 抑止 are shown before anything else.
The My Number stays masked until the clerk asks for it with a purpose; the reveal is logged."""
from __future__ import annotations

from app.services.resident_page import ResidentPage
from app.sync.outbox import KIND_LABELS
from app.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QEvent,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.texts import address_text, birth_text
from app.ui.tasks import TaskRunner, message_of
from domain.certificate_rules import CertificateKind
from domain.wareki import format_wareki

MASK = "＊＊＊＊ ＊＊＊＊ ＊＊＊＊"
PURPOSES = ("本人確認のため", "届出内容の確認のため", "個人番号カードの交付・更新のため", "関係機関への照会のため")
# Notifications a clerk starts from a resident's screen, in the order of the counter's menu.
FROM_RESIDENT = ("MoveWithin", "MoveOut", "Death", "Birth", "HouseholdChange", "HouseholderChange", "ExOfficioCorrection", "Cancellation")


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    t = QTableWidget(0, len(columns), objectName=name)
    t.setHorizontalHeaderLabels(list(columns))
    t.verticalHeader().setVisible(False)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def record_items(page: ResidentPage) -> list[tuple[str, str]]:
    """The items of the record in the order of a 住民票, as (label, text)."""
    r = page.resident
    a = r.address
    items = [
        ("宛名番号", r.resident_id),
        ("世帯番号", r.household_id),
        ("氏名", r.name.full),
        ("フリガナ", r.name.full_kana),
        ("生年月日", birth_text(r)),
        ("性別", r.sex.label),
        ("続柄", r.relationship),
        ("世帯主", page.householder.name.full if page.householder else ""),
        ("住所", address_text(a)),
        ("郵便番号", a.postal_code),
        ("住民となった年月日", r.became_resident_on.format_wareki()),
        ("住所を定めた年月日", format_wareki(r.address_set_on)),
        ("届出の年月日", format_wareki(r.notified_on)),
        ("転入前住所", address_text(r.previous_address) if r.previous_address else ""),
    ]
    if r.kind.value == "japanese":
        items += [("本籍", r.domicile), ("筆頭者", r.domicile_head)]
    if r.old_surname:
        items.append(("旧氏", f"{r.old_surname}（{r.old_surname_kana}）"))
    if r.alias:
        items.append(("通称", f"{r.alias}（{r.alias_kana}）"))
    if r.foreign is not None:
        f = r.foreign
        items += [
            ("国籍・地域", f.nationality),
            ("氏名（アルファベット）", f.alphabet_name),
            ("法第30条の45の区分", f.category.label),
            ("在留資格", f.residence_status),
            ("在留期間", f.period_of_stay),
            ("在留期間の満了の日", f.stay_expires_on.strftime("%Y年%m月%d日") if f.stay_expires_on else ""),
            ("在留カード等の番号", f.card_number),
        ]
    items.append(("住民票コード", r.resident_code))
    items.append(("状態", r.status.label + (f"（{r.removal.occurred_on.format_wareki()}）" if r.removal else "")))
    return items


class ResidentPanel(QWidget):
    open_resident = Signal(str)
    start_notification = Signal(str, str)  # kind, resident_id
    start_certificate = Signal(str)  # resident_id
    loaded = Signal()

    def __init__(self, service, runner: TaskRunner, resident_id: str, parent=None):
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.resident_id = resident_id
        self.page: ResidentPage | None = None

        self.protection = QLabel(objectName="protectionBanner")
        self.protection.setWordWrap(True)
        self.protection.hide()
        self.pending = QLabel(objectName="pendingBanner")
        self.pending.setWordWrap(True)
        self.pending.hide()
        self.name = QLabel(objectName="residentName")
        self.kana = QLabel(objectName="residentKana")
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.items_box = QGroupBox("記載事項")
        self.items_grid = QGridLayout(self.items_box)
        self.items_grid.setColumnStretch(1, 1)
        self.items_grid.setColumnStretch(3, 1)

        self.my_number = QLabel(MASK, objectName="myNumber")
        self.my_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.purpose = QComboBox(objectName="revealPurpose")
        self.purpose.setEditable(True)
        self.purpose.addItems(PURPOSES)
        self.reveal = QPushButton("個人番号を表示", objectName="revealButton")
        self.reveal.clicked.connect(self._reveal)
        number_row = QHBoxLayout()
        number_row.addWidget(QLabel("個人番号", objectName="itemLabel"))
        number_row.addWidget(self.my_number)
        number_row.addStretch(1)
        number_row.addWidget(QLabel("表示の目的"))
        number_row.addWidget(self.purpose)
        number_row.addWidget(self.reveal)

        self.household = _table(("続柄", "氏名", "フリガナ", "生年月日", "性別", "宛名番号"), "householdTable")
        self.household.activated.connect(self._member_activated)
        self.household.doubleClicked.connect(self._member_activated)
        self.household.installEventFilter(self)
        self.history = _table(("異動事由", "異動日", "届出日", "変更した事項", "状態"), "historyTable")
        self.operations = QLabel(objectName="operationsNote")
        self.operations.setWordWrap(True)

        actions = QHBoxLayout()
        actions.addWidget(QLabel("この住民の届出：", objectName="itemLabel"))
        self.action_buttons: dict[str, QPushButton] = {}
        for kind in FROM_RESIDENT:
            b = QPushButton(KIND_LABELS[kind].removesuffix("届"), objectName=f"start{kind}")
            b.clicked.connect(lambda _=False, k=kind: self.start_notification.emit(k, self.resident_id))
            actions.addWidget(b)
            self.action_buttons[kind] = b
        actions.addStretch(1)
        self.certificate_button = QPushButton("証明書の発行（Ctrl+P）", objectName="startCertificate")
        self.certificate_button.clicked.connect(lambda: self.start_certificate.emit(self.resident_id))
        actions.addWidget(self.certificate_button)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.certificate_button.click, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # 交付履歴: a plain line until there is something to list (most people have none; a table
        # costs the opening of every resident screen several milliseconds)
        self.issuances: QTableWidget | None = None
        self.no_issuances = QLabel("この端末での交付はありません", objectName="noIssuances")

        body = QWidget()
        box = QVBoxLayout(body)
        box.addWidget(self.protection)
        box.addWidget(self.pending)
        head = QHBoxLayout()
        head.addWidget(self.name)
        head.addSpacing(12)
        head.addWidget(self.kana)
        head.addStretch(1)
        box.addLayout(head)
        box.addWidget(self.message)
        box.addLayout(actions)
        box.addWidget(self.items_box)
        box.addLayout(number_row)
        box.addWidget(QLabel("世帯（世帯員の記載順）", objectName="sectionTitle"))
        box.addWidget(self.household)
        box.addWidget(QLabel("異動履歴", objectName="sectionTitle"))
        box.addWidget(self.history)
        box.addWidget(QLabel("交付履歴（この端末）", objectName="sectionTitle"))
        self.issuance_box = QVBoxLayout()
        self.issuance_box.addWidget(self.no_issuances)
        box.addLayout(self.issuance_box)
        box.addWidget(self.operations)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.refresh()

    @property
    def title(self) -> str:
        return self.page.resident.name.full if self.page else "住民"

    def refresh(self) -> None:
        self.message.setText("読み込んでいます…")
        self.runner.run(self._load, self.resident_id, on_done=self._show, on_error=self._failed, key=f"resident-{id(self)}")

    def _load(self, resident_id: str):
        return self.service.resident_page(resident_id), self.service.pending_operations_of(resident_id)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(message_of(error))

    def _show(self, loaded) -> None:
        page, operations = loaded
        if page is None:
            self.message.setText("この宛名番号の住民は見つかりません。")
            return
        self.page = page
        r = page.resident
        self.message.setText("")
        self.name.setText(r.name.full + ("　［消除］" if not r.is_current else ""))
        self.kana.setText(r.name.full_kana)
        marks = []
        if r.support_measure:
            marks.append("支援措置対象者：住所等の情報を加害者側に知らせないでください。証明書の交付・閲覧は制限されています。")
        if r.suppressed:
            marks.append("抑止：この住民の証明書の交付は停止されています。")
        self.protection.setText("\n".join(marks))
        self.protection.setVisible(bool(marks))
        if page.pending:
            self.pending.setText("仮登録の異動があります（登録サーバーでの本登録待ち）。証明書は本登録された内容で交付されます。")
        self.pending.setVisible(page.pending)
        self._fill_items(page)
        self.reveal.setEnabled(page.has_my_number)
        self.my_number.setText(MASK if page.has_my_number else "（記載なし）")
        self._fill_household(page)
        self._fill_history(page)
        self._fill_issuances(page)
        if operations:
            lines = [f"・{e.kind_label}　{e.state_label}" + (f"：{e.message}" if e.message else "") for e in operations]
            self.operations.setText("この住民に関する未完了の届出\n" + "\n".join(lines))
        else:
            self.operations.setText("")
        for kind, button in self.action_buttons.items():
            button.setEnabled(r.is_current or kind in ("ExOfficioCorrection", "Cancellation"))
        self.loaded.emit()

    def _fill_items(self, page: ResidentPage) -> None:
        while self.items_grid.count():
            w = self.items_grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        items = record_items(page)
        half = (len(items) + 1) // 2
        for i, (label, text) in enumerate(items):
            row, col = (i, 0) if i < half else (i - half, 2)
            self.items_grid.addWidget(QLabel(label, objectName="itemLabel"), row, col)
            value = QLabel(text or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.items_grid.addWidget(value, row, col + 1)

    def _fill_household(self, page: ResidentPage) -> None:
        t = self.household
        t.setRowCount(len(page.household))
        for i, m in enumerate(page.household):
            for j, text in enumerate((m.relationship, m.name.full, m.name.full_kana, birth_text(m), m.sex.label, m.resident_id)):
                item = _item(text)
                item.setData(Qt.ItemDataRole.UserRole, m.resident_id)
                if m.resident_id == self.resident_id:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                t.setItem(i, j, item)
        t.setFixedHeight(min(10, max(1, len(page.household))) * 30 + 34)

    def _fill_history(self, page: ResidentPage) -> None:
        t = self.history
        rows = list(reversed(page.history))  # newest first
        t.setRowCount(max(1, len(rows)))
        if not rows:
            t.setSpan(0, 0, 1, t.columnCount())
            t.setItem(0, 0, _item("この端末が同期を始めてからの異動はありません（それ以前の履歴は登録サーバーで照会できます）"))
        for i, h in enumerate(rows):
            state = "仮登録（本登録待ち）" if h.pending else ("取消し" if h.cancels else "本登録")
            for j, text in enumerate((h.reason, h.occurred_on, h.notified_on, h.fields, state)):
                t.setItem(i, j, _item(text))
        t.setFixedHeight(min(8, max(1, len(rows))) * 30 + 34)

    def _fill_issuances(self, page: ResidentPage) -> None:
        rows = page.issuances
        self.no_issuances.setVisible(not rows)
        if not rows:
            if self.issuances is not None:
                self.issuances.hide()
            return
        if self.issuances is None:
            self.issuances = _table(("交付日時", "種別", "発行番号", "枚数", "職員", "状態"), "issuanceTable")
            self.issuance_box.addWidget(self.issuances)
        t = self.issuances
        t.show()
        t.setRowCount(len(rows))
        for i, c in enumerate(rows):
            state = f"処分（{c.spoiled_reason}）" if c.state == "spoiled" else ("再発行" if c.reprint_of else "交付")
            kind = CertificateKind(c.kind).label + ("（公用）" if c.official_use else "")
            when = f"{format_wareki(c.at.date())} {c.at:%H:%M}"
            for j, text in enumerate((when, kind, c.issue_numbers[0] if c.issue_numbers else "", str(c.pages), c.operator_id, state)):
                t.setItem(i, j, _item(text))
        t.setFixedHeight(min(6, len(rows)) * 30 + 34)

    # -- the My Number ---------------------------------------------------------------------------
    def _reveal(self) -> None:
        if self.my_number.text() != MASK:  # 「隠す」
            self.my_number.setText(MASK)
            self.reveal.setText("個人番号を表示")
            return
        purpose = self.purpose.currentText().strip()
        if not purpose:
            self.message.setText("個人番号を表示する目的を入力してください。")
            return
        self.runner.run(self.service.reveal_my_number, self.resident_id, purpose, on_done=self._revealed, on_error=self._failed)

    def _revealed(self, number: str) -> None:
        self.my_number.setText(f"{number[:4]} {number[4:8]} {number[8:]}（表示を記録しました）")
        self.reveal.setText("隠す")

    # -- the household -------------------------------------------------------------------------
    def _member_activated(self, index) -> None:
        item = self.household.item(index.row(), 0) if index.isValid() else None
        rid = item.data(Qt.ItemDataRole.UserRole) if item else None
        if rid and rid != self.resident_id:
            self.open_resident.emit(rid)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.household and event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._member_activated(self.household.currentIndex())
            return True
        return super().eventFilter(obj, event)
