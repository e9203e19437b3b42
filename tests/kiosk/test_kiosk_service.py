"""The kiosk's service (no Qt) through the real stack: pyscard → pcscd → vpcd → the virtual card, a
real registry over HTTP, the kiosk's own device-only cache. Identification, the rules, payment,
printing, and what the access log and the issuance history keep."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.services.kiosk import OPERATOR_ID, KioskRefused, KioskUnavailable
from app.services.kiosk_settings import KioskSettings, check_admin_pin, hash_admin_pin, set_admin_pin
from app.services.payment import PaymentFailed, PaymentResult
from app.sync.engine import set_meta
from domain.certificate_rules import NEUTRAL_MESSAGE
from hardware import apdu
from hardware.errors import CertificateUntrusted, PinBlocked, WrongPin
from hardware.printer import FolderPrinter
from hardware.virtual_card.profile import Pin, build_card
from registry.database import open_database
from registry.schema import issuances
from tests.hardware.fixtures import PIN
from tests.issuance.helpers import pdf_text
from tests.kiosk.conftest import protect


def actions(service) -> list[tuple[str, str, dict]]:
    with service.cache.engine.connect() as conn:
        return [(r.action, r.resident_id, json.loads(r.detail)) for r in conn.execute(text("SELECT action, resident_id, detail FROM access_log ORDER BY seq"))]


def history(service) -> list[dict]:
    with service.cache.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM issuance_history ORDER BY seq"))]


def verifies(card) -> int:
    return sum(1 for c in card.commands(apdu.INS_VERIFY) if c.data_length > 0)


def test_a_resident_identifies_chooses_and_prints_their_household(card_reader, kiosk_world, kiosk):
    check = kiosk.check_card()
    assert check.tries_left == 3 and check.reader == card_reader.reader and verifies(card_reader.card) == 0
    session = kiosk.identify(PIN, check.reader)
    assert session.resident_id == kiosk_world.resident_id
    assert [m.resident_id for m in session.members] == kiosk_world.members  # j1010 order, names only
    order = kiosk.order(session, kiosk_world.members, domicile=True, householder_relationship=True, copies=2)
    assert kiosk.fee_each(order) == 300
    receipt = kiosk.issue(session, order)
    assert receipt.printed == 2 and receipt.amount_due == 600 and not receipt.failure
    assert receipt.payment.receipt.endswith("-0001") and not receipt.payment.paid_now
    pdfs = sorted(kiosk_world.prints.glob("*.pdf"))
    assert len(pdfs) == 2
    printed = pdf_text(pdfs[0].read_bytes())
    assert "住民票の写し" in printed and session.me.name.replace("\u3000", "") in printed and "世帯主" in printed and "本籍" in printed
    assert "個人番号" not in printed and "住民票コード" not in printed
    rows = history(kiosk)
    assert [r["event"] for r in rows] == ["issued", "issued"]
    assert all(r["channel"] == "kiosk" and r["operator_id"] == OPERATOR_ID and r["my_number_printed"] == 0 for r in rows)
    assert all(r["reason"] == f"会計受付番号 {receipt.payment.receipt}" for r in rows)
    done = [a for a, _, _ in actions(kiosk)]
    assert done[:3] == ["kiosk_card", "kiosk_identified", "kiosk_payment"] and "kiosk_issued" in done
    assert done.count("certificate") == 6  # one entry per person per copy
    assert PIN not in json.dumps(actions(kiosk))
    # the history and the log go up with the next sync, operator `kiosk`, channel kiosk
    kiosk.sync()
    engine = open_database(kiosk_world.db_url)
    with engine.connect() as conn:
        up = conn.execute(select(issuances.c.event, issuances.c.operator_id, issuances.c.channel, issuances.c.audit)).all()
    engine.dispose()
    assert up == [("issued", "kiosk", "kiosk", "")] * 2


def test_a_wrong_pin_says_the_tries_then_the_right_one_works(card_reader, kiosk_world, kiosk):
    check = kiosk.check_card()
    with pytest.raises(WrongPin) as wrong:
        kiosk.identify("9999", check.reader)
    assert wrong.value.tries_left == 2
    with pytest.raises(WrongPin) as last:
        kiosk.identify("9999", check.reader)
    assert last.value.tries_left == 1 and "ロック" in last.value.message
    assert kiosk.check_card().tries_left == 1
    assert kiosk.identify(PIN, check.reader).resident_id == kiosk_world.resident_id
    logged = [(a, d.get("tries_left")) for a, _, d in actions(kiosk) if a == "kiosk_pin_wrong"]
    assert logged == [("kiosk_pin_wrong", 2), ("kiosk_pin_wrong", 1)]


def test_a_locked_card_gets_no_verify(card_reader, kiosk_world, kiosk, pki):
    card = card_reader.put(build_card(pki.profile(jpki_auth=Pin(PIN, 0))))
    check = kiosk.check_card()
    assert check.blocked
    with pytest.raises(PinBlocked):
        kiosk.identify(PIN, check.reader)
    assert verifies(card) == 0
    assert [a for a, _, _ in actions(kiosk)][:1] == ["kiosk_card_locked"]


def test_a_card_the_kiosk_does_not_trust_costs_no_pin(card_reader, kiosk, pki):
    card = card_reader.put(build_card(pki.profile(jpki_certificate=str(pki.untrusted_cert))))
    with pytest.raises(CertificateUntrusted):
        kiosk.check_card()
    assert verifies(card) == 0
    assert actions(kiosk)[-1][0] == "kiosk_card_refused"


def test_an_unlinked_card_is_refused_neutrally(card_reader, kiosk_world, kiosk, pki):
    from hardware import testca
    from registry import kiosk as registry_kiosk

    engine = open_database(kiosk_world.db_url)
    with engine.begin() as conn:
        registry_kiosk.unlink_card(conn, testca.load_cert(pki.card_cert))
    engine.dispose()
    with pytest.raises(KioskRefused) as refused:
        kiosk.identify(PIN, kiosk.check_card().reader)
    assert refused.value.message == NEUTRAL_MESSAGE
    assert actions(kiosk)[-1][0] == "kiosk_not_identified"


def test_stale_data_and_an_unreachable_registry_make_the_kiosk_unavailable(card_reader, kiosk_world, kiosk):
    with kiosk.cache.writer.begin() as conn:
        set_meta(conn, "last_sync_at", kiosk.clock() - 16 * 60)  # the default limit is 15 minutes
    with pytest.raises(KioskUnavailable) as stale:
        kiosk.check_card()
    assert stale.value.code == "stale" and "窓口" in stale.value.message
    kiosk.sync()
    session = kiosk.identify(PIN, kiosk.check_card().reader)
    order = kiosk.order(session, [session.resident_id])
    kiosk_world.registry_offline()
    with pytest.raises(KioskUnavailable) as offline:
        kiosk.issue(session, order)  # online only: the registry's check must answer
    assert offline.value.code == "offline"
    assert not list(kiosk_world.prints.glob("*.pdf"))
    assert [r["event"] for r in history(kiosk)] == ["refused"] and history(kiosk)[0]["reason"] == "unavailable_offline"
    with pytest.raises(KioskUnavailable):
        kiosk.check_card()


def test_a_protected_member_refuses_the_household_neutrally_and_not_the_resident(card_reader, kiosk_world, kiosk):
    session = kiosk.identify(PIN, kiosk.check_card().reader)
    protect(kiosk_world, kiosk, kiosk_world.members[-1])
    household = kiosk.order(session, kiosk_world.members)
    with pytest.raises(KioskRefused) as refused:
        kiosk.prepare(session, household)
    assert refused.value.message == NEUTRAL_MESSAGE and "支援" not in refused.value.message
    alone = kiosk.issue(session, kiosk.order(session, [session.resident_id]))
    assert alone.printed == 1
    rows = history(kiosk)
    assert [r["event"] for r in rows] == ["refused", "issued"] and rows[0]["reason"] == "protected" and rows[0]["sequence"] == 0
    assert ("kiosk_refused", session.resident_id) in [(a, r) for a, r, _ in actions(kiosk)]
    kiosk.sync()  # the refused attempt goes up like the issued copy; the registry's audit has nothing to mark
    engine = open_database(kiosk_world.db_url)
    with engine.connect() as conn:
        up = conn.execute(select(issuances.c.event, issuances.c.sequence, issuances.c.audit).order_by(issuances.c.seq)).all()
    engine.dispose()
    assert up == [("refused", 0, ""), ("issued", 1, "")]


def test_a_failing_printer_spoils_the_copy_and_a_failing_payment_prints_nothing(card_reader, kiosk_world, kiosk, tmp_path):
    session = kiosk.identify(PIN, kiosk.check_card().reader)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    kiosk.printer = FolderPrinter(blocked / "prints", name="kiosk-folder")
    receipt = kiosk.issue(session, kiosk.order(session, [session.resident_id], copies=2))
    assert receipt.printed == 0 and receipt.failure and receipt.amount_due == 0
    assert [r["event"] for r in history(kiosk)] == ["issued", "spoiled"]
    assert "kiosk_print_failed" in [a for a, _, _ in actions(kiosk)]

    class Broken:
        name = "broken"

        def charge(self, amount_yen: int, reference: str) -> PaymentResult:
            raise PaymentFailed("device offline", "支払い機が使えません。")

        def refund(self, *a) -> None:
            raise AssertionError("nothing was charged")

    kiosk.payment = Broken()
    kiosk.printer = FolderPrinter(kiosk_world.prints, name="kiosk-folder")
    with pytest.raises(PaymentFailed):
        kiosk.issue(session, kiosk.order(session, [session.resident_id]))
    assert not list(kiosk_world.prints.glob("*.pdf"))
    assert [r["event"] for r in history(kiosk)][-1] == "refused" and history(kiosk)[-1]["reason"].startswith("payment_failed")


def test_the_kiosk_orders_only_what_a_kiosk_may_print(card_reader, kiosk_world, kiosk):
    from dataclasses import replace

    from app.certificates import ItemChoice
    from app.services.kiosk import KioskInputError

    session = kiosk.identify(PIN, kiosk.check_card().reader)
    with pytest.raises(KioskInputError):
        kiosk.order(session, [])
    with pytest.raises(KioskInputError):
        kiosk.order(session, ["someone-else"])
    with pytest.raises(KioskInputError):
        kiosk.order(session, [session.resident_id], copies=11)
    sneaky = replace(kiosk.order(session, [session.resident_id]), items=ItemChoice(my_number=True))
    with pytest.raises(KioskRefused):
        kiosk.issue(session, sneaky)
    assert not list(kiosk_world.prints.glob("*.pdf"))


def test_settings_and_the_admin_pin(tmp_path):
    assert KioskSettings.load(tmp_path).max_sync_age_minutes == 15 and KioskSettings.load(tmp_path).online_only
    (tmp_path / "settings.json").write_text(json.dumps({"idle_lock_minutes": 5, "kiosk": {"inactivity_seconds": 30, "online_only": "yes", "bogus": 1}}))
    s = KioskSettings.load(tmp_path)
    assert s.inactivity_seconds == 30 and s.online_only is True
    set_admin_pin(tmp_path, "13579246", n=2**10)
    raw = json.loads((tmp_path / "settings.json").read_text())
    assert raw["idle_lock_minutes"] == 5 and raw["kiosk"]["inactivity_seconds"] == 30 and "13579246" not in json.dumps(raw)
    s = KioskSettings.load(tmp_path)
    assert s.admin_pin_matches("13579246") and not s.admin_pin_matches("13579247") and not s.admin_pin_matches("")
    assert not check_admin_pin("", "13579246") and not check_admin_pin("garbage", "13579246")
    with pytest.raises(Exception) as short:
        hash_admin_pin("123")
    assert "6〜12桁" in short.value.message
