"""Operators (職員): accounts, roles, password checks with lockout, and login sessions.

Passwords are kept only as Argon2id hashes (registry.passwords). Repeated failures lock an account
for a while (LockoutPolicy); the count survives restarts because it is stored with the account.
A session token is random and stored only as its SHA-256.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from domain.addresses import is_ward_code
from registry.passwords import LockoutPolicy, LoginState, PasswordHasher, check_password_rules
from registry.protocol.errors import ProtocolError
from registry.schema import operators, sessions

ROLES = ("clerk", "supervisor", "administrator", "kiosk")
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class OperatorInfo:
    operator_id: str
    display_name: str
    role: str
    ward_code: str

    def to_dict(self) -> dict:
        return {"operator_id": self.operator_id, "display_name": self.display_name, "role": self.role, "ward_code": self.ward_code}


class AccountError(ProtocolError):
    pass


def _bad_login() -> AccountError:
    return AccountError(
        "login_failed", "職員IDまたはパスワードが正しくありません。", "wrong operator id or password", status=401
    )


def add_operator(
    conn: Connection, hasher: PasswordHasher, *, operator_id: str, display_name: str, role: str, ward_code: str, password: str
) -> OperatorInfo:
    if role not in ROLES:
        raise AccountError("role_unknown", f"役割「{role}」はありません（{'・'.join(ROLES)}）。", f"unknown role {role!r}", status=422)
    if ward_code and not is_ward_code(ward_code):
        raise AccountError("ward_unknown", f"区のコード「{ward_code}」は市の区ではありません。", f"unknown ward {ward_code!r}", status=422)
    if not operator_id or len(operator_id) > 64 or not operator_id.isascii() or not operator_id.replace("-", "").replace("_", "").isalnum():
        raise AccountError("operator_id_invalid", "職員IDは英数字・ハイフン・下線の64文字以内で入力してください。", "bad operator id", status=422)
    problems = check_password_rules(password, operator_id)
    if problems:
        raise AccountError("password_weak", "".join(problems), "password rules not met", status=422)
    if conn.execute(select(operators.c.operator_id).where(operators.c.operator_id == operator_id)).first():
        raise AccountError("operator_exists", f"職員ID「{operator_id}」は既に登録されています。", "operator exists", status=409)
    conn.execute(
        insert(operators).values(
            operator_id=operator_id,
            display_name=display_name,
            role=role,
            ward_code=ward_code,
            password_hash=hasher.hash(password),
            active=True,
            failures=0,
            locked_until=0.0,
            password_changed_at=time.time(),
        )
    )
    return OperatorInfo(operator_id, display_name, role, ward_code)


def authenticate(
    conn: Connection, hasher: PasswordHasher, policy: LockoutPolicy, operator_id: str, password: str, *, now: float | None = None
) -> OperatorInfo:
    """Checks a password, counting failures and locking the account after too many in a row."""
    now = time.time() if now is None else now
    row = conn.execute(select(operators).where(operators.c.operator_id == operator_id)).first()
    if row is None or not row.active:
        hasher.verify(_DUMMY_HASH(hasher), password)  # same time as a real check: no user enumeration
        raise _bad_login()
    state = LoginState(failures=row.failures, locked_until=row.locked_until)
    if policy.is_locked(state, now):
        raise AccountError("account_locked", policy.locked_message(state, now), "account locked", status=423)
    if not hasher.verify(row.password_hash, password):
        state = policy.after_failure(state, now)
        conn.execute(
            update(operators).where(operators.c.operator_id == operator_id).values(failures=state.failures, locked_until=state.locked_until)
        )
        if policy.is_locked(state, now):
            raise AccountError("account_locked", policy.locked_message(state, now), "account locked", status=423)
        raise _bad_login()
    state = policy.after_success(state)
    values = {"failures": state.failures, "locked_until": state.locked_until}
    if hasher.needs_rehash(row.password_hash):
        values["password_hash"] = hasher.hash(password)
    conn.execute(update(operators).where(operators.c.operator_id == operator_id).values(**values))
    return OperatorInfo(row.operator_id, row.display_name, row.role, row.ward_code)


_dummy: dict[int, str] = {}


def _DUMMY_HASH(hasher: PasswordHasher) -> str:
    key = id(hasher)
    if key not in _dummy:
        _dummy[key] = hasher.hash(secrets.token_hex(16))
    return _dummy[key]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, operator: OperatorInfo, terminal_id: str, *, now: float | None = None) -> tuple[str, float]:
    now = time.time() if now is None else now
    conn.execute(delete(sessions).where(sessions.c.expires_at < now))
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_SECONDS
    conn.execute(insert(sessions).values(token_hash=token_hash(token), operator_id=operator.operator_id, terminal_id=terminal_id, expires_at=expires))
    return token, expires


def session_operator(conn: Connection, token: str, terminal_id: str, *, now: float | None = None) -> OperatorInfo:
    """The operator of a live session opened on this terminal."""
    now = time.time() if now is None else now
    row = conn.execute(
        select(operators, sessions.c.expires_at, sessions.c.terminal_id.label("session_terminal"))
        .join(sessions, sessions.c.operator_id == operators.c.operator_id)
        .where(sessions.c.token_hash == token_hash(token))
    ).first()
    if row is None or row.session_terminal != terminal_id or row.expires_at < now or not row.active:
        raise AccountError("session_invalid", "ログインの有効期限が切れました。もう一度ログインしてください。", "no live session", status=401)
    return OperatorInfo(row.operator_id, row.display_name, row.role, row.ward_code)


def require_role(operator: OperatorInfo, *roles: str) -> None:
    if operator.role not in roles:
        raise AccountError(
            "role_forbidden", "この操作を行う権限がありません。", f"role {operator.role} not in {roles}", status=403
        )
