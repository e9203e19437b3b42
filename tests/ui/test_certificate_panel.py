"""The certificate screen with real widgets: from the resident's screen (Ctrl+P) to a preview of the
real PDF, issuing to a PDF folder and to a Qt printer, the protected person and the supervisor's
lift, and a printer that fails."""
from __future__ import annotations

import pytest

from app.ui.certificate_panel import SAVE_AS_PDF, CertificatePanel
from app.ui.printing import QtPrinter
from app.ui.qt import Qt
from tests.issuance.helpers import history_rows, households_of, pdf_text, protect
from tests.support.world import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.ui.test_desktop import _main
from tests.ui.typing import ime_type


@pytest.fixture
def main(qtbot, counter):
    counter.sync()
    window = _main(qtbot, counter)
    window.show()  # shortcuts (Ctrl+P) need a shown, active window
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def open_certificate(qtbot, main, resident_id: str) -> CertificatePanel:
    resident = main.open_resident(resident_id)
    qtbot.waitUntil(lambda: resident.page is not None, timeout=15000)
    qtbot.keyClick(resident.history, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    panel = main.tabs.currentWidget()
    assert isinstance(panel, CertificatePanel)
    qtbot.waitUntil(lambda: panel.prepared is not None, timeout=15000)
    return panel


def settled(qtbot, main, panel) -> None:
    # the preview waits for the clerk to stop choosing, then renders in the worker (whose result
    # may start the wait again: the members of another kind loaded)
    qtbot.waitUntil(lambda: not panel._timer.isActive() and not main.runner.busy, timeout=15000)


def test_preview_then_issue_the_household_to_pdf(qtbot, main, counter, tmp_path):
    family = households_of(counter, 3)[0]
    panel = open_certificate(qtbot, main, family[0].resident_id)
    assert panel.members.count() == 3 and panel.chosen_ids() == (family[0].resident_id,)
    assert panel._document.pageCount() == 1 and "見本" in pdf_text(panel.prepared.preview.pdf)
    assert panel.fee.text() == "300円 × 1通 ＝ 300円"
    qtbot.mouseClick(panel.all_members, Qt.MouseButton.LeftButton)
    panel.optional["householder_relationship"].setChecked(True)
    panel.copies.setValue(2)
    assert panel.fee.text() == "300円 × 2通 ＝ 600円"
    settled(qtbot, main, panel)
    assert len(panel.prepared.persons) == 3
    assert "世帯主" in pdf_text(panel.prepared.preview.pdf)
    panel.printer.setCurrentText(SAVE_AS_PDF)
    panel.save_path.setText(str(tmp_path / "saved"))
    qtbot.keyClick(panel.members, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.result.printed == 2
    assert all(n in panel.done.text() for n in panel.result.issue_numbers) and "600円" in panel.done.text()
    assert len(list((tmp_path / "saved").glob("*.pdf"))) == 2
    # the resident's screen shows the 交付履歴
    resident = main.open_resident(family[0].resident_id)
    qtbot.waitUntil(lambda: resident.page is not None and len(resident.page.issuances) == 2, timeout=15000)
    assert resident.issuances.item(0, 2).text() in panel.result.issue_numbers


def test_a_qt_printer_prints_and_a_broken_one_is_recorded_as_spoiled(qtbot, main, counter, tmp_path):
    me = households_of(counter, 1)[0][0]
    panel = open_certificate(qtbot, main, me.resident_id)
    target = tmp_path / "printed.pdf"
    panel.chosen_printer = lambda: QtPrinter("テストプリンタ", output_file=str(target))
    panel.issue()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.result.printed == 1 and target.stat().st_size > 1000
    panel.result = None
    panel.chosen_printer = lambda: QtPrinter("壊れたプリンタ", output_file=str(tmp_path / "no" / "such" / "dir" / "x.pdf"))
    panel.issue()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.result.printed == 0
    assert "壊れたプリンタ" in panel.message.text() and "処分" in panel.message.text()
    assert [r["event"] for r in history_rows(counter)] == ["issued", "issued", "spoiled"]


def test_a_protected_person_needs_the_supervisors_lift(qtbot, world, main, counter, tmp_path):
    family = households_of(counter, 2)[0]
    protect(world, counter, family[1].resident_id)
    panel = open_certificate(qtbot, main, family[0].resident_id)
    qtbot.mouseClick(panel.all_members, Qt.MouseButton.LeftButton)
    settled(qtbot, main, panel)
    assert panel.protection.isVisible() and "支援措置" in panel.protection.text()
    assert not panel.issue_button.isEnabled() and panel.lift_button.isVisible()
    qtbot.mouseClick(panel.lift_button, Qt.MouseButton.LeftButton)
    assert panel.lift_form.isVisible()
    panel.lift_supervisor.setText(SUPERVISOR)
    ime_type(panel.lift_password, "違うパスワード")
    ime_type(panel.lift_reason, "本人からの請求、本人確認済み")
    qtbot.mouseClick(panel.lift_ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=15000)
    assert "パスワード" in panel.message.text() and panel.lift_granted is None
    assert panel.lift_password.text() == ""  # never kept
    ime_type(panel.lift_password, SUPERVISOR_PASSWORD)
    qtbot.mouseClick(panel.lift_ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.lift_granted is not None, timeout=15000)
    settled(qtbot, main, panel)
    assert panel.issue_button.isEnabled() and "一時解除中" in panel.protection.text()
    panel.printer.setCurrentText(SAVE_AS_PDF)
    panel.save_path.setText(str(tmp_path))
    panel.issue()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    assert panel.result.printed == 1 and panel.lift_granted is None  # one issuance only
    settled(qtbot, main, panel)
    assert not panel.issue_button.isEnabled()


def test_no_member_chosen_says_so(qtbot, main, counter):
    me = households_of(counter, 1)[0][0]
    panel = open_certificate(qtbot, main, me.resident_id)
    panel.members.item(0).setCheckState(Qt.CheckState.Unchecked)
    settled(qtbot, main, panel)
    assert "選んでください" in panel.message.text() and not panel.issue_button.isEnabled()


def test_a_certificate_of_the_items_asked_for(qtbot, main, counter, tmp_path):
    from domain.certificate_rules import CertificateKind

    me = households_of(counter, 1)[0][0]
    panel = open_certificate(qtbot, main, me.resident_id)
    panel.optional["history"].setChecked(True)  # ticked for a copy, then the kind changes: hidden, so it must not count
    panel.optional["my_number"].setChecked(True)
    panel.kind.setCurrentIndex(panel.kind.findData(CertificateKind.ITEMS))
    qtbot.waitUntil(lambda: panel.fields_box.isVisible(), timeout=5000)
    assert not panel.optional_box.isVisible() and panel.furigana.isVisible()
    panel.fields["address"].setChecked(True)
    panel.fields["domicile"].setChecked(True)
    settled(qtbot, main, panel)
    text = pdf_text(panel.prepared.preview.pdf)
    assert "住民票記載事項証明書" in text and "本籍" in text and me.address.town in text
    assert "生年月日" not in text and "住民となった年月日" not in text
    assert "異動履歴" not in text and not panel.order().prints_my_number
    panel.printer.setCurrentText(SAVE_AS_PDF)
    panel.save_path.setText(str(tmp_path))
    panel.issue()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    (row,) = history_rows(counter)
    assert row["kind"] == "items" and '"address"' in row["items"] and row["my_number_printed"] == 0


def test_the_removal_items_are_offered_for_the_removed_records_only(qtbot, main, counter):
    from domain.certificate_rules import CertificateKind

    me = households_of(counter, 1)[0][0]
    panel = open_certificate(qtbot, main, me.resident_id)
    assert panel.fields["destination"].isHidden()
    panel.kind.setCurrentIndex(panel.kind.findData(CertificateKind.REMOVED_ITEMS))
    qtbot.waitUntil(lambda: panel.fields_box.isVisible(), timeout=5000)
    assert not panel.fields["destination"].isHidden() and not panel.fields["removal_reason"].isHidden()
    panel.fields["destination"].setChecked(True)
    settled(qtbot, main, panel)
    # a current resident has no 除票: the clerk is told what to choose instead, nothing is issued
    assert "住民票記載事項証明書" in panel.message.text() and not panel.issue_button.isEnabled()
    assert panel.prepared is None and panel._document.pageCount() == 0  # no stale preview of another choice
    panel.kind.setCurrentIndex(panel.kind.findData(CertificateKind.ITEMS))
    settled(qtbot, main, panel)
    assert panel.fields["destination"].isHidden() and "destination" not in panel.order().items.items
    assert panel.prepared is not None and panel.issue_button.isEnabled() and not panel.message.isVisible()
