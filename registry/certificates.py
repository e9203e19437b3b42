"""Certificates at the registry: the authoritative issuance check, supervisors' one-time lifts
(一時解除) of 支援措置・抑止, and the issuance history (交付履歴) terminals send up.

The check is `domain.certificate_rules.check_protection` run against the registry's records, so
a protection set a minute ago at another office refuses a terminal whose cache has not synced it
yet. A lift is granted to one terminal for the named residents, lasts a few minutes and covers one
issuance (one batch of copies). Received history is kept whatever it says; a copy that showed a
protected person without a lift that covers it is marked in `audit` and logged for the city.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, insert, select, update

from domain.certificate_rules import Channel, IssuanceRefused, check_protection
from domain.ids import uuid7
from registry.protocol.certificates import RegistryKey
from registry.protocol.errors import ProtocolError
from registry.protocol.signing import b64url_encode
from registry.register import RegistryRegister
from registry.schema import issuance_residents, issuances, lifts, settings

log = logging.getLogger(__name__)

LIFT_SECONDS = 600
CLOCK_LEEWAY = 300  # a terminal's clock may be this far off (the same bound as signed requests)  # a lift is used at once: ten minutes to choose the items and print
MAX_RESIDENTS = 50
AUDIT_UNLIFTED = "protected_without_lift"
FIELDS = (
    "seq", "event", "issuance_id", "batch_id", "at", "issued_on", "sequence", "operator_id", "channel", "kind",
    "resident_ids", "items", "pages", "issue_numbers", "printer", "my_number_printed", "official_use", "fee",
    "lift_id", "reprint_of", "reason",
)


class CertificateError(ProtocolError):
    pass


# -- the issuing key and its delegations ------------------------------------------------------
ISSUING_KEY = "issuing_key"
DELEGATION_MIN_DAYS = 14  # a terminal renews at every sync; it must outlast the offline limit
DELEGATION_MAX_DAYS = 60


def issuing_key(conn: Connection, passphrase: bytes | None) -> RegistryKey:
    """The registry's issuing key (証明書の発行鍵): the trust anchor of every certificate's QR
    signature. Kept apart from the key that signs terminal certificates; made on first use."""
    row = conn.execute(select(settings.c.value).where(settings.c.key == ISSUING_KEY)).first()
    if row is not None:
        return RegistryKey.from_pem(row[0].encode(), passphrase)
    key = RegistryKey.generate()
    conn.execute(insert(settings).values(key=ISSUING_KEY, value=key.to_pem(passphrase).decode()))
    return key


def delegate(key: RegistryKey, terminal_id: str, public_key: bytes, *, offline_limit_days: int, now: float) -> dict:
    """A delegation of issuing to a terminal's own key, for long enough to outlast its offline limit."""
    from registry.protocol.issuing import make_delegation

    days = min(DELEGATION_MAX_DAYS, max(DELEGATION_MIN_DAYS, 2 * offline_limit_days))
    not_before, not_after = int(now) - 300, int(now) + days * 86400
    delegation = make_delegation(key, terminal_id, public_key, not_before, not_after)
    log.info("issuing delegated to terminal %s until %s", terminal_id, dt.datetime.fromtimestamp(not_after).isoformat())
    return {"delegation": b64url_encode(delegation), "anchor": b64url_encode(key.public_key_bytes()), "not_after": not_after}


def _residents(conn: Connection, resident_ids: list[str]):
    found = RegistryRegister(conn).residents_by_id(resident_ids)
    missing = [r for r in resident_ids if r not in found]
    if missing:
        raise CertificateError("resident_unknown", "指定された住民が登録サーバーに見つかりません。同期してからやり直してください。", f"unknown residents {missing}", status=404)
    return [found[r] for r in resident_ids]


def _lift_row(conn: Connection, lift_id: str):
    return conn.execute(select(lifts).where(lifts.c.lift_id == lift_id)).first() if lift_id else None


def _lift_covers(row, terminal_id: str, at: float, *, leeway: float = 0.0) -> set[str]:
    """The residents a lift opens for this terminal at this time (empty when it does not apply)."""
    if row is None or row.terminal_id != terminal_id or not (row.created_at - leeway <= at <= row.expires_at + leeway):
        return set()
    return set(orjson.loads(row.resident_ids))


@dataclass(frozen=True)
class CheckResult:
    allowed: bool
    code: str = ""
    message: str = ""
    protected: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"allowed": self.allowed, "code": self.code, "message": self.message, "protected": list(self.protected)}


def check(conn: Connection, terminal_id: str, resident_ids: list[str], *, channel: Channel, lift_id: str = "", now: float | None = None) -> CheckResult:
    """May these residents be on a certificate issued at this terminal now?"""
    now = time.time() if now is None else now
    persons = _residents(conn, resident_ids)
    row = _lift_row(conn, lift_id)
    lifted = _lift_covers(row, terminal_id, now) if row is not None and not row.used_by else set()
    try:
        check_protection(persons, lifted=lifted, channel=channel)
    except IssuanceRefused as e:
        log.info("certificate check refused at %s: %s", terminal_id, e)
        # A kiosk is never told who is protected; the counter's clerk is.
        protected = () if channel is Channel.KIOSK else tuple(p.resident_id for p in e.protected)
        return CheckResult(False, e.code, e.message, protected)
    return CheckResult(True)


def grant_lift(conn: Connection, terminal_id: str, supervisor_id: str, resident_ids: list[str], reason: str, *, now: float | None = None) -> dict:
    """A supervisor (already authenticated, role checked) lifts the protection of these residents
    for one issuance at this terminal. Only protected residents can be lifted."""
    now = time.time() if now is None else now
    if not reason.strip():
        raise CertificateError("lift_reason_missing", "一時解除の理由を入力してください。", "lift without a reason", status=422)
    persons = _residents(conn, resident_ids)
    unprotected = [p.name.full for p in persons if not (p.support_measure or p.suppressed)]
    if unprotected:
        raise CertificateError(
            "lift_not_needed", f"{'、'.join(unprotected)}は支援措置・抑止の対象ではありません。", "lift asked for unprotected residents", status=422
        )
    lift_id = uuid7()
    conn.execute(
        insert(lifts).values(
            lift_id=lift_id,
            terminal_id=terminal_id,
            supervisor_id=supervisor_id,
            resident_ids=orjson.dumps(resident_ids).decode(),
            reason=reason.strip(),
            created_at=now,
            expires_at=now + LIFT_SECONDS,
            used_by="",
        )
    )
    log.warning("lift %s of %s granted by %s at terminal %s", lift_id, resident_ids, supervisor_id, terminal_id)
    return {"lift_id": lift_id, "resident_ids": resident_ids, "expires_at": now + LIFT_SECONDS, "supervisor_id": supervisor_id}


def _at_epoch(at: str) -> float:
    try:
        return dt.datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def _audit(conn: Connection, terminal_id: str, e: dict, register: RegistryRegister) -> str:
    """What is wrong with an issued copy, checked against the registry's records."""
    if e["event"] != "issued":
        return ""
    ids = orjson.loads(e["resident_ids"])
    found = register.residents_by_id(ids)
    row = _lift_row(conn, e["lift_id"])
    # The copy's time is the terminal's clock, to the second: as far off as a signed request may be.
    lifted = _lift_covers(row, terminal_id, _at_epoch(e["at"]), leeway=CLOCK_LEEWAY)
    if row is not None and row.used_by not in ("", e["batch_id"]):
        lifted = set()  # a lift covers one issuance only
    try:
        check_protection(found.values(), lifted=lifted)
    except IssuanceRefused as refused:
        log.warning("terminal %s issued %s showing protected residents without a lift: %s", terminal_id, e["issuance_id"], refused)
        return AUDIT_UNLIFTED
    if row is not None and lifted and not row.used_by:
        conn.execute(update(lifts).where(lifts.c.lift_id == row.lift_id).values(used_by=e["batch_id"]))
    return ""


class HistoryRejected(ProtocolError):
    status = 409


def last_seq(conn: Connection, terminal_id: str) -> int:
    row = conn.execute(
        select(issuances.c.seq).where(issuances.c.terminal_id == terminal_id).order_by(issuances.c.seq.desc()).limit(1)
    ).first()
    return 0 if row is None else row.seq


def receive(conn: Connection, terminal_id: str, entries: list[dict], *, now: float | None = None) -> dict:
    """Stores history rows that continue the terminal's; rows already held are skipped."""
    now = time.time() if now is None else now
    last = last_seq(conn, terminal_id)
    register = RegistryRegister(conn)
    rows, links = [], []
    for e in sorted(entries, key=lambda e: e["seq"]):
        if e["seq"] <= last:
            continue
        if e["seq"] != last + 1:
            raise HistoryRejected(
                "issuance_history_gap", "交付履歴に欠落があります。システム管理者に連絡してください。", f"terminal {terminal_id}: expected {last + 1}, got {e['seq']}"
            )
        rows.append({**{k: e[k] for k in FIELDS}, "terminal_id": terminal_id, "audit": _audit(conn, terminal_id, e, register), "received_at": now})
        links += [{"terminal_id": terminal_id, "seq": e["seq"], "resident_id": r} for r in dict.fromkeys(orjson.loads(e["resident_ids"]))]
        last = e["seq"]
    if rows:
        conn.execute(insert(issuances), rows)
        conn.execute(insert(issuance_residents), links)
    return {"seq": last}


def history_of(conn: Connection, resident_id: str, limit: int = 200) -> list[dict]:
    """Every issuance event that showed this resident, newest first (for the city's audit)."""
    rows = conn.execute(
        select(issuances)
        .join(issuance_residents, (issuance_residents.c.terminal_id == issuances.c.terminal_id) & (issuance_residents.c.seq == issuances.c.seq))
        .where(issuance_residents.c.resident_id == resident_id)
        .order_by(issuances.c.received_at.desc(), issuances.c.seq.desc())
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]
