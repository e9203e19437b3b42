"""The kiosk's window: full screen, one step at a time, over the kiosk service (app/services/kiosk.py).

- Card events come from the process's reader monitor (app/ui/card_events.py) as Qt signals; card
  work, identification, issuing and sync run on the task runner. Each resident's turn has a
  number: a result that arrives after the turn ended (card taken, timeout) is dropped.
- Every screen but the start goes back to the start after `inactivity_seconds` without a touch,
  and the card session ends (logged). A card left on the reader after printing is reminded of
  with a beep and a flashing screen every `card_reminder_seconds` until it is taken.
- No keyboard shortcut exists, the window cannot be closed, and nothing of the clerk's desktop is
  reachable. Holding the top-left corner for 3 seconds opens the administrator's PIN pad, the
  only way out.
- Japanese with an English toggle (app/ui/kiosk/texts.py, one table).
"""
from __future__ import annotations

import logging
import time

from app.services.kiosk import CardCheck, KioskInputError, KioskRefused, KioskService, KioskSession, KioskUnavailable
from app.services.kiosk_settings import KioskSettings
from app.services.payment import PaymentFailed
from app.ui.card_events import CardEvents, card_events
from app.ui.input_watch import KIOSK_REST_MS, InputWatch
from app.ui.kiosk.screens import (
    AdminScreen,
    AttractScreen,
    BusyScreen,
    ChooseScreen,
    ConfirmScreen,
    MessageScreen,
    PinScreen,
    ReceiptScreen,
    TakeCardScreen,
)
from app.ui.kiosk.texts import Texts
from app.ui.kiosk.widgets import HoldCorner
from app.ui.qt import QApplication, QFrame, QGuiApplication, QHBoxLayout, QLabel, QPushButton, QStackedWidget, Qt, QTimer, QVBoxLayout, QWidget, Signal
from app.ui.tasks import TaskRunner
from hardware.errors import (
    CardError,
    CardRemoved,
    CertificateExpired,
    CertificateRevoked,
    CertificateUntrusted,
    NotMyNumberCard,
    PinBlocked,
    SignatureMismatch,
    WrongPin,
)

log = logging.getLogger(__name__)

TIMED = ("pin", "choose", "confirm", "message", "receipt", "admin")  # states the inactivity timer ends
SESSION = ("checking", "pin", "identifying", "choose", "preparing", "confirm")  # a card taken here ends the turn
STEP_OF = {"attract": 0, "unavailable": 0, "checking": 0, "pin": 1, "identifying": 1, "choose": 2, "preparing": 2, "confirm": 3,
           "issuing": 4, "take_card": 4, "receipt": 4}
AVAILABILITY_SECONDS = 15
ADMIN_TRIES, ADMIN_LOCK_SECONDS = 5, 300
ITEM_KEYS = (("domicile", "item_domicile"), ("householder_relationship", "item_householder"))


class KioskWindow(QWidget):
    exited = Signal()  # the administrator left kiosk mode

    def __init__(self, service: KioskService, runner: TaskRunner, *, events: CardEvents | None = None,
                 settings: KioskSettings | None = None, background_sync: bool = True):
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle("窓口 — キオスク")
        self.service = service
        self.runner = runner
        self.settings = settings or service.settings
        self.events = events or card_events()
        self.t = Texts(self.settings.language)
        self.state = ""
        self.turn = 0
        self.session: KioskSession | None = None
        self.check: CardCheck | None = None
        self.order = None
        self.receipt_data: dict | None = None
        self.reader = ""
        self.card_present = self._any_card()
        self.unavailable: KioskUnavailable | None = None
        self.reminders = 0
        self._may_close = False
        self._admin_failures = 0
        self._admin_locked_until = 0.0
        self._return_to = "attract"

        # the frame: the corner, the title, the steps, the language toggle
        header = QFrame(objectName="kioskHeader")
        self.corner = HoldCorner()
        self.app_title = QLabel(objectName="kioskAppTitle")
        self.steps = QLabel(objectName="kioskSteps")
        self.language = QPushButton(objectName="languageButton")
        self.language.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.language.setMinimumSize(200, 80)
        hb = QHBoxLayout(header)
        hb.setContentsMargins(0, 0, 24, 0)
        hb.addWidget(self.corner)
        hb.addWidget(self.app_title)
        hb.addStretch(1)
        hb.addWidget(self.language)
        steps_bar = QFrame(objectName="kioskStepsBar")
        sb = QHBoxLayout(steps_bar)
        sb.setContentsMargins(24, 8, 24, 8)
        sb.addStretch(1)
        sb.addWidget(self.steps)
        sb.addStretch(1)

        self.stack = QStackedWidget(objectName="kioskStack")
        self.attract = AttractScreen()
        self.busy = BusyScreen()
        self.pin = PinScreen()
        self.choose = ChooseScreen()
        self.confirm = ConfirmScreen()
        self.take_card = TakeCardScreen()
        self.receipt = ReceiptScreen()
        self.message = MessageScreen()
        self.admin = AdminScreen()
        self.screens = (self.attract, self.busy, self.pin, self.choose, self.confirm, self.take_card, self.receipt, self.message, self.admin)
        for s in self.screens:
            self.stack.addWidget(s)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(header)
        box.addWidget(steps_bar)
        box.addWidget(self.stack, 1)

        self.inactivity = QTimer(self, singleShot=True, interval=int(self.settings.inactivity_seconds * 1000))
        self.inactivity.timeout.connect(self._timed_out)
        self.reminder = QTimer(self, interval=int(self.settings.card_reminder_seconds * 1000))
        self.reminder.timeout.connect(self._remind)
        self.flash_off = QTimer(self, singleShot=True, interval=900)
        self.flash_off.timeout.connect(lambda: self.take_card.set_flash(False))
        self.availability_timer = QTimer(self, interval=AVAILABILITY_SECONDS * 1000)
        self.availability_timer.timeout.connect(self.refresh_availability)
        self.sync_timer = QTimer(self, interval=int(self.settings.sync_interval_seconds * 1000))
        self.sync_timer.timeout.connect(self.sync_now)

        self.language.clicked.connect(self.toggle_language)
        self.corner.held.connect(self.open_admin)
        self.events.card_inserted.connect(self._card_inserted)
        self.events.card_removed.connect(self._card_removed)
        self.pin.pad.submitted.connect(self._pin_submitted)
        self.pin.cancelled.connect(lambda: self._end_turn("cancelled"))
        self.choose.cancelled.connect(lambda: self._end_turn("cancelled"))
        self.choose.chosen.connect(self._chosen)
        self.choose.copies.valueChanged.connect(lambda _v: self.choose.update_fee())
        self.confirm.back.connect(lambda: self._enter("choose", self.choose))
        self.confirm.confirmed.connect(self._confirmed)
        self.receipt.finished.connect(self.go_attract)
        self.message.finished.connect(self._message_done)
        self.admin.back.connect(self._admin_back)
        self.admin.pad.submitted.connect(self._admin_submitted)
        self.input_watch = InputWatch(rest_ms=KIOSK_REST_MS, parent=self)
        self.input_watch.input_seen.connect(self._touched)
        self.retranslate()
        self.go_attract()
        self.availability_timer.start()
        if background_sync:
            self.sync_timer.start()
            self.sync_now()
        else:
            self.refresh_availability()

    # -- showing it ---------------------------------------------------------------------------------
    def show_kiosk(self) -> None:
        """Full screen over the whole screen (without a window manager showFullScreen keeps the old
        size: the geometry is set to the screen's first)."""
        self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            geometry = screen.geometry()
            self.set_orientation(geometry.width() > geometry.height())
            self.setGeometry(geometry)
        self.showFullScreen()

    def set_orientation(self, landscape: bool) -> None:
        """Portrait (1080×1920) stacks each screen's parts; landscape (1920×1080) sets them side by
        side. Set before the window takes its size, so no page asks for more than the screen has."""
        for s in self.screens:
            s.adapt(landscape)

    def resize_to(self, width: int, height: int) -> None:
        self.set_orientation(width > height)
        self.resize(width, height)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.set_orientation(self.width() > self.height())

    def closeEvent(self, event) -> None:  # noqa: N802
        if self._may_close:
            self._stop()
            event.accept()
        else:
            event.ignore()  # only the administrator's PIN leaves kiosk mode

    def _stop(self) -> None:
        for timer in (self.inactivity, self.reminder, self.availability_timer, self.sync_timer, self.flash_off):
            timer.stop()
        self.input_watch.stop()
        try:
            self.events.card_inserted.disconnect(self._card_inserted)
            self.events.card_removed.disconnect(self._card_removed)
        except (RuntimeError, TypeError):
            pass

    def shutdown(self) -> None:
        """For tests and the administrator's exit: the window may close now."""
        self._may_close = True
        self.close()

    # -- language and texts --------------------------------------------------------------------------
    def toggle_language(self) -> None:
        self.t.toggle()
        self.retranslate()

    def retranslate(self) -> None:
        self.app_title.setText(self.t("app_title"))
        self.language.setText(self.t("lang_button"))
        self._show_steps()
        for s in self.screens:
            s.retranslate(self.t)

    def _show_steps(self) -> None:
        step = STEP_OF.get(self.state)
        names = self.t("steps").split(",")
        parts = []
        for i, name in enumerate(names):
            text = f"{i + 1} {name}"
            parts.append(f"<b><span style='color:#ffffff; background:#1d4e89'>&nbsp;{text}&nbsp;</span></b>" if i == step else f"<span style='color:#52606d'>&nbsp;{text}&nbsp;</span>")
        self.steps.setText(" &nbsp;›&nbsp; ".join(parts) if step is not None else "")

    # -- states ---------------------------------------------------------------------------------------
    def _enter(self, state: str, screen) -> None:
        self.state = state
        self.stack.setCurrentWidget(screen)
        if state in TIMED:
            self.inactivity.start()
        else:
            self.inactivity.stop()
        if state != "take_card":
            self.reminder.stop()
        self._show_steps()

    def _run(self, fn, *args, done, error, **kwargs) -> None:
        turn = self.turn

        def on_done(result):
            if turn == self.turn:
                done(result)

        def on_error(e):
            if turn == self.turn:
                error(e)
            else:
                log.info("kiosk: a result of an ended turn dropped (%s)", type(e).__name__)

        self.runner.run(fn, *args, on_done=on_done, on_error=on_error, **kwargs)

    def go_attract(self) -> None:
        self.turn += 1
        self.session = self.check = self.order = self.receipt_data = None
        if self.t.language != self.settings.language:
            self.t.language = self.settings.language
            self.retranslate()
        if self.unavailable is not None:
            self._show_unavailable(self.unavailable, standing=True)
            return
        self.attract.set_card_left(self.card_present)
        self._enter("attract", self.attract)

    def _end_turn(self, reason: str) -> None:
        """The resident's turn ends before printing (cancel, timeout, card taken)."""
        session = self.session
        self.turn += 1
        self.runner.run(self.service.end, session, reason, on_error=lambda e: log.warning("kiosk: end of turn not logged: %s", e))
        self.session = None
        if self.card_present and reason != "card_removed":
            self._take_card(None)
        else:
            self.go_attract()

    # -- availability and sync -------------------------------------------------------------------------
    def sync_now(self) -> None:
        self.runner.run(self.service.sync, on_done=lambda _r: self.refresh_availability(), on_error=self._sync_failed, key="kiosk-sync")

    def _sync_failed(self, e: BaseException) -> None:
        log.warning("kiosk sync failed: %s", e)
        self.refresh_availability()

    def refresh_availability(self) -> None:
        self.runner.run(self.service.available, on_done=self._availability, on_error=lambda e: log.warning("availability: %s", e), key="kiosk-availability")

    def _availability(self, unavailable: KioskUnavailable | None) -> None:
        self.unavailable = unavailable
        if unavailable is not None and self.state == "attract":
            self._show_unavailable(unavailable, standing=True)
        elif unavailable is None and self.state == "unavailable":
            self.go_attract()

    def _show_unavailable(self, e: KioskUnavailable, *, standing: bool = False) -> None:
        self.message.show_message(self.t, "unavailable", "unavailable_title", f"unavailable_{e.code}", "go_counter",
                                  card_on_reader=self.card_present, button=not standing)
        self._enter("unavailable" if standing else "message", self.message)

    # -- the card ---------------------------------------------------------------------------------------
    def _reader_ok(self, reader: str) -> bool:
        configured = self.service.card.reader
        return not configured or reader == configured

    def _any_card(self) -> bool:
        configured = self.service.card.reader
        return any(present for name, present in self.events.readers().items() if not configured or name == configured)

    def _card_inserted(self, reader: str) -> None:
        if not self._reader_ok(reader):
            return
        self.card_present = True
        if self.state not in ("attract", "unavailable", "message", "receipt"):
            return
        self.turn += 1
        self.reader = reader
        self.session = None
        self.busy.show_keys(self.t, "checking", "please_wait")
        self._enter("checking", self.busy)
        self._run(self.service.check_card, reader, done=self._checked, error=self._failed)

    def _checked(self, check: CardCheck) -> None:
        self.check = check
        self.reader = check.reader
        if check.blocked:
            self._message("locked", "locked_title", "locked_body", "go_counter")
            return
        self.pin.show_tries(self.t, check.tries_left)
        self._enter("pin", self.pin)

    def _card_removed(self, reader: str) -> None:
        if not self._reader_ok(reader):
            return
        self.card_present = self._any_card()
        if self.card_present:
            return
        if self.state in SESSION:
            self._end_turn("card_removed")
            self._message("removed", "removed_title", "removed_body")
        elif self.state == "take_card":
            self.reminder.stop()
            self.take_card.set_flash(False)
            if self.receipt_data and self.receipt_data["printed"]:
                self.receipt.show_receipt(self.t, self.receipt_data)
                self._enter("receipt", self.receipt)
            else:
                self.go_attract()
        elif self.state in ("message", "unavailable"):
            if self.message.card_on_reader:
                self.go_attract()
        elif self.state == "attract":
            self.attract.set_card_left(False)

    # -- PIN and identification ----------------------------------------------------------------------------
    def _pin_submitted(self) -> None:
        if self.state != "pin" or self.check is None:
            return
        pin = self.pin.pad.take()
        self.busy.show_keys(self.t, "identifying", "please_wait")
        self._enter("identifying", self.busy)
        self._run(self.service.identify, pin, self.reader, done=self._identified, error=self._identify_failed)
        del pin

    def _identified(self, session: KioskSession) -> None:
        self.session = session
        fee = self.service.fee_each(self.service.order(session, [session.resident_id]))
        self.choose.set_members(session.members, session.resident_id, fee)
        self.choose.retranslate(self.t)
        self._enter("choose", self.choose)

    def _identify_failed(self, e: BaseException) -> None:
        if isinstance(e, WrongPin):
            self.check = CardCheck(self.reader, e.tries_left, self.check.serial if self.check else "")
            self.pin.show_tries(self.t, e.tries_left, error_key="pin_wrong")
            self._enter("pin", self.pin)
        else:
            self._failed(e)

    # -- choosing, confirming, issuing ---------------------------------------------------------------------------
    def _chosen(self) -> None:
        if self.state != "choose" or self.session is None:
            return
        try:
            self.order = self.service.order(
                self.session, self.choose.chosen_ids(), domicile=self.choose.domicile.isChecked(),
                householder_relationship=self.choose.householder.isChecked(), copies=self.choose.copies.value(),
            )
        except KioskInputError as e:
            self.choose.show_error(self.t("need_someone") if e.field == "members" else (e.message if self.t.language == "ja" else e.message_en))
            return
        self.busy.show_keys(self.t, "checking", "please_wait")
        self._enter("preparing", self.busy)
        self._run(self.service.prepare, self.session, self.order, done=self._prepared, error=self._failed)

    def _prepared(self, prepared) -> None:
        order = self.order
        names = [m.name for m in self.session.members if m.resident_id in set(order.resident_ids)]
        items = [key for name, key in ITEM_KEYS if getattr(order.items, name)]
        self.confirm.show_order(self.t, names, items, order.copies, prepared.fee_total)
        self._enter("confirm", self.confirm)

    def _confirmed(self) -> None:
        if self.state != "confirm" or self.session is None:
            return
        self.confirm.issue_button.setEnabled(False)  # one tap, one issuance
        self.busy.show_keys(self.t, "printing", "printing_sub")
        self._enter("issuing", self.busy)
        self._run(self.service.issue, self.session, self.order, done=self._issued, error=self._failed)

    def _issued(self, receipt) -> None:
        self.session = None
        self.receipt_data = {"receipt": receipt.payment.receipt, "printed": receipt.printed, "amount": receipt.amount_due,
                             "failure": bool(receipt.failure)}
        if self.card_present:
            self._take_card(self.receipt_data)
        elif receipt.printed:
            self.receipt.show_receipt(self.t, self.receipt_data)
            self._enter("receipt", self.receipt)
        else:
            self._message("error", "error_title", "", "go_counter")

    def _take_card(self, data: dict | None) -> None:
        self.receipt_data = data
        self.take_card.show_receipt(self.t, data)
        self._enter("take_card", self.take_card)
        self.reminder.start()

    def _remind(self) -> None:
        """The card is still on the reader: a sound and a flash, every card_reminder_seconds."""
        if self.state != "take_card" or not self.card_present:
            self.reminder.stop()
            return
        self.reminders += 1
        QApplication.beep()
        self.take_card.set_flash(True)
        self.flash_off.start()

    # -- messages -------------------------------------------------------------------------------------------
    def _message(self, kind: str, title: str, body: str = "", action: str = "") -> None:
        self.message.show_message(self.t, kind, title, body, action, card_on_reader=self.card_present)
        self._enter("message", self.message)

    def _message_done(self) -> None:
        self.go_attract()

    def _failed(self, e: BaseException) -> None:
        """Any failure of a step: what the resident reads, and the turn ends (logged)."""
        session = self.session
        if session is not None:
            self.runner.run(self.service.end, session, type(e).__name__, on_error=lambda err: log.warning("kiosk: %s", err))
        self.session = None
        if isinstance(e, KioskUnavailable):
            self._show_unavailable(e)
        elif isinstance(e, KioskRefused):
            self._message("refused", "refused_title", "", "go_counter")
        elif isinstance(e, PinBlocked):
            self._message("locked", "locked_title", "locked_body", "go_counter")
        elif isinstance(e, CardRemoved):
            self._message("removed", "removed_title", "removed_body")
        elif isinstance(e, NotMyNumberCard):
            self._message("error", "card_error_title", "not_my_number")
        elif isinstance(e, (CertificateExpired, CertificateRevoked, CertificateUntrusted, SignatureMismatch)):
            self._message("refused", "refused_title", "certificate_refused", "go_counter")
        elif isinstance(e, PaymentFailed):
            self._message("error", "payment_failed_title", "payment_failed_body", "go_counter")
        elif isinstance(e, CardError):
            self._message("error", "card_error_title", "card_error_body")
        else:
            log.error("kiosk step failed: %s: %s", type(e).__name__, e)
            self._message("error", "error_title", "", "go_counter")

    # -- inactivity -----------------------------------------------------------------------------------------
    def _touched(self, _at: float) -> None:
        if self.inactivity.isActive():
            self.inactivity.start()

    def _timed_out(self) -> None:
        if self.state not in TIMED:
            return
        log.info("kiosk: no activity on %s for %.0f s: back to the start", self.state, self.settings.inactivity_seconds)
        if self.state in ("pin", "choose", "confirm", "admin") or self.session is not None:
            self._end_turn("timeout")
        elif self.card_present and self.state == "message":
            self._take_card(None)
        else:
            self.go_attract()

    # -- the administrator ------------------------------------------------------------------------------------
    def open_admin(self) -> None:
        if self.state in ("issuing",):
            return  # never in the middle of printing
        if self.session is not None:
            self.runner.run(self.service.end, self.session, "admin", on_error=lambda e: log.warning("kiosk: %s", e))
        self.turn += 1
        self.session = None
        self.admin.pad.clear()
        locked = time.monotonic() < self._admin_locked_until
        self.admin.pad.setEnabled(not locked)
        self.admin.show_error(self.t, "admin_locked" if locked else ("" if self.settings.admin_pin_hash else "admin_none"))
        self._enter("admin", self.admin)

    def _admin_back(self) -> None:
        self.admin.pad.clear()
        self.go_attract()

    def _admin_submitted(self) -> None:
        if time.monotonic() < self._admin_locked_until:
            return
        pin = self.admin.pad.take()
        self.admin.pad.setEnabled(False)
        self._run(self.settings.admin_pin_matches, pin, done=self._admin_checked, error=lambda e: self._admin_checked(False))
        del pin

    def _admin_checked(self, ok: bool) -> None:
        if ok:
            self.service.log_event("kiosk_admin_exit")
            log.warning("kiosk: the administrator left kiosk mode")
            self.exited.emit()
            self.shutdown()
            return
        self._admin_failures += 1
        self.runner.run(self.service.log_event, "kiosk_admin_pin_wrong", failures=self._admin_failures)
        if self._admin_failures >= ADMIN_TRIES:
            self._admin_failures = 0
            self._admin_locked_until = time.monotonic() + ADMIN_LOCK_SECONDS
            self.admin.show_error(self.t, "admin_locked")
            return
        self.admin.pad.setEnabled(True)
        self.admin.show_error(self.t, "admin_wrong")
