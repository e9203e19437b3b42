"""Starting the kiosk: the application, the kiosk service over an enrolled kiosk terminal folder,
the full-screen window; the process ends when the administrator leaves kiosk mode."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def run_kiosk(directory: Path, *, service=None, full_screen: bool = True) -> int:
    from app.services.kiosk import KioskService
    from app.ui.app import application
    from app.ui.kiosk.window import KioskWindow
    from app.ui.tasks import TaskRunner

    app = application()
    service = service or KioskService.open(Path(directory))
    runner = TaskRunner()
    window = KioskWindow(service, runner)
    window.exited.connect(app.quit)
    _quit_on_sigterm(app)
    if full_screen:
        window.show_kiosk()
    else:
        window.resize_to(1080, 1920)
        window.show()
    log.info("kiosk %s started (%s)", service.identity.terminal_id, Path(directory))
    try:
        return app.exec()
    finally:
        runner.wait(10000)
        service.close()


def _quit_on_sigterm(app) -> None:
    """SIGTERM (a service manager stopping the kiosk) ends the event loop, so that everything is
    closed in order — the demo's pcscd included. Python handles signals only when it runs: a
    timer wakes it twice a second."""
    import signal

    from app.ui.qt import QTimer

    signal.signal(signal.SIGTERM, lambda *_: app.exit(0))  # quit() would ask the window, which refuses to close
    timer = QTimer(app, interval=500)
    timer.timeout.connect(lambda: None)
    timer.start()
