"""Starting the clerk's desktop: the application object, the look, the login screen, and the main
window once an operator has logged in (back to the login screen on logout)."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from app.services.settings import ScreenSettings
from app.ui import style
from app.ui.login import LoginWidget
from app.ui.qt import QApplication, QMainWindow
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


# The GUI thread asks for the interpreter lock back after at most this long while a worker runs
# Python code (the default 5 ms lets a busy worker delay a keystroke by several slices).
SWITCH_INTERVAL_S = 0.001


def application(argv: list[str] | None = None) -> QApplication:
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Madoguchi")
    app.setApplicationDisplayName("窓口")
    style.apply(app)
    return app


def _preload() -> None:
    import app.services.session  # noqa: F401
    import app.ui.main_window  # noqa: F401


class ClerkDesktop:
    """The login window and, after login, the main window; one per terminal folder."""

    def __init__(self, directory: Path, *, operator_hint: str = "", settings: ScreenSettings | None = None):
        self.directory = Path(directory)
        self.settings = settings or ScreenSettings.load(self.directory)
        self.operator_hint = operator_hint
        self.runner = TaskRunner()
        self.login_window = QMainWindow()
        self.login_window.setWindowTitle("窓口 — ログイン")
        self.login_window.resize(1366, 768)
        self.main = None  # the MainWindow once someone has logged in
        self._new_login()

    def _new_login(self) -> None:
        self.login = LoginWidget(self.directory, self.runner, operator_hint=self.operator_hint)
        self.login.logged_in.connect(self._logged_in)
        self.login_window.setCentralWidget(self.login)

    def show(self) -> None:
        self.login_window.show()
        self.login.operator.setFocus() if not self.operator_hint else self.login.password.setFocus()
        self.runner.run(_preload)  # while the operator types: load what login and the main window need

    def _logged_in(self, service) -> None:
        from app.ui.main_window import MainWindow

        log.info("operator %s logged in (%s)", service.operator_id, "online" if service.online else "offline")
        self.main = MainWindow(service, self.runner, settings=self.settings)
        self.main.logged_out.connect(lambda: self._logged_out(service))
        self.main.show()
        self.login_window.hide()

    def _logged_out(self, service) -> None:
        self.runner.wait(10000)
        service.close()
        self.main = None
        self._new_login()
        self.login_window.show()


def run_clerk(directory: Path, *, operator_hint: str = "") -> int:
    app = application()
    desktop = ClerkDesktop(directory, operator_hint=operator_hint)
    desktop.show()
    code = app.exec()
    desktop.runner.wait(10000)
    if desktop.main is not None:
        desktop.main.service.close()
    return code
