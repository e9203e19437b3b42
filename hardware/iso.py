"""ISO/IEC 7816-4 file and PIN operations both applications of the card use: SELECT an EF, read
a TLV-structured EF whole, ask a PIN's remaining tries, VERIFY a PIN.

Every VERIFY is preceded by an empty VERIFY that asks the tries left (it uses none): a blocked
PIN is refused here and the card never sees another VERIFY. The PIN's bytes are wiped from the
buffer they were sent from; nothing keeps them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hardware import apdu, tlv
from hardware.connection import CardSession
from hardware.errors import (
    CardCommunicationError,
    NotMyNumberCard,
    PinBlocked,
    PinFormatError,
    WrongPin,
)

HEAD_BYTES = 8  # enough for any TLV header a file can start with
CHUNK = 256

_PIN = re.compile(r"[0-9]{4}")


def check_pin_format(pin: str) -> None:
    """PinFormatError unless `pin` is exactly 4 ASCII digits (nothing is sent otherwise)."""
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise PinFormatError("the PIN typed is not 4 digits (not sent)")


@dataclass(frozen=True)
class PinStatus:
    """Which reader holds the card, and how many tries its PIN has left (0: blocked)."""

    reader: str
    tries_left: int

    @property
    def blocked(self) -> bool:
        return self.tries_left <= 0

    @property
    def last_try(self) -> bool:
        return self.tries_left == 1


@dataclass
class ReadStats:
    """How a card session went, for the benchmark: APDUs sent and the time spent transmitting."""

    apdus: int = 0
    transmit_seconds: float = 0.0

    def add(self, session: CardSession) -> None:
        self.apdus += session.apdus
        self.transmit_seconds += session.transmit_seconds


def _check(r: apdu.Response, what: str) -> None:
    if not r.ok:
        raise CardCommunicationError(f"{what} answered {r.sw:04X}")


def select_ef(session: CardSession, fid: int) -> None:
    r = session.transmit(apdu.select_ef(fid))
    if r.sw == apdu.SW_FILE_NOT_FOUND:
        raise NotMyNumberCard(f"EF {fid:04X} not found in the application")
    _check(r, f"SELECT EF {fid:04X}")


def tries_left(session: CardSession, pin_ef: int, max_tries: int) -> int:
    """The PIN's remaining tries (an empty VERIFY: no try is used). 0 when blocked."""
    select_ef(session, pin_ef)
    r = session.transmit(apdu.verify_status())
    if apdu.is_wrong_pin(r.sw):
        return r.sw & 0x0F
    if r.sw in apdu.PIN_BLOCKED_SWS:
        return 0
    if r.ok:  # already verified in this session
        return max_tries
    raise CardCommunicationError(f"VERIFY (status) answered {r.sw:04X}")


def verify_pin(session: CardSession, pin: str, *, pin_ef: int, max_tries: int, what: str = "暗証番号") -> None:
    """Asks the card for the tries left, refuses a blocked PIN without a VERIFY, then VERIFY.
    WrongPin (tries left) / PinBlocked / PinFormatError. The PIN is not kept."""
    check_pin_format(pin)
    left = tries_left(session, pin_ef, max_tries)
    if left <= 0:
        raise PinBlocked(f"PIN EF {pin_ef:04X} is blocked; no VERIFY sent")
    data = bytearray(pin.encode("ascii"))
    try:
        r = session.transmit(apdu.verify(data))
    finally:
        data[:] = b"\x00" * len(data)
    if r.ok:
        return
    if apdu.is_wrong_pin(r.sw):
        left = r.sw & 0x0F
        if left == 0:
            raise PinBlocked(f"wrong PIN for EF {pin_ef:04X}; that was the last try")
        raise WrongPin(left, what)
    if r.sw in apdu.PIN_BLOCKED_SWS:
        raise PinBlocked(f"PIN EF {pin_ef:04X} is blocked")
    raise CardCommunicationError(f"VERIFY answered {r.sw:04X}")


def read_file(session: CardSession, fid: int, *, max_size: int = 0x7FFF) -> bytes:
    """The content of a TLV-structured EF: its header first, then exactly the rest, in chunks.
    Data that never forms a TLV header is returned as read (the parser then says what is wrong)."""
    select_ef(session, fid)
    head = _read(session, 0, HEAD_BYTES)
    try:
        total = tlv.header_length(head)
    except tlv.TlvError:
        return head
    if total is None or total > max_size:
        return head
    data = bytearray(head[:total])
    while len(data) < total:
        part = _read(session, len(data), min(CHUNK, total - len(data)))
        if not part:
            break
        data += part
    return bytes(data)


def _read(session: CardSession, offset: int, length: int) -> bytes:
    r = session.transmit(apdu.read_binary(offset, length))
    if r.ok or r.sw == apdu.SW_END_OF_FILE:
        return r.data
    if r.sw == apdu.SW_OFFSET_BEYOND_END:
        return b""
    if r.sw == apdu.SW_SECURITY_NOT_SATISFIED:
        raise CardCommunicationError("READ BINARY before the PIN was verified (6982)")
    raise CardCommunicationError(f"READ BINARY answered {r.sw:04X}")
