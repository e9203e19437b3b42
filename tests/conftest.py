"""Shared fixtures: real encrypted caches in temporary folders."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import settings

# The screens' world (an embedded registry, an enrolled terminal) serves the UI, certificate and
# kiosk tests alike.
pytest_plugins = ("tests.support.world",)

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci")

TODAY = dt.date(2026, 11, 25)
OPERATOR = "clerk01"
PASSWORD = "正しいパスワード-2026"
FAST_SCRYPT = 2**10  # the slot format is the same; only the work factor is lower in tests


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def cache(tmp_path):
    from app.store.cache import Cache

    c = Cache.create(tmp_path / "cache", operator_id=OPERATOR, password=PASSWORD, device_key=b"d" * 32, scrypt_n=FAST_SCRYPT)
    yield c
    c.close()

# One pcscd with two virtual readers per test run, for tests/hardware and the desktop's card tests.
from tests.hardware.fixtures import _first_reader, _second_reader, card_reader, pcsc_stack, pki, second_reader  # noqa: E402,F401
