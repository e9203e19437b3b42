"""`madoguchi screenshots`: every main screen of the clerk's desktop rendered to PNG with the demo
city, at the counter's screen sizes (1366×768 and 1920×1080 by default), in a real X window
under Xvfb (started here when there is no display). For looking at what clerks will see.

The demo registry gets a little real work first, so the screens have something to show: a
household moves within the city (confirmed after sync) and a correction waits for review."""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_SIZES = ("1366x768", "1920x1080")


def _start_xvfb(width: int, height: int) -> subprocess.Popen | None:
    """A private X display when none is there (DISPLAY set for this process)."""
    if os.environ.get("DISPLAY") or not shutil.which("Xvfb"):
        return None
    for number in range(90, 110):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                os.environ["DISPLAY"] = f":{number}"
                os.environ.pop("QT_QPA_PLATFORM", None)
                return proc
            time.sleep(0.05)
        proc.kill()
    return None


def _wait(app, predicate, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("screen did not settle")
        app.processEvents()
        time.sleep(0.005)


def _settle(app, runner, ms: int = 150) -> None:
    _wait(app, lambda: not runner.busy)
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def _prepare_work(service) -> dict:
    """Real notifications through the real service, so history, outbox and review have content."""
    from domain.notifications import ExOfficioCorrection, MoveWithin
    from domain.residents import Address

    new_home = Address("千葉県", "千葉市中央区", "本千葉町", "5番2号", "本千葉ハイツ203号室", "121011")
    with service.cache.engine.connect() as conn:
        households = conn.exec_driver_sql(
            "SELECT household_id FROM residents WHERE status = 'current' AND ward_code = '121011' "
            "GROUP BY household_id HAVING count(*) BETWEEN 3 AND 5 ORDER BY household_id LIMIT 50"
        ).scalars().all()
    # a household that has not moved there yet (the demo folder is reused from run to run)
    members = next(m for m in map(service.household_members, households) if m[0].address.town != new_home.town)
    today = service.today()
    moved = MoveWithin(
        resident_ids=tuple(m.resident_id for m in members),
        address=new_home,
        moved_on=today - dt.timedelta(days=2),
        notified_on=today,
    )
    service.take(moved)
    try:
        service.sync()
    except Exception as e:  # noqa: BLE001 - the pictures still show the pending state
        log.warning("sync before screenshots failed: %s", e)
    corrected = ExOfficioCorrection(
        resident_id=members[0].resident_id,
        changes={"domicile": "千葉県千葉市中央区千葉港1番地"},
        explanation="戸籍の附票の通知による",
        notified_on=today,
    )
    service.take(corrected)
    try:
        service.sync()
    except Exception as e:  # noqa: BLE001
        log.warning("sync before screenshots failed: %s", e)
    return {"householder": members[0].resident_id, "member": members[-1].resident_id}


@contextmanager
def screens(out: Path, sizes: list[str]):
    """The sizes as (width, height), a display to draw on (Xvfb started when there is none, else
    offscreen), and the output folder; the Xvfb started here is stopped afterwards."""
    dims = [tuple(int(v) for v in s.lower().split("x")) for s in sizes]
    xvfb = _start_xvfb(max(w for w, _ in dims), max(h for _, h in dims))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    Path(out).mkdir(parents=True, exist_ok=True)
    try:
        yield dims
    finally:
        if xvfb is not None:
            xvfb.terminate()


def main(out: Path, *, demo_dir: Path, residents: int, sizes: list[str] | None = None) -> int:
    from app.cli import DEMO_OPERATOR, DEMO_PASSWORD, DEMO_WARD
    from app.demo.local import start_demo_terminal

    out = Path(out)
    with screens(out, sizes or list(DEFAULT_SIZES)) as dims:
        demo = start_demo_terminal(Path(demo_dir), residents_count=residents, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, ward_code=DEMO_WARD)
        demo.login.cache.close()
        try:
            written = _shoot(out, Path(demo_dir) / "terminal", dims, DEMO_OPERATOR, DEMO_PASSWORD)
        finally:
            demo.registry.close()
    for p in written:
        print(p)
    return 0


def _shoot(out: Path, terminal: Path, dims, operator: str, password: str) -> list[Path]:
    from app.services.session import log_in
    from app.services.settings import ScreenSettings
    from app.ui import forms
    from app.ui.app import ClerkDesktop, application
    from app.ui.main_window import MainWindow
    from app.ui.tasks import TaskRunner

    app = application()
    written: list[Path] = []
    service = log_in(terminal, operator, password)
    for d in service.drafts():  # what an earlier run left behind
        service.discard_draft(d.draft_id)
    people = _prepare_work(service)

    def save(widget, name: str, w: int, h: int) -> None:
        path = out / f"{name}-{w}x{h}.png"
        widget.grab().save(str(path))
        written.append(path)

    quiet = ScreenSettings(idle_lock_minutes=0, sync_interval_seconds=0, search_delay_ms=50)
    for w, h in dims:
        desktop = ClerkDesktop(terminal, operator_hint=operator, settings=quiet)
        desktop.login_window.resize(w, h)
        desktop.show()
        _settle(app, desktop.runner)
        save(desktop.login_window, "01-login", w, h)
        desktop.login_window.close()

        runner = TaskRunner()
        main = MainWindow(service, runner, settings=quiet, background_sync=False)
        main.resize(w, h)
        main.show()
        _settle(app, runner)
        main.quick.setText("*サトウ")
        main.search.set_quick("*サトウ", now=True)
        _settle(app, runner)
        save(main, "02-search", w, h)

        panel = main.open_resident(people["householder"])
        _wait(app, lambda: panel.page is not None)
        _settle(app, runner)
        save(main, "03-resident", w, h)
        main.close_tab(main.tabs.indexOf(panel))

        # the certificate screen: the whole household chosen, the preview of the real PDF
        certificate = main.open_certificate(people["householder"])
        _wait(app, lambda: certificate.prepared is not None)
        certificate.all_members.click()
        certificate.optional["householder_relationship"].setChecked(True)
        _settle(app, runner, 600)
        _wait(app, lambda: certificate.prepared is not None and len(certificate.prepared.persons) > 1)
        _settle(app, runner, 300)
        save(main, "03-certificate", w, h)
        main.close_widget(certificate)

        for i, kind in enumerate(forms.FORMS, start=1):
            resident = people["member"] if kind in forms.NEEDS_RESIDENT else ""
            form = main.open_form(kind, resident)
            _settle(app, runner, 300)
            save(main, f"04-form-{i:02d}-{kind}", w, h)
            main.close_widget(form)
            app.processEvents()

        # a 転入届 confirmed with nothing typed: every required field says what it needs
        form = main.open_form("MoveIn")
        _settle(app, runner, 300)
        form.go_confirm()
        _wait(app, lambda: form.idle)
        _settle(app, runner, 300)
        save(main, "04-form-10-MoveIn-errors", w, h)
        main.close_widget(form)
        # a 死亡届 filled in, on its confirmation view (j540)
        form = main.open_form("Death", people["member"])
        _wait(app, lambda: form.idle)
        _settle(app, runner, 300)
        form.died.edit.setText("令和8年11月20日")
        form.user_edited()
        _wait(app, lambda: form.idle)
        form.go_confirm()
        _wait(app, lambda: form.idle)
        _settle(app, runner, 300)
        save(main, "04-form-11-Death-confirm", w, h)
        form.back()
        main.close_widget(form)
        app.processEvents()
        drafts_made = [d.draft_id for d in service.drafts()]

        outbox = main.open_outbox()
        _settle(app, runner)
        save(main, "05-outbox", w, h)
        main.close_widget(outbox)
        review = main.open_review()
        _settle(app, runner, 400)
        save(main, "06-review", w, h)
        main.close_widget(review)
        drafts = main.open_drafts()
        _settle(app, runner)
        save(main, "07-drafts", w, h)
        main.close_widget(drafts)
        main.lock_now()
        _settle(app, runner)
        save(main, "08-lock", w, h)
        main.unlock()
        main.close()
        runner.wait()
        for draft_id in drafts_made:
            service.discard_draft(draft_id)
    service.close()
    return written
