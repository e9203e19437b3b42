"""`madoguchi registry …`: set up, run and administer the central registry."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys

DEFAULT_PORT = 8700


def _db(args):
    from registry.database import open_database

    return open_database(args.db)


def _secret(prompt: str, stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get("MADOGUCHI_REGISTRY_PASSWORD")
    if env:
        return env
    import getpass

    return getpass.getpass(prompt)


def _passphrase() -> bytes | None:
    value = os.environ.get("MADOGUCHI_REGISTRY_KEY_PASSPHRASE")
    return value.encode() if value else None


def cmd_init(args) -> int:
    from registry import accounts, terminals
    from registry.passwords import PasswordHasher
    from registry.schema import settings
    from sqlalchemy import delete, insert

    engine = _db(args)
    with engine.begin() as conn:
        terminals.registry_key(conn, _passphrase())
        conn.execute(delete(settings).where(settings.c.key == "offline_limit_days"))
        conn.execute(insert(settings).values(key="offline_limit_days", value=str(args.offline_limit_days)))
        if args.admin:
            accounts.add_operator(
                conn, PasswordHasher(), operator_id=args.admin, display_name=args.admin_name or args.admin, role="administrator",
                ward_code="", password=_secret("管理者のパスワード: ", args.password_stdin),
            )
    print(json.dumps({"db": args.db, "initialized": True, "admin": args.admin}, ensure_ascii=False))
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from registry.api import RegistryConfig, create_app
    from registry.kiosk import JpkiTrust

    trust = JpkiTrust(args.jpki_anchor, args.jpki_crl) if args.jpki_anchor or args.jpki_crl else JpkiTrust.from_environment()
    if trust is not None:
        trust.current()  # a file that cannot be read is said now, not at the first kiosk
    app = create_app(RegistryConfig(engine=_db(args), key_passphrase=_passphrase(), jpki_trust=trust))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.verbose else "warning")
    return 0


def cmd_add_operator(args) -> int:
    from registry import accounts
    from registry.passwords import PasswordHasher

    with _db(args).begin() as conn:
        info = accounts.add_operator(
            conn, PasswordHasher(), operator_id=args.id, display_name=args.name, role=args.role, ward_code=args.ward,
            password=_secret("パスワード: ", args.password_stdin),
        )
    print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def cmd_add_terminal(args) -> int:
    from registry import terminals

    with _db(args).begin() as conn:
        terminal_id, code = terminals.register_terminal(conn, name=args.name, kind=args.kind, ward_code=args.ward, scope=args.scope, terminal_id=args.id)
    print(json.dumps({"terminal_id": terminal_id, "enrol_code": code}, ensure_ascii=False))
    return 0


def cmd_revoke_terminal(args) -> int:
    from registry import terminals

    with _db(args).begin() as conn:
        terminals.revoke(conn, args.terminal_id)
    print(json.dumps({"terminal_id": args.terminal_id, "revoked": True}))
    return 0


def cmd_set_worklist(args) -> int:
    from registry import terminals

    with _db(args).begin() as conn:
        version = terminals.set_worklist(conn, args.terminal_id, args.household_ids)
    print(json.dumps({"terminal_id": args.terminal_id, "households": len(set(args.household_ids)), "scope_version": version}))
    return 0


def cmd_list_terminals(args) -> int:
    from registry import terminals

    with _db(args).connect() as conn:
        for t in terminals.list_terminals(conn):
            print(json.dumps(t, ensure_ascii=False))
    return 0


def cmd_link_card(args) -> int:
    """A My Number card's 利用者証明用 certificate linked to a resident (what J-LIS maps in reality)."""
    from registry.kiosk import link_card, read_certificate_file, unlink_card

    cert = read_certificate_file(args.certificate)
    with _db(args).begin() as conn:
        if args.unlink:
            print(json.dumps({"unlinked": unlink_card(conn, cert)}))
            return 0
        if not args.resident:
            print("--resident（宛名番号）を指定してください。", file=sys.stderr)
            return 2
        print(json.dumps(link_card(conn, args.resident, cert), ensure_ascii=False))
    return 0


def cmd_load_demo(args) -> int:
    from registry.load import load_demo_city

    report = load_demo_city(_db(args), residents_count=args.residents, seed=args.seed, today=dt.date.fromisoformat(args.today) if args.today else None)
    print(json.dumps(report))
    return 0


def add_parser(sub) -> None:
    r = sub.add_parser("registry", help="the central registry: init, serve, operators, terminals")
    rs = r.add_subparsers(dest="registry_command", required=True)

    def with_db(p):
        p.add_argument("--db", default=os.environ.get("MADOGUCHI_REGISTRY_DB", "var/registry/registry.db"),
                       help="postgresql://… or a SQLite file path (default var/registry/registry.db)")
        return p

    i = with_db(rs.add_parser("init", help="create or migrate the schema, the signing key and the first administrator"))
    i.add_argument("--admin", help="operator id of the first administrator")
    i.add_argument("--admin-name")
    i.add_argument("--password-stdin", action="store_true")
    i.add_argument("--offline-limit-days", type=int, default=7)
    i.set_defaults(func=cmd_init)

    s = with_db(rs.add_parser("serve", help="run the registry over HTTP (uvicorn)"))
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument("--jpki-anchor", default="", help="kiosks: the J-LIS 利用者証明用 CA certificate(s), PEM or DER (or $MADOGUCHI_REGISTRY_JPKI_ANCHOR)")
    s.add_argument("--jpki-crl", default="", help="kiosks: that CA's CRL, re-read when the file changes (or $MADOGUCHI_REGISTRY_JPKI_CRL)")
    s.set_defaults(func=cmd_serve)

    o = with_db(rs.add_parser("add-operator", help="add an operator account"))
    o.add_argument("--id", required=True)
    o.add_argument("--name", required=True)
    o.add_argument("--role", required=True, choices=("clerk", "supervisor", "administrator", "kiosk"))
    o.add_argument("--ward", default="")
    o.add_argument("--password-stdin", action="store_true")
    o.set_defaults(func=cmd_add_operator)

    t = with_db(rs.add_parser("add-terminal", help="register a terminal and print its one-time enrolment code"))
    t.add_argument("--id")
    t.add_argument("--name", required=True)
    t.add_argument("--kind", required=True, choices=("counter", "field", "kiosk"))
    t.add_argument("--ward", required=True)
    t.add_argument("--scope", default="ward", choices=("city", "ward", "worklist"))
    t.set_defaults(func=cmd_add_terminal)

    v = with_db(rs.add_parser("revoke-terminal", help="revoke a terminal: its next contact wipes its cache"))
    v.add_argument("terminal_id")
    v.set_defaults(func=cmd_revoke_terminal)

    lt = with_db(rs.add_parser("list-terminals", help="every terminal: ward, scope, enrolled, revoked, last contact"))
    lt.set_defaults(func=cmd_list_terminals)

    w = with_db(rs.add_parser("set-worklist", help="the households a field terminal (scope worklist) carries"))
    w.add_argument("terminal_id")
    w.add_argument("household_ids", nargs="*")
    w.set_defaults(func=cmd_set_worklist)

    lc = with_db(rs.add_parser("link-card", help="link a My Number card's 利用者証明用 certificate to a resident (kiosks)"))
    lc.add_argument("--resident", default="", help="宛名番号")
    lc.add_argument("--certificate", required=True, help="the card's 利用者証明用 certificate, PEM or DER")
    lc.add_argument("--unlink", action="store_true", help="remove the certificate's link instead")
    lc.set_defaults(func=cmd_link_card)

    d = with_db(rs.add_parser("load-demo", help="load the synthetic demo city into an empty registry"))
    d.add_argument("--residents", type=int, default=20_000)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--today")
    d.set_defaults(func=cmd_load_demo)
