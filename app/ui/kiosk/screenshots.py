"""`madoguchi kiosk screenshots`: every kiosk screen rendered to PNG at 1080×1920 (portrait) and
1920×1080 (landscape), in a real X window under Xvfb (started when there is no display), over the
demo registry and a demo kiosk terminal. The screens show what the kiosk service really answers
(the demo resident's household, the fee, a real issuance and its receipt number); only the card
steps are set directly, since no card is placed."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_SIZES = ("1080x1920", "1920x1080")


def main(out: Path, *, demo_dir: Path, residents: int, sizes: list[str] | None = None) -> int:
    from app.cli import DEMO_OPERATOR, DEMO_PASSWORD, DEMO_WARD
    from app.demo.kiosk import start_demo_kiosk
    from app.ui.screenshots import screens

    out = Path(out)
    with screens(out, sizes or list(DEFAULT_SIZES)) as dims:
        demo = start_demo_kiosk(Path(demo_dir), residents_count=residents, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD,
                                ward_code=DEMO_WARD, with_card=False)
        try:
            written = shoot(out, demo.directory, demo.resident_id, dims)
        finally:
            demo.close()
    for p in written:
        print(p)
    return 0


def shoot(out: Path, kiosk_dir: Path, resident_id: str, dims) -> list[Path]:
    from app.services.kiosk import CardCheck, KioskService, KioskSession, KioskUnavailable, Member
    from app.ui.app import application
    from app.ui.card_events import CardEvents
    from app.ui.kiosk.window import KioskWindow
    from app.ui.screenshots import _settle, _wait
    from app.ui.tasks import TaskRunner
    from domain.certificate_rules import CertificateKind

    app = application()
    service = KioskService.open(kiosk_dir)
    service.sync()
    members, _ = service.issuance.candidates(resident_id, CertificateKind.COPY)
    session = KioskSession("screenshots", resident_id, tuple(Member(m.resident_id, m.name.full) for m in members), "", "demo")
    written: list[Path] = []
    try:
        for w, h in dims:
            runner = TaskRunner()
            window = KioskWindow(service, runner, events=CardEvents(start=False), background_sync=False)
            window.resize_to(w, h)
            window.show()
            _settle(app, runner)

            def save(name: str) -> None:
                _settle(app, runner)
                path = out / f"kiosk-{name}-{w}x{h}.png"
                window.grab().save(str(path))
                written.append(path)

            window.go_attract()
            save("01-attract")
            window.toggle_language()
            save("01-attract-en")
            window.toggle_language()
            window.busy.show_keys(window.t, "checking", "please_wait")
            window._enter("checking", window.busy)
            save("02-checking")
            window.turn += 1
            window._checked(CardCheck("", 3, "demo"))
            for d in "12":
                window.pin.pad.press(d)
            save("03-pin")
            window.pin.show_tries(window.t, 1, error_key="pin_wrong")
            save("03-pin-last-try")
            window.check = CardCheck("", 3, "demo")
            window._identified(session)
            window.choose._pick(only_me=False)
            window.choose.householder.setChecked(True)
            window.choose.copies.setValue(2)
            save("04-choose")
            window.toggle_language()
            save("04-choose-en")
            window.toggle_language()
            window._chosen()
            _wait(app, lambda: window.state == "confirm")
            save("05-confirm")
            window.busy.show_keys(window.t, "printing", "printing_sub")
            window._enter("issuing", window.busy)
            save("06-printing")
            window.card_present = True
            receipt = service.issue(session, window.order)
            window._issued(receipt)
            save("07-take-card")
            window.take_card.set_flash(True)
            save("07-take-card-reminder")
            window.take_card.set_flash(False)
            window.receipt.show_receipt(window.t, window.receipt_data)
            window._enter("receipt", window.receipt)
            window.card_present = False
            save("08-receipt")
            window._show_unavailable(KioskUnavailable("stale", "screenshot"), standing=True)
            save("09-unavailable")
            window._message("refused", "refused_title", "", "go_counter")
            save("10-refused")
            window.card_present = True
            window._message("locked", "locked_title", "locked_body", "go_counter")
            save("11-locked")
            window.card_present = False
            window._message("removed", "removed_title", "removed_body")
            save("12-removed")
            window._message("error", "payment_failed_title", "payment_failed_body", "go_counter")
            save("13-error")
            window.open_admin()
            for d in "1234":
                window.admin.pad.press(d)
            save("14-admin")
            window.shutdown()
            runner.wait()
    finally:
        service.close()
    return written
