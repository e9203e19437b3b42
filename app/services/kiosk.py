"""The self-service kiosk (キオスク端末, j1210) without Qt: a resident identifies themselves with their
My Number card and prints their own 住民票の写し. What the kiosk's screens call, on a worker thread.

    kiosk = KioskService.open(directory, printer=…)
    kiosk.sync()                                   # background: the register kept fresh
    check = kiosk.check_card(reader)               # availability, the card's certificate, PIN tries
    session = kiosk.identify(pin, reader)          # the registry names the holder and household
    order = kiosk.order(session, ids, domicile=…, householder_relationship=…, copies=2)
    kiosk.prepare(session, order)                  # every rule, before paying
    receipt = kiosk.issue(session, order)          # pay, number, record, print

Who the kiosk is: a terminal enrolled with kind `kiosk`. It runs unattended, so its cache opens
with the device key (no operator password exists anywhere); its operator in the access log and
the issuance history is the kiosk role, `kiosk`, with the terminal id. The registry treats it as
Channel.KIOSK: neutral refusals, no lifts, no notifications, no logins.

The rules, on top of the counter's (IssuanceService, Channel.KIOSK — the same code):
- Only confirmed, fresh data: the last successful sync at most `max_sync_age_minutes` old, and
  with `online_only` the registry's own check must answer at every issuance. Otherwise the kiosk
  says issuance is unavailable (go to the counter) and prints nothing.
- Identification always needs the registry: the card signs the registry's one-time challenge, and
  only the registry maps a certificate to a resident (it checks the chain and CRL again). The
  kiosk checks the certificate against its own trust anchor and CRL first, so a card it would
  refuse costs no PIN try, and the PIN's tries are asked before the PIN pad appears.
- Only 住民票の写し, only 本籍・筆頭者 and 世帯主・続柄 as optional items (never the My Number or
  the resident code), 1–10 copies, of the resident or members of their household.
- Every refusal is neutral (「窓口でお手続きください」). Every step's outcome goes to the access log
  (never the PIN); a refused attempt of an identified resident is a `refused` history row.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.certificates import ItemChoice
from app.services.card_settings import CardSettings
from app.services.issuance import CertificateOrder, CertificateSettings, IssuanceService, IssueResult, Prepared, MAX_COPIES
from app.services.kiosk_settings import KioskSettings
from app.services.payment import PaymentDevice, PaymentFailed, PaymentResult, payment_device
from app.store.access_log import AccessLog
from app.store.cache import Cache
from app.store.meta import get_meta, set_meta
from app.sync.client import RegistryClient, RegistryRefused, RegistryUnreachable
from app.sync.engine import SyncEngine, SyncReport, tracked_sync
from app.sync.limits import SyncTooOld, offline_state
from app.sync.terminal import TerminalIdentity
from domain.certificate_rules import NEUTRAL_MESSAGE, CertificateKind, Channel, IssuanceRefused
from hardware import jpki
from hardware.iso import PinStatus
from hardware.errors import CardError, PinBlocked, TrustConfigError, WrongPin
from hardware.printer import Printer
from registry.protocol.issuing import ANCHOR_FILE
from registry.protocol.signing import b64url_decode, b64url_encode

log = logging.getLogger(__name__)

OPERATOR_ID = "kiosk"  # the kiosk role: who issued, in the access log and the issuance history
ROLE = "kiosk"
KIOSK_ITEMS = ("domicile", "householder_relationship")  # 本籍・筆頭者, 世帯主・続柄


class KioskUnavailable(Exception):
    """Issuance is not possible at this kiosk now (go to the counter). `code`: stale | offline |
    not_configured | no_data; `.message` Japanese (the screens use their own text per code)."""

    MESSAGES = {
        "stale": "最新の住民記録を確認できないため、ただいま証明書を発行できません。窓口でお手続きください。",
        "offline": "登録サーバーに接続できないため、ただいま証明書を発行できません。窓口でお手続きください。",
        "not_configured": "この端末の設定を確認できないため、ただいま証明書を発行できません。窓口でお手続きください。",
        "no_data": "準備中のため、ただいま証明書を発行できません。窓口でお手続きください。",
    }

    def __init__(self, code: str, log_message: str):
        super().__init__(log_message)
        self.code = code
        self.message = self.MESSAGES[code]


class KioskRefused(Exception):
    """The rules turned the request down. Always the neutral message: nothing about the register."""

    def __init__(self, code: str, log_message: str):
        super().__init__(log_message)
        self.code = code
        self.message = NEUTRAL_MESSAGE


class KioskSetupError(Exception):
    def __init__(self, log_message: str, message: str):
        super().__init__(log_message)
        self.message = message


@dataclass(frozen=True)
class CardCheck(PinStatus):
    """A card just placed: the reader and its PIN's tries left (PinStatus), its certificate's serial."""

    serial: str


@dataclass(frozen=True)
class Member:
    resident_id: str
    name: str


@dataclass(frozen=True)
class KioskSession:
    """A resident identified by their card, for one turn at the kiosk."""

    session_id: str
    resident_id: str
    members: tuple[Member, ...]  # the household in the j1010 order, names only
    reader: str
    serial: str

    @property
    def me(self) -> Member:
        return next(m for m in self.members if m.resident_id == self.resident_id)


@dataclass(frozen=True)
class KioskReceipt:
    """What the resident walks away with: the receipt number to pay under, what printed."""

    payment: PaymentResult
    result: IssueResult
    fee_each: int

    @property
    def printed(self) -> int:
        return self.result.printed

    @property
    def amount_due(self) -> int:
        return self.fee_each * self.result.printed

    @property
    def failure(self) -> str:
        return self.result.failure


class KioskService:
    def __init__(
        self,
        directory: Path,
        cache: Cache,
        client: RegistryClient | None,
        identity: TerminalIdentity,
        *,
        printer: Printer,
        settings: KioskSettings | None = None,
        card: CardSettings | None = None,
        payment: PaymentDevice | None = None,
        clock: Callable[[], float] = time.time,
        jpki_now: Callable[[], dt.datetime] = jpki.utc_now,
        on_revoked: Callable[[], None] | None = None,
    ):
        if identity.kind != "kiosk":
            raise KioskSetupError(f"terminal {identity.terminal_id} is a {identity.kind} terminal",
                                  "この端末はキオスク端末として登録されていません（add-terminal --kind kiosk で登録してください）。")
        self.directory = Path(directory)
        self.cache = cache
        self.client = client
        self.identity = identity
        self.settings = settings or KioskSettings.load(self.directory)
        self.card = card or CardSettings.load(self.directory)
        self.printer = printer
        self.clock = clock
        self.jpki_now = jpki_now
        self.on_revoked = on_revoked
        self.online = False
        self.last_error = ""
        self._sync_lock = threading.Lock()
        self._log = AccessLog(cache.subkey("access-log"))
        certificate_settings = CertificateSettings.load(self.directory)
        self.issuance = IssuanceService(
            cache,
            operator_id=OPERATOR_ID,
            terminal_id=identity.terminal_id,
            terminal_name=identity.name,
            log_access=self.log_access,
            settings=certificate_settings,
            client=client,
            online=lambda: self.online,
            channel=Channel.KIOSK,
            clock=clock,
            require_registry=self.settings.online_only,
        )
        self.payment = payment or payment_device(self.settings.payment, kiosk_label=self.issuance.terminal_label,
                                                 next_number=self._next_receipt, clock=clock)

    @classmethod
    def open(cls, directory: Path, *, printer: Printer | None = None, **kw) -> "KioskService":
        """The kiosk of an enrolled terminal folder: its cache opened (or created) with the device key."""
        from app.sync import terminal as terminal_mod

        directory = Path(directory)
        identity = TerminalIdentity.load(directory)
        settings = kw.pop("settings", None) or KioskSettings.load(directory)
        cache = terminal_mod.open_or_create_for_device(directory)
        try:
            client = kw.pop("client", None) or terminal_mod.client_for(directory, timeout=10)
            return cls(directory, cache, client, identity, printer=printer or make_printer(settings), settings=settings,
                       on_revoked=lambda: terminal_mod.wipe(directory), **kw)
        except BaseException:
            cache.close()
            raise

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.cache.close()

    # -- the access log ------------------------------------------------------------------------------
    def log_access(self, conn, action: str, resident_id: str, detail: dict, *, my_number_shown: bool = False) -> None:
        self._log.append(conn, operator=OPERATOR_ID, terminal=self.identity.terminal_id, action=action, resident_id=resident_id,
                         detail=detail, my_number_shown=my_number_shown)

    def log_event(self, action: str, resident_id: str = "", **detail) -> None:
        """One step's outcome (card placed, wrong PIN, timeout…) in the access log: never a PIN."""
        with self.cache.writer.begin() as conn:
            self.log_access(conn, action, resident_id, detail)

    # -- freshness and sync ----------------------------------------------------------------------------
    def sync(self) -> SyncReport:
        """One sync with the registry (the background timer's); sets `online`."""
        if self.client is None:
            self.online = False
            raise RegistryUnreachable("no registry client", "この端末は登録サーバーに接続する設定がありません。")
        engine = SyncEngine(self.cache, self.client, clock=self.clock, on_revoked=self.on_revoked, anchor_file=self.directory / ANCHOR_FILE)
        return tracked_sync(self, engine)

    def sync_age_seconds(self) -> float | None:
        with self.cache.engine.connect() as conn:
            last = offline_state(conn, now=self.clock()).last_sync_at
        return None if last is None else max(0.0, self.clock() - last)

    def trust(self) -> jpki.TrustConfig:
        return jpki.TrustConfig.from_files(self.card.trust_anchor_path() or None, self.card.crl_path() or None)

    def availability(self) -> None:
        """KioskUnavailable when this kiosk must not issue now (the attract screen asks too)."""
        age = self.sync_age_seconds()
        if age is None:
            raise KioskUnavailable("no_data", "never synced")
        if age > self.settings.max_sync_age_minutes * 60:
            raise KioskUnavailable("stale", f"last sync {age / 60:.1f} min ago, limit {self.settings.max_sync_age_minutes:g} min")
        if self.settings.online_only and not self.online:
            raise KioskUnavailable("offline", f"registry unreachable ({self.last_error or 'not synced since start'})")
        try:
            self.trust()
        except TrustConfigError as e:
            raise KioskUnavailable("not_configured", f"card trust: {e}") from None

    def available(self) -> KioskUnavailable | None:
        try:
            self.availability()
        except KioskUnavailable as e:
            return e
        return None

    # -- the card ----------------------------------------------------------------------------------
    def check_card(self, reader: str = "") -> CardCheck:
        """A card placed: is the kiosk available, is the certificate one it accepts (no PIN), how
        many PIN tries are left (an empty VERIFY, none used). A locked card gets no VERIFY."""
        reader = reader or self.card.reader or ""
        try:
            self.availability()
        except KioskUnavailable as e:
            self.log_event("kiosk_unavailable", code=e.code)
            raise
        try:
            identity = jpki.check_card_certificate(self.trust(), reader or None, now=self.jpki_now)
            status = jpki.pin_status(reader or None)
        except CardError as e:
            self.log_event("kiosk_card_refused", error=type(e).__name__)
            raise
        check = CardCheck(status.reader, status.tries_left, identity.serial_hex)
        if check.blocked:
            self.log_event("kiosk_card_locked", serial=check.serial)
        else:
            self.log_event("kiosk_card", serial=check.serial, tries_left=check.tries_left)
        return check

    def identify(self, pin: str, reader: str) -> KioskSession:
        """The card signs the registry's challenge after the PIN; the registry names the holder.
        WrongPin / PinBlocked / CardError, KioskUnavailable, KioskRefused (neutral)."""
        self.availability()
        challenge = self._registry("POST", "/v1/kiosk/challenge")
        try:
            signed = jpki.sign_challenge(pin, self.trust(), b64url_decode(challenge["challenge"]), reader or None, now=self.jpki_now)
        except WrongPin as e:
            self.log_event("kiosk_pin_wrong", tries_left=e.tries_left)
            raise
        except PinBlocked:
            self.log_event("kiosk_card_locked", after="wrong_pin")
            raise
        except CardError as e:
            self.log_event("kiosk_card_refused", error=type(e).__name__)
            raise
        finally:
            pin = ""  # noqa: F841 - dropped here; the screen cleared its own copy
        try:
            answer = self._registry("POST", "/v1/kiosk/identify", {
                "challenge_id": challenge["challenge_id"],
                "certificate": b64url_encode(signed.identity.certificate),
                "signature": b64url_encode(signed.signature),
            })
        except KioskRefused as e:
            self.log_event("kiosk_not_identified", serial=signed.identity.serial_hex, code=e.code)
            raise
        members = tuple(Member(m["resident_id"], m["name"]) for m in answer["members"])
        from domain.ids import uuid7

        session = KioskSession(uuid7(), answer["resident_id"], members, reader, signed.identity.serial_hex)
        self.log_event("kiosk_identified", session.resident_id, serial=session.serial, session=session.session_id, members=len(members))
        return session

    def _registry(self, method: str, path: str, body: dict | None = None) -> dict:
        if self.client is None:
            raise KioskUnavailable("offline", "no registry client")
        try:
            answer = self.client.call(method, path, body=body)
        except RegistryUnreachable as e:
            self.online, self.last_error = False, e.message
            self.log_event("kiosk_unavailable", code="offline", step=path)
            raise KioskUnavailable("offline", f"{path}: {e}") from None
        except RegistryRefused as e:
            if e.status >= 500 or e.code == "kiosk_not_configured":
                self.log_event("kiosk_unavailable", code="not_configured", step=path)
                raise KioskUnavailable("not_configured", f"{path}: {e}") from None
            raise KioskRefused(e.code, f"{path}: {e}") from None
        self.online = True
        return answer

    # -- the order -------------------------------------------------------------------------------------
    def order(self, session: KioskSession, resident_ids, *, domicile: bool = False, householder_relationship: bool = False, copies: int = 1) -> CertificateOrder:
        """A 住民票の写し of members of the resident's household, with only the kiosk's items."""
        chosen = set(resident_ids)
        ids = tuple(m.resident_id for m in session.members if m.resident_id in chosen)
        if not ids or len(ids) != len(chosen):
            raise KioskInputError("members", "証明書に記載する人を選んでください。", "Please choose who the certificate is for.")
        if not 1 <= copies <= MAX_COPIES:
            raise KioskInputError("copies", f"部数は1から{MAX_COPIES}までです。", f"Copies must be 1 to {MAX_COPIES}.")
        items = ItemChoice(domicile=domicile, householder_relationship=householder_relationship)
        return CertificateOrder(CertificateKind.COPY, ids, items, copies=copies)

    def fee_each(self, order: CertificateOrder) -> int:
        return self.issuance.fee(order)

    def prepare(self, session: KioskSession, order: CertificateOrder) -> Prepared:
        """Every rule, before the resident pays: fresh data, the kind, protection (neutral), the
        registry's check, text that fits (a kiosk cannot ask for consent: it refuses)."""
        self._check_order(session, order)
        try:
            self.availability()
            prepared = self.issuance.prepare(order)
        except (KioskUnavailable, SyncTooOld, RegistryUnreachable) as e:
            raise self._unavailable(session, order, e) from None
        except IssuanceRefused as e:
            raise self._refused(session, order, e.code, str(e)) from None
        if prepared.alerts:
            raise self._refused(session, order, "overflow", f"{len(prepared.alerts)} overflow alerts")
        return prepared

    def issue(self, session: KioskSession, order: CertificateOrder) -> KioskReceipt:
        """Checks, pays, numbers, records and prints each copy. KioskRefused / KioskUnavailable
        before anything is paid or numbered; PaymentFailed: nothing printed."""
        self.prepare(session, order)
        fee_each = self.fee_each(order)
        try:
            payment = self.payment.charge(fee_each * order.copies, session.session_id)
        except PaymentFailed as e:
            self.issuance.record_refused(order, code="payment_failed", reason=str(e))
            self.log_event("kiosk_payment_failed", session.resident_id, session=session.session_id, device=self.payment.name)
            raise
        self.log_event("kiosk_payment", session.resident_id, session=session.session_id, receipt=payment.receipt,
                       amount=payment.amount_yen, paid_now=payment.paid_now)
        try:
            result = self.issuance.issue(order, self.printer, reason=f"会計受付番号 {payment.receipt}")
        except (SyncTooOld, RegistryUnreachable) as e:
            self.payment.refund(payment, payment.amount_yen, "not issued")
            raise self._unavailable(session, order, e) from None
        except IssuanceRefused as e:
            self.payment.refund(payment, payment.amount_yen, "refused")
            raise self._refused(session, order, e.code, str(e)) from None
        except Exception:
            self.payment.refund(payment, payment.amount_yen, "error")
            raise
        receipt = KioskReceipt(payment, result, fee_each)
        if result.failure:
            self.payment.refund(payment, fee_each * (order.copies - result.printed), "print failed")
            self.log_event("kiosk_print_failed", session.resident_id, session=session.session_id, receipt=payment.receipt,
                           printed=result.printed, spoiled=[c.issue_numbers[0] for c in result.spoiled if c.issue_numbers])
        else:
            self.log_event("kiosk_issued", session.resident_id, session=session.session_id, receipt=payment.receipt,
                           copies=result.printed, numbers=result.issue_numbers)
        return receipt

    def end(self, session: KioskSession | None, reason: str) -> None:
        """The resident's turn ends (done, card removed, timeout, cancelled): logged."""
        self.log_event("kiosk_session_end", session.resident_id if session else "", session=session.session_id if session else "", reason=reason)

    # -- helpers ---------------------------------------------------------------------------------------
    def _check_order(self, session: KioskSession, order: CertificateOrder) -> None:
        allowed = {m.resident_id for m in session.members}
        wrong = order.kind is not CertificateKind.COPY or not set(order.resident_ids) <= allowed or order.official_use \
            or order.items.my_number or order.items.resident_code or order.items.history or order.items.items
        if wrong:
            raise self._refused(session, order, "not_at_kiosk", f"order outside the kiosk's scope: {order}")

    def _refused(self, session: KioskSession, order: CertificateOrder, code: str, detail: str) -> KioskRefused:
        self.issuance.record_refused(order, code=code)
        self.log_event("kiosk_refused", session.resident_id, session=session.session_id, code=code)
        log.info("kiosk refused %s: %s (%s)", session.resident_id, code, detail)
        return KioskRefused(code, detail)

    def _unavailable(self, session: KioskSession, order: CertificateOrder, error: Exception) -> KioskUnavailable:
        if isinstance(error, KioskUnavailable):
            unavailable = error
        elif isinstance(error, SyncTooOld):
            unavailable = KioskUnavailable("stale", str(error))
        else:
            self.online = False
            unavailable = KioskUnavailable("offline", str(error))
        self.issuance.record_refused(order, code=f"unavailable_{unavailable.code}")
        self.log_event("kiosk_unavailable", session.resident_id, session=session.session_id, code=unavailable.code)
        return unavailable

    def _next_receipt(self, day: dt.date) -> int:
        key = f"kiosk_receipt_{day:%Y%m%d}"
        with self.cache.writer.begin() as conn:
            n = int(get_meta(conn, key, "0")) + 1
            set_meta(conn, key, n)
        return n


class KioskInputError(Exception):
    def __init__(self, field: str, message: str, message_en: str):
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message = message
        self.message_en = message_en


def make_printer(settings: KioskSettings) -> Printer:
    """The kiosk's printer from its settings: cups:QUEUE, qt:NAME or folder:PATH."""
    kind, _, name = settings.printer.partition(":")
    if kind == "cups" and name:
        from hardware.printer import CupsPrinter

        return CupsPrinter(name)
    if kind == "folder" and name:
        from hardware.printer import FolderPrinter

        return FolderPrinter(settings.printer_path(), name="kiosk-folder")
    if kind == "qt" and name:
        from app.ui.printing import QtPrinter

        return QtPrinter(name)
    raise KioskSetupError(f"kiosk printer {settings.printer!r} not understood",
                          f"キオスクのプリンタ設定「{settings.printer}」が正しくありません（cups:キュー名、qt:プリンタ名、folder:フォルダ）。")
