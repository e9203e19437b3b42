"""The parsers of what a card returns: BER-TLV, EF 0001 (My Number), EF 0002 (4 basic info), and
the APDUs. Whatever bytes a card sends, the result is the data or a clear error — fuzzed."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from domain.residents import Sex
from hardware import apdu, tlv
from hardware.errors import InvalidMyNumber, MalformedCardData
from hardware.mynumber import parse_basic_info, parse_my_number
from hardware.virtual_card.profile import basic_info_file, my_number_file

GOOD = basic_info_file("髙橋\u3000𠮷子", "東京都千代田区千代田１番１号\u3000千代田ハイツ１０１", dt.date(1957, 2, 28), 9)


def test_a_well_formed_file():
    info = parse_basic_info(GOOD)
    assert info.name == "髙橋\u3000𠮷子" and (info.family_name, info.given_name) == ("髙橋", "𠮷子")
    assert info.address.endswith("千代田ハイツ１０１")
    assert (info.birth_date, info.sex) == (dt.date(1957, 2, 28), Sex.NOT_APPLICABLE)
    assert parse_my_number(my_number_file("123456789018")) == "123456789018"


def test_tlv_lengths_in_every_form():
    for n in (0, 1, 127, 128, 255, 256, 4000):
        value = bytes(range(256)) * (n // 256) + bytes(range(n % 256))
        (item,) = tlv.parse(tlv.encode(0xDF22, value))
        assert (item.tag, item.value) == (0xDF22, value)
    # non-minimal length forms are BER: accepted
    assert tlv.parse(bytes.fromhex("DF2281020102"))[0].value == b"\x01\x02"
    assert tlv.parse(bytes.fromhex("DF228200020102"))[0].value == b"\x01\x02"


@pytest.mark.parametrize("raw, reason", [
    ("DF", "cut off"),
    ("DF22", "missing"),
    ("DF2205AABB", "says 5 bytes"),
    ("DF2280AABB00", "indefinite"),
    ("DF2284000000010A", "4 bytes"),
    ("DF2281", "cut off"),
    ("FFFFFFFF20", "longer than"),
])
def test_tlv_errors_say_what_is_wrong(raw, reason):
    with pytest.raises(tlv.TlvError) as e:
        tlv.parse(bytes.fromhex(raw))
    assert reason in str(e.value)


def test_filler_after_the_content_is_skipped_but_not_in_front_of_a_tag():
    data = tlv.encode(0xFF10, b"x") + b"\xff\xff\x00\xff"
    assert [t.tag for t in tlv.parse(data, padding=True)] == [0xFF10]
    with pytest.raises(tlv.TlvError):
        tlv.parse(data)  # without padding the filler is a (broken) TLV


def test_header_length_tells_how_much_to_read():
    data = tlv.encode(0xFF20, bytes(300))
    assert tlv.header_length(data[:2]) is None
    assert tlv.header_length(data[:3]) is None  # 82 needs two more bytes
    assert tlv.header_length(data[:8]) == len(data)


def test_repeated_items_are_refused():
    body = tlv.encode(0xDF22, "甲".encode()) * 2 + tlv.encode(0xDF23, "乙".encode()) + tlv.encode(0xDF24, b"20000101") + tlv.encode(0xDF25, b"1")
    with pytest.raises(MalformedCardData, match="appears 2 times"):
        parse_basic_info(tlv.encode(0xFF20, body))


@pytest.mark.parametrize("number, error", [
    (b"12345678901", MalformedCardData),
    ("1234567890１".encode(), MalformedCardData),
    (b"123456789012", InvalidMyNumber),
])
def test_my_number_errors(number, error):
    with pytest.raises(error):
        parse_my_number(tlv.encode(0xFF10, number))


@given(st.binary(max_size=400))
def test_tlv_parser_fuzz_only_raises_tlv_error(data):
    for padding in (False, True):
        try:
            items = tlv.parse(data, padding=padding)
        except tlv.TlvError:
            continue
        assert sum(len(t.value) for t in items) <= len(data)
        for t in items:
            if t.constructed:
                try:
                    t.children()
                except tlv.TlvError:
                    pass


@given(st.binary(max_size=400))
def test_basic_info_parser_fuzz_random_bytes(data):
    for parse in (parse_basic_info, parse_my_number):
        try:
            parse(data)
        except MalformedCardData as e:
            assert e.message


@st.composite
def damaged(draw):
    """The good file cut short, with bytes replaced, inserted or removed."""
    data = bytearray(GOOD)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "set", "insert", "delete"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "cut":
            del data[i:]
        elif kind == "set":
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[i]
    return bytes(data)


@given(damaged())
def test_basic_info_parser_fuzz_damaged_files(data):
    try:
        info = parse_basic_info(data)
    except MalformedCardData as e:
        assert e.message
        return
    assert info.name and info.address and isinstance(info.birth_date, dt.date)


@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip("\x00 ").strip() and all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in s)),
       st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)), st.sampled_from([0, 1, 2, 9]))
def test_what_the_card_writes_is_what_is_read(name, birth, sex):
    info = parse_basic_info(basic_info_file(name, "千葉市", birth, sex))
    assert (info.name, info.birth_date, int(info.sex)) == (name.strip("\x00 ").strip(), birth, sex)


@given(st.binary(max_size=300))
def test_command_apdus_parse_or_refuse(raw):
    try:
        c = apdu.parse_command(raw)
    except ValueError:
        return
    assert apdu.parse_command(c.to_bytes()) == c


def test_a_verify_shows_no_pin():
    c = apdu.verify(b"4321")
    assert "4321" not in repr(c) and "34333231" not in repr(c).lower()
    assert apdu.describe(c.to_bytes()) == "VERIFY 0080"
