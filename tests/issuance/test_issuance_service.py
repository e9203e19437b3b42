"""Issuing certificates at a terminal, end to end: a real encrypted cache, a real registry over HTTP,
real PDFs (read back with pdftotext and the verifier), the issuance history and its sync."""
from __future__ import annotations

import datetime as dt
import re

import orjson
import pytest
from sqlalchemy import select, text

from app.certificates import ItemChoice
from app.services.issuance import CertificateOrder, CertificateSettings
from app.store.meta import set_meta
from app.sync.limits import SyncTooOld
from domain.certificate_rules import NEUTRAL_MESSAGE, CertificateKind, Channel, IssuanceRefused
from domain.notifications import Death, MoveOut, MoveWithin
from domain.residents import Address
from hardware.printer import FolderPrinter
from registry.database import open_database
from registry.protocol.issuing import ANCHOR_FILE
from registry.schema import issuances as registry_issuances, lifts
from tests.issuance.helpers import access_actions, history_rows, households_of, pdf_text, protect
from tests.support.world import SUPERVISOR, SUPERVISOR_PASSWORD, TERMINAL_ID

# j1040: day, city, terminal, printer (blank when no printer: saved as PDF), sequence, page/pages
NUMBER = re.compile(r"^(?P<day>\d{8}) 千葉市 中央区役所窓口1 (?P<printer>\S*) (?P<seq>\d{6}) (?P<page>\d+)/(?P<pages>\d+)$")


@pytest.fixture
def issuance(counter):
    counter.sync()  # the issuing delegation and the anchor file come with a sync
    return counter.issuance


def order(kind=CertificateKind.COPY, ids=(), **kw) -> CertificateOrder:
    return CertificateOrder(kind, tuple(ids), kw.pop("items", ItemChoice()), **kw)


def test_a_copy_is_numbered_recorded_logged_printed_and_verifies(world, counter, issuance, tmp_path):
    family = households_of(counter, 3)[0]
    me = family[0]
    printer = FolderPrinter(tmp_path / "out")
    result = issuance.issue(order(ids=[me.resident_id]), printer)
    assert result.printed == 1 and not result.failure
    (copy,) = result.copies
    m = NUMBER.match(copy.issue_numbers[0])
    assert m, copy.issue_numbers[0]
    assert m["day"] == issuance.today().strftime("%Y%m%d") and m["seq"] == "000001" and (m["page"], m["pages"]) == ("1", "1")
    pdf = printer.saved[0].read_bytes()
    text_ = pdf_text(pdf)
    assert me.name.full.replace("\u3000", "") in text_
    assert "".join(copy.issue_numbers[0].split()) in text_
    rows = history_rows(counter)
    assert [(r["event"], r["kind"], orjson.loads(r["resident_ids"]), r["fee"], r["operator_id"]) for r in rows] == [("issued", "copy", [me.resident_id], 300, counter.operator_id)]
    assert ("certificate", me.resident_id) in access_actions(counter)
    from app.certificates import verify_pdf
    from registry.protocol.issuing import load_anchor

    anchor = load_anchor((world.terminal_dir / ANCHOR_FILE).read_bytes())
    assert verify_pdf(pdf, [anchor]).genuine


def test_every_copy_has_its_own_number_and_the_household_is_in_order(counter, issuance, tmp_path):
    family = households_of(counter, 3)[0]
    ids = [m.resident_id for m in reversed(family)]  # asked for in any order: printed in the j1010 order
    printer = FolderPrinter(tmp_path / "out")
    result = issuance.issue(order(ids=ids, copies=3), printer)
    numbers = result.issue_numbers
    assert len(set(numbers)) == 3 and [NUMBER.match(n)["seq"] for n in numbers] == ["000001", "000002", "000003"]
    assert len(printer.saved) == 3
    flat = pdf_text(printer.saved[0].read_bytes())
    # text comes out cell by cell; each person's 生年月日 cell follows the persons' order
    positions = [flat.index(m.birth_date.format_wareki()) for m in family]
    assert positions == sorted(positions)
    assert {tuple(orjson.loads(r["resident_ids"])) for r in history_rows(counter)} == {tuple(m.resident_id for m in family)}


def test_a_provisional_change_does_not_print_and_the_clerk_is_told(counter, issuance, tmp_path):
    family = households_of(counter, 1)[0]
    me = family[0]
    today = counter.today()
    new = Address("千葉県", "千葉市中央区", "問屋町", "7番7号", lg_code="121011")
    counter.take(MoveWithin(resident_ids=(me.resident_id,), address=new, moved_on=today, notified_on=today))
    prepared = issuance.prepare(order(ids=[me.resident_id]))
    assert any("転居" in n and "仮登録" in n for n in prepared.notices)
    text_ = pdf_text(prepared.preview.pdf)
    assert "問屋町" not in text_ and me.address.town in text_
    assert counter.resident(me.resident_id).address.town == "問屋町"  # the cache keeps the provisional change
    result = issuance.issue(order(ids=[me.resident_id]), FolderPrinter(tmp_path))
    assert "問屋町" not in pdf_text((tmp_path / f"{_file(result)}.pdf").read_bytes())


def _file(result) -> str:
    return re.sub(r"[^\w\-.]+", "_", result.issue_numbers[0]).strip("_")


def test_a_protected_member_blocks_the_household_until_a_supervisor_lifts_it(world, counter, issuance, tmp_path):
    family = households_of(counter, 3)[0]
    protected = family[1]
    protect(world, counter, protected.resident_id)
    ids = [m.resident_id for m in family]
    prepared = issuance.prepare(order(ids=ids))
    assert [p.resident_id for p in prepared.protected] == [protected.resident_id]
    with pytest.raises(IssuanceRefused) as refused:
        issuance.issue(order(ids=ids), FolderPrinter(tmp_path))
    assert "一時解除" in refused.value.message
    assert history_rows(counter) == []
    # a clerk cannot lift; a wrong password is refused; the supervisor can
    with pytest.raises(Exception) as clerk:
        issuance.lift([protected.resident_id], supervisor_id=counter.operator_id, password="窓口の正しいパスワード2026", reason="本人請求")
    assert "権限" in clerk.value.message
    with pytest.raises(Exception) as wrong:
        issuance.lift([protected.resident_id], supervisor_id=SUPERVISOR, password="違う", reason="本人請求")
    assert "パスワード" in wrong.value.message or "職員ID" in wrong.value.message
    with pytest.raises(IssuanceRefused, match="reason"):
        issuance.lift([protected.resident_id], supervisor_id=SUPERVISOR, password=SUPERVISOR_PASSWORD, reason=" ")
    lift = issuance.lift([protected.resident_id], supervisor_id=SUPERVISOR, password=SUPERVISOR_PASSWORD, reason="本人からの請求、本人確認済み")
    assert issuance.prepare(order(ids=ids), lift=lift).protected == ()
    result = issuance.issue(order(ids=ids), FolderPrinter(tmp_path), lift=lift)
    assert result.printed == 1
    assert history_rows(counter)[0]["lift_id"] == lift.lift_id
    assert ("certificate_lift", protected.resident_id) in access_actions(counter)
    counter.sync()
    engine = open_database(world.db_url)
    with engine.connect() as conn:
        audits = conn.execute(select(registry_issuances.c.audit, registry_issuances.c.lift_id)).all()
        used = conn.execute(select(lifts.c.used_by)).scalar()
    engine.dispose()
    assert audits == [("", lift.lift_id)]
    assert used == history_rows(counter)[0]["batch_id"]


def test_the_registry_decides_when_it_answers(world, counter, issuance, tmp_path):
    me = households_of(counter, 1)[1][0]
    protect(world, counter, me.resident_id, in_cache=False)  # set at another office a minute ago
    assert issuance.prepare(order(ids=[me.resident_id])).protected == ()  # the cache does not know yet
    with pytest.raises(IssuanceRefused) as refused:
        issuance.issue(order(ids=[me.resident_id]), FolderPrinter(tmp_path))
    assert "支援措置" in refused.value.message
    assert history_rows(counter) == []


def test_a_kiosk_is_refused_with_the_neutral_message(world, counter, tmp_path):
    counter.sync()
    me = households_of(counter, 1)[2][0]
    protect(world, counter, me.resident_id, suppressed=True)
    counter.issuance.channel = Channel.KIOSK
    with pytest.raises(IssuanceRefused) as refused:
        counter.issuance.prepare(order(ids=[me.resident_id]))
    assert refused.value.message == NEUTRAL_MESSAGE
    with pytest.raises(IssuanceRefused) as no_number:
        counter.issuance.prepare(order(ids=[households_of(counter, 1)[3][0].resident_id], items=ItemChoice(my_number=True)))
    assert "窓口" in no_number.value.message


def test_too_long_offline_refuses_issuance(counter, issuance, tmp_path):
    me = households_of(counter, 1)[0][0]
    with counter.cache.writer.begin() as conn:
        set_meta(conn, "last_sync_at", counter.clock() - 30 * 86400)
    with pytest.raises(SyncTooOld) as old:
        issuance.issue(order(ids=[me.resident_id]), FolderPrinter(tmp_path))
    assert "証明書は発行できません" in old.value.message
    assert history_rows(counter) == []


def test_a_failed_print_is_recorded_as_spoiled_and_its_number_not_reused(counter, issuance, tmp_path):
    me = households_of(counter, 1)[0][0]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    result = issuance.issue(order(ids=[me.resident_id], copies=2), FolderPrinter(blocked))
    assert result.printed == 0 and "保存できませんでした" in result.failure
    assert [c.state for c in result.spoiled] == ["spoiled"] and "印刷失敗" in result.spoiled[0].spoiled_reason
    assert len(result.copies) == 1  # stopped at the failure: the second copy was never numbered
    assert [r["event"] for r in history_rows(counter)] == ["issued", "spoiled"]
    again = issuance.issue(order(ids=[me.resident_id]), FolderPrinter(tmp_path / "ok"))
    assert NUMBER.match(again.issue_numbers[0])["seq"] == "000002"
    assert ("certificate_print_failed", me.resident_id) in access_actions(counter)


def test_spoil_and_reprint(counter, issuance, tmp_path):
    me = households_of(counter, 1)[0][0]
    first = issuance.issue(order(ids=[me.resident_id], items=ItemChoice(domicile=True)), FolderPrinter(tmp_path)).copies[0]
    with pytest.raises(IssuanceRefused):
        issuance.reprint(first.issuance_id, FolderPrinter(tmp_path), reason="")
    with counter.cache.writer.begin() as conn:  # a reprint that cannot be issued leaves the copy as it was
        set_meta(conn, "last_sync_at", counter.clock() - 30 * 86400)
    with pytest.raises(SyncTooOld):
        issuance.reprint(first.issuance_id, FolderPrinter(tmp_path), reason="用紙詰まり")
    assert issuance.history(me.resident_id)[0].state == "issued"
    with counter.cache.writer.begin() as conn:
        set_meta(conn, "last_sync_at", counter.clock())
    second = issuance.reprint(first.issuance_id, FolderPrinter(tmp_path), reason="用紙詰まり").copies[0]
    assert second.reprint_of == first.issuance_id and second.items == first.items
    history = issuance.history(me.resident_id)
    assert [(c.issuance_id, c.state) for c in history] == [(second.issuance_id, "issued"), (first.issuance_id, "spoiled")]
    assert "用紙詰まり" in history[1].spoiled_reason
    issuance.spoil(second.issuance_id, "窓口で受取りを辞退")
    with pytest.raises(Exception) as twice:
        issuance.spoil(second.issuance_id, "もう一度")
    assert "処分済み" in twice.value.message


def test_kinds_for_removed_records_and_a_move_out_ahead(counter, issuance, tmp_path):
    households = households_of(counter, 2)
    today = counter.today()
    dead = households[0][1]
    counter.take(Death(resident_id=dead.resident_id, death_date=today - dt.timedelta(days=1), notified_on=today))
    leaving = households[1]
    planned = today + dt.timedelta(days=7)
    dest = Address("東京都", "千代田区", "丸の内一丁目", "1番1号")
    counter.take(MoveOut(resident_ids=tuple(m.resident_id for m in leaving), destination=dest, planned_on=planned, notified_on=today))
    counter.sync()
    with pytest.raises(IssuanceRefused, match="removed"):
        issuance.prepare(order(ids=[dead.resident_id]))
    removed = issuance.prepare(order(CertificateKind.REMOVED_COPY, ids=[dead.resident_id]))
    assert "除票" in pdf_text(removed.preview.pdf)
    removal_items = ItemChoice(items=frozenset({"birth_date", "removal_reason", "removal_date"}))
    certified = pdf_text(issuance.prepare(order(CertificateKind.REMOVED_ITEMS, ids=[dead.resident_id], items=removal_items)).preview.pdf)
    assert "住民票除票記載事項証明書" in certified and "消除事由" in certified and "死亡" in certified
    assert "住所を定めた年月日" not in certified and issuance.fee(order(CertificateKind.REMOVED_ITEMS)) == 300
    with pytest.raises(IssuanceRefused, match="current_record"):
        issuance.prepare(order(CertificateKind.REMOVED_ITEMS, ids=[leaving[0].resident_id, households[0][0].resident_id], items=removal_items))
    # before the planned day: a copy as before the move-out (with a notice), and the 転出証明書
    members, notices = issuance.candidates(leaving[0].resident_id, CertificateKind.COPY)
    assert {m.resident_id for m in members} == {m.resident_id for m in leaving}
    copy = issuance.prepare(order(ids=[leaving[0].resident_id]))
    assert any("転出予定" in n for n in copy.notices)
    assert "千代田区" not in pdf_text(copy.preview.pdf)
    moved, _ = issuance.candidates(leaving[0].resident_id, CertificateKind.MOVE_OUT)
    out = issuance.prepare(order(CertificateKind.MOVE_OUT, ids=[m.resident_id for m in moved]))
    assert "千代田区" in pdf_text(out.preview.pdf) and out.fee_each == 0


def test_history_goes_up_with_the_sync(world, counter, issuance, tmp_path):
    me = households_of(counter, 1)[0][0]
    issuance.issue(order(ids=[me.resident_id], copies=2), FolderPrinter(tmp_path))
    copy = issuance.history(me.resident_id)[0]
    issuance.spoil(copy.issuance_id, "記載誤り")
    report = counter.sync()
    assert report.issuances_sent == 3
    engine = open_database(world.db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(registry_issuances.c.terminal_id, registry_issuances.c.event, registry_issuances.c.audit).order_by(registry_issuances.c.seq)).all()
    engine.dispose()
    assert rows == [(TERMINAL_ID, "issued", ""), (TERMINAL_ID, "issued", ""), (TERMINAL_ID, "spoiled", "")]
    assert counter.sync().issuances_sent == 0


def test_fees_and_settings_from_the_terminal_folder(world, tmp_path, caplog):
    (world.terminal_dir / "certificates.json").write_text(
        '{"fees": {"copy": 350}, "printer_numbers": {"PDF保存": "007"}, "terminal_label": "本庁1", "overflow": "wrong", "colour": 1}', encoding="utf-8"
    )
    settings = CertificateSettings.load(world.terminal_dir)
    assert settings.fee(CertificateKind.COPY) == 350 and settings.fee(CertificateKind.MOVE_OUT) == 0
    assert settings.printer_number("PDF保存") == "プリンタ007" and settings.overflow == "shrink"
    assert "colour" in caplog.text
    service = world.counter()
    try:
        service.sync()
        me = households_of(service, 1)[0][0]
        result = service.issuance.issue(order(ids=[me.resident_id], official_use=True), FolderPrinter(tmp_path))
        assert " 本庁1 プリンタ007 000001 1/1" in result.issue_numbers[0]
        assert history_rows(service)[0]["fee"] == 0  # 公用
        assert "公用" in pdf_text((tmp_path / f"{_file(result)}.pdf").read_bytes())
    finally:
        service.close()


def test_a_terminal_without_a_delegation_cannot_sign(world, counter, tmp_path):
    me = households_of(counter, 1)[0][0]
    with counter.cache.writer.begin() as conn:
        conn.execute(text("DELETE FROM meta WHERE key LIKE 'issuing_%'"))
    with pytest.raises(Exception) as no_key:
        counter.issuance.issue(order(ids=[me.resident_id]), FolderPrinter(tmp_path))
    assert "同期" in no_key.value.message
    assert history_rows(counter) == []


def test_an_order_keeps_only_the_choices_its_kind_has():
    """A choice made for another kind (ticked, then the kind changed) neither prints nor counts."""
    leftover = ItemChoice(my_number=True, resident_code=True, history=True, domicile=True, furigana=False, items=frozenset({"address"}))
    items_order = order(CertificateKind.ITEMS, ids=["R1"], items=leftover)
    assert items_order.items == ItemChoice(furigana=False, items=frozenset({"address"}))
    assert not items_order.prints_my_number and not items_order.prints_resident_code
    copy_order = order(CertificateKind.COPY, ids=["R1"], items=leftover)
    assert copy_order.items.items == frozenset() and copy_order.prints_my_number and copy_order.items.history


def test_a_my_number_asked_for_in_an_items_certificate_is_recorded_as_printed(world, counter, issuance, tmp_path):
    me = households_of(counter, 1)[0][0]
    items = ItemChoice(items=frozenset({"address", "my_number"}))
    result = issuance.issue(order(CertificateKind.ITEMS, ids=[me.resident_id], items=items), FolderPrinter(tmp_path))
    number = counter.reveal_my_number(me.resident_id, "テスト")
    assert number and number in pdf_text((tmp_path / f"{_file(result)}.pdf").read_bytes())
    assert history_rows(counter)[0]["my_number_printed"] == 1
    counter.issuance.channel = Channel.KIOSK
    with pytest.raises(IssuanceRefused) as kiosk:
        counter.issuance.prepare(order(CertificateKind.ITEMS, ids=[me.resident_id], items=items))
    assert "窓口" in kiosk.value.message
