"""Renders the sample certificates to look at:  .venv/bin/python -m tests.certificates.samples var/certificates

One PDF per sample and its pages as PNG (pdftoppm -r 80), signed by a throwaway issuing key."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates import CertificateKind, IssueStamp, ItemChoice, render
from registry.protocol.issuing import IssuingSigner, make_delegation
from tests.certificates.people import (
    ISSUED_ON,
    foreign_resident,
    history_of,
    long_names_resident,
    moved_out,
    overflowing_resident,
    request,
    takahashi_household,
)

ALL = ItemChoice(householder_relationship=True, domicile=True, resident_code=True, my_number=True)


def samples() -> dict[str, tuple]:
    family = takahashi_household()
    head = family[0]
    foreign = foreign_resident()
    return {
        "individual": (request(CertificateKind.COPY, family[:1]), "shrink"),
        "individual-all-items-history": (
            request(CertificateKind.COPY, family[:1], items=replace(ALL, history=True), history={head.resident_id: history_of(head)},
                    household_form=False), "shrink"),
        "foreign-every-item": (request(CertificateKind.COPY, (foreign,), items=ALL), "shrink"),
        "household-9": (request(CertificateKind.COPY, family, items=ItemChoice(householder_relationship=True, domicile=True)), "shrink"),
        "long-names-shrink": (request(CertificateKind.COPY, (long_names_resident(),), items=ALL), "shrink"),
        "overflow-shrink": (request(CertificateKind.COPY, (overflowing_resident(),), items=ALL), "shrink"),
        "overflow-blank": (request(CertificateKind.COPY, (overflowing_resident(),), items=ALL), "blank"),
        "removed-copy": (request(CertificateKind.REMOVED_COPY, (moved_out(head), moved_out(family[1])),
                                 items=ItemChoice(householder_relationship=True), householder=moved_out(head)), "shrink"),
        "items": (request(CertificateKind.ITEMS, family[:2],
                          items=ItemChoice(items=frozenset({"address", "birth_date", "relationship", "householder"}))), "shrink"),
        "removed-items": (request(CertificateKind.REMOVED_ITEMS, (moved_out(head),), householder=moved_out(head),
                                  items=ItemChoice(items=frozenset({"address", "birth_date", "removal_reason", "removal_date", "destination"}))), "shrink"),
        "move-out": (request(CertificateKind.MOVE_OUT, (moved_out(head), moved_out(family[1])),
                             householder=moved_out(head)), "shrink"),
        "official-use": (request(CertificateKind.COPY, family[7:], official_use=True), "shrink"),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "var/certificates")
    out.mkdir(parents=True, exist_ok=True)
    registry_key, terminal_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    now = int(time.time())
    signer = IssuingSigner(terminal_key, make_delegation(registry_key, "chuo-counter-01", terminal_key.public_key(), now - 60, now + 86400))
    for i, (name, (req, overflow)) in enumerate(samples().items(), start=1):
        stamp = IssueStamp(ISSUED_ON, "千葉市", "中央区窓口1", "プリンタ001", i)
        result = render(req, stamp, signer=signer, overflow=overflow)
        (out / f"{name}.pdf").write_bytes(result.pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(out / f"{name}.pdf"), str(out / name)], check=True)
        print(name, result.pages, "pages", [a.message for a in result.alerts])
    preview = render(samples()["individual"][0], None)
    (out / "preview.pdf").write_bytes(preview.pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(out / "preview.pdf"), str(out / "preview")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
