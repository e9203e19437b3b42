"""The kiosk's screens with real widgets (pytest-qt) through the real card stack: pyscard → pcscd →
vpcd → the virtual card, card events from the reader monitor, a real registry over HTTP. A
resident places the card, types the PIN on the pad, chooses, confirms, prints, takes the card."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import text

from app.services.payment import PaymentFailed
from app.sync.engine import set_meta
from app.ui.app import application
from app.ui.card_events import card_events
from app.ui.kiosk.window import KioskWindow
from app.ui.qt import Qt
from app.ui.tasks import TaskRunner
from hardware import apdu
from hardware.printer import FolderPrinter
from hardware.virtual_card.profile import Pin, build_card
from tests.hardware.fixtures import PIN
from tests.issuance.helpers import pdf_text
from tests.kiosk.conftest import ADMIN_PIN, protect

TIMEOUT = 15000


@pytest.fixture
def make_booth(qtbot, kiosk, card_reader):
    made = []

    def make(*, size=(1080, 1920), **settings) -> KioskWindow:
        card_reader.take_away()
        application()
        runner = TaskRunner()
        window = KioskWindow(kiosk, runner, events=card_events(), settings=replace(kiosk.settings, **settings), background_sync=False)
        qtbot.addWidget(window)
        window.resize_to(*size)
        window.show()
        qtbot.waitUntil(lambda: window.state == "attract" and not runner.busy, timeout=TIMEOUT)
        made.append((window, runner))
        return window

    yield make
    for window, runner in made:
        window.shutdown()
        runner.wait()


@pytest.fixture
def booth(make_booth):
    return make_booth()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def place(qtbot, window, card_reader, card=None, *, state="pin") -> None:
    card_reader.put(card or card_reader.card)
    qtbot.waitUntil(lambda: window.state == state, timeout=TIMEOUT)


def type_pin(qtbot, window, pin: str) -> None:
    for digit in pin:
        click(qtbot, window.pin.pad.keys[digit])
    assert window.pin.pad.display.text().count("●") == len(pin) and not any(d in window.pin.pad.display.text() for d in "0123456789")
    click(qtbot, window.pin.pad.ok_key)


def log_actions(kiosk) -> list[tuple[str, str, dict]]:
    with kiosk.cache.engine.connect() as conn:
        return [(r.action, r.resident_id, json.loads(r.detail)) for r in conn.execute(text("SELECT action, resident_id, detail FROM access_log ORDER BY seq"))]


def verifies(card) -> int:
    return sum(1 for c in card.commands(apdu.INS_VERIFY) if c.data_length > 0)


def test_a_full_issuance_from_card_to_receipt(qtbot, booth, card_reader, kiosk_world, kiosk, pki):
    card = build_card(pki.profile())
    place(qtbot, booth, card_reader, card)
    assert booth.pin.tries.text() == "暗証番号の残り回数　3回" and not booth.pin.warning.isVisible()
    assert verifies(card) == 0  # the tries were asked without a VERIFY
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    buttons = booth.choose.member_buttons
    assert [b.resident_id for b in buttons] == kiosk_world.members
    assert all(not any(c.isdigit() for c in b.text()) for b in buttons)  # names only: no ids, no dates
    assert [b.isChecked() for b in buttons] == [m == kiosk_world.resident_id for m in kiosk_world.members]
    assert booth.choose.fee.text() == "手数料　300円 × 1通 ＝ 300円"
    click(qtbot, booth.choose.everyone)
    click(qtbot, booth.choose.domicile)
    click(qtbot, booth.choose.householder)
    click(qtbot, booth.choose.copies.plus)
    assert booth.choose.fee.text() == "手数料　300円 × 2通 ＝ 600円"
    click(qtbot, booth.choose.next)
    qtbot.waitUntil(lambda: booth.state == "confirm", timeout=TIMEOUT)
    assert booth.confirm.values[3].text() == "2通" and booth.confirm.values[4].text() == "600円"
    assert "本籍・筆頭者" in booth.confirm.values[2].text() and "世帯主・続柄" in booth.confirm.values[2].text()
    click(qtbot, booth.confirm.issue_button)
    qtbot.waitUntil(lambda: booth.state == "take_card", timeout=TIMEOUT)
    number = booth.take_card.receipt.reference.text()
    assert number.endswith("-0001") and booth.take_card.receipt.number.text() == "0001" and booth.take_card.receipt.amount.text() == "お支払い　600円"
    assert booth.take_card.title.text() == "カードをお取りください"
    pdfs = sorted(kiosk_world.prints.glob("*.pdf"))
    assert len(pdfs) == 2
    printed = pdf_text(pdfs[0].read_bytes())
    assert "個人番号" not in printed and "住民票コード" not in printed and "世帯主" in printed
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "receipt", timeout=TIMEOUT)
    assert booth.receipt.receipt.reference.text() == number and "会計窓口" in booth.receipt.receipt.tell.text()
    click(qtbot, booth.receipt.done)
    assert booth.state == "attract"
    actions = [a for a, _, _ in log_actions(kiosk)]
    assert ["kiosk_card", "kiosk_identified", "kiosk_payment"] == [a for a in actions if a in ("kiosk_card", "kiosk_identified", "kiosk_payment")]
    assert "kiosk_issued" in actions and PIN not in json.dumps(log_actions(kiosk))


def test_a_wrong_pin_then_the_right_one(qtbot, booth, card_reader):
    place(qtbot, booth, card_reader)
    type_pin(qtbot, booth, "9999")
    qtbot.waitUntil(lambda: booth.state == "pin" and booth.pin.error.isVisible(), timeout=TIMEOUT)
    assert booth.pin.tries.text() == "暗証番号の残り回数　2回" and booth.pin.error.text() == "暗証番号が違います"
    assert not booth.pin.warning.isVisible()
    type_pin(qtbot, booth, "9999")
    qtbot.waitUntil(lambda: booth.pin.tries_left == 1, timeout=TIMEOUT)
    assert booth.pin.warning.isVisible() and "ロック" in booth.pin.warning.text()
    assert booth.pin.tries.property("last") is True
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)


def test_a_locked_card_is_sent_to_the_counter_without_a_verify(qtbot, booth, card_reader, pki, kiosk):
    card = build_card(pki.profile(jpki_auth=Pin(PIN, 0)))
    place(qtbot, booth, card_reader, card, state="message")
    assert booth.message.kind == "locked" and booth.message.title.text() == "カードの暗証番号がロックされています"
    assert "窓口" in booth.message.action.text() and booth.message.take.isVisible()
    assert verifies(card) == 0
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "attract", timeout=TIMEOUT)
    assert "kiosk_card_locked" in [a for a, _, _ in log_actions(kiosk)]


def test_the_card_removed_mid_flow_ends_the_turn(qtbot, booth, card_reader, kiosk):
    place(qtbot, booth, card_reader)
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "message", timeout=TIMEOUT)
    assert booth.message.kind == "removed" and booth.session is None
    qtbot.waitUntil(lambda: any(a == "kiosk_session_end" and d["reason"] == "card_removed" for a, _, d in log_actions(kiosk)), timeout=TIMEOUT)
    click(qtbot, booth.message.done)
    assert booth.state == "attract"


def test_no_touch_goes_back_to_the_start_and_the_card_left_is_reminded(qtbot, make_booth, card_reader, kiosk):
    booth = make_booth(inactivity_seconds=0.6, card_reminder_seconds=0.3)
    place(qtbot, booth, card_reader)
    qtbot.waitUntil(lambda: booth.state == "take_card", timeout=5000)  # the turn ended; the card is still there
    assert booth.session is None and booth.take_card.receipt.isHidden()
    qtbot.waitUntil(lambda: booth.reminders >= 2, timeout=5000)  # beeps and flashes while it stays
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "attract", timeout=TIMEOUT)
    assert any(a == "kiosk_session_end" and d["reason"] == "timeout" for a, _, d in log_actions(kiosk))


def test_touches_keep_the_screen_and_their_absence_ends_the_turn(qtbot, make_booth, card_reader, kiosk):
    booth = make_booth(inactivity_seconds=4)
    place(qtbot, booth, card_reader)
    rest = booth.input_watch.rest_ms
    for digit in "1234":  # a touch every rest + 0.3 s: 5.2 s in all, longer than the 4 s allowed
        qtbot.wait(rest + 300)
        click(qtbot, booth.pin.pad.keys[digit])
        assert booth.state == "pin"
    assert booth.pin.pad.display.text().count("●") == 4
    qtbot.waitUntil(lambda: booth.state != "pin", timeout=4000 + rest + 5000)  # no touch: the turn ends
    assert booth.session is None and verifies(card_reader.card) == 0
    qtbot.waitUntil(lambda: any(a == "kiosk_session_end" and d["reason"] == "timeout" for a, _, d in log_actions(kiosk)), timeout=TIMEOUT)


def test_stale_data_is_refused_before_any_pin(qtbot, booth, card_reader, kiosk, pki):
    with kiosk.cache.writer.begin() as conn:
        set_meta(conn, "last_sync_at", kiosk.clock() - 3600)
    booth.refresh_availability()
    qtbot.waitUntil(lambda: booth.state == "unavailable", timeout=TIMEOUT)
    assert booth.message.title.text() == "ただいま証明書を発行できません" and "最新" in booth.message.body.text()
    assert not booth.message.done.isVisible()
    card = build_card(pki.profile())
    card_reader.put(card)
    qtbot.waitUntil(lambda: booth.state == "message" and booth.message.kind == "unavailable", timeout=TIMEOUT)
    assert verifies(card) == 0 and booth.message.take.isVisible()
    kiosk.sync()
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "attract", timeout=TIMEOUT)


def test_a_protected_member_is_refused_with_the_neutral_message(qtbot, booth, card_reader, kiosk_world, kiosk):
    place(qtbot, booth, card_reader)
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    protected = kiosk_world.members[-1]
    hidden = next(m.name for m in booth.session.members if m.resident_id == protected)
    protect(kiosk_world, kiosk, protected)
    click(qtbot, booth.choose.everyone)
    click(qtbot, booth.choose.next)
    qtbot.waitUntil(lambda: booth.state == "message", timeout=TIMEOUT)
    shown = booth.message.title.text() + booth.message.body.text() + booth.message.action.text()
    assert booth.message.kind == "refused" and "窓口でお手続きください" in shown
    assert hidden not in shown and hidden.split("\u3000")[0] not in shown
    assert "支援" not in shown and "抑止" not in shown and not list(kiosk_world.prints.glob("*.pdf"))


def test_a_printer_that_fails_is_said_and_recorded(qtbot, booth, card_reader, kiosk, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    kiosk.printer = FolderPrinter(blocked / "prints", name="kiosk-folder")
    place(qtbot, booth, card_reader)
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    click(qtbot, booth.choose.next)
    qtbot.waitUntil(lambda: booth.state == "confirm", timeout=TIMEOUT)
    click(qtbot, booth.confirm.issue_button)
    qtbot.waitUntil(lambda: booth.state == "take_card", timeout=TIMEOUT)
    assert booth.take_card.failure.isVisible() and "0通を印刷" in booth.take_card.failure.text()
    assert booth.take_card.receipt.isHidden()
    with kiosk.cache.engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT event FROM issuance_history ORDER BY seq"))] == ["issued", "spoiled"]


def test_a_payment_device_that_fails_prints_nothing(qtbot, booth, card_reader, kiosk, kiosk_world):
    class Broken:
        name = "broken"

        def charge(self, amount_yen, reference):
            raise PaymentFailed("no paper in the receipt unit", "支払い機が使えません。")

        def refund(self, *a):
            raise AssertionError("nothing was charged")

    kiosk.payment = Broken()
    place(qtbot, booth, card_reader)
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    click(qtbot, booth.choose.next)
    qtbot.waitUntil(lambda: booth.state == "confirm", timeout=TIMEOUT)
    click(qtbot, booth.confirm.issue_button)
    qtbot.waitUntil(lambda: booth.state == "message", timeout=TIMEOUT)
    assert booth.message.title.text() == "お支払いの手続きができませんでした" and "印刷していません" in booth.message.body.text()
    assert not list(kiosk_world.prints.glob("*.pdf"))


def test_english_and_back_and_each_turn_starts_in_japanese(qtbot, booth, card_reader):
    click(qtbot, booth.language)
    assert booth.attract.title.text() == "Place your card here" and booth.language.text() == "日本語"
    place(qtbot, booth, card_reader)
    assert booth.pin.title.text() == "Enter your 4-digit PIN" and booth.pin.tries.text() == "PIN tries left: 3"
    type_pin(qtbot, booth, PIN)
    qtbot.waitUntil(lambda: booth.state == "choose", timeout=TIMEOUT)
    assert booth.choose.fee.text() == "Fee: ¥300 × 1 = ¥300" and booth.choose.next.text() == "Next"
    click(qtbot, booth.language)
    assert booth.choose.next.text() == "次へ"
    click(qtbot, booth.language)
    click(qtbot, booth.choose.cancel)
    qtbot.waitUntil(lambda: booth.state == "take_card", timeout=TIMEOUT)
    card_reader.take_away()
    qtbot.waitUntil(lambda: booth.state == "attract", timeout=TIMEOUT)
    assert booth.attract.title.text() == "カードを置いてください"


def test_only_the_administrators_pin_leaves_kiosk_mode(qtbot, booth, kiosk):
    booth.close()
    assert booth.isVisible()  # no way out by closing
    booth.corner._timer.setInterval(100)
    qtbot.mousePress(booth.corner, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: booth.state == "admin", timeout=3000)
    qtbot.mouseRelease(booth.corner, Qt.MouseButton.LeftButton)
    for digit in "111111":
        click(qtbot, booth.admin.pad.keys[digit])
    click(qtbot, booth.admin.pad.ok_key)
    qtbot.waitUntil(lambda: booth.admin.error.isVisible(), timeout=TIMEOUT)
    assert booth.admin.error.text() == "暗証番号が違います" and booth.isVisible()
    with qtbot.waitSignal(booth.exited, timeout=TIMEOUT):
        for digit in ADMIN_PIN:
            click(qtbot, booth.admin.pad.keys[digit])
        click(qtbot, booth.admin.pad.ok_key)
    assert not booth.isVisible()
    actions = [a for a, _, _ in log_actions(kiosk)]
    assert "kiosk_admin_pin_wrong" in actions and actions[-1] == "kiosk_admin_exit"
