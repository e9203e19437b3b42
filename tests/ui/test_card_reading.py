"""The My Number card at the counter, through the real stack (pyscard → pcscd → vpcd → the
virtual card): a card search that lands on the resident, what differs between card and register,
the PIN dialog (tries shown first, a loud last try, a blocked card refused), card events on the
GUI thread, and 「カードから入力」 in the 転入 form."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace

import pytest

from app.services.card_reading import (
    MATCHED_BY_NAME_BIRTH,
    MATCHED_BY_NUMBER,
    CardReading,
    address_key,
    differences,
    previous_address_from_card,
)
from app.services.card_settings import CardSettings
from app.services.settings import ScreenSettings
from app.ui.card_events import CardEvents
from app.ui.forms import open_form
from app.ui.main_window import MainWindow
from app.ui.qt import Qt
from app.ui.resident_panel import ResidentPanel
from app.ui.tasks import TaskRunner
from domain.residents import PersonName, ResidentKind, Sex
from domain.search_criteria import SearchCriteria
from hardware import apdu
from hardware.errors import TrustConfigError
from hardware.mynumber import BasicInfo
from hardware.virtual_card.profile import Pin, build_card, card_address
from tests.hardware.fixtures import PIN

QUIET = ScreenSettings(idle_lock_minutes=0, sync_interval_seconds=0, search_delay_ms=50)
TIMEOUT = 15000
STRANGER_NUMBER = "123456789018"  # valid, and no resident of the test city has it


def resident_with_number(counter, skip: int = 0):
    found = []
    for h in counter.search(SearchCriteria(name="タ", ward="*")).hits:
        r = h.resident
        if r.is_current and r.kind is ResidentKind.JAPANESE and r.birth_date.to_date() is not None and not r.support_measure:
            number = counter.reveal_my_number(r.resident_id, "テスト")
            if number and number != STRANGER_NUMBER:
                found.append((r, number))
    return found[skip]


def card_for(pki, r, number, **changes):
    fields = dict(name=r.name.full, address=card_address(r.address), birth_date=r.birth_date.to_date().isoformat(),
                  sex=int(r.sex), my_number=number)
    fields.update(changes)
    return build_card(pki.profile(**fields))


# -- the service (no Qt) --------------------------------------------------------------------------


def test_the_card_finds_its_holder_by_my_number(card_reader, pki, counter):
    r, number = resident_with_number(counter)
    card_reader.put(card_for(pki, r, number))
    match = CardReading(counter).read_and_find(PIN)
    assert match.found and match.resident.resident_id == r.resident_id
    assert match.matched_by == MATCHED_BY_NUMBER and match.differences == ()
    assert match.resident.my_number == "" and all(h.resident.my_number == "" for h in match.hits)
    assert f"宛名番号 {r.resident_id}" in match.message
    with counter.cache.engine.connect() as conn:
        entries = counter.search_service.log.entries(conn, resident_id=r.resident_id)
    card_entries = [e for e in entries if e.action == "card_read"]
    assert card_entries and number not in str(card_entries[0])


def test_a_card_not_updated_after_a_move_says_what_differs(card_reader, pki, counter):
    r, number = resident_with_number(counter)
    card_reader.put(card_for(pki, r, number, address="千葉県千葉市中央区千葉港１番１号　古いハイツ１０１"))
    match = CardReading(counter).read_and_find(PIN)
    assert match.found and [d.field for d in match.differences] == ["address"]
    assert "カードの記載と住民記録が異なります" in match.message
    assert "古いハイツ１０１" in match.message and "追記" in match.message


def test_found_by_name_and_birth_date_when_the_number_is_not_in_the_cache(card_reader, pki, counter):
    r, _number = resident_with_number(counter)
    card_reader.put(card_for(pki, r, STRANGER_NUMBER))
    match = CardReading(counter).read_and_find(PIN)
    assert match.found and match.resident.resident_id == r.resident_id
    assert match.matched_by == MATCHED_BY_NAME_BIRTH


def test_nobody_in_the_register(card_reader, pki, counter):
    card_reader.put(build_card(pki.profile(name="見本\u3000一郎", my_number=STRANGER_NUMBER, birth_date="1901-01-01", sex=1)))
    match = CardReading(counter).read_and_find(PIN)
    assert not match.found and match.hits == ()
    assert "見つかりません" in match.message and "転入届" in match.message


def test_differences_are_worded_per_item(counter):
    r, _ = resident_with_number(counter)
    r = replace(r, name=PersonName("高橋", "一郎", "タカハシ", "イチロウ"), sex=Sex.MALE)
    same = BasicInfo("高橋\u3000一郎", r.address.full_text, r.birth_date.to_date(), Sex.MALE)
    assert differences(same, r) == ()
    variant = BasicInfo("髙橋\u3000一郎", card_address(r.address), r.birth_date.to_date() + dt.timedelta(days=1), Sex.FEMALE)
    diffs = {d.field: d for d in differences(variant, r)}
    assert set(diffs) == {"name", "birth_date", "sex"}  # the address only differs in width: the same
    assert diffs["name"].note == "異体字・表記の違いのみ"
    assert "カード「女」／住民記録「男」" in diffs["sex"].text


def test_addresses_compare_across_spellings_and_become_a_previous_address():
    assert address_key("千葉市中央区稲荷町一丁目１－２") == address_key("千葉市中央区稲荷町1丁目1-2")
    assert address_key("千葉市中央区稲荷町二十三丁目") == address_key("千葉市中央区稲荷町23丁目")
    a = previous_address_from_card("東京都千代田区千代田１番１号　千代田ハイツ１０１")
    assert (a.prefecture, a.municipality, a.town, a.building) == ("東京都", "千代田区", "千代田1番1号", "千代田ハイツ101")
    assert previous_address_from_card("北海道札幌市中央区北一条西２丁目").municipality == "札幌市中央区"
    assert previous_address_from_card("ABC") is None


def test_card_settings_from_the_terminal_folder(tmp_path, pki):
    (tmp_path / "settings.json").write_text('{"idle_lock_minutes": 5, "card": {"reader": "R 00 00", "trust_anchor": "ca.pem", "crl": "%s"}}' % pki.ca.crl_path)
    s = CardSettings.load(tmp_path)
    assert s.reader == "R 00 00" and s.trust_anchor_path() == str(tmp_path / "ca.pem") and s.crl_path() == str(pki.ca.crl_path)
    assert ScreenSettings.load(tmp_path).idle_lock_minutes == 5  # the card section does not disturb the screen settings
    with pytest.raises(TrustConfigError) as e:
        s.trust()
    assert "ca.pem" in e.value.message
    (tmp_path / "ca.pem").write_bytes(pki.ca.cert_path.read_bytes())
    assert len(s.trust().anchors) == 1
    assert CardSettings.load(tmp_path / "nowhere") == CardSettings(directory=str(tmp_path / "nowhere"))


# -- the desktop ----------------------------------------------------------------------------------


@pytest.fixture
def main(qtbot, counter):
    runner = TaskRunner()
    window = MainWindow(counter, runner, settings=QUIET)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not runner.busy, timeout=TIMEOUT)
    yield window
    runner.wait()


def open_dialog(qtbot, main):
    before = main.search.card_flow
    main.activateWindow()  # (after a dialog closes, the window takes the keyboard back)
    qtbot.waitUntil(main.isActiveWindow, timeout=TIMEOUT)
    qtbot.keyClick(main.quick, Qt.Key.Key_F4)
    flow = main.search.card_flow
    assert flow is not None and flow is not before
    qtbot.waitUntil(lambda: flow.dialog.isVisible() and flow.status is not None, timeout=TIMEOUT)
    return flow


def type_pin(qtbot, flow, pin: str) -> None:
    qtbot.keyClicks(flow.dialog.pin, pin)
    qtbot.keyClick(flow.dialog.pin, Qt.Key.Key_Return)


def test_f4_reads_the_card_and_lands_on_the_resident(qtbot, main, counter, card_reader, pki):
    r, number = resident_with_number(counter)
    card_reader.put(card_for(pki, r, number))
    flow = open_dialog(qtbot, main)
    d = flow.dialog
    assert "3回" in d.tries.text() and card_reader.reader in d.reader.text()
    assert not d.warning.isVisible() and d.pin.isEnabled() and d.pin.echoMode() == d.pin.EchoMode.Password
    type_pin(qtbot, flow, PIN)
    qtbot.waitUntil(lambda: isinstance(main.tabs.currentWidget(), ResidentPanel), timeout=TIMEOUT)
    assert main.tabs.currentWidget().resident_id == r.resident_id
    assert not d.isVisible() and d.pin.text() == ""
    assert "個人番号" in main.search.message.text()
    assert number not in main.search.message.text()


def test_wrong_pins_in_the_dialog_down_to_a_blocked_card(qtbot, main, card_reader):
    flow = open_dialog(qtbot, main)
    d = flow.dialog
    type_pin(qtbot, flow, "9999")
    qtbot.waitUntil(lambda: "あと2回" in d.message.text(), timeout=TIMEOUT)
    assert "2回" in d.tries.text() and d.pin.text() == "" and d.pin.isEnabled()
    type_pin(qtbot, flow, "9999")
    qtbot.waitUntil(lambda: d.warning.isVisible(), timeout=TIMEOUT)
    assert "残り1回" in d.warning.text() and "1回" in d.tries.text()
    type_pin(qtbot, flow, "9999")
    qtbot.waitUntil(lambda: "0回" in d.tries.text(), timeout=TIMEOUT)
    assert not d.pin.isEnabled() and "ロックされています" in d.warning.text()
    assert "送信しません" in d.message.text()
    sent = [c for c in card_reader.card.commands(apdu.INS_VERIFY) if c.data_length]
    assert len(sent) == 3
    flow._submit()  # even if asked: nothing is sent to a blocked card
    qtbot.wait(200)
    assert len([c for c in card_reader.card.commands(apdu.INS_VERIFY) if c.data_length]) == 3
    d.reject()
    # opened again: the card says it is blocked before anything can be typed
    flow = open_dialog(qtbot, main)
    assert not flow.dialog.pin.isEnabled() and "0回" in flow.dialog.tries.text()


def test_one_try_left_is_warned_before_the_pin_is_typed(qtbot, main, card_reader, pki):
    card_reader.put(build_card(pki.profile(card_info=Pin(PIN, 1))))
    flow = open_dialog(qtbot, main)
    assert flow.dialog.warning.isVisible() and "残り1回" in flow.dialog.warning.text()
    assert flow.dialog.pin.isEnabled()


def test_a_pin_that_is_not_four_digits_is_not_sent(qtbot, main, card_reader):
    flow = open_dialog(qtbot, main)
    type_pin(qtbot, flow, "12")
    assert "数字4桁" in flow.dialog.message.text()
    assert not [c for c in card_reader.card.commands(apdu.INS_VERIFY) if c.data_length]


def test_a_card_that_differs_stays_on_the_search_with_what_differs(qtbot, main, counter, card_reader, pki):
    r, number = resident_with_number(counter, 1)
    card_reader.put(card_for(pki, r, number, address="東京都千代田区千代田１番１号"))
    flow = open_dialog(qtbot, main)
    type_pin(qtbot, flow, PIN)
    qtbot.waitUntil(lambda: main.search.model.rowCount() == 1, timeout=TIMEOUT)
    assert main.tabs.currentWidget() is main.search
    text = main.search.message.text()
    assert "異なります" in text and "東京都千代田区千代田１番１号" in text
    qtbot.waitUntil(lambda: main.focusWidget() is main.search.table, timeout=TIMEOUT)
    qtbot.keyClick(main.search.table, Qt.Key.Key_Return)  # the clerk opens it once they have read it
    qtbot.waitUntil(lambda: isinstance(main.tabs.currentWidget(), ResidentPanel), timeout=TIMEOUT)


def test_no_card_then_a_card_put_on_the_reader(qtbot, main, card_reader):
    card_reader.take_away()
    qtbot.keyClick(main.quick, Qt.Key.Key_F4)
    flow = main.search.card_flow
    qtbot.waitUntil(lambda: "置いてください" in flow.dialog.message.text(), timeout=TIMEOUT)
    assert flow.dialog.retry_button.isVisible() and not flow.dialog.pin.isEnabled()
    card_reader.put(card_reader.card)
    # the card event arrives on the GUI thread and the dialog checks the card again by itself
    qtbot.waitUntil(lambda: flow.dialog.pin.isEnabled(), timeout=TIMEOUT)
    assert "3回" in flow.dialog.tries.text()
    qtbot.waitUntil(lambda: main.search.card_state.text() == "カードが置かれています", timeout=TIMEOUT)


def test_card_events_arrive_on_the_gui_thread(qtbot, card_reader):
    events = CardEvents()
    seen = []
    events.card_removed.connect(lambda reader: seen.append((reader, threading.current_thread() is threading.main_thread())))
    try:
        qtbot.waitUntil(lambda: events.readers().get(card_reader.reader) is True, timeout=TIMEOUT)
        card_reader.take_away()
        qtbot.waitUntil(lambda: bool(seen), timeout=TIMEOUT)
        assert seen == [(card_reader.reader, True)]
        assert events.readers()[card_reader.reader] is False and events.summary() == "カードを置いてください"
    finally:
        events.stop()


# -- 転入届: カードから入力 ------------------------------------------------------------------------


def test_move_in_filled_from_the_card(qtbot, counter, card_reader, pki):
    card_reader.put(build_card(pki.profile(name="船橋\u3000健", address="東京都千代田区千代田１番１号　千代田ハイツ１０１",
                                           birth_date="1980-12-26", sex=1, my_number=STRANGER_NUMBER)))
    runner = TaskRunner()
    form = open_form("MoveIn", counter, runner)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.ready and bool(form.blocks), timeout=TIMEOUT)
    form.read_card()
    flow = form.card_flow
    qtbot.waitUntil(lambda: flow.dialog.pin.isEnabled(), timeout=TIMEOUT)
    type_pin(qtbot, flow, PIN)
    p = form.blocks[0]
    qtbot.waitUntil(lambda: p.name.family.text() == "船橋", timeout=TIMEOUT)
    assert p.name.given.text() == "健"
    assert (p.name.family_kana.text(), p.name.given_kana.text()) == ("", "")  # the card has no フリガナ
    assert p.birth.value().to_date() == dt.date(1980, 12, 26)
    assert p.sex.currentData() == 1
    assert p.my_number.text() == ""  # never from the card
    assert form.previous.state() == {"prefecture": "東京都", "municipality": "千代田区", "country": "",
                                     "town": "千代田1番1号", "building": "千代田ハイツ101"}
    assert "フリガナを入力" in form.card_note.text()
    qtbot.waitUntil(lambda: form.idle, timeout=TIMEOUT)
    draft = next(d for d in counter.drafts() if d.draft_id == form.draft_id)
    assert STRANGER_NUMBER not in str(draft.data)
    # a second card: a second person (the first already has a name); 転入前住所 is kept
    card_reader.put(build_card(pki.profile(name="船橋\u3000花子", address="大阪府大阪市北区梅田１丁目", birth_date="1982-01-02", sex=2)))
    form.read_card()
    flow = form.card_flow
    qtbot.waitUntil(lambda: flow.dialog.pin.isEnabled(), timeout=TIMEOUT)
    type_pin(qtbot, flow, PIN)
    qtbot.waitUntil(lambda: len(form.blocks) == 2 and form.blocks[1].name.given.text() == "花子", timeout=TIMEOUT)
    assert form.previous.state()["prefecture"] == "東京都"
    runner.wait()


def test_the_terminals_configured_reader_is_used(world, counter, card_reader, second_reader, pki):
    assert CardReading(counter).reader == ""
    (world.terminal_dir / "settings.json").write_text('{"card": {"reader": "%s"}}' % second_reader.reader)
    reading = CardReading(counter)
    assert reading.reader == second_reader.reader
    from hardware.errors import NoCard

    with pytest.raises(NoCard):  # reader 2 is empty; the card on reader 1 is not taken instead
        reading.pin_status()
    second_reader.put(build_card(pki.profile(name="船橋\u3000健", sex=1)))
    assert reading.read(PIN).name == "船橋\u3000健"
