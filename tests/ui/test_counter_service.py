"""The counter service the screens call: Qt-free, over a real cache and a real registry."""
from __future__ import annotations

import json
import threading

import pytest

from app.services.session import LoginFailed
from app.services.settings import ScreenSettings
from domain.errors import ValidationError
from domain.search_criteria import SearchCriteria
from tests.support.world import CLERK, CLERK_PASSWORD, FAST_SCRYPT


def test_drafts_belong_to_their_operator_and_survive_a_new_login(world, counter):
    draft_id = counter.new_draft_id()
    counter.save_draft(draft_id, "MoveIn", "転入届 船橋 健", {"persons": [{"family": "船橋"}]})
    counter.save_draft(draft_id, "MoveIn", "転入届 船橋 健", {"persons": [{"family": "船橋", "given": "健"}]})
    counter.close()
    again = world.counter()
    (draft,) = again.drafts()
    assert (draft.draft_id, draft.kind, draft.data) == (draft_id, "MoveIn", {"persons": [{"family": "船橋", "given": "健"}]})
    supervisor = world.counter("super01", "審査係の正しいパスワード2026")
    assert supervisor.drafts() == []
    again.discard_draft(draft_id)
    assert again.drafts() == []
    again.close()
    supervisor.close()


def test_drafts_are_not_on_disk_in_plain_text(world, counter):
    counter.save_draft(counter.new_draft_id(), "MoveIn", "転入届 船橋 健", {"family": "船橋ユニーク"})
    counter.close()
    for path in world.terminal_dir.rglob("*"):
        if path.is_file():
            assert "船橋ユニーク".encode() not in path.read_bytes(), path


def test_search_history_newest_first_without_repeats(counter):
    for name in ("サトウ", "タナカ", "サトウ"):
        counter.search(SearchCriteria(name=name, ward="*"))
    assert [c.name for c in counter.search_history()] == ["サトウ", "タナカ"]


def test_a_search_the_rules_refuse_writes_no_history(counter):
    with pytest.raises(ValidationError):
        counter.search(SearchCriteria(birth="昭和99年13月"))
    assert counter.search_history() == []


def test_new_ids_never_repeat_even_across_logins(world, counter):
    a, h = counter.new_ids(residents=2, households=1)
    counter.close()
    b, _ = world.counter().new_ids(residents=1)
    assert len(set(a + h + b)) == 4
    assert all(i.startswith("ui-counter-01-") and len(i) <= 32 for i in a + h + b)


def test_new_ids_from_threads_are_unique(counter):
    got, lock = [], threading.Lock()

    def take():
        ids, _ = counter.new_ids(residents=3)
        with lock:
            got.extend(ids)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == len(set(got)) == 12


def test_status_online_then_offline(world, counter):
    counter.sync()
    status = counter.status()
    assert status.online and status.last_sync_at and status.open_operations == 0 and status.warning == ""
    world.registry_offline()
    with pytest.raises(Exception) as e:
        counter.sync()
    assert "登録サーバー" in e.value.message
    status = counter.status()
    assert not status.online and status.last_error


def test_review_needs_a_supervisor_and_a_session(world, counter):
    with pytest.raises(Exception) as e:
        counter.review_queue()
    assert "監督者" in e.value.message


def test_login_refusals_are_japanese(world):
    with pytest.raises(LoginFailed) as e:
        world.counter(CLERK, "")
    assert "パスワード" in e.value.message
    with pytest.raises(LoginFailed) as e:
        world.counter("nobody", "whatever-password")
    assert e.value.message


def test_first_login_of_an_operator_offline_is_refused_plainly(world, tmp_path):
    world.registry_offline()
    with pytest.raises(LoginFailed) as e:
        world.counter("newclerk", "新人のパスワード2026")
    assert "パスワード" in e.value.message or "ログイン" in e.value.message


def test_verify_password_for_the_idle_lock(counter):
    assert counter.verify_password(CLERK_PASSWORD)
    assert not counter.verify_password("違う")


def test_screen_settings_from_the_terminal_folder(tmp_path, caplog):
    (tmp_path / "settings.json").write_text(json.dumps({"idle_lock_minutes": 3, "sync_interval_seconds": "often", "colour": 1}))
    s = ScreenSettings.load(tmp_path)
    assert s.idle_lock_minutes == 3.0 and s.sync_interval_seconds == ScreenSettings().sync_interval_seconds
    assert "colour" in caplog.text and "sync_interval_seconds" in caplog.text
    (tmp_path / "settings.json").write_text("{broken")
    assert ScreenSettings.load(tmp_path) == ScreenSettings()


def test_offline_wrong_passwords_lock_the_operator_at_this_terminal(world):
    world.registry_offline()
    now = [1_800_000_000.0]
    for _ in range(4):
        with pytest.raises(LoginFailed) as e:
            world.counter(CLERK, "違うパスワード", clock=lambda: now[0])
        assert "パスワード" in e.value.message and "ロック" not in e.value.message
    with pytest.raises(LoginFailed) as e:
        world.counter(CLERK, "違うパスワード", clock=lambda: now[0])
    assert "15分間ロック" in e.value.message
    with pytest.raises(LoginFailed) as e:  # even the right password waits out the lock
        world.counter(CLERK, CLERK_PASSWORD, clock=lambda: now[0] + 60)
    assert "ロック" in e.value.message
    now[0] += 15 * 60 + 1
    service = world.counter(CLERK, CLERK_PASSWORD, clock=lambda: now[0])
    assert not service.online
    service.close()
    assert b"clerk01" not in (world.terminal_dir / "login-failures.json").read_bytes()
