"""`madoguchi card …` from the command line, the virtual card as its own process, and the
private pcscd stack shared by everyone in a test run."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from hardware import mynumber
from hardware.pcsc_stack import PcscStack, reader_config
from hardware.virtual_card.profile import CardProfile, card_address
from domain.residents import Address
from tests.hardware.fixtures import MY_NUMBER, PIN, wait_for_card


def madoguchi(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, timeout=timeout)


def test_card_readers_and_card_read(card_reader):
    listing = madoguchi("card", "readers")
    assert listing.returncode == 0 and f"{card_reader.reader}\tカードあり" in listing.stdout
    read = madoguchi("card", "read", "--pin-stdin", stdin=PIN + "\n")
    assert read.returncode == 0, read.stderr
    assert "氏名\t千葉\u3000花子" in read.stdout and "性別\t女" in read.stdout
    assert "個人番号\t********9018" in read.stdout and MY_NUMBER not in read.stdout
    assert "残り回数：3回" in read.stderr
    shown = madoguchi("card", "read", "--pin-stdin", "--json", "--show-number", stdin=PIN + "\n")
    assert json.loads(shown.stdout)["my_number"] == MY_NUMBER


def test_card_read_says_what_went_wrong(card_reader):
    wrong = madoguchi("card", "read", "--pin-stdin", stdin="9999\n")
    assert wrong.returncode == 1 and "あと2回" in wrong.stderr and "Traceback" not in wrong.stderr
    last = madoguchi("card", "read", "--pin-stdin", stdin="9999\n")
    assert "残り1回" in last.stderr
    assert "！！" in madoguchi("card", "read", "--pin-stdin", stdin="9999\n").stderr  # the last-try warning came first
    blocked = madoguchi("card", "read", "--pin-stdin", stdin=PIN + "\n")
    assert blocked.returncode == 1 and "ロックされています" in blocked.stderr


def test_card_auth(card_reader, pki):
    ok = madoguchi("card", "auth", "--anchor", str(pki.ca.cert_path), "--crl", str(pki.ca.crl_path), "--pin-stdin", "--json", stdin=PIN + "\n")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["serial"] == "1001"
    missing = madoguchi("card", "auth", "--anchor", "/nonexistent/ca.pem", "--crl", str(pki.ca.crl_path), "--pin-stdin", stdin=PIN + "\n")
    assert missing.returncode == 1 and "/nonexistent/ca.pem" in missing.stderr


def test_make_test_ca_make_profile_and_emulate(tmp_path, second_reader, card_reader):
    made = madoguchi("card", "make-test-ca", "--out", str(tmp_path / "ca"))
    assert made.returncode == 0, made.stderr
    anchor = json.loads(made.stdout)["trust_anchor"]
    profile_path = tmp_path / "cards" / "funabashi.json"
    out = madoguchi("card", "make-profile", "--out", str(profile_path), "--ca", str(tmp_path / "ca"), "--name", "船橋 健",
                    "--address", "千葉県船橋市湊町二丁目１０番２５号", "--birth", "1975-05-05", "--sex", "1", "--my-number", "123456789018",
                    "--pin", "2468")
    assert out.returncode == 0, out.stderr
    profile = CardProfile.load(profile_path)
    assert profile.name == "船橋\u3000健" and (profile_path.parent / profile.jpki_certificate).exists()

    # the virtual card as its own process, on reader 2, driven through stdin
    card_reader.take_away()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "card", "emulate", "--profile", str(profile_path), "--port", str(second_reader.port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "挿入しました" in proc.stdout.readline()
        wait_for_card(second_reader.reader, True)
        info = mynumber.read_card("2468")
        assert (info.name, info.reader) == ("船橋\u3000健", second_reader.reader)
        auth = madoguchi("card", "auth", "--anchor", anchor, "--crl", str(tmp_path / "ca" / "crl.pem"), "--pin-stdin", "--json", stdin="2468\n")
        assert auth.returncode == 0, auth.stderr
        proc.stdin.write("remove\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "removed"
        wait_for_card(second_reader.reader, False)
        proc.stdin.write("insert\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "inserted"
        wait_for_card(second_reader.reader, True)
        proc.stdin.write("status\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["inserted"] is True
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    wait_for_card(second_reader.reader, False)


def test_make_profile_refuses_bad_fields(tmp_path):
    bad = madoguchi("card", "make-profile", "--out", str(tmp_path / "x.json"), "--name", "甲", "--address", "乙",
                    "--birth", "1980-13-01", "--sex", "1", "--my-number", "123456789012")
    assert bad.returncode == 1
    assert "生年月日" in bad.stderr and "検査数字" in bad.stderr and not (tmp_path / "x.json").exists()


def test_make_profile_from_the_demo_registry(tmp_path):
    from registry.database import open_database
    from registry.load import load_demo_city

    db = tmp_path / "registry.db"
    engine = open_database(str(db))
    load_demo_city(engine, residents_count=30, seed=3, today=dt.date(2026, 11, 25))
    engine.dispose()
    out = madoguchi("card", "make-profile", "--out", str(tmp_path / "card.json"), "--registry-db", str(db))
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    profile = CardProfile.load(tmp_path / "card.json")
    assert made["resident_id"] and profile.name == made["name"]
    assert profile.address.startswith("千葉県千葉市") and profile.check() is None
    missing = madoguchi("card", "make-profile", "--out", str(tmp_path / "none.json"), "--registry-db", str(db), "--resident", "nobody")
    assert missing.returncode == 1 and "見つかりません" in missing.stderr


def test_card_addresses_are_written_as_the_card_prints_them():
    a = Address("千葉県", "千葉市中央区", "千葉港", "1番1-2号", "ハイツ101", "121011")
    assert card_address(a) == "千葉県千葉市中央区千葉港１番１－２号\u3000ハイツ１０１"


def test_a_second_stack_joins_the_running_pcscd(pcsc_stack):
    again = PcscStack().start()
    assert not again.owner and (again.pid, again.port) == (pcsc_stack.pid, pcsc_stack.port)
    again.stop()  # joined, not started: pcscd keeps running
    assert pcsc_stack.pid in __import__("hardware.pcsc_stack", fromlist=["pcscd_pids"]).pcscd_pids()


def test_a_lease_waits_for_a_busy_slot_then_gives_up(pcsc_stack, card_reader):
    from hardware.pcsc_stack import PcscStackError

    with pytest.raises(PcscStackError, match="busy"):
        with pcsc_stack.lease(0, timeout=0.2):
            pass


def test_the_reader_configuration():
    text = reader_config(0x8C7B)
    assert "DEVICENAME   /dev/null:0x8C7B" in text and "CHANNELID    0x8C7B" in text
    assert "libifdvpcd.so" in text


def test_stale_run_files_are_removed_but_a_live_socket_is_not(tmp_path, monkeypatch):
    import socket as socket_mod

    from hardware import pcsc_stack
    from hardware.pcsc_stack import PcscStackError

    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setattr(pcsc_stack, "PCSCD_RUN_DIR", run)
    monkeypatch.setattr(pcsc_stack, "pcscd_pids", lambda: [])
    stack = PcscStack(tmp_path / "stack")
    # left behind by a killed pcscd: a socket nobody listens on, a pid file
    dead = socket_mod.socket(socket_mod.AF_UNIX)
    dead.bind(str(run / "pcscd.comm"))
    dead.close()
    (run / "pcscd.pid").write_text("12345")
    stack._clean_stale_run_files()
    assert not (run / "pcscd.comm").exists() and not (run / "pcscd.pid").exists()
    # a socket that answers (systemd's pcscd.socket) is someone else's pcscd: left alone, said plainly
    live = socket_mod.socket(socket_mod.AF_UNIX)
    live.bind(str(run / "pcscd.comm"))
    live.listen(1)
    try:
        with pytest.raises(PcscStackError, match="systemctl stop pcscd.socket"):
            stack._clean_stale_run_files()
        assert (run / "pcscd.comm").exists()
    finally:
        live.close()


def test_a_pcscd_left_by_a_killed_run_is_taken_over(tmp_path, monkeypatch):
    import json as json_mod

    from hardware import pcsc_stack

    dead_owner = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    (tmp_path / "state.json").write_text(json_mod.dumps({"pid": 4242, "port": 40000, "owner": int(dead_owner)}))
    monkeypatch.setattr(pcsc_stack, "pcscd_pids", lambda: [4242])
    monkeypatch.setattr(PcscStack, "_wait_for_readers", lambda self, timeout: None)
    monkeypatch.setattr(PcscStack, "_check_installed", lambda self: None)
    stack = PcscStack(tmp_path).start()
    assert stack.owner and (stack.pid, stack.port) == (4242, 40000)
    assert json_mod.loads((tmp_path / "state.json").read_text())["owner"] == __import__("os").getpid()
    # while its owner lives, another stack only joins
    assert not PcscStack(tmp_path).start().owner
