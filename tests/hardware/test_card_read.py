"""Reading a My Number card's 券面入力補助AP through the real stack (pyscard → pcscd → vpcd → the
virtual card): the right PIN, wrong PINs down to a blocked card, a card pulled out mid-read, a
card that is not a My Number card, two readers, damaged data."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from domain.residents import Sex
from hardware import apdu, mynumber, tlv
from hardware.connection import CardSession
from hardware.errors import (
    CardInUse,
    CardRemoved,
    InvalidMyNumber,
    MalformedCardData,
    NoCard,
    NotMyNumberCard,
    PinBlocked,
    PinFormatError,
    ReaderUnplugged,
    SeveralCards,
    WrongPin,
)
from hardware.virtual_card.card import REMOVE_AFTER, REMOVE_BEFORE, atr_with_tck
from hardware.virtual_card.profile import Pin, basic_info_file, build_card
from tests.hardware.fixtures import MY_NUMBER, PIN, wait_for_card


def verifies_with_pin(card) -> list:
    return [c for c in card.commands(apdu.INS_VERIFY) if c.data_length > 0]


def test_the_right_pin_reads_the_number_and_the_four_basic_info(card_reader):
    stats = mynumber.ReadStats()
    info = mynumber.read_card(PIN, stats=stats)
    assert info.my_number == MY_NUMBER
    assert (info.name, info.family_name, info.given_name) == ("千葉\u3000花子", "千葉", "花子")
    assert info.address == "千葉県千葉市中央区千葉港１番１号"
    assert info.birth_date == dt.date(1980, 12, 26)
    assert info.sex is Sex.FEMALE
    assert info.reader == card_reader.reader
    assert MY_NUMBER not in repr(info) and info.masked_number == "********9018"
    # one session: SELECT AP, tries, VERIFY, two EFs read header-first
    names = [c.name for c in card_reader.card.log]
    assert names == ["SELECT", "SELECT", "VERIFY", "VERIFY", "SELECT", "READ BINARY", "READ BINARY", "SELECT", "READ BINARY", "READ BINARY"]
    assert stats.apdus == len(names) and stats.transmit_seconds > 0


def test_the_remaining_tries_are_asked_without_using_one(card_reader):
    assert mynumber.pin_status() == mynumber.PinStatus(card_reader.reader, 3)
    assert mynumber.pin_status().tries_left == 3
    assert verifies_with_pin(card_reader.card) == []


def test_wrong_pins_count_down_to_a_blocked_card_which_gets_no_more_verify(card_reader):
    with pytest.raises(WrongPin) as first:
        mynumber.read_card("9999")
    assert first.value.tries_left == 2 and "あと2回" in first.value.message
    with pytest.raises(WrongPin) as second:
        mynumber.read_card("0000")
    assert second.value.tries_left == 1
    assert "残り1回" in second.value.message and "ロック" in second.value.message
    assert mynumber.pin_status().last_try
    with pytest.raises(PinBlocked) as third:
        mynumber.read_card("1111")
    assert "再設定" in third.value.message
    sent = len(verifies_with_pin(card_reader.card))
    assert sent == 3
    # blocked: even the right PIN is refused here, and the card never sees another VERIFY
    with pytest.raises(PinBlocked):
        mynumber.read_card(PIN)
    assert len(verifies_with_pin(card_reader.card)) == sent
    assert mynumber.pin_status().blocked


def test_a_card_that_starts_blocked_is_refused_without_a_verify(card_reader, pki):
    card = card_reader.put(build_card(pki.profile(card_info=Pin(PIN, 0))))
    with pytest.raises(PinBlocked):
        mynumber.read_card(PIN)
    assert verifies_with_pin(card) == []
    assert [c.sw for c in card.commands(apdu.INS_VERIFY)] == [apdu.SW_REFERENCE_DATA_UNUSABLE]


def test_a_right_pin_resets_the_counter(card_reader):
    with pytest.raises(WrongPin):
        mynumber.read_card("9999")
    mynumber.read_card(PIN)
    assert mynumber.pin_status().tries_left == 3


@pytest.mark.parametrize("typed", ["123", "12345", "12a4", "１２３４", "", " 1234"])
def test_a_pin_that_is_not_four_digits_is_never_sent(card_reader, typed):
    with pytest.raises(PinFormatError) as e:
        mynumber.read_card(typed)
    assert "数字4桁" in e.value.message
    assert card_reader.card.log == []


def test_the_pin_is_in_no_log_and_no_error(card_reader, pki, caplog):
    card_reader.put(build_card(pki.profile(card_info=Pin("8531", 3))))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WrongPin) as e:
        mynumber.read_card("7642")
    info = mynumber.read_card("8531")
    text = caplog.text + repr(e.value) + str(e.value) + e.value.message + repr(info) + repr(card_reader.card.log)
    assert "8531" not in text and "7642" not in text
    assert "8531" not in repr(apdu.verify(b"8531"))


def test_a_card_removed_between_select_and_read(card_reader):
    def pull_after_select_of_basic_info(c: apdu.Command):
        return REMOVE_AFTER if c.ins == apdu.INS_SELECT and c.data == b"\x00\x02" else None

    card_reader.card.fault = pull_after_select_of_basic_info
    with pytest.raises(CardRemoved) as e:
        mynumber.read_card(PIN)
    assert "取り外されました" in e.value.message
    wait_for_card(card_reader.reader, False)
    with pytest.raises(NoCard):
        mynumber.read_card(PIN)
    # put back: the next read works
    card_reader.card.fault = None
    card_reader.put(card_reader.card)
    assert mynumber.read_card(PIN).my_number == MY_NUMBER


def test_a_card_removed_while_the_reader_waits_for_its_answer(card_reader):
    card_reader.card.fault = lambda c: REMOVE_BEFORE if c.ins == apdu.INS_READ_BINARY else None
    with pytest.raises(CardRemoved):
        mynumber.read_card(PIN)


def test_a_card_that_is_not_a_my_number_card(card_reader, pki):
    # the My Number card's own ATR: the card is recognized by its application, not its ATR
    other = card_reader.put(build_card(pki.profile(kind="other", atr="3BE000FF8131FE4514")))
    with pytest.raises(NotMyNumberCard) as e:
        mynumber.read_card(PIN)
    assert "マイナンバーカードではない" in e.value.message
    with pytest.raises(NotMyNumberCard):
        mynumber.pin_status()
    assert [c.name for c in other.log] == ["SELECT", "SELECT"]


def test_a_my_number_card_with_a_contactless_readers_atr(card_reader, pki):
    # a contactless reader makes its own ATR (ISO 14443-4 Type B): selection by AID still finds it
    card_reader.put(build_card(pki.profile(atr=atr_with_tck("3B8880010000000000718100").hex())))
    assert mynumber.read_card(PIN).my_number == MY_NUMBER


def test_two_readers(card_reader, second_reader, pki):
    # a card of another kind on reader 2: reader 1's My Number card is the one read
    second_reader.put(build_card(pki.profile(kind="other")))
    assert mynumber.read_card(PIN).reader == card_reader.reader
    # My Number cards on both: which one is meant is not guessed
    second_reader.put(build_card(pki.profile(name="船橋\u3000健", sex=1, atr=atr_with_tck("3B8880010000000000718100").hex())))
    with pytest.raises(SeveralCards) as e:
        mynumber.read_card(PIN)
    assert "1枚だけ" in e.value.message
    # …unless the reader is named
    assert mynumber.read_card(PIN, second_reader.reader).name == "船橋\u3000健"
    # the card on reader 1 leaves: the one on reader 2 is found by itself
    card_reader.take_away()
    info = mynumber.read_card(PIN)
    assert (info.reader, info.sex) == (second_reader.reader, Sex.MALE)


def test_no_card_on_any_reader(card_reader):
    card_reader.take_away()
    with pytest.raises(NoCard) as e:
        mynumber.read_card(PIN)
    assert "置いてください" in e.value.message


def test_a_reader_that_is_not_connected(card_reader):
    with pytest.raises(ReaderUnplugged) as e:
        mynumber.read_card(PIN, "Madoguchi Virtual Reader 00 07")
    assert "見つかりません" in e.value.message


def test_the_card_is_held_exclusively_while_a_session_is_open(card_reader):
    with CardSession(card_reader.reader):
        with pytest.raises(CardInUse) as e:
            mynumber.read_card(PIN)
    assert "使用中" in e.value.message
    assert mynumber.read_card(PIN).my_number == MY_NUMBER


def _damaged(pki, basic: bytes | None = None, number: bytes | None = None):
    files = {}
    if basic is not None:
        files["card_info/0002"] = basic.hex()
    if number is not None:
        files["card_info/0001"] = number.hex()
    return build_card(pki.profile(files=files))


GOOD_BASIC = basic_info_file("千葉\u3000花子", "千葉県千葉市中央区千葉港１番１号", dt.date(1980, 12, 26), 2)
GOOD_ITEMS = tlv.parse(GOOD_BASIC, padding=True)[0].value


@pytest.mark.parametrize("basic", [
    GOOD_BASIC[:20],  # truncated inside the name
    bytes.fromhex("FF2081") + bytes((len(GOOD_ITEMS) + 40,)) + GOOD_ITEMS,  # the outer length claims more than there is
    bytes.fromhex("FF2081") + bytes((len(GOOD_ITEMS),)) + GOOD_ITEMS[:-8] + bytes.fromhex("DF2540") + GOOD_ITEMS[-5:],  # an inner length overruns
    tlv.encode(0xFF20, tlv.encode(0xDF22, "千葉".encode()) + tlv.encode(0xDF23, "住所".encode()) + tlv.encode(0xDF25, b"2")),  # no birth date
    tlv.encode(0xFF20, tlv.encode(0xDF22, b"\xff\xfe") + tlv.encode(0xDF23, "住所".encode()) + tlv.encode(0xDF24, b"19801226") + tlv.encode(0xDF25, b"2")),
    tlv.encode(0xFF20, tlv.encode(0xDF22, "千葉".encode()) + tlv.encode(0xDF23, "住所".encode()) + tlv.encode(0xDF24, b"19801332") + tlv.encode(0xDF25, b"2")),
    tlv.encode(0xFF20, tlv.encode(0xDF22, "千葉".encode()) + tlv.encode(0xDF23, "住所".encode()) + tlv.encode(0xDF24, b"19801226") + tlv.encode(0xDF25, b"3")),
    bytes.fromhex("FF2084FFFFFFFF"),  # a 4-byte length
    b"\x00" * 32,  # an empty file
])
def test_damaged_basic_info_is_a_clear_error(card_reader, pki, basic):
    card_reader.put(_damaged(pki, basic=basic))
    with pytest.raises(MalformedCardData) as e:
        mynumber.read_card(PIN)
    assert "形式が正しくありません" in e.value.message


def test_a_my_number_failing_its_check_digit(card_reader, pki):
    card_reader.put(_damaged(pki, number=tlv.encode(0xFF10, b"123456789012") + b"\xff"))
    with pytest.raises(InvalidMyNumber) as e:
        mynumber.read_card(PIN)
    assert "検査数字" in e.value.message


def test_basic_info_with_extra_items_in_front_is_read_by_tag(card_reader, pki):
    body = (tlv.encode(0xDF21, bytes(12)) + tlv.encode(0xDF30, b"\x01\x02") + tlv.encode(0xDF24, b"19801226")
            + tlv.encode(0xDF22, "千葉\u3000花子".encode()) + tlv.encode(0xDF25, b"2") + tlv.encode(0xDF23, "千葉市".encode()))
    card_reader.put(_damaged(pki, basic=tlv.encode(0xFF20, body) + b"\xff" * 7))
    info = mynumber.read_card(PIN)
    assert (info.name, info.address, info.birth_date) == ("千葉\u3000花子", "千葉市", dt.date(1980, 12, 26))
