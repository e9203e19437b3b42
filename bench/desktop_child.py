"""The child process of bench_desktop: one measurement per run, printed as JSON lines.

    python -m bench.desktop_child prepare TERMINAL_DIR       an enrolled demo terminal (small city)
    python -m bench.desktop_child start TERMINAL_DIR T0      process start (T0) → login screen painted
    python -m bench.desktop_child session CITY_DIR SAMPLES   login → main window, keystrokes during a
                                                             search, resident view, peak memory
"""
from __future__ import annotations

import json
import random
import resource
import sys
import time
from pathlib import Path


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def prepare(terminal: Path) -> None:
    from app.cli import DEMO_OPERATOR, DEMO_PASSWORD, DEMO_WARD
    from app.demo.local import start_demo_terminal

    demo = start_demo_terminal(terminal, residents_count=1000, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, ward_code=DEMO_WARD)
    demo.close()


def start(terminal: Path, t0: float) -> None:
    from app.ui.app import ClerkDesktop, application
    from app.ui.qt import QApplication

    app = application()
    desktop = ClerkDesktop(terminal / "terminal", operator_hint="demo")
    desktop.show()
    QApplication.processEvents()
    desktop.login_window.grab()  # the first frame drawn
    emit({"ms": round((time.time() - t0) * 1000, 1)})
    app.quit()


def _wait(app, predicate, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the desktop did not answer in time")
        app.processEvents()
        time.sleep(0.0005)


def session(city: Path, samples: int) -> None:
    from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
    from app.services.counter import CounterService, TerminalInfo
    from app.services.settings import ScreenSettings
    from app.store.cache import Cache
    from app.ui.app import application
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication, QEvent, QInputMethodEvent, QKeyEvent, Qt, QTimer
    from app.ui.tasks import TaskRunner
    from bench.run import percentiles
    from domain.search_criteria import SearchCriteria

    app = application()
    settings = ScreenSettings(idle_lock_minutes=0, sync_interval_seconds=0, search_delay_ms=200)
    # login → usable: the offline login path (the operator's key slot), the window, its first status
    logins = []
    for i in range(5):
        t0 = time.perf_counter()
        cache = Cache.open_as_operator(city, DEMO_OPERATOR, DEMO_PASSWORD)
        service = CounterService(cache, operator={"operator_id": DEMO_OPERATOR, "role": "clerk", "ward_code": "121011"}, terminal=TerminalInfo("bench-01", "ベンチ端末", "121011"))
        runner = TaskRunner()
        window = MainWindow(service, runner, settings=settings, background_sync=False)
        window.show()
        _wait(app, lambda: window.status is not None and not runner.busy)
        window.grab()
        logins.append((time.perf_counter() - t0) * 1000)
        if i < 4:
            window.close()
            runner.wait()
            window.deleteLater()
            app.processEvents()
            cache.close()
    emit({"metric": "desktop_login_to_main_window", **percentiles(logins), "target_ms": 1000})

    # keystrokes while a search runs: a partial-match search (a scan, the slowest kind) is running
    # on the worker; each committed character must be handled by the GUI thread at once.
    keystrokes, with_repaint, overlapped = [], [], 0
    words = ["サ", "ト", "ウ", "ハ", "ナ", "コ"]
    for round_ in range(max(5, samples // 40)):
        window.quick.clear()
        window.search.match.setCurrentIndex(window.search.match.findData("partial"))
        window.search.ward.setCurrentIndex(window.search.ward.findData("*"))
        window.search.name.setText("ト")
        window.search.search_now()
        for ch in words:
            busy = runner.busy
            event = QInputMethodEvent()
            event.setCommitString(ch)
            t0 = time.perf_counter()
            QApplication.sendEvent(window.quick, event)  # the keystroke, handled by the GUI thread
            t1 = time.perf_counter()
            QApplication.processEvents()  # and whatever else was due: repaint, results arriving
            keystrokes.append((t1 - t0) * 1000)
            with_repaint.append((time.perf_counter() - t0) * 1000)
            overlapped += busy
        _wait(app, lambda: not runner.busy)
        window.search.name.clear()
        window.search.match.setCurrentIndex(0)
    emit({"metric": "desktop_keystroke_during_search", **percentiles(keystrokes), "during_search": overlapped, "target_ms": 16})
    emit({"metric": "desktop_keystroke_and_pending_events", **percentiles(with_repaint), "during_search": overlapped, "target_ms": 16})

    # the event loop's own lateness while searches run (a timer due every 5 ms)
    lateness, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 5))
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)
    timer.start()
    for name in ("タナカ", "スズキ", "ヤマモト", "サトウ", "タカハシ"):
        window.search.name.setText(name)
        window.search.search_now()
        _wait(app, lambda: not runner.busy)
    timer.stop()
    emit({"metric": "desktop_event_loop_lateness_during_search", **percentiles(lateness), "target_ms": 16})

    # resident view: open → the record, household and history drawn
    with cache.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT resident_id FROM residents WHERE rowid % 997 = 0 LIMIT 400")]
    rng = random.Random(1)
    opens = []
    for rid in rng.sample(ids, min(len(ids), max(20, samples // 8))):
        # A clerk opens a resident with Enter (or a click): that input reaches the application first.
        enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        t0 = time.perf_counter()
        QApplication.sendEvent(window.tabs.tabBar(), enter)  # (a widget where Return opens nothing else)
        panel = window.open_resident(rid)
        _wait(app, lambda: panel.page is not None)
        panel.grab()
        opens.append((time.perf_counter() - t0) * 1000)
        window.close_tab(window.tabs.indexOf(panel))
        app.processEvents()
    emit({"metric": "desktop_resident_view_open", **percentiles(opens), "target_ms": 100})

    service.search(SearchCriteria(name="サ", ward="*"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    emit({"metric": "desktop_peak_memory", "peak_rss_mb": round(peak_mb, 1), "target_mb": 400})
    window.close()
    runner.wait()
    cache.close()


def main(argv: list[str]) -> int:
    what, *rest = argv
    if what == "prepare":
        prepare(Path(rest[0]))
    elif what == "start":
        start(Path(rest[0]), float(rest[1]))
    elif what == "session":
        session(Path(rest[0]), int(rest[1]))
    else:
        raise SystemExit(f"unknown: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
