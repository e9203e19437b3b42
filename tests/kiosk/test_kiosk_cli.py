"""`madoguchi --kiosk`, `madoguchi kiosk set-admin-pin`, and a kiosk that is not one."""
from __future__ import annotations

import io

import pytest

from app.cli import kiosk_shorthand, main
from app.services.kiosk import KioskService, KioskSetupError
from app.services.kiosk_settings import KioskSettings


def test_the_kiosk_flag_starts_the_kiosk_of_a_folder_or_the_demos():
    assert kiosk_shorthand(["--kiosk"]) == ["demo", "--kiosk"]
    assert kiosk_shorthand(["--kiosk", "--dir", "/srv/kiosk"]) == ["kiosk", "run", "--dir", "/srv/kiosk"]
    assert kiosk_shorthand(["-v", "--kiosk", "--windowed"]) == ["-v", "demo", "--kiosk", "--windowed"]
    assert kiosk_shorthand(["demo", "--kiosk"]) == ["demo", "--kiosk"]
    assert kiosk_shorthand(["search", "--cache", "x"]) == ["search", "--cache", "x"]


def test_set_admin_pin_keeps_only_a_hash(kiosk_world, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("97531864\n"))
    assert main(["kiosk", "set-admin-pin", "--dir", str(kiosk_world.kiosk_dir), "--pin-stdin"]) == 0
    assert "97531864" not in (kiosk_world.kiosk_dir / "settings.json").read_text()
    settings = KioskSettings.load(kiosk_world.kiosk_dir)
    assert settings.admin_pin_matches("97531864") and settings.printer == "folder:../prints"  # the rest kept
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["kiosk", "set-admin-pin", "--dir", str(kiosk_world.kiosk_dir), "--pin-stdin"]) == 1
    assert "6〜12桁" in capsys.readouterr().err


def test_set_admin_pin_needs_an_enrolled_terminal(tmp_path, capsys):
    assert main(["kiosk", "set-admin-pin", "--dir", str(tmp_path), "--pin-stdin"]) == 1
    assert "登録されていません" in capsys.readouterr().err


def test_a_counter_terminal_is_no_kiosk(kiosk_world):
    with pytest.raises(KioskSetupError) as refused:
        KioskService.open(kiosk_world.directory / "terminal")
    assert "キオスク端末として登録されていません" in refused.value.message
