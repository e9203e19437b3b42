"""The kiosk's screens: each shows one step, large and calm, and knows its texts (`retranslate`).
They hold no logic: the window (app/ui/kiosk/window.py) decides which one shows and what it says.

    attract → (card) → checking → PIN pad → identifying → choose → confirm → printing →
    take your card → receipt → attract;   messages: unavailable, refused, locked, removed, error;
    the administrator's PIN pad.
"""
from __future__ import annotations

from app.ui.kiosk.texts import Texts
from app.ui.kiosk.widgets import CardPicture, PinPad, Stepper
from app.ui.qt import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.style import restyle

CENTER = Qt.AlignmentFlag.AlignCenter


def label(name: str, *, wrap: bool = True, align=CENTER) -> QLabel:
    lab = QLabel(objectName=name, alignment=align)
    lab.setWordWrap(wrap)
    return lab


def button(name: str = "kioskButton") -> QPushButton:
    b = QPushButton(objectName=name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setMinimumHeight(88)
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return b


def _centred(widget: QWidget) -> QHBoxLayout:
    """The widget in the middle of a row, as wide as it may be (a pad of at most 720 px)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget, 6)
    row.addStretch(1)
    return row


class Screen(QWidget):
    """A page of the kiosk: a big title, its content, its buttons at the bottom."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("kioskScreen", True)
        self.title = label("kioskTitle")
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(56, 28, 56, 36)
        self.outer.setSpacing(20)
        self.outer.addWidget(self.title)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(32)

    def finish(self) -> None:
        self.outer.addLayout(self.buttons)

    @property
    def landscape(self) -> bool:
        return self.width() > self.height()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.adapt(self.landscape)

    def adapt(self, landscape: bool) -> None:
        """Portrait (1080×1920) stacks; landscape (1920×1080) puts things side by side."""

    def retranslate(self, t: Texts) -> None:
        raise NotImplementedError


class AttractScreen(Screen):
    def __init__(self, parent=None):
        super().__init__("attractScreen", parent)
        self.title.setObjectName("kioskHero")
        self.sub = label("kioskLead")
        self.picture = CardPicture()
        self.note = label("kioskNote")
        self.again = label("kioskWarning")
        self.again.hide()
        self.outer.addWidget(self.sub)
        self.outer.addWidget(self.picture, 1)
        self.outer.addWidget(self.again)
        self.outer.addWidget(self.note)
        self.finish()

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("attract_title"))
        self.sub.setText(t("attract_sub"))
        self.note.setText(t("attract_note"))
        self.again.setText(t("attract_again"))

    def set_card_left(self, left: bool) -> None:
        self.again.setVisible(left)


class BusyScreen(Screen):
    """Checking the card, confirming the identity, printing: one calm line and a note."""

    def __init__(self, parent=None):
        super().__init__("busyScreen", parent)
        self.title.setObjectName("kioskHero")
        self.sub = label("kioskLead")
        self.outer.addStretch(1)
        self.outer.insertStretch(0, 1)
        self.outer.addWidget(self.sub)
        self.outer.addStretch(2)
        self.keys = ("checking", "please_wait")
        self.finish()

    def show_keys(self, t: Texts, title: str, sub: str) -> None:
        self.keys = (title, sub)
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t(self.keys[0]))
        self.sub.setText(t(self.keys[1]))


class PinScreen(Screen):
    cancelled = Signal()

    def __init__(self, parent=None):
        super().__init__("pinScreen", parent)
        self.which = label("kioskLead")
        self.tries = label("pinTries")
        self.warning = label("kioskWarning")
        self.warning.hide()
        self.error = label("kioskError")
        self.error.hide()
        self.pad = PinPad(length=4)
        self.pad.setMaximumWidth(720)
        self.cancel = button("secondaryButton")
        self.cancel.clicked.connect(self.cancelled)
        info = QVBoxLayout()
        info.setSpacing(24)
        info.addStretch(1)
        for w in (self.which, self.tries, self.warning, self.error):
            info.addWidget(w)
        info.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.setSpacing(28)
        self.columns.addLayout(info, 1)
        self.columns.addLayout(_centred(self.pad), 2)
        self.outer.addLayout(self.columns, 1)
        self.buttons.addWidget(self.cancel)
        self.finish()
        self.tries_left = 3
        self.error_key = ""

    def adapt(self, landscape: bool) -> None:
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def show_tries(self, t: Texts, tries_left: int, *, error_key: str = "") -> None:
        self.tries_left, self.error_key = tries_left, error_key
        self.pad.clear()
        self.pad.setEnabled(True)
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("pin_title"))
        self.which.setText(t("pin_which"))
        self.tries.setText(t("pin_tries", n=self.tries_left))
        self.tries.setProperty("last", self.tries_left == 1)
        restyle(self.tries)
        self.warning.setText(t("pin_last"))
        self.warning.setVisible(self.tries_left == 1)
        self.error.setText(t(self.error_key) if self.error_key else "")
        self.error.setVisible(bool(self.error_key))
        self.pad.set_labels(t("clear"), t("ok"))
        self.cancel.setText(t("cancel"))


class CheckButton(QPushButton):
    """A large on/off choice: 「✓」 when chosen, 「□」 when not, and a strong frame (style sheet)."""

    def __init__(self, text: str = "", name: str = "toggleButton"):
        super().__init__(objectName=name)
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(80)
        self._text = text
        self.toggled.connect(lambda _on: self._show())
        self._show()

    def set_label(self, text: str) -> None:
        self._text = text
        self._show()

    def label_text(self) -> str:
        return self._text

    def _show(self) -> None:
        super().setText(("✓　" if self.isChecked() else "□　") + self._text)


class MemberButton(CheckButton):
    def __init__(self, resident_id: str, name: str):
        super().__init__(name, "memberButton")
        self.resident_id = resident_id


class ChooseScreen(Screen):
    cancelled = Signal()
    chosen = Signal()

    def __init__(self, parent=None):
        super().__init__("chooseScreen", parent)
        self.who = label("kioskSection", align=Qt.AlignmentFlag.AlignLeft)
        members = QWidget(objectName="membersList")
        self.members_box = QVBoxLayout(members)
        self.members_box.setContentsMargins(0, 0, 0, 0)
        self.members_box.setSpacing(12)
        self.members_box.addStretch(1)
        scroll = QScrollArea(objectName="membersScroll")  # a household of nine still fits
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(members)
        scroll.setMinimumHeight(220)
        self.only_me = button("quickButton")
        self.everyone = button("quickButton")
        quick = QHBoxLayout()
        quick.addWidget(self.only_me)
        quick.addWidget(self.everyone)
        left = QVBoxLayout()
        left.addWidget(self.who)
        left.addLayout(quick)
        left.addWidget(scroll, 1)

        self.items_title = label("kioskSection", align=Qt.AlignmentFlag.AlignLeft)
        self.domicile = CheckButton()
        self.householder = CheckButton()
        self.items_note = label("kioskNote", align=Qt.AlignmentFlag.AlignLeft)
        self.copies_title = label("kioskSection", align=Qt.AlignmentFlag.AlignLeft)
        self.copies = Stepper(1, 10)
        self.fee = label("feeLine")
        self.error = label("kioskError")
        self.error.hide()
        right = QVBoxLayout()
        right.addWidget(self.items_title)
        right.addWidget(self.domicile)
        right.addWidget(self.householder)
        right.addWidget(self.items_note)
        right.addSpacing(8)
        copies_row = QHBoxLayout()
        copies_row.addWidget(self.copies_title)
        copies_row.addWidget(self.copies, 2)
        right.addLayout(copies_row)
        right.addSpacing(8)
        right.addWidget(self.fee)
        right.addStretch(1)

        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.setSpacing(40)
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        self.outer.addLayout(self.columns, 1)
        self.outer.addWidget(self.error)
        self.cancel = button("secondaryButton")
        self.next = button("primaryKioskButton")
        self.buttons.addWidget(self.cancel, 1)
        self.buttons.addWidget(self.next, 2)
        self.finish()
        self.cancel.clicked.connect(self.cancelled)
        self.next.clicked.connect(self.chosen)
        self.only_me.clicked.connect(lambda: self._pick(only_me=True))
        self.everyone.clicked.connect(lambda: self._pick(only_me=False))
        self.member_buttons: list[MemberButton] = []
        self.me = ""
        self.fee_each = 0

    def adapt(self, landscape: bool) -> None:
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def set_members(self, members, me: str, fee_each: int) -> None:
        for b in self.member_buttons:
            self.members_box.removeWidget(b)
            b.deleteLater()
        self.member_buttons = []
        self.me, self.fee_each = me, fee_each
        for m in members:
            b = MemberButton(m.resident_id, m.name)
            b.setChecked(m.resident_id == me)
            b.toggled.connect(lambda _on: self.update_fee())
            self.members_box.insertWidget(self.members_box.count() - 1, b)
            self.member_buttons.append(b)
        self.domicile.setChecked(False)
        self.householder.setChecked(False)
        self.copies.setValue(1)
        self.error.hide()

    def _pick(self, *, only_me: bool) -> None:
        for b in self.member_buttons:
            b.setChecked(b.resident_id == self.me or not only_me)

    def chosen_ids(self) -> list[str]:
        return [b.resident_id for b in self.member_buttons if b.isChecked()]

    def update_fee(self) -> None:
        self.error.hide()
        self.next.setEnabled(bool(self.chosen_ids()))
        self.fee.setText(self._t("fee_line", each=self.fee_each, n=self.copies.value(), total=self.fee_each * self.copies.value()))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def retranslate(self, t: Texts) -> None:
        self._t = t
        self.title.setText(t("choose_title"))
        self.who.setText(t("choose_who"))
        self.only_me.setText(t("only_me"))
        self.everyone.setText(t("everyone"))
        self.items_title.setText(t("choose_items"))
        self.domicile.set_label(t("item_domicile"))
        self.householder.set_label(t("item_householder"))
        self.items_note.setText(t("items_note"))
        self.copies_title.setText(t("copies"))
        self.cancel.setText(t("cancel"))
        self.next.setText(t("next"))
        self.update_fee()

    _t = Texts()


class ConfirmScreen(Screen):
    back = Signal()
    confirmed = Signal()

    def __init__(self, parent=None):
        super().__init__("confirmScreen", parent)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(32)
        self.grid.setVerticalSpacing(20)
        self.captions = [label("confirmCaption", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) for _ in range(5)]
        self.values = [label("confirmValue", align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) for _ in range(5)]
        self.values[4].setObjectName("confirmFee")
        for i, (c, v) in enumerate(zip(self.captions, self.values)):
            self.grid.addWidget(c, i, 0)
            self.grid.addWidget(v, i, 1)
        self.grid.setColumnStretch(1, 1)
        panel = QFrame(objectName="confirmPanel")
        panel.setLayout(self.grid)
        self.pay = label("kioskNote")
        self.outer.addWidget(panel)
        self.outer.addWidget(self.pay)
        self.outer.addStretch(1)
        self.back_button = button("secondaryButton")
        self.issue_button = button("primaryKioskButton")
        self.buttons.addWidget(self.back_button, 1)
        self.buttons.addWidget(self.issue_button, 2)
        self.finish()
        self.back_button.clicked.connect(self.back)
        self.issue_button.clicked.connect(self.confirmed)
        self.names: list[str] = []
        self.items: list[str] = []
        self.copies = 1
        self.total = 0

    def show_order(self, t: Texts, names: list[str], items: list[str], copies: int, total: int) -> None:
        self.names, self.items, self.copies, self.total = names, items, copies, total
        self.issue_button.setEnabled(True)
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("confirm_title"))
        for c, key in zip(self.captions, ("confirm_kind", "confirm_people", "confirm_items", "confirm_copies", "confirm_fee")):
            c.setText(t(key))
        self.values[0].setText(t("choose_title"))
        self.values[1].setText("\n".join(self.names))
        self.values[2].setText("\n".join(t(k) for k in self.items) if self.items else t("none"))
        self.values[3].setText(t("copies_value", n=self.copies))
        self.values[4].setText(t("yen", n=self.total))
        self.pay.setText(t("confirm_pay"))
        self.back_button.setText(t("back"))
        self.issue_button.setText(t("issue"))


class TakeCardScreen(Screen):
    """「カードをお取りください」 — with the receipt number when something was printed. The window
    flashes it (property `flash`) and beeps while the card stays on the reader."""

    def __init__(self, parent=None):
        super().__init__("takeCardScreen", parent)
        self.title.setObjectName("kioskHero")
        self.printed = label("kioskLead")
        self.receipt = ReceiptBlock()
        self.failure = label("kioskError")
        self.failure.hide()
        self.outer.addWidget(self.printed)
        self.outer.addWidget(self.failure)
        self.outer.addStretch(1)
        self.outer.addWidget(self.receipt)
        self.outer.addStretch(2)
        self.finish()
        self.data: dict | None = None

    def show_receipt(self, t: Texts, data: dict | None) -> None:
        self.data = data
        self.set_flash(False)
        self.retranslate(t)

    def set_flash(self, on: bool) -> None:
        self.setProperty("flash", on)
        restyle(self)
        restyle(self.title)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("take_card"))
        d = self.data
        self.printed.setVisible(bool(d and d["printed"]))
        self.printed.setText(t("take_printed", n=d["printed"]) if d else "")
        self.failure.setVisible(bool(d and d["failure"]))
        self.failure.setText(t("print_failed", printed=d["printed"]) if d else "")
        self.receipt.setVisible(bool(d and d["printed"]))
        if d:
            self.receipt.show_receipt(t, d)


class ReceiptBlock(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("receiptBlock")
        self.caption = label("receiptCaption")
        self.number = label("receiptNumber", wrap=False)
        self.reference = label("receiptReference")
        self.tell = label("kioskLead")
        self.amount = label("receiptAmount")
        box = QVBoxLayout(self)
        box.setContentsMargins(32, 40, 32, 40)
        box.setSpacing(20)
        box.addWidget(self.caption)
        box.addWidget(self.number)
        box.addWidget(self.reference)
        box.addWidget(self.tell)
        box.addWidget(self.amount)

    def show_receipt(self, t: Texts, d: dict) -> None:
        self.caption.setText(t("receipt_label"))
        self.number.setText(d["receipt"].rsplit("-", 1)[-1])  # the day's number, what the cashier calls
        self.reference.setText(d["receipt"])
        self.tell.setText(t("receipt_tell"))
        self.amount.setText(t("amount_due", total=d["amount"]))


class ReceiptScreen(Screen):
    """After the card is taken: thanks, and the receipt number once more."""

    finished = Signal()

    def __init__(self, parent=None):
        super().__init__("receiptScreen", parent)
        self.receipt = ReceiptBlock()
        self.outer.addStretch(1)
        self.outer.addWidget(self.receipt)
        self.outer.addStretch(2)
        self.done = button("primaryKioskButton")
        self.done.clicked.connect(self.finished)
        self.buttons.addWidget(self.done)
        self.finish()
        self.data: dict = {}

    def show_receipt(self, t: Texts, data: dict) -> None:
        self.data = data
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("thanks"))
        self.done.setText(t("finish"))
        if self.data:
            self.receipt.show_receipt(t, self.data)


class MessageScreen(Screen):
    """Unavailable, refused (neutral), locked, removed, errors: what happened and what to do. The
    button takes the resident back to the start (none while the card must be taken first)."""

    finished = Signal()

    def __init__(self, parent=None):
        super().__init__("messageScreen", parent)
        self.title.setObjectName("kioskHero")
        self.body = label("kioskLead")
        self.action = label("kioskAction")
        self.take = label("kioskWarning")
        self.outer.insertStretch(0, 1)
        self.outer.addWidget(self.body)
        self.outer.addWidget(self.action)
        self.outer.addWidget(self.take)
        self.outer.addStretch(2)
        self.done = button("primaryKioskButton")
        self.done.clicked.connect(self.finished)
        self.buttons.addWidget(self.done)
        self.finish()
        self.kind = ""
        self.keys: tuple[str, ...] = ()
        self.card_on_reader = False

    def show_message(self, t: Texts, kind: str, title: str, body: str = "", action: str = "", *, card_on_reader: bool = False, button: bool = True) -> None:
        self.kind, self.keys, self.card_on_reader = kind, (title, body, action), card_on_reader
        self.setProperty("kind", kind)
        restyle(self)
        self.done.setVisible(button)
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        title, body, action = self.keys or ("error_title", "", "")
        self.title.setText(t(title))
        self.body.setText(t(body) if body else "")
        self.body.setVisible(bool(body))
        self.action.setText(t(action) if action else "")
        self.action.setVisible(bool(action))
        self.take.setText(t("take_card"))
        self.take.setVisible(self.card_on_reader)
        self.done.setText(t("start_over"))


class AdminScreen(Screen):
    """The administrator's PIN (6–12 digits) to leave kiosk mode."""

    back = Signal()

    def __init__(self, parent=None):
        super().__init__("adminScreen", parent)
        self.prompt = label("kioskLead")
        self.error = label("kioskError")
        self.error.hide()
        self.pad = PinPad(length=12, min_length=6)
        self.pad.setMaximumWidth(720)
        info = QVBoxLayout()
        info.addStretch(1)
        info.addWidget(self.prompt)
        info.addWidget(self.error)
        info.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.addLayout(info, 1)
        self.columns.addLayout(_centred(self.pad), 2)
        self.outer.addLayout(self.columns, 1)
        self.back_button = button("secondaryButton")
        self.back_button.clicked.connect(self.back)
        self.buttons.addWidget(self.back_button)
        self.finish()
        self.error_key = ""

    def adapt(self, landscape: bool) -> None:
        self.columns.setDirection(QBoxLayout.Direction.LeftToRight if landscape else QBoxLayout.Direction.TopToBottom)

    def show_error(self, t: Texts, key: str) -> None:
        self.error_key = key
        self.retranslate(t)

    def retranslate(self, t: Texts) -> None:
        self.title.setText(t("admin_title"))
        self.prompt.setText(t("admin_prompt"))
        self.error.setText(t(self.error_key) if self.error_key else "")
        self.error.setVisible(bool(self.error_key))
        self.pad.set_labels(t("clear"), t("admin_exit"))
        self.back_button.setText(t("back"))
