"""`madoguchi verify-certificate FILE.pdf`: is a certificate genuine? Offline, with the issuing anchor.

    madoguchi verify-certificate FILE.pdf [--anchor KEYFILE ...] [--dir TERMINAL_DIR]
    madoguchi verify-certificate --payload TEXT [--anchor KEYFILE | --dir TERMINAL_DIR]

The anchor is the registry issuing key's public key (PEM): `--anchor FILE` (repeatable, e.g. the
current and the previous key), or `--dir DIR` for `DIR/issuing-anchor.pem` on a terminal. `--payload`
checks the text of one QR code read by a phone or a scanner (the page's printed content cannot be
checked that way: the verdict lists what the paper must say). Exit status: 0 genuine, 1 not genuine,
2 a usage error (no anchor, unreadable file).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

log = logging.getLogger("madoguchi.certificates")


def _anchors(args) -> list:
    from registry.protocol.issuing import ANCHOR_FILE, load_anchor

    files = [Path(a) for a in (args.anchor or [])]
    if args.dir:
        files.append(Path(args.dir) / ANCHOR_FILE)
    if not files:
        raise _Usage("検証用の公開鍵を --anchor（PEMファイル）か --dir（端末のフォルダ）で指定してください")
    anchors = []
    for f in files:
        try:
            anchors.append(load_anchor(f.read_bytes()))
        except OSError as exc:
            raise _Usage(f"検証用の公開鍵 {f} を読めません（{exc.strerror or exc}）") from None
        except ValueError as exc:
            log.info("anchor %s rejected: %s", f, exc)
            raise _Usage(f"{f} は発行用の公開鍵（Ed25519, PEM）ではありません") from None
    return anchors


class _Usage(Exception):
    pass


def cmd_verify_certificate(args) -> int:
    from app.certificates.verify import verify_pdf
    from registry.protocol.issuing import verify_payload

    try:
        anchors = _anchors(args)
        if args.payload is not None:
            verdict = verify_payload(args.payload, anchors)
        elif args.file:
            try:
                data = Path(args.file).read_bytes()
            except OSError as exc:
                raise _Usage(f"{args.file} を読めません（{exc.strerror or exc}）") from None
            verdict = verify_pdf(data, anchors)
        else:
            raise _Usage("確認する証明書のPDFファイルか --payload を指定してください")
    except _Usage as exc:
        print(str(exc), file=sys.stderr)
        return 2
    log.info("verify-certificate: %s (%s)", verdict.status, verdict.detail)
    print(verdict.report_ja())
    if args.payload is not None and verdict.genuine:
        print("（QRコードの署名は正しいものです。上の内容が証明書の印字と一致することを確認してください）")
    return 0 if verdict.genuine else 1


def add_parser(sub) -> None:
    p = sub.add_parser("verify-certificate", help="check whether a certificate PDF (or a QR code's text) is genuine, offline")
    p.add_argument("file", nargs="?", help="the certificate PDF")
    p.add_argument("--anchor", action="append", help="the registry issuing key's public key (PEM); repeatable")
    p.add_argument("--dir", help="a terminal folder: its issuing-anchor.pem is the anchor")
    p.add_argument("--payload", help="the text of one page's QR code (from a phone or a scanner) instead of a PDF")
    p.set_defaults(func=cmd_verify_certificate)
