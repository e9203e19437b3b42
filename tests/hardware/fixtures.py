"""The real PC/SC stack for the tests: pcscd with two virtual readers, virtual My Number cards on
them, and a test CA — shared by tests/hardware and the desktop's card tests (tests/conftest.py
imports these fixtures, so there is one pcscd per test run).

    def test_x(card_reader):                       # reader 1 with a fresh demo card on it
        card_reader.card.log                       # what reached the card (no data)
    def test_y(card_reader, second_reader): ...    # reader 2, empty until a test puts a card on it

No test replaces pyscard: everything goes pyscard → pcscd → vpcd → the virtual card.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from smartcard import scard

from hardware import testca
from hardware.pcsc_stack import PcscStack
from hardware.virtual_card.card import VirtualCard
from hardware.virtual_card.profile import CardProfile, Pin, build_card
from hardware.virtual_card.vpcd import VpcdLink

NOW = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.timezone.utc)
PIN = "1234"
MY_NUMBER = "123456789018"
RESIDENT = dict(name="千葉\u3000花子", address="千葉県千葉市中央区千葉港１番１号", birth_date="1980-12-26", sex=2, my_number=MY_NUMBER)
PRESENCE_TIMEOUT = 5.0


def wait_for_card(reader: str, present: bool = True, timeout: float = PRESENCE_TIMEOUT) -> None:
    """Until PC/SC reports a card on (or gone from) `reader` (pcscd polls vpcd about every 0.4 s)."""
    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hr == scard.SCARD_S_SUCCESS
    try:
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            assert left > 0, f"card {'never came' if present else 'never left'} on {reader}"
            hr, states = scard.SCardGetStatusChange(context, left, [(reader, state)])
            if hr != scard.SCARD_S_SUCCESS:
                continue
            _, event, _ = states[0]
            if bool(event & scard.SCARD_STATE_PRESENT) == present and not event & scard.SCARD_STATE_MUTE:
                return
            state = event & ~scard.SCARD_STATE_CHANGED
    finally:
        scard.SCardReleaseContext(context)


@dataclass
class Pki:
    """The test CA and the certificates the tests need, as files."""

    directory: Path
    ca: testca.CaFolder
    card_key: Path
    card_cert: Path  # valid, serial 0x1001
    expired_cert: Path  # same key, expired
    revoked_cert: Path  # same key, on the CRL (serial 0x2002)
    untrusted_cert: Path  # same key, issued by another CA
    other_key: Path  # a key that is not the certificate's (the signature will not verify)

    def profile(self, **changes) -> CardProfile:
        base = dict(RESIDENT, jpki_key=str(self.card_key), jpki_certificate=str(self.card_cert),
                    jpki_ca_certificate=str(self.ca.cert_path), card_info=Pin(PIN, 3), jpki_auth=Pin(PIN, 3))
        base.update(changes)
        return CardProfile(**base)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    ca = testca.make_test_ca(d / "ca", now=NOW)
    issued = ca.load()
    key = testca.new_key()
    testca.write_key(d / "card.key.pem", key)

    def cert(name: str, issuer: testca.Issued, serial: int, **kw) -> Path:
        path = d / f"{name}.pem"
        testca.write_cert(path, testca.issue_auth_certificate(issuer, key.public_key(), now=NOW, serial=serial, **kw))
        return path

    good = cert("card", issued, 0x1001)
    expired = cert("expired", issued, 0x1002, not_before=NOW - dt.timedelta(days=2000), days=1800)
    revoked = cert("revoked", issued, 0x2002)
    ca.revoke(0x2002, now=NOW)
    stranger = testca.make_ca(now=NOW, name="Some Other CA")
    untrusted = cert("untrusted", stranger, 0x3003)
    testca.write_key(d / "other.key.pem", testca.new_key())
    return Pki(d, ca, d / "card.key.pem", good, expired, revoked, untrusted, d / "other.key.pem")


@pytest.fixture(scope="session")
def pcsc_stack():
    stack = PcscStack().start()
    yield stack
    stack.stop()


@dataclass
class VirtualReader:
    """One virtual reader and the card link on it."""

    stack: PcscStack
    reader: str
    port: int
    link: VpcdLink
    default: CardProfile | None = None
    history: list = field(default_factory=list)

    @property
    def card(self) -> VirtualCard:
        return self.link.card

    def put(self, card: VirtualCard) -> VirtualCard:
        """Put `card` on the reader (a swap when a card with the same ATR is on it already)."""
        if self.link.inserted and self.link.connected.is_set() and self.link.card.atr == card.atr:
            self.link.card = card
            card.power_on()
            return card
        self.take_away()
        self.link.insert(card)
        assert self.link.wait_connected(PRESENCE_TIMEOUT), "vpcd did not take the card"
        wait_for_card(self.reader, True)
        return card

    def take_away(self) -> None:
        if self.link.inserted or self.link.connected.is_set():
            self.link.remove()
            wait_for_card(self.reader, False)


def _reader(stack: PcscStack, index: int, card: VirtualCard | None):
    with stack.lease(index, timeout=30) as slot:
        # whoever had this reader before (a subprocess's card…) has gone: wait until pcscd knows
        wait_for_card(slot.reader, False)
        link = VpcdLink(card or VirtualCard([]), slot.port)
        if card is None:
            link.remove()
        link.start()
        vr = VirtualReader(stack, slot.reader, slot.port, link)
        if card is not None:
            assert link.wait_connected(PRESENCE_TIMEOUT)
            wait_for_card(slot.reader, True)
        try:
            yield vr
        finally:
            was_there = link.connected.is_set()
            link.stop()
            if was_there:  # the next user of this reader must not see this card's last state
                wait_for_card(slot.reader, False)


# The readers are leased per test module, pcscd per run: between modules (test_bench's own
# `madoguchi bench`, say) another process can take a reader of the same pcscd.
@pytest.fixture(scope="module")
def _first_reader(pcsc_stack, pki):
    yield from _reader(pcsc_stack, 0, build_card(pki.profile()))


@pytest.fixture(scope="module")
def _second_reader(pcsc_stack):
    yield from _reader(pcsc_stack, 1, None)


@pytest.fixture
def card_reader(_first_reader, _second_reader, pki) -> VirtualReader:
    """Reader 1 with a fresh card of the test resident (PINs 1234, 3 tries), reader 2 empty."""
    _second_reader.take_away()
    _first_reader.put(build_card(pki.profile()))
    yield _first_reader
    _first_reader.card.fault = None


@pytest.fixture
def second_reader(_second_reader) -> VirtualReader:
    yield _second_reader
    _second_reader.take_away()
