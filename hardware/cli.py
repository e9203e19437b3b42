"""`madoguchi card …` — card readers, My Number cards and the virtual card, from the command line.

    madoguchi card readers                                   # readers and whether a card is on them
    madoguchi card read [--reader NAME] [--show-number]      # asks the PIN; the 4 basic info
    madoguchi card auth --anchor CA.pem --crl CA.crl         # JPKI authentication (利用者証明用)
    madoguchi card emulate [--profile FILE] [--port N] [--with-pcscd] [--control-port N]
    madoguchi card make-test-ca --out DIR                    # a test CA (trust anchor + CRL)
    madoguchi card make-profile --out FILE [--ca DIR] [--registry-db DB [--resident ID] | --name …]

Hooked into `app/cli.py` with `add_parser(sub)`. Errors print their Japanese message (exit 1).
PINs are asked with getpass (or read from stdin with --pin-stdin); never taken as arguments,
which would leave them in the shell history and the process list.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import secrets
import socket
import sys
import threading
from pathlib import Path

from hardware.errors import PinBlocked

log = logging.getLogger(__name__)


def add_parser(sub) -> None:
    card = sub.add_parser("card", help="card readers, My Number cards and the virtual card")
    cs = card.add_subparsers(dest="card_command", required=True)

    r = cs.add_parser("readers", help="list the card readers and the cards on them")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_readers)

    rd = cs.add_parser("read", help="read a My Number card's 4 basic info (asks the 4-digit PIN)")
    rd.add_argument("--reader", default="", help="the reader to use (default: the one holding a My Number card)")
    rd.add_argument("--show-number", action="store_true", help="show the My Number unmasked")
    rd.add_argument("--pin-stdin", action="store_true", help="read the PIN from the first line of stdin")
    rd.add_argument("--json", action="store_true")
    rd.set_defaults(func=cmd_read)

    au = cs.add_parser("auth", help="JPKI authentication with the 利用者証明用 certificate (asks the 4-digit PIN)")
    au.add_argument("--anchor", default="", help="the trust anchor: the 利用者証明用 CA certificate(s), PEM or DER")
    au.add_argument("--crl", default="", help="the CA's certificate revocation list, PEM or DER")
    au.add_argument("--dir", default="", help="a terminal folder whose settings.json names the anchor and CRL")
    au.add_argument("--reader", default="")
    au.add_argument("--pin-stdin", action="store_true")
    au.add_argument("--json", action="store_true")
    au.set_defaults(func=cmd_auth)

    em = cs.add_parser("emulate", help="run a virtual My Number card on vsmartcard's vpcd (commands on stdin)")
    em.add_argument("--profile", default="", help="the card's JSON profile (default: a demo card)")
    em.add_argument("--port", type=int, default=0, help="the vpcd port (default 35963, Debian's vpcd slot 0)")
    em.add_argument("--host", default="127.0.0.1")
    em.add_argument("--with-pcscd", action="store_true", help="start (or join) a private pcscd with two virtual readers")
    em.add_argument("--control-port", type=int, default=0, help="also take commands on 127.0.0.1:PORT (one per line)")
    em.set_defaults(func=cmd_emulate)

    ca = cs.add_parser("make-test-ca", help="make a test JPKI CA: ca.pem (trust anchor), ca.key.pem, crl.pem")
    ca.add_argument("--out", required=True)
    ca.set_defaults(func=cmd_make_test_ca)

    mp = cs.add_parser("make-profile", help="write a virtual card profile (from a demo resident or given fields)")
    mp.add_argument("--out", required=True, help="the profile file to write (key and certificate go beside it)")
    mp.add_argument("--ca", default="", help="a test CA folder (make-test-ca): the card gets a certificate from it")
    mp.add_argument("--registry-db", default="", help="the demo registry database (e.g. var/demo/registry.db)")
    mp.add_argument("--resident", default="", help="宛名番号 of the resident (default: the first with a My Number)")
    mp.add_argument("--name", default="", help="氏名 (family and given name separated by a space)")
    mp.add_argument("--address", default="")
    mp.add_argument("--birth", default="", help="YYYY-MM-DD")
    mp.add_argument("--sex", type=int, choices=(0, 1, 2, 9), default=None)
    mp.add_argument("--my-number", default="")
    mp.add_argument("--pin", default="1234", help="the demo card's 4-digit PINs (default 1234)")
    mp.add_argument("--tries", type=int, default=3, help="PIN tries left on the card (1: last try, 0: blocked)")
    mp.add_argument("--expired", action="store_true", help="the certificate has expired")
    mp.add_argument("--revoked", action="store_true", help="the certificate is revoked (put on the CA's CRL)")
    mp.set_defaults(func=cmd_make_profile)


# -- helpers ----------------------------------------------------------------------------------


def _ask_pin(args, label: str) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(f"{label}（数字4桁）: ")


def _announce_tries(tries: int, label: str) -> None:
    if tries == 1:
        print(f"！！ {label}の残り回数は1回です。次に間違えるとカードがロックされます。 ！！", file=sys.stderr)
    else:
        print(f"{label}の残り回数：{tries}回", file=sys.stderr)


# -- commands ---------------------------------------------------------------------------------


def cmd_readers(args) -> int:
    from hardware.readers import list_readers

    readers = list_readers()
    if args.json:
        print(json.dumps([{"reader": r.name, "card": r.card_present, "in_use": r.in_use, "atr": r.atr.hex().upper()} for r in readers], ensure_ascii=False))
        return 0
    if not readers:
        print("カードリーダーが接続されていません。")
        return 1
    for r in readers:
        state = ("カードあり（使用中）" if r.in_use else "カードあり") if r.card_present else "カードなし"
        print(f"{r.name}\t{state}")
    return 0


def cmd_read(args) -> int:
    from hardware import mynumber

    status = mynumber.pin_status(args.reader or None)
    label = "暗証番号（券面事項入力補助用）"
    print(f"カードリーダー：{status.reader}", file=sys.stderr)
    if status.blocked:
        raise PinBlocked("PIN blocked; nothing sent")
    _announce_tries(status.tries_left, label)
    info = mynumber.read_card(_ask_pin(args, label), status.reader)
    number = info.my_number if args.show_number else info.masked_number
    if args.json:
        print(json.dumps({"name": info.name, "address": info.address, "birth_date": info.birth_date.isoformat(),
                          "sex": int(info.sex), "my_number": number, "reader": info.reader}, ensure_ascii=False))
        return 0
    print(f"氏名\t{info.name}")
    print(f"住所\t{info.address}")
    print(f"生年月日\t{info.birth_date:%Y年%m月%d日}")
    print(f"性別\t{info.sex.label}")
    print(f"個人番号\t{number}")
    return 0


def _trust(args):
    from hardware.jpki import TrustConfig

    anchor, crl = args.anchor, args.crl
    if args.dir and not (anchor and crl):
        from app.services.card_settings import CardSettings

        settings = CardSettings.load(Path(args.dir))
        anchor, crl = anchor or settings.trust_anchor_path(), crl or settings.crl_path()
    return TrustConfig.from_files(anchor or None, crl or None)


def cmd_auth(args) -> int:
    from hardware import jpki

    trust = _trust(args)
    status = jpki.pin_status(args.reader or None)
    label = "利用者証明用暗証番号"
    print(f"カードリーダー：{status.reader}", file=sys.stderr)
    if status.blocked:
        raise PinBlocked("PIN blocked; nothing sent")
    _announce_tries(status.tries_left, label)
    identity = jpki.authenticate(_ask_pin(args, label), trust, status.reader)
    if args.json:
        print(json.dumps(identity.as_dict(), ensure_ascii=False))
        return 0
    print("本人確認できました（利用者証明用電子証明書）")
    for key, label in (("serial", "シリアル番号"), ("subject", "主体者"), ("issuer", "発行者"), ("not_after", "有効期限")):
        print(f"{label}\t{identity.as_dict()[key]}")
    return 0


def cmd_make_test_ca(args) -> int:
    from hardware.testca import make_test_ca

    ca = make_test_ca(Path(args.out), now=dt.datetime.now(dt.timezone.utc))
    print(json.dumps({"trust_anchor": str(ca.cert_path), "crl": str(ca.crl_path)}, ensure_ascii=False))
    return 0


def _resident_fields(args) -> dict:
    """name, address, birth_date, sex, my_number of the demo resident asked for."""
    from sqlalchemy import select

    from domain.codec import resident_from_dict
    from hardware.virtual_card.profile import card_address
    from registry.database import open_database
    from registry.schema import residents
    import orjson

    engine = open_database(args.registry_db)
    try:
        with engine.connect() as conn:
            query = select(residents.c.record).where(residents.c.status == "current").order_by(residents.c.resident_id)
            if args.resident:
                query = select(residents.c.record).where(residents.c.resident_id == args.resident)
            for (record,) in conn.execute(query.limit(1 if args.resident else 500)):
                r = resident_from_dict(orjson.loads(record))
                birth = r.birth_date.to_date()
                if r.my_number and birth is not None:
                    return {"name": r.name.full, "address": card_address(r.address), "birth_date": birth.isoformat(),
                            "sex": int(r.sex), "my_number": r.my_number, "resident_id": r.resident_id}
                if args.resident:
                    raise _Refused(f"resident {args.resident} has no My Number or no exact birth date",
                                   f"宛名番号 {args.resident} の住民には個人番号または確定した生年月日がないため、カードを作れません。")
    finally:
        engine.dispose()
    raise _Refused("no such resident", f"宛名番号 {args.resident} の住民が見つかりません。" if args.resident else "カードを作れる住民が見つかりません。")


class _Refused(Exception):
    def __init__(self, log_line: str, message: str):
        super().__init__(log_line)
        self.message = message


def cmd_make_profile(args) -> int:
    from hardware.testca import CaFolder
    from hardware.virtual_card.profile import CardProfile, Pin

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fields = _resident_fields(args) if args.registry_db else {
        "name": args.name.replace(" ", "\u3000"), "address": args.address, "birth_date": args.birth,
        "sex": args.sex if args.sex is not None else 0, "my_number": args.my_number,
    }
    resident_id = fields.pop("resident_id", "")
    profile = CardProfile(**fields, card_info=Pin(args.pin, args.tries), jpki_auth=Pin(args.pin, args.tries), base_dir=out.parent)
    profile.check()
    if args.ca:
        ca = CaFolder(Path(args.ca))
        now = dt.datetime.now(dt.timezone.utc)
        serial = secrets.randbits(63) | (1 << 62)
        start = now - dt.timedelta(days=5 * 365 + 30) if args.expired else None
        key_path, cert_path = ca.issue_card_key(out.parent, now=now, serial=serial, stem=f"{out.stem}-auth", not_before=start)
        if args.revoked:
            ca.revoke(serial, now=now)
        profile.jpki_key, profile.jpki_certificate = key_path.name, cert_path.name
        profile.jpki_ca_certificate = str(ca.cert_path.resolve())
    profile.save(out)
    print(json.dumps({"profile": str(out), "resident_id": resident_id, "name": profile.name,
                      "certificate": profile.jpki_certificate}, ensure_ascii=False))
    return 0


DEMO_PROFILE = {
    "resident": {"name": "見本\u3000花子", "address": "千葉県千葉市中央区千葉港１番１号",
                 "birth_date": "1985-04-01", "sex": 2, "my_number": "123456789018"},
}


def cmd_emulate(args) -> int:
    from hardware.virtual_card.profile import CardProfile, build_card
    from hardware.virtual_card.vpcd import DEFAULT_PORT, VpcdLink

    profile = CardProfile.load(Path(args.profile)) if args.profile else CardProfile.from_json(DEMO_PROFILE)
    card = build_card(profile)
    stack = lease = None
    port = args.port or DEFAULT_PORT
    reader = ""
    if args.with_pcscd:
        from hardware.pcsc_stack import PcscStack

        stack = PcscStack().start()
        lease = stack.lease(timeout=5)
        slot = lease.__enter__()
        port, reader = slot.port, slot.reader
    link = VpcdLink(card, port, args.host).start()
    commands = _Commands(link, profile)
    server = _control_server(args.control_port, commands) if args.control_port else None
    print(f"仮想カード「{profile.name or 'その他のカード'}」を vpcd {args.host}:{port} に挿入しました"
          + (f"（カードリーダー {reader}）" if reader else "")
          + "。コマンド：remove（取り外す）、insert（置く）、status、quit", flush=True)
    try:
        for line in sys.stdin:
            reply = commands.run(line)
            if reply is None:
                break
            print(reply, flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        link.stop()
        if lease is not None:
            lease.__exit__(None, None, None)
        if stack is not None:
            stack.stop()
    return 0


class _Commands:
    def __init__(self, link, profile):
        self.link, self.profile = link, profile
        self.lock = threading.Lock()

    def run(self, line: str) -> str | None:
        word = line.strip().lower()
        with self.lock:
            if word in ("quit", "exit"):
                return None
            if word == "remove":
                self.link.remove()
                return "removed"
            if word == "insert":
                self.link.insert()
                return "inserted" if self.link.wait_connected(5) else "inserting (vpcd not reachable yet)"
            if word == "status":
                card = self.link.card
                tries = {f"{f.aid.hex().upper()}/{fid:04X}": pf.tries for f in card.applications.values()
                         for fid, pf in f.files.items() if hasattr(pf, "tries")}
                return json.dumps({"inserted": self.link.inserted, "connected": self.link.connected.is_set(), "pin_tries": tries})
            return f"unknown command {word!r}: remove, insert, status, quit" if word else ""


def _control_server(port: int, commands: _Commands) -> socket.socket:
    server = socket.create_server(("127.0.0.1", port))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn, conn.makefile("rw", encoding="utf-8") as f:
                for line in f:
                    reply = commands.run(line)
                    f.write(("bye" if reply is None else reply) + "\n")
                    f.flush()
                    if reply is None:
                        break

    threading.Thread(target=serve, name="card-control", daemon=True).start()
    return server
