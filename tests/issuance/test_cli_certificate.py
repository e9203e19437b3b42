"""`madoguchi certificate` issues headless with the counter's rules; `--help` names every item."""
from __future__ import annotations

import subprocess
import sys

from tests.issuance.helpers import history_rows, households_of, pdf_text, protect
from tests.support.world import CLERK, CLERK_PASSWORD


def run(world, *args: str, password: str = CLERK_PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "certificate", "--dir", str(world.terminal_dir), "--operator", CLERK, "--password-stdin", *args],
        input=password + "\n", capture_output=True, text=True, timeout=120,
    )


def test_a_household_copy_with_items_to_a_file(world, counter, tmp_path):
    counter.sync()
    family = households_of(counter, 2)[0]
    out = tmp_path / "住民票.pdf"
    done = run(world, "--resident", family[0].resident_id, "--type", "copy", "--members", "all", "--items", "householder_relationship,domicile", "--copies", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "手数料 600円" in done.stdout and done.stdout.count("発行\t") == 2
    assert out.exists() and (tmp_path / "住民票-2.pdf").exists()
    text = pdf_text(out.read_bytes())
    assert "本籍" in text and "世帯主" in text
    assert len(history_rows(counter)) == 2
    # anyone with the terminal folder (its issuing-anchor.pem) checks it offline
    verified = subprocess.run([sys.executable, "-m", "app.cli", "verify-certificate", "--dir", str(world.terminal_dir), str(out)], capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and "真正" in verified.stdout, verified.stdout + verified.stderr


def test_refusals_are_plain_japanese_and_write_nothing(world, counter, tmp_path):
    counter.sync()
    me = households_of(counter, 1)[0][0]
    protect(world, counter, me.resident_id)
    done = run(world, "--resident", me.resident_id, "--type", "copy", "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 1 and "一時解除" in done.stderr and "Traceback" not in done.stderr
    wrong_kind = run(world, "--resident", households_of(counter, 1)[1][0].resident_id, "--type", "removed_copy", "--out", str(tmp_path / "y.pdf"))
    assert wrong_kind.returncode == 1 and "住民票の写し" in wrong_kind.stderr and "Traceback" not in wrong_kind.stderr
    bad_item = run(world, "--resident", me.resident_id, "--type", "copy", "--items", "everything", "--out", str(tmp_path / "z.pdf"))
    assert bad_item.returncode != 0 and "使えない名前" in bad_item.stderr
    bad_field = run(world, "--resident", me.resident_id, "--type", "items", "--fields", "address,shoe_size", "--out", str(tmp_path / "w.pdf"))
    assert bad_field.returncode != 0 and "shoe_size" in bad_field.stderr and "birth_date" in bad_field.stderr
    removal_field = run(world, "--resident", me.resident_id, "--type", "items", "--fields", "destination", "--out", str(tmp_path / "v.pdf"))
    assert removal_field.returncode != 0 and "destination" in removal_field.stderr and "Traceback" not in removal_field.stderr
    fields_on_a_copy = run(world, "--resident", me.resident_id, "--type", "copy", "--fields", "address", "--out", str(tmp_path / "t.pdf"))
    assert fields_on_a_copy.returncode != 0 and "--fields は使えません" in fields_on_a_copy.stderr
    items_on_fields_kind = run(world, "--resident", me.resident_id, "--type", "items", "--fields", "address", "--items", "domicile", "--out", str(tmp_path / "s.pdf"))
    assert items_on_fields_kind.returncode != 0 and "--items・--omit（furigana を除く）は使えません" in items_on_fields_kind.stderr
    not_removed = run(world, "--resident", me.resident_id, "--type", "removed_items", "--fields", "destination", "--out", str(tmp_path / "u.pdf"))
    assert not_removed.returncode == 1 and "住民票記載事項証明書" in not_removed.stderr and "Traceback" not in not_removed.stderr
    assert not list(tmp_path.glob("*.pdf"))
    assert history_rows(counter) == []
