"""The `madoguchi` command as an IT person or the Makefile runs it: demo city, search, errors."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD, main

MADOGUCHI = [sys.executable, "-m", "app.cli"]


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("city")
    assert main(["demo-city", "--residents", "400", "--out", str(out), "--dataset", "--today", "2026-11-01"]) == 0
    return out


def test_demo_city_writes_a_cache_and_a_dataset(city, capsys):
    assert (city / "cache.db").exists() and (city / "cache.keys").exists() and (city / "device.key").exists()
    with gzip.open(city / "city.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    members = [m for line in lines for m in line["members"]]
    assert sum(1 for m in members if m.get("status", "current") == "current") in range(395, 420)
    assert all(line["changes"] for line in lines)


def _first_resident(city):
    with gzip.open(city / "city.jsonl.gz", "rt", encoding="utf-8") as f:
        member = json.loads(f.readline())["members"][0]
    return member


def test_search_command_finds_a_resident_by_kana_and_birth_date(city):
    m = _first_resident(city)
    kana = m["name"][2]
    birth = m["birth"]
    result = subprocess.run(
        [*MADOGUCHI, "search", "--cache", str(city), "--operator", DEMO_OPERATOR, "--password-stdin",
         "--name", kana, "--birth", birth, "--ward", "*"],
        input=DEMO_PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert m["id"] in result.stdout
    assert m.get("mn", "NO-NUMBER") not in result.stdout  # the My Number never shows in a list


def test_wrong_password_is_a_japanese_message_and_exit_1(city):
    result = subprocess.run(
        [*MADOGUCHI, "search", "--cache", str(city), "--operator", DEMO_OPERATOR, "--password-stdin", "--name", "サトウ"],
        input="wrong\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "パスワードが違います" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_search_input_is_explained(city):
    result = subprocess.run(
        [*MADOGUCHI, "search", "--cache", str(city), "--operator", DEMO_OPERATOR, "--password-stdin", "--birth", "昭和99年13月40日"],
        input=DEMO_PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "生年月日" in result.stderr


def test_demo_command_without_a_terminal_runs_its_sample_searches(tmp_path):
    result = subprocess.run(
        [*MADOGUCHI, "demo", "--text", "--dir", str(tmp_path / "demo"), "--residents", "300"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "検索> サトウ" in result.stdout and "件" in result.stdout
    assert "同期しました" in result.stdout and "全件" in result.stdout
    assert (tmp_path / "demo" / "registry.db").exists()
    assert (tmp_path / "demo" / "terminal" / "cache" / "cache.db").exists()


def test_missing_cache_is_a_clear_message(tmp_path):
    result = subprocess.run(
        [*MADOGUCHI, "search", "--cache", str(tmp_path / "none"), "--operator", "x", "--password-stdin", "--name", "サトウ"],
        input="pw\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1 and "キャッシュがありません" in result.stderr


def test_demo_without_a_screen_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [*MADOGUCHI, "demo", "--dir", str(tmp_path / "demo"), "--residents", "300"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode == 2 and "DISPLAY" in result.stderr and "--text" in result.stderr
    assert not (tmp_path / "demo").exists()  # nothing built when nothing can be shown


def test_demo_takes_the_snapshot_again_when_the_last_one_was_cut_off(tmp_path):
    from app.sync.terminal import open_for_sync

    directory = tmp_path / "demo"
    first = [*MADOGUCHI, "demo", "--text", "--dir", str(directory), "--residents", "300"]
    assert subprocess.run(first, stdin=subprocess.DEVNULL, capture_output=True, timeout=120).returncode == 0
    kept = subprocess.run(first, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert "異動 0件" in kept.stdout and "全件" not in kept.stdout  # nothing new: an incremental sync
    with open_for_sync(directory / "terminal") as c, c.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE meta SET value = 'running' WHERE key = 'snapshot'")  # as if killed mid-snapshot
    again = subprocess.run(first, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "全件" in again.stdout and "検索> サトウ" in again.stdout
