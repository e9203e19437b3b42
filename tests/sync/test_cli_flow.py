"""The README's path for a city's IT staff, with the real commands: set up the registry, load a
city, register a terminal, enrol it, log in, sync, see the outbox, revoke it."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.sync.harness import CLERK_PASSWORD, ProcessServer

MADOGUCHI = [sys.executable, "-m", "app.cli"]


def run(*args, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MADOGUCHI, *args], input=input, capture_output=True, text=True, timeout=120)


def test_registry_init_enrol_login_sync_outbox_and_revoke_from_the_command_line(tmp_path):
    db = str(tmp_path / "registry.db")
    init = run("registry", "init", "--db", db, "--admin", "admin01", "--password-stdin", input="管理者の長いパスワード2026\n")
    assert init.returncode == 0, init.stderr
    assert run("demo-city", "--registry-db", db, "--residents", "200").returncode == 0
    add = run("registry", "add-operator", "--db", db, "--id", "clerk01", "--name", "窓口 花子", "--role", "clerk", "--ward", "121011", "--password-stdin", input=CLERK_PASSWORD + "\n")
    assert add.returncode == 0, add.stderr
    weak = run("registry", "add-operator", "--db", db, "--id", "clerk02", "--name", "窓口 次郎", "--role", "clerk", "--password-stdin", input="short\n")
    assert weak.returncode == 1 and "12文字以上" in weak.stderr
    code = json.loads(run("registry", "add-terminal", "--db", db, "--name", "中央区役所 窓口1", "--kind", "counter", "--ward", "121011", "--scope", "ward").stdout)["enrol_code"]

    server = ProcessServer(db)
    try:
        terminal = str(tmp_path / "terminal")
        bad = run("enrol", "--registry", server.url, "--code", "AAAA-BBBB-CCCC-DDDD", "--dir", terminal)
        assert bad.returncode == 1 and "登録コード" in bad.stderr
        enrol = run("enrol", "--registry", server.url, "--code", code, "--dir", terminal)
        assert enrol.returncode == 0, enrol.stderr
        again = run("enrol", "--registry", server.url, "--code", code, "--dir", str(tmp_path / "other"))
        assert again.returncode == 1 and "使用済み" in again.stderr  # one-time

        login = run("login", "--dir", terminal, "--operator", "clerk01", "--password-stdin", input=CLERK_PASSWORD + "\n")
        assert login.returncode == 0, login.stderr
        assert "オンラインでログインしました" in login.stdout and '"snapshot_residents": ' in login.stdout
        sync = run("sync", "--dir", terminal)
        assert sync.returncode == 0 and json.loads(sync.stdout)["changes"] == 0
        assert run("outbox", "--dir", terminal).returncode == 0

        terminal_id = json.loads(enrol.stdout)["terminal_id"]
        assert run("registry", "revoke-terminal", "--db", db, terminal_id).returncode == 0
        revoked = run("sync", "--dir", terminal, "--attempts", "1")
        assert revoked.returncode == 1 and "取り消" in revoked.stderr
        assert not (tmp_path / "terminal" / "cache").exists()
    finally:
        server.close()

    offline = run("sync", "--dir", str(tmp_path / "terminal"), "--attempts", "1")
    assert offline.returncode == 1 and "Traceback" not in offline.stderr
    assert "取り消され" in offline.stderr  # the wiped terminal still says why


def test_sync_before_enrolment_or_first_login_says_what_to_do(tmp_path):
    never = run("sync", "--dir", str(tmp_path / "new"))
    assert never.returncode == 1 and "madoguchi enrol" in never.stderr
    unreachable = run("enrol", "--registry", "http://127.0.0.1:9", "--code", "AAAA-BBBB", "--dir", str(tmp_path / "new"))
    assert unreachable.returncode == 1 and "接続できません" in unreachable.stderr and "Traceback" not in unreachable.stderr
