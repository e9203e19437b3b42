"""The kiosk through the real stack (pyscard → pcscd → vpcd → the virtual card; the registry over
HTTP; the kiosk window offscreen with the process's card monitor), one resident's turn per sample:

- card placed → PIN pad shown (target ≤ 1 s): from the virtual card's insertion into vpcd to the
  PIN screen, which includes pcscd noticing the card (it polls readers about every 0.4 s), the
  certificate check and the PIN tries;
- PIN entered → choice screen (≤ 1.5 s): 確定 pressed to the choice screen — the registry's
  challenge, VERIFY and the card's signature, the registry's identification;
- confirm → PDF sent to the printer (≤ 1 s): 発行する pressed to the first copy handed to the
  printer (a folder printer here) — the rules again, the registry's check, payment (cashier),
  numbering, the signed PDF.

The demo city (2,000 residents) and the demo kiosk are made in --dir's parent (kiosk-bench/).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

PIN = "1234"
TARGETS = {"kiosk_card_to_pin_pad": 1000, "kiosk_pin_to_choice": 1500, "kiosk_confirm_to_printer": 1000}


class _TimedPrinter:
    def __init__(self, inner):
        self.inner, self.name, self.sent = inner, inner.name, []

    def print_pdf(self, pdf: bytes, *, title: str) -> None:
        self.inner.print_pdf(pdf, title=title)
        self.sent.append(time.perf_counter())


def run(ctx):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.cli import DEMO_OPERATOR, DEMO_PASSWORD, DEMO_WARD
    from app.demo.kiosk import start_demo_kiosk
    from app.services.kiosk import KioskService
    from app.ui.app import application
    from app.ui.card_events import card_events
    from app.ui.kiosk.window import KioskWindow
    from app.ui.tasks import TaskRunner
    from bench.run import percentiles
    from hardware.printer import FolderPrinter

    samples = max(5, min(ctx.samples, 30))
    directory = Path(ctx.directory).parent / "kiosk-bench"
    demo = start_demo_kiosk(directory, residents_count=2000, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, ward_code=DEMO_WARD)
    app = application()
    printer = _TimedPrinter(FolderPrinter(directory / "kiosk-prints", name="kiosk-folder"))
    service = KioskService.open(demo.directory, printer=printer)
    runner = TaskRunner()
    window = None

    def wait(predicate, timeout: float = 20.0) -> None:
        end = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > end:
                raise TimeoutError(f"kiosk stayed on {window.state if window else '?'}")
            app.processEvents()
            time.sleep(0.0005)

    try:
        service.sync()
        window = KioskWindow(service, runner, events=card_events(), background_sync=False)
        window.resize_to(1080, 1920)
        window.show()
        wait(lambda: window.state == "attract" and not runner.busy)
        times = {k: [] for k in TARGETS}
        for i in range(samples + 1):
            t0 = time.perf_counter()
            demo.link.insert()
            wait(lambda: window.state == "pin")
            card = (time.perf_counter() - t0) * 1000
            for d in PIN:
                window.pin.pad.press(d)
            t0 = time.perf_counter()
            window.pin.pad.ok_key.click()
            wait(lambda: window.state == "choose")
            pin = (time.perf_counter() - t0) * 1000
            window.choose.next.click()
            wait(lambda: window.state == "confirm")
            printer.sent.clear()
            t0 = time.perf_counter()
            window.confirm.issue_button.click()
            wait(lambda: bool(printer.sent))
            confirm = (printer.sent[0] - t0) * 1000
            wait(lambda: window.state == "take_card")
            demo.link.remove()
            wait(lambda: window.state == "receipt")
            window.receipt.done.click()
            if i:  # the first turn warms up (imports, fonts, the first PDF)
                times["kiosk_card_to_pin_pad"].append(card)
                times["kiosk_pin_to_choice"].append(pin)
                times["kiosk_confirm_to_printer"].append(confirm)
        for metric, values in times.items():
            yield {"metric": metric, **percentiles(values), "target_ms": TARGETS[metric],
                   "stack": "kiosk window (offscreen) → kiosk service → pyscard → pcscd → vpcd → virtual card; registry over HTTP"}
    finally:
        if window is not None:
            window.shutdown()
        runner.wait()
        service.close()
        card_events().stop()  # before pcscd goes (a stack this benchmark started stops with it)
        demo.close()
