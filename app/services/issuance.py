"""Issuing certificates at this terminal (証明書の交付): what the print dialog, the command line and
the kiosk call. No Qt; every method may run on a worker thread. Time comes in through `clock`.

The rules, in the order they apply:
- Only confirmed data prints. The register is read with this terminal's provisional changes
  (仮登録) taken back — in a transaction that is rolled back — and the clerk is told which
  changes the certificate does not show yet.
- Before a planned 転出 day the person is printed as before the move-out (j1000).
- The kind must fit the records, and 支援措置・抑止 block issuance for a protected person, also
  inside a household certificate, unless a supervisor lifted it for this one issuance (online,
  at the registry). When the registry answers, its records decide (a protection set elsewhere a
  minute ago counts); offline, the cache does, within the offline limit (`require_fresh`).
- Overflowing text and characters without a glyph are listed before printing (j1070); issuing
  with them needs the clerk's explicit consent.
- Each copy gets its own issue number (j1040), is recorded in the issuance history (j300) and the
  access log in the same transaction that numbers it, and is then printed. A copy whose print
  fails is recorded as spoiled with the reason: a number is never lost silently.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Mapping

from sqlalchemy import text

from app.certificates import CertificateRequest, CertifierSettings, IssueStamp, ItemChoice, RenderedCertificate, preflight, render
from app.certificates.certifier import CITY_OFFICE, DEFAULT_SETTINGS
from app.store import issuance_history
from app.store.cache import Cache
from app.store.issuance_history import IssuedCopy
from app.store.register_store import RegisterStore
from app.sync import issuing
from app.sync.client import RegistryClient, RegistryUnreachable
from app.sync.limits import require_fresh
from domain.certificate_rules import (
    CertificateKind,
    Channel,
    IssuanceRefused,
    Protection,
    check_items,
    check_kind,
    check_protection,
    move_out_pending,
    protections,
)
from domain.change_reasons import ChangeReason
from domain.household_order import order_members
from domain.ids import uuid7
from domain.residents import HOUSEHOLDER, Resident
from hardware.printer import Printer, PrintFailed
from registry.protocol.issuing import IssuingSigner

log = logging.getLogger(__name__)

JST = dt.timezone(dt.timedelta(hours=9))
SETTINGS_FILE = "certificates.json"
MOVE_OUT_CODES = (ChangeReason.MOVE_OUT_DOMESTIC.code, ChangeReason.MOVE_OUT_ABROAD.code)
MAX_COPIES = 10


@dataclass(frozen=True)
class CertificateSettings:
    """certificates.json in the terminal folder (all optional). Unknown keys are logged and ignored."""

    city: str = "千葉市"  # 市区町村名 in the issue number
    terminal_label: str = ""  # 発行端末名番号 in the issue number; default: the terminal's name without spaces
    printer_numbers: Mapping[str, str] = field(default_factory=dict)  # printer name → 発行プリンタ番号 ("001")
    fees: Mapping[str, int] = field(default_factory=lambda: {"copy": 300, "removed_copy": 300, "items": 300, "removed_items": 300, "move_out": 0})
    overflow: str = "shrink"  # j1070: "shrink" (print to the limit) or "blank"
    certifiers_file: str = ""  # the certifiers (職名・氏名・公印) with their dates; default: the city's built-in list
    certifier_office: str = CITY_OFFICE  # whose name certifies: "city" (千葉県千葉市長) or a ward's code (区長)

    @classmethod
    def load(cls, directory: Path | None) -> "CertificateSettings":
        path = Path(directory) / SETTINGS_FILE if directory else None
        if path is None or not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            log.warning("certificate settings %s unreadable (%s): using defaults", path, e)
            return cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {}
        for key, value in (raw if isinstance(raw, dict) else {}).items():
            default = getattr(cls(), key, None)
            if key not in known:
                log.warning("certificate settings: unknown key %r ignored", key)
            elif isinstance(default, Mapping) and isinstance(value, dict):
                values[key] = {**default, **value} if key == "fees" else dict(value)
            elif isinstance(default, str) and isinstance(value, str):
                values[key] = value
            else:
                log.warning("certificate settings: %s=%r has the wrong type; default kept", key, value)
        if values.get("overflow", "shrink") not in ("shrink", "blank"):
            log.warning("certificate settings: overflow=%r is not shrink|blank; shrink kept", values["overflow"])
            values["overflow"] = "shrink"
        return cls(**values)

    def fee(self, kind: CertificateKind) -> int:
        value = self.fees.get(kind.value, 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def printer_number(self, printer_name: str) -> str:
        number = self.printer_numbers.get(printer_name, "")
        return f"プリンタ{number}" if number else ""


@dataclass(frozen=True)
class CertificateOrder:
    """What the clerk (or the resident at a kiosk) asked for."""

    kind: CertificateKind
    resident_ids: tuple[str, ...]  # the persons on the certificate, one for a 個人票
    items: ItemChoice = field(default_factory=ItemChoice)
    copies: int = 1
    official_use: bool = False  # 公用 (j1060): no fee
    household_form: bool = True  # 世帯連記式 when several persons

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", self.items.for_kind(self.kind))

    @property
    def prints_my_number(self) -> bool:
        """個人番号 on the paper: asked for, or one of the items a 記載事項証明書 asks to certify."""
        return self.items.my_number or "my_number" in self.items.items  # (items only for a 記載事項証明書)

    @property
    def prints_resident_code(self) -> bool:
        return self.items.resident_code or "resident_code" in self.items.items

    def as_items(self) -> dict:
        """The order as the issuance history keeps it (記載事項), enough to print it again."""
        items = {k: (sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in dataclasses.asdict(self.items).items()}
        return {"items": items, "household_form": self.household_form}

    @staticmethod
    def from_history(c: IssuedCopy) -> "CertificateOrder":
        items = dict(c.items.get("items", {}))
        if "items" in items:
            items["items"] = frozenset(items["items"])
        return CertificateOrder(
            CertificateKind(c.kind), c.resident_ids, ItemChoice(**items), 1, c.official_use, bool(c.items.get("household_form", True))
        )


@dataclass(frozen=True)
class Lift:
    """A supervisor's one-time lift (一時解除) of 支援措置・抑止, granted by the registry."""

    lift_id: str
    resident_ids: tuple[str, ...]
    supervisor_id: str
    expires_at: float


@dataclass(frozen=True)
class Prepared:
    """A certificate ready to be issued: the preview (「見本」, no number) and what to tell the clerk."""

    order: CertificateOrder
    persons: tuple[Resident, ...]
    notices: tuple[str, ...]  # provisional changes not shown, a move-out still ahead …
    alerts: tuple  # app.certificates.Alert: overflow / no glyph (j1070)
    protected: tuple[Protection, ...]  # not lifted: issuing needs a lift
    fee_each: int
    preview: RenderedCertificate

    @property
    def fee_total(self) -> int:
        return self.fee_each * self.order.copies


@dataclass
class IssueResult:
    copies: list[IssuedCopy] = field(default_factory=list)  # every copy numbered, printed or not
    printed: int = 0
    failure: str = ""  # Japanese, "" when every copy printed
    spoiled: list[IssuedCopy] = field(default_factory=list)

    @property
    def issue_numbers(self) -> list[str]:
        return [c.issue_numbers[0] for c in self.copies if c.issue_numbers]


class IssuanceService:
    def __init__(
        self,
        cache: Cache,
        *,
        operator_id: str,
        terminal_id: str,
        terminal_name: str,
        log_access: Callable,
        settings: CertificateSettings | None = None,
        client: RegistryClient | None = None,
        online: Callable[[], bool] = lambda: False,
        channel: Channel = Channel.COUNTER,
        clock: Callable[[], float] = time.time,
        require_registry: bool = False,
    ):
        self.cache = cache
        self.operator_id = operator_id
        self.terminal_id = terminal_id
        self.settings = settings or CertificateSettings()
        self.terminal_label = self.settings.terminal_label or "".join(terminal_name.split())
        self.log_access = log_access  # (conn, action, resident_id, detail, my_number_shown=)
        self.client = client
        self.online = online
        self.channel = channel
        self.clock = clock
        # A kiosk with the online-only policy: the registry's check must answer, or nothing is issued.
        self.require_registry = require_registry
        self.certifiers = CertifierSettings.load(self.settings.certifiers_file or DEFAULT_SETTINGS)

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.clock(), JST).date()

    # -- the register as confirmed -------------------------------------------------------------
    def _confirmed(self, fn: Callable[[RegisterStore, list], object]):
        """Runs fn(store, provisional_changes) over the register with this terminal's provisional
        changes taken back, in a transaction that is rolled back (nothing is written)."""
        with self.cache.engine.connect() as conn:
            provisional = conn.execute(text("SELECT change_id FROM changes WHERE state = 'provisional' ORDER BY seq")).scalars().all()
            if not provisional:
                return fn(RegisterStore(conn), [])
        with self.cache.writer.connect() as conn:
            transaction = conn.begin()
            try:
                store = RegisterStore(conn)
                pending = [c for c in (store.change(i) for i in provisional) if c is not None]
                store.drop_all_provisional()
                return fn(store, pending)
            finally:
                transaction.rollback()

    def _as_printed(self, store: RegisterStore, r: Resident, kind: CertificateKind, on: dt.date) -> Resident:
        """The version a certificate shows: before a move-out whose day is still ahead (j1000)."""
        if kind in (CertificateKind.COPY, CertificateKind.ITEMS) and move_out_pending(r, on):
            for c in reversed(store.changes_of(r.resident_id)):
                if c.reason.code in MOVE_OUT_CODES:
                    delta = next(d for d in c.residents if d.resident_id == r.resident_id)
                    if delta.before is not None:
                        return delta.before
        return r

    def _household_records(self, store: RegisterStore, household_id: str) -> list[Resident]:
        rows = store.conn.exec_driver_sql("SELECT resident_id FROM residents WHERE household_id = ?", (household_id,)).scalars().all()
        return list(store.residents_by_id(rows).values())

    def candidates(self, resident_id: str, kind: CertificateKind) -> tuple[list[Resident], tuple[str, ...]]:
        """Who may be on this kind of certificate with this person, in the j1010 order (My Numbers
        removed), and the notices about provisional changes — for the dialog's member list."""
        on = self.today()

        def read(store: RegisterStore, pending: list):
            me = store.resident(resident_id)
            if me is None:
                raise _unknown([resident_id])
            records = self._household_records(store, me.household_id) if me.household_id else [me]
            if kind.for_removed_records:
                chosen = [r for r in records if not r.is_current] or [me]
            elif kind is CertificateKind.MOVE_OUT:
                moved = self._move_out_change(store, me)
                chosen = [r for r in records if moved and r.resident_id in moved.resident_ids and not r.is_current] or [me]
            else:
                chosen = [self._as_printed(store, r, kind, on) for r in records if r.is_current or move_out_pending(r, on)]
                if not any(r.resident_id == resident_id for r in chosen):
                    chosen.append(me)
            h = store.household(me.household_id) if me.household_id else None
            ordered = order_members(chosen, h.member_order if h else ())
            ids = {r.resident_id for r in ordered}
            return [replace(r, my_number="") for r in ordered], _notices(pending, ids, on, [r for r in records if r.resident_id in ids])

        return self._confirmed(read)

    @staticmethod
    def _move_out_change(store: RegisterStore, r: Resident):
        for c in reversed(store.changes_of(r.resident_id)):
            if c.reason.code in MOVE_OUT_CODES:
                return c
        return None

    def _request(self, order: CertificateOrder, *, lifted: Iterable[str] = ()) -> tuple[CertificateRequest, tuple[Resident, ...], tuple[str, ...], tuple[Protection, ...]]:
        if not order.resident_ids:
            raise IssuanceRefused("no_person", "証明書に記載する人を選んでください。", "no person chosen")
        if not 1 <= order.copies <= MAX_COPIES:
            raise IssuanceRefused("copies", f"部数は1から{MAX_COPIES}までで指定してください。", f"copies={order.copies}")
        check_items(self.channel, my_number=order.prints_my_number, resident_code=order.prints_resident_code)
        on = self.today()

        def read(store: RegisterStore, pending: list):
            found = store.residents_by_id(order.resident_ids)
            missing = [i for i in order.resident_ids if i not in found]
            if missing:
                raise _unknown(missing)
            originals = [found[i] for i in order.resident_ids]
            persons = [self._as_printed(store, r, order.kind, on) for r in originals]
            check_kind(order.kind, originals, on=on)
            household_id = persons[0].household_id
            h = store.household(household_id) if household_id else None
            persons = order_members(persons, h.member_order if h else ())
            members = self._household_records(store, household_id) if household_id else persons
            householder = next((m for m in members if m.relationship == HOUSEHOLDER and (m.is_current or not persons[0].is_current)), None)
            history = {p.resident_id: tuple(store.changes_of(p.resident_id)) for p in persons} if order.items.history else {}
            return persons, householder, history, _notices(pending, set(order.resident_ids), on, originals)

        persons, householder, history, notices = self._confirmed(read)
        if not order.prints_my_number:
            persons = [replace(p, my_number="") for p in persons]
            householder = replace(householder, my_number="") if householder else None
        unlifted = tuple(p for p in protections(persons) if p.resident_id not in set(lifted))
        request = CertificateRequest(
            kind=order.kind,
            persons=tuple(persons),
            householder=householder,
            history=history,
            items=order.items,
            certifier=self.certifiers.certifier_on(self.today(), self.settings.certifier_office),
            official_use=order.official_use,
            household_form=order.household_form and len(persons) > 1,
        )
        return request, tuple(persons), notices, unlifted

    def fee(self, order: CertificateOrder) -> int:
        return 0 if order.official_use else self.settings.fee(order.kind)

    # -- preview, lift, issue ------------------------------------------------------------------
    def prepare(self, order: CertificateOrder, *, lift: Lift | None = None) -> Prepared:
        """The preview and everything to show before issuing; nothing is numbered or recorded.
        IssuanceRefused for a kind that does not fit; a protected person is reported in
        `protected` (the dialog offers a lift), except at a kiosk, where it is a refusal — and a
        kiosk asks the registry here too, so a refusal comes before the resident pays."""
        request, persons, notices, protected = self._request(order, lifted=lift.resident_ids if lift else ())
        if self.channel is Channel.KIOSK:
            if protected:
                check_protection(persons, channel=Channel.KIOSK)
            self._registry_check(persons, lift)
        preview = render(request, None, signer=None, overflow=self.settings.overflow)
        return Prepared(order, persons, notices, preview.alerts, protected, self.fee(order), preview)

    def lift(self, resident_ids: Iterable[str], *, supervisor_id: str, password: str, reason: str) -> Lift:
        """A supervisor lifts 支援措置・抑止 for one issuance. Needs the registry (it checks the
        supervisor's password and role, and keeps the record)."""
        if self.channel is Channel.KIOSK:
            raise IssuanceRefused("lift_at_kiosk", "この端末では一時解除はできません。", "lift asked for at a kiosk")
        if not reason.strip():
            raise IssuanceRefused("lift_reason_missing", "一時解除の理由を入力してください。", "lift without a reason")
        if self.client is None:
            raise RegistryUnreachable("no registry client", "一時解除には登録サーバーへの接続が必要です。")
        try:
            answer = self.client.call(
                "POST",
                "/v1/certificates/lifts",
                body={"supervisor_id": supervisor_id.strip(), "password": password, "resident_ids": list(resident_ids), "reason": reason.strip()},
            )
        except RegistryUnreachable as e:
            raise RegistryUnreachable(str(e), "一時解除には登録サーバーへの接続が必要です。接続を確認してやり直してください。") from None
        lift = Lift(answer["lift_id"], tuple(answer["resident_ids"]), answer["supervisor_id"], float(answer["expires_at"]))
        with self.cache.writer.begin() as conn:
            for rid in lift.resident_ids:
                self.log_access(conn, "certificate_lift", rid, {"lift_id": lift.lift_id, "supervisor": lift.supervisor_id, "reason": reason.strip()})
        log.warning("lift %s of %s by %s", lift.lift_id, lift.resident_ids, lift.supervisor_id)
        return lift

    def _registry_check(self, persons: tuple[Resident, ...], lift: Lift | None) -> None:
        """The registry's records decide when it answers; offline the cache's (checked already) —
        unless `require_registry`, where an unanswered check refuses (RegistryUnreachable)."""
        if not self.require_registry and (self.client is None or not self.online()):
            return
        if self.client is None:
            raise RegistryUnreachable("no registry client", "登録サーバーに接続できないため、証明書を発行できません。")
        try:
            answer = self.client.call(
                "POST", "/v1/certificates/check", body={"resident_ids": [p.resident_id for p in persons], "lift_id": lift.lift_id if lift else ""}
            )
        except RegistryUnreachable as e:
            if self.require_registry:
                raise RegistryUnreachable(str(e), "登録サーバーに接続できないため、証明書を発行できません。") from None
            log.info("registry unreachable for the certificate check: the cache decides")
            return
        if not answer.get("allowed"):
            raise IssuanceRefused(answer.get("code") or "refused", answer.get("message") or "この証明書は発行できません。", f"registry refused: {answer}")

    def issue(
        self,
        order: CertificateOrder,
        printer: Printer,
        *,
        lift: Lift | None = None,
        accept_alerts: bool = False,
        reprint_of: str = "",
        reason: str = "",
    ) -> IssueResult:
        """Numbers, records and prints each copy in turn; stops at a print failure (that copy is
        recorded as spoiled and the clerk told). Raises IssuanceRefused / SyncTooOld / NoIssuingKey
        before anything is numbered."""
        return self._issue_checked(order, self._checked(order, lift, accept_alerts), printer, lift=lift, reprint_of=reprint_of, reason=reason)

    def _checked(self, order: CertificateOrder, lift: Lift | None, accept_alerts: bool) -> CertificateRequest:
        """Everything that may refuse an issuance, nothing written: the rules, text that does not
        fit, the registry, fresh data and the signing key."""
        lifted = lift.resident_ids if lift else ()
        if lift is not None and lift.expires_at < self.clock():
            raise IssuanceRefused("lift_expired", "一時解除の有効時間が過ぎました。もう一度、上席者の一時解除を受けてください。", "lift expired")
        request, persons, _notes, _ = self._request(order, lifted=lifted)
        check_protection(persons, lifted=lifted, channel=self.channel)
        alerts = preflight(request, overflow=self.settings.overflow)  # laid out, not drawn
        if alerts and not accept_alerts:
            raise IssuanceRefused("overflow", "印字しきれない文字があります。一覧を確認し、了承してから発行してください。", f"{len(alerts)} overflow alerts not accepted")
        self._registry_check(persons, lift)
        with self.cache.engine.connect() as conn:
            require_fresh(conn, now=self.clock())
            issuing.signing_material(conn)
        return request

    def _issue_checked(self, order: CertificateOrder, request: CertificateRequest, printer: Printer, *, lift: Lift | None, reprint_of: str, reason: str) -> IssueResult:
        batch_id = uuid7()
        fee = self.fee(order)
        result = IssueResult()
        for _ in range(order.copies):
            copy, rendered = self._number_and_record(order, request, printer, batch_id=batch_id, fee=fee, lift=lift, reprint_of=reprint_of, reason=reason)
            result.copies.append(copy)
            try:
                printer.print_pdf(rendered.pdf, title=copy.issue_numbers[0])
            except PrintFailed as e:
                result.failure = e.message
                result.spoiled.append(self._spoil(copy, f"印刷失敗：{e.message}", action="certificate_print_failed"))
                log.warning("print of %s failed: %s", copy.issue_numbers[0], e)
                break
            result.printed += 1
        return result

    def _number_and_record(self, order, request, printer: Printer, *, batch_id, fee, lift, reprint_of, reason) -> tuple[IssuedCopy, RenderedCertificate]:
        now = self.clock()
        at = dt.datetime.fromtimestamp(now, JST)
        with self.cache.writer.begin() as conn:
            require_fresh(conn, now=now)
            key, delegation, _anchor = issuing.signing_material(conn)
            sequence = issuance_history.next_sequence(conn, at.date())
            stamp = IssueStamp(at.date(), self.settings.city, self.terminal_label, self.settings.printer_number(printer.name), sequence)
            rendered = render(request, stamp, signer=IssuingSigner(key, delegation), overflow=self.settings.overflow)
            copy = IssuedCopy(
                issuance_id=uuid7(),
                batch_id=batch_id,
                at=at,
                sequence=sequence,
                operator_id=self.operator_id,
                terminal_id=self.terminal_id,
                channel=self.channel.value,
                kind=order.kind.value,
                resident_ids=tuple(p.resident_id for p in request.persons),
                items=order.as_items(),
                pages=rendered.pages,
                issue_numbers=tuple(rendered.issue_numbers),
                printer=printer.name,
                my_number_printed=order.prints_my_number,
                official_use=order.official_use,
                fee=fee,
                lift_id=lift.lift_id if lift else "",
                reprint_of=reprint_of,
                reason=reason,
            )
            issuance_history.record_issued(conn, copy)
            for p in request.persons:
                self.log_access(
                    conn,
                    "certificate",
                    p.resident_id,
                    {"kind": order.kind.value, "issue_number": copy.issue_numbers[0], "issuance_id": copy.issuance_id, "lift_id": copy.lift_id},
                    my_number_shown=order.prints_my_number,
                )
        log.info("issued %s (%s, %d pages)", copy.issue_numbers[0], order.kind.value, rendered.pages)
        return copy, rendered

    def _spoil(self, copy: IssuedCopy, reason: str, *, action: str = "certificate_spoiled") -> IssuedCopy:
        with self.cache.writer.begin() as conn:
            issuance_history.record_spoiled(conn, copy.issuance_id, operator_id=self.operator_id, at=dt.datetime.fromtimestamp(self.clock(), JST), reason=reason)
            for rid in copy.resident_ids:
                self.log_access(conn, action, rid, {"issuance_id": copy.issuance_id, "issue_number": copy.issue_numbers[0] if copy.issue_numbers else "", "reason": reason})
            return issuance_history.copy(conn, copy.issuance_id)

    def spoil(self, issuance_id: str, reason: str) -> IssuedCopy:
        """処分: a copy issued here that must not be used (misprint, handed back)."""
        if not reason.strip():
            raise IssuanceRefused("spoil_reason_missing", "処分の理由を入力してください。", "spoil without a reason")
        with self.cache.engine.connect() as conn:
            c = issuance_history.copy(conn, issuance_id)
        if c is None or c.state != issuance_history.ISSUED:
            raise issuance_history.NotIssuedHere(issuance_id)
        return self._spoil(c, reason.strip())

    def reprint(self, issuance_id: str, printer: Printer, *, reason: str, lift: Lift | None = None, accept_alerts: bool = False) -> IssueResult:
        """再発行: the copy is spoiled (if it is not already) and the same certificate is issued
        again from today's confirmed data, with a new number that names the one it replaces."""
        if not reason.strip():
            raise IssuanceRefused("reprint_reason_missing", "再発行の理由を入力してください。", "reprint without a reason")
        with self.cache.engine.connect() as conn:
            old = issuance_history.copy(conn, issuance_id)
        if old is None:
            raise issuance_history.NotIssuedHere(issuance_id)
        order = CertificateOrder.from_history(old)
        # Checked first (a refusal leaves the old copy as it was), then spoiled, then issued.
        request = self._checked(order, lift, accept_alerts)
        if old.state == issuance_history.ISSUED:
            self._spoil(old, f"再発行のため：{reason.strip()}")
        return self._issue_checked(order, request, printer, lift=lift, reprint_of=issuance_id, reason=reason.strip())

    def record_refused(self, order: CertificateOrder, *, code: str, reason: str = "") -> IssuedCopy:
        """An attempt the rules turned down, in the issuance history (`refused`: no number) and the
        access log of each person asked for — what a kiosk keeps of every attempt."""
        at = dt.datetime.fromtimestamp(self.clock(), JST)
        attempt = IssuedCopy(
            issuance_id=uuid7(), batch_id=uuid7(), at=at, sequence=0, operator_id=self.operator_id, terminal_id=self.terminal_id,
            channel=self.channel.value, kind=order.kind.value, resident_ids=tuple(order.resident_ids), items=order.as_items(), pages=0,
            issue_numbers=(), fee=0, reason=f"{code}: {reason}" if reason else code,
        )
        with self.cache.writer.begin() as conn:
            issuance_history.record_refused(conn, attempt)
            for rid in dict.fromkeys(order.resident_ids):
                self.log_access(conn, "certificate_refused", rid, {"kind": order.kind.value, "code": code, "issuance_id": attempt.issuance_id})
        log.info("refused %s for %s: %s", order.kind.value, order.resident_ids, code)
        return attempt

    def history(self, resident_id: str) -> list[IssuedCopy]:
        """交付履歴 of a resident at this terminal, newest first."""
        with self.cache.engine.connect() as conn:
            return issuance_history.copies_for(conn, resident_id)


def _unknown(ids: list[str]) -> IssuanceRefused:
    return IssuanceRefused("resident_unknown", f"宛名番号 {'、'.join(ids)} の住民が見つかりません。", f"unknown residents {ids}")


def _notices(pending: list, shown: set[str], on: dt.date, persons: Iterable[Resident]) -> tuple[str, ...]:
    out = [
        f"{c.reason.label}（{c.occurred_on.format_wareki()}）は仮登録中のため、この証明書には反映されません。"
        for c in pending
        if shown & set(c.resident_ids)
    ]
    out += [
        f"{p.name.full}は転出予定（{p.removal.occurred_on.format_wareki()}）のため、転出前の内容で記載されます。"
        for p in persons
        if p.removal is not None and move_out_pending(p, on)
    ]
    return tuple(out)
