"""Operator passwords at the registry: Argon2id hashes, password rules, and lockout after failures.

Everything here is pure: the lockout policy takes the stored `LoginState` and the time and
returns the next state, and the caller keeps it in its database.

Passwords are hashed as given (UTF-8, no Unicode normalization), like the terminal cache's key
slots (`app/store/keys.py`), so the same typed password works on both.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_CHARS = 12
MIN_CHARACTER_CLASSES = 2
# A stored hash asking for more than this is refused without running it: a damaged or planted
# hash must not make `verify` allocate gigabytes or run for minutes.
MAX_VERIFY_MEMORY_KIB = 1024 * 1024
MAX_VERIFY_TIME_COST = 32
MAX_VERIFY_PARALLELISM = 16


class PasswordHasher:
    """Argon2id with OWASP's minimum parameters by default (m=19 MiB, t=2, p=1)."""

    def __init__(
        self,
        time_cost: int = 2,
        memory_cost: int = 19456,
        parallelism: int = 1,
        hash_len: int = 32,
        salt_len: int = 16,
    ):
        self.time_cost = time_cost
        self.memory_cost = memory_cost
        self.parallelism = parallelism
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            hash_len=hash_len,
            salt_len=salt_len,
            type=argon2.Type.ID,
        )

    @classmethod
    def for_tests(cls) -> "PasswordHasher":
        """Cheap parameters (1 MiB, one pass): the same format, for fast tests only."""
        return cls(time_cost=1, memory_cost=1024, parallelism=1)

    def hash(self, password: str) -> str:
        """A PHC string: ``$argon2id$v=19$m=…,t=…,p=…$salt$hash`` with a fresh random salt."""
        if not isinstance(password, str):
            raise TypeError("the password must be str")
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether `password` matches `stored_hash`. False on a mismatch and on anything that is
        not a usable Argon2 hash (garbage, None, excessive parameters); never raises."""
        if not isinstance(stored_hash, str) or not isinstance(password, str):
            return False
        try:
            params = argon2.extract_parameters(stored_hash)
            if (
                params.memory_cost > MAX_VERIFY_MEMORY_KIB
                or params.time_cost > MAX_VERIFY_TIME_COST
                or params.parallelism > MAX_VERIFY_PARALLELISM
            ):
                return False
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError, TypeError, MemoryError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether `stored_hash` was made with other parameters (or another Argon2 variant) than
        this hasher's, so it should be replaced after the next successful login. True for an
        unreadable hash."""
        if not isinstance(stored_hash, str):
            return True
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except (InvalidHashError, ValueError, TypeError):
            return True


def _character_class(c: str) -> str:
    if "0" <= c <= "9":
        return "digit"
    if "a" <= c <= "z":
        return "lower"
    if "A" <= c <= "Z":
        return "upper"
    if unicodedata.category(c).startswith("L"):
        return "other_letter"  # かな・漢字 and other scripts
    return "symbol"  # punctuation, symbols, spaces


def check_password_rules(password: str, operator_id: str = "") -> list[str]:
    """The rules a new operator password breaks, as Japanese messages (empty when it is fine):
    at least 12 characters; at least two kinds of character among 英大文字・英小文字・数字・記号・
    かな漢字など (full-width letters and digits count as their half-width forms); not one
    character repeated; not the operator id and, for ids of 3 characters or more, not containing it.
    """
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください（いまは{len(password)}文字です）")
    folded = unicodedata.normalize("NFKC", password)
    if len(set(folded)) == 1:
        problems.append("同じ文字を繰り返しただけのパスワードは使えません")
    elif folded and len({_character_class(c) for c in folded}) < MIN_CHARACTER_CLASSES:
        problems.append("英大文字・英小文字・数字・記号・かな漢字のうち、2種類以上を組み合わせてください")
    operator = unicodedata.normalize("NFKC", operator_id or "").casefold()
    if operator:
        lowered = folded.casefold()
        if lowered == operator or (len(operator) >= 3 and operator in lowered):
            problems.append("パスワードに操作者IDを使わないでください")
    return problems


@dataclass(frozen=True)
class LoginState:
    """An operator's login record: consecutive failures since the last success or lock, and the
    time (unix seconds) until which the account is locked (0.0: not locked)."""

    failures: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class LockoutPolicy:
    """Locks an account for `lock_seconds` after `max_failures` consecutive wrong passwords.

    Use: ``if policy.is_locked(state, now)`` refuse without checking the password and show
    ``locked_message(state, now)``; otherwise check it and store ``after_success(state)`` or
    ``after_failure(state, now)``. The failure count restarts from zero after a lock.
    """

    max_failures: int = 5
    lock_seconds: int = 900

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.lock_seconds <= 0:
            raise ValueError("max_failures must be at least 1 and lock_seconds positive")

    def is_locked(self, state: LoginState, now: float) -> bool:
        """Locked while now < locked_until."""
        return now < state.locked_until

    def after_failure(self, state: LoginState, now: float) -> LoginState:
        """The state after a wrong password at `now`. Reaching `max_failures` locks the account
        until now + lock_seconds and restarts the count. A failure while locked changes nothing
        (the lock is not extended, so nobody can keep an account locked by trying more)."""
        if self.is_locked(state, now):
            return state
        failures = state.failures + 1
        if failures >= self.max_failures:
            return LoginState(failures=0, locked_until=now + self.lock_seconds)
        return LoginState(failures=failures, locked_until=state.locked_until)

    def after_success(self, state: LoginState) -> LoginState:
        """The state after a correct password (only ever checked when not locked): all cleared."""
        return LoginState()

    def locked_message(self, state: LoginState, now: float) -> str:
        """Japanese text for the screen with the minutes left (rounded up); "" when not locked."""
        if not self.is_locked(state, now):
            return ""
        minutes = max(1, math.ceil((state.locked_until - now) / 60))
        return (
            f"パスワードを{self.max_failures}回続けて間違えたため、このアカウントは{minutes}分間ロックされています。"
            "管理者に連絡するか、時間をおいてください"
        )
