"""Reading a My Number card from a screen: the PIN dialog and the steps around it.

    flow = CardReadFlow(runner, reading.pin_status, reading.read_and_find, parent=self)
    flow.finished.connect(self.show_card_result)
    flow.start()

1. The card is found and its remaining PIN tries asked (no try used) on a worker thread, while
   the dialog says so. A blocked PIN is said plainly and no PIN can be typed: nothing is sent.
2. The dialog shows the reader and the tries left before the PIN is typed; at one try left it
   warns loudly (red, bold) that the next mistake locks the card.
3. The 4 digits are masked. What is not 4 digits is refused here and never sent. The PIN field
   is cleared as soon as the PIN is taken; the PIN goes to the worker and is dropped with it.
4. A wrong PIN shows the new count and lets the clerk try again; every other failure (card
   removed, not a My Number card, no reader…) shows its Japanese message and a retry button.
   A card removed while the dialog is open is noticed (card events), and checked again when it
   is put back.
"""
from __future__ import annotations

import re
from typing import Callable

from app.ui.card_events import card_events
from app.ui.qt import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.style import restyle
from app.ui.tasks import TaskRunner, message_of
from hardware.errors import PinBlocked, PinFormatError, WrongPin
from hardware.iso import PinStatus

_PIN = re.compile(r"[0-9]{4}")


class PinDialog(QDialog):
    """The PIN dialog (see the module's docstring). `submitted` when the clerk asks to read."""

    submitted = Signal()
    retry = Signal()

    def __init__(self, title: str, pin_label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setWindowTitle(title)
        self.setModal(True)
        self.pin_label = pin_label
        self.heading = QLabel(title, objectName="sectionTitle")
        self.reader = QLabel(objectName="pinReader")
        self.tries = QLabel(objectName="pinTries")
        self.warning = QLabel(objectName="pinWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b42318; font-weight: bold;")
        self.warning.setVisible(False)
        self.pin = QLineEdit(objectName="pinInput")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(4)
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        self.pin.setPlaceholderText("数字4桁")
        self.message = QLabel(objectName="cardMessage")
        self.message.setWordWrap(True)
        self.read_button = QPushButton("読み取る（Enter）", objectName="primaryButton")
        self.retry_button = QPushButton("カードを確認し直す", objectName="pinRetry")
        self.close_button = QPushButton("閉じる（Esc）", objectName="closeButton")
        self.retry_button.setVisible(False)
        for b in (self.read_button, self.retry_button, self.close_button):
            b.setAutoDefault(False)  # Enter in the PIN field reads; it must never "click" 閉じる

        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.reader)
        box.addWidget(self.tries)
        box.addWidget(self.warning)
        box.addWidget(QLabel(pin_label, objectName="fieldCaption"))
        box.addWidget(self.pin)
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.read_button)
        box.addLayout(buttons)
        self.setMinimumWidth(560)

        self.read_button.clicked.connect(self.submitted)
        self.pin.returnPressed.connect(self.submitted)
        self.retry_button.clicked.connect(self.retry)
        self.close_button.clicked.connect(self.reject)
        self.finished.connect(lambda _result: self.pin.clear())
        self.set_checking()

    # -- states ------------------------------------------------------------------------------
    def _inputs(self, enabled: bool) -> None:
        self.pin.setEnabled(enabled)
        self.read_button.setEnabled(enabled)
        if enabled:
            self.pin.setFocus()
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink) to what the wrapped warning and message need: never overlapping lines."""
        self.layout().activate()
        self.adjustSize()

    def set_checking(self) -> None:
        self.reader.setText("カードを確認しています…")
        self.tries.setText("")
        self.warning.setVisible(False)
        self.message.setText("")
        self.retry_button.setVisible(False)
        self._inputs(False)

    def set_status(self, status: PinStatus) -> None:
        self.reader.setText(f"カードリーダー：{status.reader}")
        self.tries.setText(f"暗証番号の残り回数：{status.tries_left}回")
        self.retry_button.setVisible(False)
        if status.blocked:
            self.set_blocked(PinBlocked.message)
            return
        self.warning.setText("！ 残り1回です。次に間違えるとカードがロックされ、市区町村の窓口での再設定が必要になります。"
                             "暗証番号が分からない場合は入力せず、再設定の手続きを案内してください。" if status.last_try else "")
        self.warning.setVisible(status.last_try)
        self._inputs(True)

    def set_blocked(self, message: str) -> None:
        self.tries.setText("暗証番号の残り回数：0回（ロック中）")
        self.warning.setText(message)
        self.warning.setVisible(True)
        self.message.setText("このカードには暗証番号を送信しません。")
        self.pin.clear()
        self._inputs(False)

    def set_busy(self) -> None:
        self.message.setText("読み取っています…")
        self._inputs(False)

    def show_error(self, message: str, *, retry: bool = False) -> None:
        self.message.setText(message)
        self.message.setProperty("role", "error")
        restyle(self.message)
        self.retry_button.setVisible(retry)
        if retry:
            self._inputs(False)
            self.retry_button.setFocus()
        else:
            self._inputs(True)

    def take_pin(self) -> str:
        """What was typed; the field is cleared at once."""
        pin = self.pin.text()
        self.pin.clear()
        return pin


class CardReadFlow(QObject):
    """Status → PIN dialog → read, on the runner; `finished(result)` with what `read` returned."""

    finished = Signal(object)

    def __init__(self, runner: TaskRunner, status: Callable[[], PinStatus], read: Callable[[str, str], object], *,
                 parent: QWidget, title: str = "マイナンバーカードの読み取り",
                 pin_label: str = "暗証番号（券面事項入力補助用・数字4桁）"):
        super().__init__(parent)
        self.runner = runner
        self._status_fn = status
        self._read_fn = read
        self.status: PinStatus | None = None
        self.reading = False
        self.dialog = PinDialog(title, pin_label, parent)
        self.dialog.submitted.connect(self._submit)
        self.dialog.retry.connect(self.check)
        self.dialog.finished.connect(self._closed)
        events = card_events()
        events.card_removed.connect(self._card_removed)
        events.card_inserted.connect(self._card_inserted)
        self._listening = True
        self._key = f"card-status-{id(self)}"

    def start(self) -> None:
        self.dialog.open()
        self.check()

    def check(self) -> None:
        self.status = None
        self.dialog.set_checking()
        self.runner.run(self._status_fn, on_done=self._status_known, on_error=self._status_failed, key=self._key)

    def _status_known(self, status: PinStatus) -> None:
        if not self.dialog.isVisible():
            return
        self.status = status
        self.dialog.set_status(status)

    def _status_failed(self, error: BaseException) -> None:
        if self.dialog.isVisible():
            self.dialog.reader.setText("")
            self.dialog.show_error(message_of(error), retry=True)

    def _submit(self) -> None:
        if self.reading or self.status is None or self.status.blocked or not self.dialog.pin.isEnabled():
            return
        pin = self.dialog.take_pin()
        if not _PIN.fullmatch(pin):
            self.dialog.show_error(PinFormatError.message)
            return
        self.reading = True
        self.dialog.set_busy()
        self.runner.run(self._read_fn, pin, self.status.reader, on_done=self._read_done, on_error=self._read_failed)

    def _read_done(self, result: object) -> None:
        self.reading = False
        if not self.dialog.isVisible():
            return
        self.dialog.accept()
        self.finished.emit(result)

    def _read_failed(self, error: BaseException) -> None:
        self.reading = False
        if not self.dialog.isVisible():
            return
        if isinstance(error, WrongPin) and self.status is not None:
            self.status = PinStatus(self.status.reader, error.tries_left)
            self.dialog.set_status(self.status)
            self.dialog.show_error(error.message)
        elif isinstance(error, PinBlocked):
            self.status = PinStatus(self.status.reader if self.status else "", 0)
            self.dialog.set_blocked(error.message)
        else:
            self.dialog.show_error(message_of(error), retry=True)

    def _card_removed(self, reader: str) -> None:
        if self.dialog.isVisible() and self.status is not None and reader == self.status.reader and not self.reading:
            self.status = None
            self.dialog.pin.clear()
            self.dialog.show_error("カードが取り外されました。カードをカードリーダーに置いてください。", retry=True)

    def _card_inserted(self, _reader: str) -> None:
        if self.dialog.isVisible() and self.status is None and not self.reading:
            self.check()

    def dispose(self) -> None:
        """Done with this flow: its dialog and itself go (a new read makes a new flow)."""
        self._closed(0)
        self.dialog.deleteLater()
        self.deleteLater()

    def _closed(self, _result: int) -> None:
        self.dialog.pin.clear()
        if not self._listening:
            return
        self._listening = False
        events = card_events()
        events.card_removed.disconnect(self._card_removed)
        events.card_inserted.disconnect(self._card_inserted)
