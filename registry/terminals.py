"""Terminals: registration by an administrator, enrolment with a one-time code, signed requests,
revocation and work lists.

An administrator registers a terminal (name, kind, ward, scope) and gets a one-time code. The
terminal makes its own Ed25519 key pair and sends the public key with the code; the registry
keeps the key and returns a certificate it signed. From then on every request is signed by the
terminal's key (registry.protocol.signing); a nonce seen before is a replay and is refused. A
revoked terminal is told so on its next contact, and wipes its cache.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from domain.addresses import is_ward_code
from registry.protocol.certificates import KINDS, SCOPES, RegistryKey, TerminalCertificate, issue_certificate
from registry.protocol.errors import ProtocolError
from registry.protocol.signing import SignedRequest, header_terminal_id, is_valid_terminal_id, verify_request
from registry.schema import nonces, settings, terminals, worklists

ENROL_CODE_SECONDS = 72 * 3600
CERTIFICATE_SECONDS = 5 * 365 * 86400
NONCE_KEEP_SECONDS = 900  # longer than the clock window of signed requests (±300 s)
NONCE_SWEEP_EVERY = 200


class TerminalError(ProtocolError):
    pass


@dataclass(frozen=True)
class TerminalInfo:
    terminal_id: str
    name: str
    kind: str
    ward_code: str
    scope: str
    scope_version: int


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def new_enrol_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=")  # 16 characters, 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def register_terminal(
    conn: Connection, *, name: str, kind: str, ward_code: str, scope: str, terminal_id: str | None = None, now: float | None = None
) -> tuple[str, str]:
    """A new terminal and its one-time enrolment code: (terminal_id, code)."""
    now = time.time() if now is None else now
    if kind not in KINDS:
        raise TerminalError("terminal_kind_unknown", f"端末の種類は {'・'.join(KINDS)} のいずれかです。", f"bad kind {kind!r}", status=422)
    if scope not in SCOPES:
        raise TerminalError("terminal_scope_unknown", f"範囲は {'・'.join(SCOPES)} のいずれかです。", f"bad scope {scope!r}", status=422)
    if not is_ward_code(ward_code):
        raise TerminalError("ward_unknown", f"区のコード「{ward_code}」は市の区ではありません。", f"unknown ward {ward_code!r}", status=422)
    terminal_id = terminal_id or f"t-{secrets.token_hex(6)}"
    if not is_valid_terminal_id(terminal_id):
        raise TerminalError("terminal_id_invalid", "端末IDは英数字と . _ - の64文字以内で、英数字で始めてください。", f"bad terminal id {terminal_id!r}", status=422)
    if conn.execute(select(terminals.c.terminal_id).where(terminals.c.terminal_id == terminal_id)).first():
        raise TerminalError("terminal_exists", f"端末ID「{terminal_id}」は既にあります。", "terminal exists", status=409)
    code = new_enrol_code()
    conn.execute(
        insert(terminals).values(
            terminal_id=terminal_id,
            name=name,
            kind=kind,
            ward_code=ward_code,
            scope=scope,
            enrol_code_hash=_code_hash(code),
            enrol_expires_at=now + ENROL_CODE_SECONDS,
            revoked=False,
            scope_version=1,
            created_at=now,
        )
    )
    return terminal_id, code


def enrol(conn: Connection, registry_key: RegistryKey, code: str, public_key: bytes, *, now: float | None = None) -> tuple[str, TerminalInfo]:
    """Binds a terminal's public key to its registration; returns (certificate, info)."""
    now = time.time() if now is None else now
    bad_code = TerminalError(
        "enrol_code_invalid",
        "登録コードが正しくないか、使用済みまたは期限切れです。管理者に新しいコードを発行してもらってください。",
        "enrolment code unknown, used or expired",
        status=401,
    )
    if not isinstance(code, str) or not isinstance(public_key, bytes) or len(public_key) != 32:
        raise bad_code
    row = conn.execute(select(terminals).where(terminals.c.enrol_code_hash == _code_hash(code))).first()
    if row is None or row.revoked or (row.enrol_expires_at or 0) < now:
        raise bad_code
    cert = TerminalCertificate(
        terminal_id=row.terminal_id,
        public_key=public_key,
        ward_code=row.ward_code,
        scope=row.scope,
        kind=row.kind,
        issued_at=int(now),
        expires_at=int(now) + CERTIFICATE_SECONDS,
        serial=secrets.token_hex(8),
    )
    text = issue_certificate(registry_key, cert)
    conn.execute(
        update(terminals)
        .where(terminals.c.terminal_id == row.terminal_id)
        .values(public_key=public_key, certificate=text, enrol_code_hash=None, enrol_expires_at=None, last_seen_at=now)
    )
    return text, TerminalInfo(row.terminal_id, row.name, row.kind, row.ward_code, row.scope, row.scope_version)


def authenticate_request(
    conn: Connection, headers, method: str, path: str, body: bytes, *, now: float | None = None
) -> TerminalInfo:
    """The terminal that signed this request; refuses unknown, revoked, bad and replayed requests."""
    now = time.time() if now is None else now
    terminal_id = header_terminal_id(headers)
    row = None if terminal_id is None else conn.execute(select(terminals).where(terminals.c.terminal_id == terminal_id)).first()
    if row is None or row.public_key is None:
        raise TerminalError(
            "terminal_unknown",
            "この端末は登録サーバーに登録されていません。管理者に端末の登録を依頼してください。",
            f"unknown or unenrolled terminal {terminal_id!r}",
            status=401,
        )
    signed: SignedRequest = verify_request(bytes(row.public_key), headers, method, path, body, now)
    if row.revoked:
        raise TerminalError(
            "terminal_revoked",
            "この端末の登録は取り消されています。端末内のデータを消去しました。管理者に連絡してください。",
            f"terminal {terminal_id} is revoked",
            status=403,
        )
    if conn.execute(select(nonces.c.nonce).where(nonces.c.nonce == signed.nonce)).first():
        raise TerminalError("request_replayed", "同じ要求が二度送られました。もう一度操作してください。", "nonce seen before", status=401)
    conn.execute(insert(nonces).values(nonce=signed.nonce, terminal_id=terminal_id, seen_at=now))
    if secrets.randbelow(NONCE_SWEEP_EVERY) == 0:  # now and then, not on every request
        forget_old_nonces(conn, now=now)
    conn.execute(update(terminals).where(terminals.c.terminal_id == terminal_id).values(last_seen_at=now))
    return TerminalInfo(row.terminal_id, row.name, row.kind, row.ward_code, row.scope, row.scope_version)


def forget_old_nonces(conn: Connection, *, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return conn.execute(delete(nonces).where(nonces.c.seen_at < now - NONCE_KEEP_SECONDS)).rowcount


def _no_such_terminal(terminal_id: str) -> TerminalError:
    return TerminalError("terminal_unknown", f"端末「{terminal_id[:64]}」はありません。", "no such terminal", status=404)


def revoke(conn: Connection, terminal_id: str) -> None:
    if not is_valid_terminal_id(terminal_id):  # never stored; PostgreSQL would choke on some (NUL)
        raise _no_such_terminal(terminal_id)
    done = conn.execute(update(terminals).where(terminals.c.terminal_id == terminal_id).values(revoked=True)).rowcount
    if not done:
        raise _no_such_terminal(terminal_id)


def set_worklist(conn: Connection, terminal_id: str, household_ids: list[str]) -> int:
    """Replaces a field terminal's work list; the terminal re-takes its snapshot on its next sync."""
    if not is_valid_terminal_id(terminal_id):
        raise _no_such_terminal(terminal_id)
    row = conn.execute(select(terminals.c.scope_version).where(terminals.c.terminal_id == terminal_id)).first()
    if row is None:
        raise _no_such_terminal(terminal_id)
    conn.execute(delete(worklists).where(worklists.c.terminal_id == terminal_id))
    ids = sorted(set(household_ids))
    if ids:
        conn.execute(insert(worklists), [{"terminal_id": terminal_id, "household_id": h} for h in ids])
    version = row.scope_version + 1
    conn.execute(update(terminals).where(terminals.c.terminal_id == terminal_id).values(scope_version=version))
    return version


def list_terminals(conn: Connection) -> list[dict]:
    return [
        {
            "terminal_id": r.terminal_id,
            "name": r.name,
            "kind": r.kind,
            "ward_code": r.ward_code,
            "scope": r.scope,
            "enrolled": r.public_key is not None,
            "revoked": bool(r.revoked),
            "last_seen_at": r.last_seen_at,
        }
        for r in conn.execute(select(terminals).order_by(terminals.c.terminal_id))
    ]


def registry_key(conn: Connection, passphrase: bytes | None) -> RegistryKey:
    """The registry's signing key, made on first use and kept (encrypted when a passphrase is set)."""
    row = conn.execute(select(settings.c.value).where(settings.c.key == "registry_key")).first()
    if row is not None:
        return RegistryKey.from_pem(row[0].encode(), passphrase)
    key = RegistryKey.generate()
    conn.execute(insert(settings).values(key="registry_key", value=key.to_pem(passphrase).decode()))
    return key
