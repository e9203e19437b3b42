"""The login screen (ログイン): operator ID and password; online at the registry when it answers,
else offline against the operator's key slot. Shows the terminal's name and office; the
registry's refusal (wrong password, locked account) is shown as it words it."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from app.services.terminal_card import terminal_card
from app.sync.identity import NotEnrolled
from app.ui.qt import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget, Signal
from app.ui.tasks import TaskRunner, message_of


def _log_in(*args, **kwargs):
    """The real login, imported when first used: the login screen paints before the database,
    network and crypto libraries are loaded (they load in the background meanwhile)."""
    from app.services.session import log_in

    return log_in(*args, **kwargs)


class LoginWidget(QWidget):
    logged_in = Signal(object)  # CounterService

    def __init__(self, directory: Path, runner: TaskRunner, *, login: Callable | None = None, operator_hint: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("page")
        self.directory = Path(directory)
        self.runner = runner
        self._login = login or _log_in
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        card = QFrame(objectName="loginCard")
        card.setFixedWidth(460)
        box = QVBoxLayout(card)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(10)
        box.addWidget(QLabel("窓口 — 住民記録システム", objectName="loginTitle"))
        self.terminal_label = QLabel(objectName="loginTerminal")
        self.terminal_label.setWordWrap(True)
        box.addWidget(self.terminal_label)
        box.addSpacing(8)
        box.addWidget(QLabel("職員ID"))
        self.operator = QLineEdit(objectName="operatorId")
        self.operator.setText(operator_hint)
        box.addWidget(self.operator)
        box.addWidget(QLabel("パスワード"))
        self.password = QLineEdit(objectName="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        box.addWidget(self.password)
        self.message = QLabel(objectName="loginMessage")
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        self.button = QPushButton("ログイン", objectName="primaryButton")
        self.button.setDefault(True)
        box.addWidget(self.button)
        hint = QLabel("Enter でログイン。ネットワークがなくても、この端末で一度ログインした職員はオフラインでログインできます。")
        hint.setWordWrap(True)
        hint.setObjectName("itemLabel")
        box.addWidget(hint)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.operator.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self._show_terminal()
        (self.password if operator_hint else self.operator).setFocus()

    def _show_terminal(self) -> None:
        try:
            card = terminal_card(self.directory)
        except NotEnrolled as e:
            self.terminal_label.setText("未登録の端末")
            self.message.setText(e.message)
            self.button.setEnabled(False)
            return
        ward = f"{card.ward_name}（{card.ward_code}）" if card.ward_name else card.ward_code
        self.terminal_label.setText(f"端末：{card.name}（{card.terminal_id}）\n所属：千葉市{ward}\n登録サーバー：{card.registry_url}")
        if card.revoked:
            self.message.setText("この端末の登録は取り消されています。管理者に連絡してください。")
            self.button.setEnabled(False)

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        operator, password = self.operator.text(), self.password.text()
        self.password.clear()  # the password is not kept in the widget
        self.message.setText("ログインしています…")
        self.button.setEnabled(False)
        self.runner.run(self._login, self.directory, operator, password, on_done=self._done, on_error=self._failed)

    def _done(self, service) -> None:
        self.message.setText("")
        self.button.setEnabled(True)
        self.logged_in.emit(service)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.message.setText(message_of(error))
        self.password.setFocus()
