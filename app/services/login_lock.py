"""Offline login lockout at this terminal: the same rule as the registry's (registry.passwords
LockoutPolicy: 5 wrong passwords in a row lock the operator for 15 minutes), counted here for the
logins the registry never sees. Kept in `login-failures.json` in the terminal folder — operator
ids and times only, nothing about residents."""
from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path

import orjson

from app.store.files import atomic_write_bytes
from registry.passwords import LockoutPolicy, LoginState

FILE = "login-failures.json"
_lock = threading.Lock()


def _load(directory: Path) -> dict[str, LoginState]:
    try:
        raw = orjson.loads((Path(directory) / FILE).read_bytes())
        return {k: LoginState(**v) for k, v in raw.items()}
    except (FileNotFoundError, orjson.JSONDecodeError, TypeError, AttributeError):
        return {}


def _save(directory: Path, states: dict[str, LoginState]) -> None:
    data = {k: asdict(v) for k, v in states.items() if v != LoginState()}
    atomic_write_bytes(Path(directory) / FILE, orjson.dumps(data), mode=0o600)


def locked_message(directory: Path, operator_id: str, now: float, policy: LockoutPolicy = LockoutPolicy()) -> str:
    """Japanese text when the operator is locked out at this terminal, else ""."""
    return policy.locked_message(_load(directory).get(operator_id, LoginState()), now)


def failed(directory: Path, operator_id: str, now: float, policy: LockoutPolicy = LockoutPolicy()) -> str:
    """Counts a wrong password; returns the lock message when this failure locked the operator."""
    with _lock:
        states = _load(directory)
        states[operator_id] = policy.after_failure(states.get(operator_id, LoginState()), now)
        _save(directory, states)
    return policy.locked_message(states[operator_id], now)


def succeeded(directory: Path, operator_id: str) -> None:
    with _lock:
        states = _load(directory)
        if operator_id in states:
            del states[operator_id]
            _save(directory, states)
