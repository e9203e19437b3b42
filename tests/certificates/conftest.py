"""Keys for certificate tests: a registry issuing key, a terminal issuing key and its delegation."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates import IssueStamp
from registry.protocol.issuing import IssuingSigner, make_delegation
from tests.certificates.people import ISSUED_ON

JST = dt.timezone(dt.timedelta(hours=9))
SIGNED_AT = int(dt.datetime(2026, 12, 6, 10, 30, tzinfo=JST).timestamp())
VALID_FROM = SIGNED_AT - 30 * 86400
VALID_UNTIL = SIGNED_AT + 60 * 86400
TERMINAL = "chuo-counter-01"


@pytest.fixture(scope="session")
def registry_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def terminal_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def delegation(registry_key, terminal_key) -> bytes:
    return make_delegation(registry_key, TERMINAL, terminal_key.public_key(), VALID_FROM, VALID_UNTIL)


@pytest.fixture(scope="session")
def signer(terminal_key, delegation) -> IssuingSigner:
    return IssuingSigner(terminal_key, delegation, clock=lambda: SIGNED_AT)


@pytest.fixture(scope="session")
def anchors(registry_key) -> list:
    return [registry_key.public_key()]


@pytest.fixture
def stamp() -> IssueStamp:
    return IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", 123)


def pdftotext(pdf: bytes, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def pages_text(pdf: bytes) -> list[str]:
    """pdftotext of each page (form feeds separate pages)."""
    return pdftotext(pdf).split("\f")[:-1]


def pdffonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


need_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
