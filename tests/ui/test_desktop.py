"""The clerk's desktop end to end: log in, search as a clerk types, open a resident."""
from __future__ import annotations

from app.services.settings import ScreenSettings
from app.ui.app import ClerkDesktop, application
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, Qt
from app.ui.resident_panel import MASK, ResidentPanel
from app.ui.tasks import TaskRunner
from domain.search_criteria import SearchCriteria
from tests.support.world import CLERK, CLERK_PASSWORD
from tests.ui.typing import ime_type

QUIET = ScreenSettings(idle_lock_minutes=0, sync_interval_seconds=0, search_delay_ms=50)


def wait_idle(qtbot, runner):
    qtbot.waitUntil(lambda: not runner.busy, timeout=15000)


def test_login_then_search_by_fuzzy_kana_and_open(qtbot, world):
    application()
    desktop = ClerkDesktop(world.terminal_dir, settings=QUIET)
    qtbot.addWidget(desktop.login_window)
    desktop.show()
    login = desktop.login
    assert "中央区" in login.terminal_label.text()
    login.operator.setText(CLERK)
    ime_type(login.password, CLERK_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desktop.main is not None, timeout=15000)
    main = desktop.main
    qtbot.addWidget(main)
    wait_idle(qtbot, desktop.runner)
    assert main.status.online and "オンライン" in main.sync_badge.text()
    # a family name as the clerk hears it, typed with the long-vowel mark: サトー finds サトウ
    target = main.service.search(SearchCriteria(name="サトウ", ward="*")).hits[0].resident
    ime_type(main.quick, "*サトー")
    qtbot.waitUntil(lambda: main.search.model.rowCount() > 0, timeout=15000)
    for h in main.search.model.hits:  # サトウ by name, or by 旧氏 / a past name
        assert "サトウ" in (h.resident.name.family_kana, h.resident.old_surname_kana) or h.matched_by != "氏名"
    assert target.resident_id in {h.resident.resident_id for h in main.search.model.hits}
    qtbot.keyClick(main.quick, Qt.Key.Key_Down)
    assert main.search.table.hasFocus()
    qtbot.keyClick(main.search.table, Qt.Key.Key_Return)
    panel = main.tabs.currentWidget()
    assert isinstance(panel, ResidentPanel)
    qtbot.waitUntil(lambda: panel.page is not None, timeout=15000)
    assert panel.name.text().startswith(panel.page.resident.name.full)
    assert main.tabs.tabText(main.tabs.currentIndex()) == panel.page.resident.name.full
    main.logout()
    qtbot.waitUntil(lambda: desktop.main is None and desktop.login_window.isVisible(), timeout=15000)


def test_wrong_password_says_so_and_keeps_the_screen(qtbot, world):
    application()
    desktop = ClerkDesktop(world.terminal_dir, settings=QUIET)
    qtbot.addWidget(desktop.login_window)
    desktop.login.operator.setText(CLERK)
    ime_type(desktop.login.password, "まちがい")
    desktop.login.submit()
    wait_idle(qtbot, desktop.runner)
    assert "パスワード" in desktop.login.message.text()
    assert desktop.main is None
    assert desktop.login.password.text() == ""


def _main(qtbot, counter, **kw) -> MainWindow:
    runner = TaskRunner()
    main = MainWindow(counter, runner, settings=kw.pop("settings", QUIET), **kw)
    qtbot.addWidget(main)
    wait_idle(qtbot, runner)
    return main


def test_search_by_era_birth_date_typed_in_the_form(qtbot, counter):
    main = _main(qtbot, counter)
    some = counter.search(SearchCriteria(name="タ", ward="*")).hits[0].resident
    wareki = some.birth_date.format_wareki()  # 「昭和55年12月26日」
    main.search.ward.setCurrentIndex(main.search.ward.findData("*"))
    ime_type(main.search.birth, wareki)
    main.search.search_now()
    wait_idle(qtbot, main.runner)
    hits = main.search.model.hits
    assert hits and all(h.resident.birth_date == some.birth_date for h in hits)
    assert some.resident_id in {h.resident.resident_id for h in hits}
    # the history remembers it, newest first
    qtbot.waitUntil(lambda: main.search.history.count() > 0, timeout=5000)
    assert wareki in main.search.history.item(0).text()


def test_unreadable_birth_date_shows_the_reason(qtbot, counter):
    main = _main(qtbot, counter)
    ime_type(main.search.birth, "昭和99年13月")
    main.search.search_now()
    wait_idle(qtbot, main.runner)
    assert main.search.model.rowCount() == 0
    assert "生年月日" in main.search.message.text() or "昭和" in main.search.message.text()


def test_resident_view_masks_the_my_number_until_asked_and_logs_the_reveal(qtbot, counter):
    main = _main(qtbot, counter)
    with counter.cache.engine.connect() as conn:
        rid = conn.exec_driver_sql("SELECT resident_id FROM residents WHERE my_number != '' AND status = 'current' LIMIT 1").scalar()
    panel = main.open_resident(rid)
    qtbot.waitUntil(lambda: panel.page is not None, timeout=10000)
    assert panel.my_number.text() == MASK
    assert panel.page.resident.my_number == ""
    panel.reveal.click()
    wait_idle(qtbot, main.runner)
    digits = panel.my_number.text().split("（")[0].replace(" ", "")
    assert len(digits) == 12 and digits.isdigit()
    with counter.cache.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql("SELECT action FROM access_log ORDER BY seq")]
    assert actions[-1] == "reveal_my_number" and "view" in actions


def test_household_members_in_order_and_enter_opens_a_member(qtbot, counter):
    main = _main(qtbot, counter)
    with counter.cache.engine.connect() as conn:
        hid = conn.exec_driver_sql(
            "SELECT household_id FROM residents WHERE status='current' GROUP BY household_id HAVING count(*) >= 3 LIMIT 1"
        ).scalar()
    members = counter.household_members(hid)
    panel = main.open_resident(members[-1].resident_id)
    qtbot.waitUntil(lambda: panel.page is not None, timeout=10000)
    shown = [panel.household.item(i, 5).text() for i in range(panel.household.rowCount())]
    assert shown == [m.resident_id for m in members]
    assert panel.household.item(0, 0).text() == "世帯主"
    panel.household.setFocus()
    panel.household.setCurrentCell(0, 0)
    qtbot.keyClick(panel.household, Qt.Key.Key_Return)
    current = main.tabs.currentWidget()
    assert isinstance(current, ResidentPanel) and current.resident_id == members[0].resident_id


def test_search_while_offline(qtbot, world):
    service = world.counter()
    world.registry_offline()
    main = _main(qtbot, service)
    main.sync_now()
    wait_idle(qtbot, main.runner)
    assert main.status is not None and not main.status.online
    assert "オフライン" in main.sync_badge.text()
    ime_type(main.quick, "*サ")
    qtbot.waitUntil(lambda: main.search.model.rowCount() > 0, timeout=15000)
    service.close()


def test_offline_login_with_the_cache_slot(qtbot, world):
    world.registry_offline()
    service = world.counter()
    assert not service.online
    main = _main(qtbot, service)
    assert "オフライン" in main.sync_badge.text()
    service.close()


def test_idle_lock_needs_the_same_password(qtbot, counter):
    now = [1000.0]
    main = _main(qtbot, counter, settings=ScreenSettings(idle_lock_minutes=1, sync_interval_seconds=0), monotonic=lambda: now[0])
    main.check_idle()
    assert not main.locked
    now[0] += 61
    main.check_idle()
    assert main.locked
    ime_type(main.lock.password, "ちがう")
    main.lock.submit()
    wait_idle(qtbot, main.runner)
    assert main.locked and "違います" in main.lock.message.text()
    ime_type(main.lock.password, CLERK_PASSWORD)
    main.lock.submit()
    wait_idle(qtbot, main.runner)
    assert not main.locked


def test_input_keeps_the_screen_unlocked_and_the_watch_steps_aside(qtbot, counter):
    now = [1000.0]
    main = _main(qtbot, counter, settings=ScreenSettings(idle_lock_minutes=1, sync_interval_seconds=0), monotonic=lambda: now[0])
    now[0] += 50
    ime_type(main.quick, "サ")  # typing through the input method counts as input
    assert main.last_input == 1050.0
    now[0] += 2
    ime_type(main.quick, "ト")  # within the rest: not even looked at (no Python filter on every event)
    assert main.last_input == 1050.0
    now[0] += 55  # 57 s after the input the watch saw: still open
    main.check_idle()
    assert not main.locked
    assert not main.input_watch.listening
    # listening again after the rest (a coarse 5 s timer may fire up to 5 % late on a busy machine)
    qtbot.waitUntil(lambda: main.input_watch.listening, timeout=main.input_watch.rest_ms * 2)
    qtbot.mouseClick(main.search.table.viewport(), Qt.MouseButton.LeftButton)
    assert main.last_input == now[0]
    now[0] += 61
    main.check_idle()
    assert main.locked


def test_a_keystroke_is_handled_while_a_search_runs(qtbot, counter):
    """The GUI thread never waits for a search: a slow search still running, typing goes on."""
    import threading
    import time as _time

    gate = threading.Event()
    real = counter.search

    def slow_search(c):
        gate.wait(5)
        return real(c)

    counter.search = slow_search
    main = _main(qtbot, counter)
    ime_type(main.quick, "*サ")
    main.search.search_now()
    assert main.runner.busy
    t0 = _time.perf_counter()
    ime_type(main.quick, "イ")
    QApplication.processEvents()
    assert (_time.perf_counter() - t0) < 0.1
    assert main.quick.text() == "*サイ"
    gate.set()
    wait_idle(qtbot, main.runner)


def test_outbox_and_review_tabs_show_their_content_when_first_opened(qtbot, world):
    from domain.notifications import ExOfficioCorrection

    service = world.counter("super01", "審査係の正しいパスワード2026")
    main = _main(qtbot, service)
    rid = service.search(SearchCriteria(name="サ", ward="*")).hits[0].resident.resident_id
    service.take(ExOfficioCorrection(resident_id=rid, changes={"domicile": "千葉県千葉市中央区千葉港1番地"}, explanation="戸籍の附票の通知による", notified_on=service.today()))
    service.sync()
    outbox = main.open_outbox()
    wait_idle(qtbot, main.runner)
    assert outbox.model.rowCount() == 1
    review = main.open_review()
    wait_idle(qtbot, main.runner)
    assert review.model.rowCount() == 1
    service.close()


def test_support_measure_and_suppression_are_shown_before_anything_else(qtbot, counter):
    from dataclasses import replace

    from app.store.register_store import RegisterStore

    rid = counter.search(SearchCriteria(name="タ", ward="*")).hits[0].resident.resident_id
    with counter.cache.writer.begin() as conn:
        store = RegisterStore(conn)
        store.put_record(replace(store.resident(rid), support_measure=True, suppressed=True))
    main = _main(qtbot, counter)
    ime_type(main.quick, rid)
    qtbot.waitUntil(lambda: main.search.model.rowCount() == 1, timeout=10000)
    assert main.search.model.data(main.search.model.index(0, 7)) == "【支援措置】【抑止】"
    panel = main.open_resident(rid)
    qtbot.waitUntil(lambda: panel.page is not None, timeout=10000)
    assert not panel.protection.isHidden()
    assert "支援措置" in panel.protection.text() and "抑止" in panel.protection.text()


def test_the_offline_limit_warning_is_always_in_view(qtbot, counter):
    import time as _time

    with counter.cache.writer.begin() as conn:
        conn.exec_driver_sql("UPDATE meta SET value = :v WHERE key = 'last_sync_at'", {"v": str(_time.time() - 6 * 86400)})
    counter.online = False
    main = _main(qtbot, counter)
    assert not main.banner.isHidden()
    assert "最後の同期から6日" in main.banner.text()
    assert "オフライン" in main.sync_badge.text() and "日前" in main.sync_badge.text()
