"""Operator passwords: Argon2id hashing, password rules, lockout."""
from __future__ import annotations

import time

import argon2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.passwords import LockoutPolicy, LoginState, PasswordHasher, check_password_rules

PASSWORD = "正しいパスワード-2026"


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher.for_tests()


@pytest.fixture(scope="module")
def stored(hasher) -> str:
    return hasher.hash(PASSWORD)


# --- hashing ---------------------------------------------------------------------------------


def test_hash_and_verify(hasher, stored):
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert hasher.verify(stored, PASSWORD)


def test_salted(hasher, stored):
    assert hasher.hash(PASSWORD) != stored


@pytest.mark.parametrize("attempt", ["正しいパスワード-2025", "", "正しいパスワード-2026 ", "正しいパスワード－2026"])
def test_wrong_password(hasher, stored, attempt):
    assert hasher.verify(stored, attempt) is False


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "$argon2id$",
        "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=1024,t=1,p=1$!!!$!!!",
        "$2b$12$abcdefghijklmnopqrstuuJ3jXK7ZbGq3Z2a1ZyOZrRZ2y1Lq5wK",  # bcrypt
        None,
        b"$argon2id$",
        12,
    ],
)
def test_garbage_hash_never_raises(hasher, garbage):
    assert hasher.verify(garbage, PASSWORD) is False  # type: ignore[arg-type]


def test_non_text_password_is_false(hasher, stored):
    assert hasher.verify(stored, None) is False  # type: ignore[arg-type]


def test_hash_with_huge_parameters_is_refused_without_running(hasher, stored):
    head, salt, digest = stored.rsplit("$", 2)
    huge = f"$argon2id$v=19$m=4194304,t=1,p=1${salt}${digest}"
    start = time.perf_counter()
    assert hasher.verify(huge, PASSWORD) is False
    assert time.perf_counter() - start < 0.5
    assert hasher.verify(f"$argon2id$v=19$m=1024,t=100000,p=1${salt}${digest}", PASSWORD) is False


@given(st.text(max_size=200))
def test_random_hash_text_never_raises(hasher, garbage):
    assert hasher.verify(garbage, PASSWORD) is False


def test_defaults_are_owasp():
    h = PasswordHasher()
    assert (h.time_cost, h.memory_cost, h.parallelism) == (2, 19456, 1)
    assert argon2.extract_parameters(h.hash("x" * 12)).type is argon2.Type.ID


def test_needs_rehash(hasher, stored):
    assert hasher.needs_rehash(stored) is False
    assert PasswordHasher().needs_rehash(stored) is True
    assert PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1).needs_rehash(stored) is True
    assert hasher.needs_rehash("garbage") is True
    assert hasher.needs_rehash(None) is True  # type: ignore[arg-type]


def test_other_argon2_variant_verifies_but_needs_rehash(hasher):
    argon2i = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.I).hash(PASSWORD)
    assert hasher.verify(argon2i, PASSWORD)
    assert hasher.needs_rehash(argon2i)


def test_hash_refuses_non_text(hasher):
    with pytest.raises(TypeError):
        hasher.hash(b"bytes")  # type: ignore[arg-type]


# --- password rules --------------------------------------------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "correct-horse-battery", "Madoguchi2026", "まどぐち窓口2026ねん", "ab12cd34ef56"])
def test_good_passwords(password):
    assert check_password_rules(password, "clerk01") == []


def test_too_short():
    problems = check_password_rules("Ab1-xyz", "clerk01")
    assert problems == ["パスワードは12文字以上にしてください（いまは7文字です）"]


def test_length_counts_characters_not_bytes():
    assert check_password_rules("窓口窓口窓口窓口1234", "clerk01") == []  # 12 characters, 28 bytes
    assert check_password_rules("窓口窓口窓口窓口123", "clerk01") == ["パスワードは12文字以上にしてください（いまは11文字です）"]


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaaa", "1111111111111111", "ああああああああああああ"])
def test_one_repeated_character(password):
    assert check_password_rules(password, "clerk01") == ["同じ文字を繰り返しただけのパスワードは使えません"]


@pytest.mark.parametrize("password", ["123456789012", "１２３４５６７８９０１２", "correcthorsebattery", "すみれいろのそらとうみべ"])
def test_one_character_class(password):
    assert check_password_rules(password, "clerk01") == ["英大文字・英小文字・数字・記号・かな漢字のうち、2種類以上を組み合わせてください"]


@pytest.mark.parametrize("password", ["clerk01", "CLERK01", "ｃｌｅｒｋ０１", "clerk01-2026-spring", "My-clerk01-pw"])
def test_operator_id(password):
    assert "パスワードに操作者IDを使わないでください" in check_password_rules(password, "clerk01")


def test_short_operator_id_is_only_refused_whole():
    assert check_password_rules("ab-Madoguchi2026", "ab") == []
    assert "パスワードに操作者IDを使わないでください" in check_password_rules("ab", "ab")


def test_every_problem_is_listed():
    assert len(check_password_rules("clerk", "clerk")) == 3


# --- lockout ---------------------------------------------------------------------------------

POLICY = LockoutPolicy()
T0 = 1_795_000_000.0


def fail(state: LoginState, times: int, now: float, policy: LockoutPolicy = POLICY) -> LoginState:
    for _ in range(times):
        state = policy.after_failure(state, now)
    return state


def test_defaults():
    assert (POLICY.max_failures, POLICY.lock_seconds) == (5, 900)
    assert LoginState() == LoginState(failures=0, locked_until=0.0)


def test_four_failures_do_not_lock_the_fifth_does():
    state = fail(LoginState(), 4, T0)
    assert state.failures == 4 and not POLICY.is_locked(state, T0)
    state = POLICY.after_failure(state, T0 + 1)
    assert POLICY.is_locked(state, T0 + 1)
    assert state.locked_until == T0 + 1 + 900


def test_lock_lasts_exactly_lock_seconds():
    state = fail(LoginState(), 5, T0)
    assert POLICY.is_locked(state, T0 + 899.999)
    assert not POLICY.is_locked(state, T0 + 900)


def test_success_resets_the_count():
    state = POLICY.after_success(fail(LoginState(), 4, T0))
    assert state == LoginState()
    state = fail(state, 4, T0 + 10)
    assert not POLICY.is_locked(state, T0 + 10)


def test_failures_while_locked_change_nothing():
    locked = fail(LoginState(), 5, T0)
    assert fail(locked, 10, T0 + 100) == locked


def test_count_restarts_after_a_lock():
    state = fail(LoginState(), 5, T0)
    state = POLICY.after_failure(state, T0 + 900)
    assert not POLICY.is_locked(state, T0 + 900) and state.failures == 1
    state = fail(state, 3, T0 + 901)
    assert not POLICY.is_locked(state, T0 + 901)
    state = POLICY.after_failure(state, T0 + 902)
    assert POLICY.is_locked(state, T0 + 902)


def test_locked_message():
    state = fail(LoginState(), 5, T0)
    assert POLICY.locked_message(state, T0 + 60) == (
        "パスワードを5回続けて間違えたため、このアカウントは14分間ロックされています。管理者に連絡するか、時間をおいてください"
    )
    assert "15分間" in POLICY.locked_message(state, T0)
    assert "1分間" in POLICY.locked_message(state, T0 + 899.5)
    assert POLICY.locked_message(state, T0 + 900) == ""
    assert POLICY.locked_message(LoginState(), T0) == ""
    assert "3回" in LockoutPolicy(max_failures=3).locked_message(fail(LoginState(), 3, T0, LockoutPolicy(max_failures=3)), T0)


def test_policy_checks_its_parameters():
    with pytest.raises(ValueError):
        LockoutPolicy(max_failures=0)
    with pytest.raises(ValueError):
        LockoutPolicy(lock_seconds=0)


_EVENTS = st.lists(
    st.tuples(st.sampled_from(["failure", "success"]), st.floats(min_value=0, max_value=1200, allow_nan=False)),
    max_size=60,
)


@given(events=_EVENTS, max_failures=st.integers(min_value=1, max_value=6), lock_seconds=st.integers(min_value=1, max_value=1000))
def test_lockout_sequences(events, max_failures, lock_seconds):
    """A login server: attempts while locked are refused unchecked; otherwise the password is
    checked and the state updated. Never locked before `max_failures` consecutive failures;
    once locked, locked for exactly `lock_seconds` from the failure that locked it."""
    policy = LockoutPolicy(max_failures=max_failures, lock_seconds=lock_seconds)
    state = LoginState()
    now = T0
    consecutive = 0  # failures since the last success or the last lock
    lock_started: float | None = None
    for kind, elapsed in events:
        now += elapsed
        locked = policy.is_locked(state, now)
        # Locked exactly while lock_started <= now < lock_started + lock_seconds.
        assert locked == (lock_started is not None and now < lock_started + lock_seconds)
        if locked:
            assert state.locked_until == lock_started + lock_seconds
            assert policy.is_locked(state, state.locked_until - 1e-3)
            assert not policy.is_locked(state, state.locked_until)
            assert policy.locked_message(state, now)
            continue  # refused without checking the password
        assert policy.locked_message(state, now) == ""
        if kind == "success":
            state = policy.after_success(state)
            consecutive = 0
        else:
            state = policy.after_failure(state, now)
            consecutive += 1
            if consecutive == max_failures:
                lock_started, consecutive = now, 0
        assert policy.is_locked(state, now) == (lock_started == now)
        if consecutive < max_failures and lock_started != now:
            assert not policy.is_locked(state, now)
