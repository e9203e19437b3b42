"""The 券面入力補助AP (card-info input support application) of the My Number card: the My Number
and the 4 basic info (基本4情報: 氏名, 住所, 生年月日, 性別), unlocked by its 4-digit PIN
(券面事項入力補助用暗証番号, 3 tries).

    status = pin_status()                 # which reader, how many tries are left (no try used)
    info = read_card(pin)                 # one exclusive session: check tries, VERIFY, read

The remaining tries are asked before every VERIFY; a blocked PIN is never sent a VERIFY (that is
refused here, before the card sees it). The PIN is not kept, logged or put in an exception.

EF 0001: `FF 10 0C` + 12 ASCII digits (then filler). EF 0002: `FF 20 <len> { DF 21 header,
DF 22 name, DF 23 address, DF 24 birth date YYYYMMDD, DF 25 sex }` parsed by tag (newer cards
put more in front of the items); name and address are UTF-8, the sex is one JIS X 0303 digit.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Callable

from domain.checkdigits import is_valid_my_number
from domain.residents import Sex
from hardware import apdu, tlv
from hardware.connection import open_application
from hardware.errors import InvalidMyNumber, MalformedCardData
from hardware.iso import PinStatus, ReadStats, check_pin_format, read_file, tries_left, verify_pin

log = logging.getLogger(__name__)

AID = apdu.AID_CARD_INFO
EF_MY_NUMBER = 0x0001
EF_BASIC_INFO = 0x0002
EF_PIN = 0x0011  # 券面事項入力補助用暗証番号
PIN_MAX_TRIES = 3
TAG_MY_NUMBER = 0xFF10
TAG_BASIC_INFO = 0xFF20
TAG_HEADER, TAG_NAME, TAG_ADDRESS, TAG_BIRTH, TAG_SEX = 0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25


@dataclass(frozen=True)
class BasicInfo:
    """基本4情報 as the card holds them."""

    name: str  # 氏名 (氏と名の間は全角スペース)
    address: str  # 住所 (as printed on the card: full-width digits)
    birth_date: dt.date  # 生年月日 (西暦)
    sex: Sex  # 性別 (JIS X 0303)

    @property
    def family_name(self) -> str:
        return _split_name(self.name)[0]

    @property
    def given_name(self) -> str:
        return _split_name(self.name)[1]


def _split_name(name: str) -> tuple[str, str]:
    parts = re.split(r"[\u3000 ]+", name.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


@dataclass(frozen=True)
class CardInfo(BasicInfo):
    """What a read returns: the 4 basic info and the My Number (masked in repr and logs)."""

    my_number: str = field(default="", repr=False)
    reader: str = ""

    @property
    def masked_number(self) -> str:
        return "********" + self.my_number[-4:] if self.my_number else ""

    def __repr__(self) -> str:
        return f"CardInfo(reader={self.reader!r}, my_number={self.masked_number!r}, birth_date={self.birth_date}, sex={int(self.sex)})"


# -- parsing (pure: fuzzed by the tests) ---------------------------------------------------------


def parse_my_number(data: bytes) -> str:
    """EF 0001 → the 12-digit My Number; MalformedCardData / InvalidMyNumber when it is not one."""
    try:
        item = tlv.one(tlv.parse(data, padding=True), TAG_MY_NUMBER)
    except tlv.TlvError as e:
        raise MalformedCardData(f"EF 0001: {e}") from None
    digits = item.value
    if len(digits) != 12 or not all(0x30 <= b <= 0x39 for b in digits):
        raise MalformedCardData(f"EF 0001: value is {len(digits)} bytes, not 12 ASCII digits")
    number = digits.decode("ascii")
    if not is_valid_my_number(number):
        raise InvalidMyNumber("EF 0001: the My Number fails its check digit")
    return number


def _text(item: tlv.Tlv, what: str) -> str:
    try:
        text = item.value.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedCardData(f"EF 0002: {what} is not UTF-8 ({e.reason} at {e.start})") from None
    text = text.strip("\x00 ").strip()
    if not text:
        raise MalformedCardData(f"EF 0002: {what} is empty")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise MalformedCardData(f"EF 0002: {what} contains control characters")
    return text


def parse_basic_info(data: bytes) -> BasicInfo:
    """EF 0002 → the 4 basic info, by tag; MalformedCardData when any part is missing or wrong."""
    try:
        outer = tlv.one(tlv.parse(data, padding=True), TAG_BASIC_INFO)
        items = outer.children()
        name = tlv.one(items, TAG_NAME)
        address = tlv.one(items, TAG_ADDRESS)
        birth = tlv.one(items, TAG_BIRTH)
        sex = tlv.one(items, TAG_SEX)
    except tlv.TlvError as e:
        raise MalformedCardData(f"EF 0002: {e}") from None
    b = birth.value
    if len(b) != 8 or not all(0x30 <= c <= 0x39 for c in b):
        raise MalformedCardData(f"EF 0002: birth date is {len(b)} bytes, not YYYYMMDD")
    try:
        birth_date = dt.date(int(b[:4]), int(b[4:6]), int(b[6:8]))
    except ValueError:
        raise MalformedCardData("EF 0002: birth date is not a calendar date") from None
    if len(sex.value) != 1 or sex.value not in b"0129":
        raise MalformedCardData("EF 0002: sex is not one of the JIS X 0303 codes 0, 1, 2, 9")
    return BasicInfo(
        name=_text(name, "name"),
        address=_text(address, "address"),
        birth_date=birth_date,
        sex=Sex(int(sex.value)),
    )


# -- what the app calls --------------------------------------------------------------------------


def pin_status(reader: str | None = None) -> PinStatus:
    """The reader holding a My Number card and the card's remaining PIN tries (none used)."""
    with open_application(AID, reader) as session:
        return PinStatus(session.reader, tries_left(session, EF_PIN, PIN_MAX_TRIES))


def read_card(pin: str, reader: str | None = None, *, stats: ReadStats | None = None,
              clock: Callable[[], float] = time.perf_counter) -> CardInfo:
    """The My Number and the 4 basic info, in one exclusive session (VERIFY, then the reads).
    Raises a `hardware.errors.CardError` for every failure (wrong PIN with tries left, blocked,
    removed, not a My Number card, no reader…)."""
    check_pin_format(pin)
    session = open_application(AID, reader, clock=clock)
    try:
        verify_pin(session, pin, pin_ef=EF_PIN, max_tries=PIN_MAX_TRIES)
        number = parse_my_number(read_file(session, EF_MY_NUMBER, max_size=64))
        basic = parse_basic_info(read_file(session, EF_BASIC_INFO))
    finally:
        session.close()
        if stats is not None:
            stats.add(session)
    log.info("card read on %r (%d APDUs)", session.reader, session.apdus)
    return CardInfo(name=basic.name, address=basic.address, birth_date=basic.birth_date, sex=basic.sex,
                    my_number=number, reader=session.reader)
