"""The card: applications (DFs selected by AID), their elementary files, PIN counters that survive
power cycles, a verified state that does not, and the status words a My Number card answers with
(see /work/shared/reference/mynumber-card.md and `hardware.apdu`).

    card = VirtualCard([DedicatedFile(AID, {0x0011: PinFile(b"1234", 3), 0x0001: BinaryFile(data, pin=0x0011)})])
    card.power_on()
    answer = card.process(bytes.fromhex("00A4040C0A D3921000310001010408"))

What the card logs (`card.log`) is each command's header, its data length and the status word —
never the data, so a VERIFY's PIN is nowhere. Tests use it to see which commands reached the card
(a blocked PIN must never get another VERIFY). A `fault` hook lets a test pull the card out in the
middle of a command sequence.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from hardware import apdu
from hardware.apdu import Command, Response

# The contact ATR of a My Number card (OpenSC's card-jpki.c knows it); clients must not rely on it.
MY_NUMBER_ATR = bytes.fromhex("3BE000FF8131FE4514")

REMOVE_BEFORE = "remove-before"  # the card leaves before answering this command
REMOVE_AFTER = "remove-after"  # the card answers, then leaves


def atr_with_tck(body_hex: str) -> bytes:
    """An ATR with its check byte appended (XOR of every byte after TS)."""
    body = bytes.fromhex(body_hex)
    tck = 0
    for b in body[1:]:
        tck ^= b
    return body + bytes((tck,))


@dataclass
class BinaryFile:
    data: bytes
    pin: int | None = None  # the PIN EF (same DF) that must be verified before a READ


@dataclass
class PinFile:
    secret: bytes = field(repr=False)
    max_tries: int
    tries: int | None = None  # remaining; starts at max_tries

    def __post_init__(self) -> None:
        if self.tries is None:
            self.tries = self.max_tries


@dataclass
class KeyFile:
    key: rsa.RSAPrivateKey = field(repr=False)
    pin: int  # the PIN EF that must be verified before the key signs


@dataclass
class DedicatedFile:
    aid: bytes
    files: dict[int, BinaryFile | PinFile | KeyFile]


@dataclass(frozen=True)
class Logged:
    """One command as the card saw it (no data)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data_length: int
    sw: int | None  # None: the card left before answering

    @property
    def name(self) -> str:
        return apdu.INS_NAMES.get(self.ins, f"INS {self.ins:02X}")


def sign_digest_info(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """RSA with EMSA-PKCS1-v1_5 padding over `data` as given (a DigestInfo), like the card."""
    prefixes = {
        apdu_prefix: algorithm
        for apdu_prefix, algorithm in (
            (bytes.fromhex("3031300d060960864801650304020105000420"), hashes.SHA256()),
            (bytes.fromhex("3041300d060960864801650304020205000430"), hashes.SHA384()),
            (bytes.fromhex("3051300d060960864801650304020305000440"), hashes.SHA512()),
            (bytes.fromhex("3021300906052b0e03021a05000414"), hashes.SHA1()),
        )
    }
    for prefix, algorithm in prefixes.items():
        if data.startswith(prefix) and len(data) == len(prefix) + algorithm.digest_size:
            return key.sign(data[len(prefix):], padding.PKCS1v15(), utils.Prehashed(algorithm))
    # Any other data: pad and exponentiate here (CRT), as the card would.
    numbers = key.private_numbers()
    k = (key.key_size + 7) // 8
    if len(data) > k - 11:
        raise ValueError("data too long for the key")
    em = b"\x00\x01" + b"\xff" * (k - 3 - len(data)) + b"\x00" + data
    m = int.from_bytes(em, "big")
    p, q = numbers.p, numbers.q
    s1 = pow(m, numbers.dmp1, p)
    s2 = pow(m, numbers.dmq1, q)
    h = (numbers.iqmp * (s1 - s2)) % p
    return (s2 + h * q).to_bytes(k, "big")


class VirtualCard:
    """A card with applications; `process` answers one command APDU (bytes in, bytes out)."""

    def __init__(self, applications: list[DedicatedFile], *, atr: bytes = MY_NUMBER_ATR, label: str = ""):
        self.applications = {df.aid: df for df in applications}
        self.atr = atr
        self.label = label
        self.log: list[Logged] = []
        self.fault: Callable[[Command], str | None] | None = None
        self.lock = threading.Lock()
        self.busy_seconds = 0.0  # time spent answering commands (benchmarks: the card's share)
        self.power_on()

    # -- volatile state -----------------------------------------------------------------------
    def power_on(self) -> None:
        """Power up or reset: nothing selected, no PIN verified (PIN counters are kept)."""
        self.current_df: DedicatedFile | None = None
        self.current_ef: int | None = None
        self.verified: set[tuple[bytes, int]] = set()

    def pin_file(self, aid: bytes, fid: int) -> PinFile:
        f = self.applications[aid].files[fid]
        assert isinstance(f, PinFile)
        return f

    def commands(self, ins: int | None = None) -> list[Logged]:
        with self.lock:
            return [c for c in self.log if ins is None or c.ins == ins]

    # -- commands -----------------------------------------------------------------------------
    def process(self, raw: bytes) -> tuple[bytes | None, str | None]:
        """(the response, or None when the card leaves first; a fault action or None)."""
        try:
            command = apdu.parse_command(raw)
        except ValueError:
            return Response(b"", apdu.SW_WRONG_LENGTH).to_bytes(), None
        action = self.fault(command) if self.fault is not None else None
        if action == REMOVE_BEFORE:
            self._log(command, None)
            return None, action
        started = time.perf_counter()
        response = self._dispatch(command)
        self.busy_seconds += time.perf_counter() - started
        self._log(command, response.sw)
        return response.to_bytes(), action

    def _log(self, c: Command, sw: int | None) -> None:
        with self.lock:
            self.log.append(Logged(c.cla, c.ins, c.p1, c.p2, len(c.data), sw))

    def _dispatch(self, c: Command) -> Response:
        if c.cla not in (0x00, 0x80):
            return Response(b"", apdu.SW_CLA_NOT_SUPPORTED)
        if c.cla == 0x00:
            handler = {apdu.INS_SELECT: self._select, apdu.INS_READ_BINARY: self._read, apdu.INS_VERIFY: self._verify}.get(c.ins)
        else:
            handler = {apdu.INS_COMPUTE_SIGNATURE: self._sign}.get(c.ins)
        if handler is None:
            return Response(b"", apdu.SW_INS_NOT_SUPPORTED)
        return handler(c)

    @staticmethod
    def _sw(sw: int, data: bytes = b"") -> Response:
        return Response(data, sw)

    def _select(self, c: Command) -> Response:
        if c.p2 not in (0x00, 0x0C):
            return self._sw(apdu.SW_WRONG_P1P2)
        if c.p1 == 0x04:
            df = self.applications.get(c.data)
            if df is None:
                return self._sw(apdu.SW_FILE_NOT_FOUND)
            self.current_df, self.current_ef = df, None
            self.verified.clear()  # a PIN's verified state belongs to its application
            return self._sw(apdu.SW_OK)
        if c.p1 in (0x00, 0x02):
            if len(c.data) != 2:
                return self._sw(apdu.SW_WRONG_LENGTH)
            fid = int.from_bytes(c.data, "big")
            if c.p1 == 0x00 and fid == 0x3F00:
                self.current_df, self.current_ef = None, None
                self.verified.clear()
                return self._sw(apdu.SW_OK)
            if self.current_df is None or fid not in self.current_df.files:
                return self._sw(apdu.SW_FILE_NOT_FOUND)
            self.current_ef = fid
            return self._sw(apdu.SW_OK)
        return self._sw(apdu.SW_WRONG_P1P2)

    def _is_verified(self, pin_fid: int) -> bool:
        return self.current_df is not None and (self.current_df.aid, pin_fid) in self.verified

    def _read(self, c: Command) -> Response:
        if c.data:
            return self._sw(apdu.SW_WRONG_LENGTH)
        if c.p1 & 0x80:  # short EF identifier in P1, offset in P2
            fid = c.p1 & 0x1F
            if self.current_df is None or fid not in self.current_df.files:
                return self._sw(apdu.SW_FILE_NOT_FOUND)
            self.current_ef = fid
            offset = c.p2
        else:
            offset = (c.p1 << 8) | c.p2
        if self.current_df is None or self.current_ef is None:
            return self._sw(apdu.SW_NO_CURRENT_EF)
        f = self.current_df.files[self.current_ef]
        if not isinstance(f, BinaryFile):
            return self._sw(apdu.SW_INCOMPATIBLE_FILE)
        if f.pin is not None and not self._is_verified(f.pin):
            return self._sw(apdu.SW_SECURITY_NOT_SATISFIED)
        if offset >= len(f.data):
            return self._sw(apdu.SW_OFFSET_BEYOND_END)
        wanted = c.le if c.le is not None else apdu.MAX_SHORT_LE
        part = f.data[offset:offset + wanted]
        return self._sw(apdu.SW_OK if len(part) == wanted else apdu.SW_END_OF_FILE, part)

    def _verify(self, c: Command) -> Response:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return self._sw(apdu.SW_WRONG_P1P2)
        if self.current_df is None or self.current_ef is None:
            return self._sw(apdu.SW_NO_CURRENT_EF)
        f = self.current_df.files[self.current_ef]
        if not isinstance(f, PinFile):
            return self._sw(apdu.SW_REFERENCE_NOT_FOUND)
        key = (self.current_df.aid, self.current_ef)
        if f.tries <= 0:
            return self._sw(apdu.SW_REFERENCE_DATA_UNUSABLE)
        if not c.data:  # how many tries are left (none used)
            return self._sw(apdu.SW_OK if key in self.verified else 0x63C0 | f.tries)
        if c.data == f.secret:
            f.tries = f.max_tries
            self.verified.add(key)
            return self._sw(apdu.SW_OK)
        f.tries -= 1
        self.verified.discard(key)
        return self._sw(0x63C0 | f.tries)

    def _sign(self, c: Command) -> Response:
        if c.p1 != 0x00 or c.p2 != 0x80:
            return self._sw(apdu.SW_WRONG_P1P2)
        if self.current_df is None or self.current_ef is None:
            return self._sw(apdu.SW_NO_CURRENT_EF)
        f = self.current_df.files[self.current_ef]
        if not isinstance(f, KeyFile):
            return self._sw(apdu.SW_INCOMPATIBLE_FILE)
        if not self._is_verified(f.pin):
            return self._sw(apdu.SW_SECURITY_NOT_SATISFIED)
        if not c.data:
            return self._sw(apdu.SW_WRONG_LENGTH)
        try:
            signature = sign_digest_info(f.key, c.data)
        except ValueError:
            return self._sw(apdu.SW_WRONG_LENGTH)
        return self._sw(apdu.SW_OK, signature)
