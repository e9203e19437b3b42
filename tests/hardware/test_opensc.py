"""The virtual card checked once by a second, independent client: OpenSC's JPKI driver (the one
real My Number cards are used with on Linux) finds the card, its PINs and its certificate."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography import x509

from hardware import apdu


def run(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("pkcs15-tool") is None, reason="OpenSC is installed by `make test` (apt: opensc)")
def test_opensc_reads_the_jpki_side(card_reader, pki):
    listing = run("opensc-tool", "-l")
    assert card_reader.reader in listing
    index = next(line.split()[0] for line in listing.splitlines() if line.rstrip().endswith(card_reader.reader))
    assert run("opensc-tool", "-r", index, "-n").strip() == "jpki"
    dump = run("pkcs15-tool", "-r", index, "-D")
    for item in ("User Authentication PIN", "Digital Signature PIN", "User Authentication Key", "User Authentication Certificate"):
        assert item in dump
    assert dump.count("Tries left     : 3") == 1 and dump.count("Tries left     : 5") == 1  # asked with an empty VERIFY
    pem = run("pkcs15-tool", "-r", index, "--read-certificate", "1")
    assert x509.load_pem_x509_certificate(pem.encode()) == x509.load_pem_x509_certificate(pki.card_cert.read_bytes())
    # OpenSC never sent a PIN: tries untouched
    assert not [c for c in card_reader.card.log if c.ins == apdu.INS_VERIFY and c.data_length]
