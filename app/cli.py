"""`madoguchi` — the command line of the counter terminal (headless work, demos, benchmarks)."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
import time
from pathlib import Path

DEMO_OPERATOR = "demo"
DEMO_PASSWORD = "madoguchi-2026"
DEMO_TERMINAL = "demo-terminal-01"
DEMO_WARD = "121011"  # 中央区

log = logging.getLogger("madoguchi")


def _password(args) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get("MADOGUCHI_PASSWORD")
    if env:
        return env
    return getpass.getpass("パスワード: ")


def _open_cache(args):
    from app.store.cache import Cache

    return Cache.open_as_operator(Path(args.cache), args.operator, _password(args))


def cmd_demo_city(args) -> int:
    if args.registry_db:
        from registry.database import open_database
        from registry.load import load_demo_city

        report = load_demo_city(
            open_database(args.registry_db), residents_count=args.residents, seed=args.seed,
            today=dt.date.fromisoformat(args.today) if args.today else dt.date.today(),
        )
        print(json.dumps({"registry": args.registry_db, **report}, ensure_ascii=False))
        if not args.out:
            return 0
    if not args.out:
        print("--out（端末キャッシュの作成先）か --registry-db（登録サーバーのデータベース）を指定してください。", file=sys.stderr)
        return 2
    from app.demo.build import build_demo_city

    out = Path(args.out)
    report = build_demo_city(
        out,
        residents=args.residents,
        seed=args.seed,
        operator_id=args.operator,
        password=args.password or DEMO_PASSWORD,
        dataset=args.dataset,
        cache=not args.no_cache,
        today=dt.date.fromisoformat(args.today) if args.today else dt.date.today(),
    )
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _print_hits(result) -> None:

    if not result.hits:
        print("該当する住民はいません")
        return
    for h in result.hits:
        r = h.resident
        birth = r.birth_date.format_seireki() if r.kind.value == "foreign" else r.birth_date.format_wareki()
        status = "" if r.is_current else f"［{r.status.label}］"
        print(
            f"{r.resident_id}  {r.name.full:<12}  {r.name.full_kana:<16}  {birth:<14}  {r.sex.label}  "
            f"{r.address.municipality}{r.address.town}{r.address.block}  {status}{h.marks}（{h.matched_by}）"
        )
    if result.truncated:
        print("…ほかにも該当があります。条件を追加して絞り込んでください")


def _criteria_from(args):
    from domain.search_criteria import SearchCriteria

    return SearchCriteria(
        name=args.name or "",
        given_only=args.given_only,
        birth=args.birth or "",
        sex=args.sex,
        address=args.address or "",
        ward=args.ward or "",
        resident_code=args.resident_code or "",
        my_number=args.my_number or "",
        resident_id=args.resident_id or "",
        match="exact" if args.exact else "prefix",
    )


def _service(cache, args):
    from app.store.search import Operator, SearchService

    return SearchService(cache, Operator(args.operator, args.terminal, args.own_ward))


def cmd_search(args) -> int:
    from domain.errors import ValidationError

    with _open_cache(args) as cache:
        service = _service(cache, args)
        try:
            result = service.search(_criteria_from(args))
        except ValidationError as exc:
            for e in exc.errors:
                print(e.message, file=sys.stderr)
            return 2
        _print_hits(result)
    return 0


def cmd_access_log(args) -> int:
    with _open_cache(args) as cache:
        service = _service(cache, args)
        if args.action == "verify":
            result = service.verify_log()
            if result.ok:
                print(f"アクセスログは正常です（{result.entries}件）")
                return 0
            print(f"アクセスログの改ざんまたは欠落を検出しました: {result.problem}", file=sys.stderr)
            return 1
        with cache.engine.connect() as conn:
            for e in service.log.entries(conn, limit=args.limit):
                print(json.dumps(e.__dict__, ensure_ascii=False))
    return 0


def _has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def cmd_demo(args) -> int:
    """What `make run` starts: the embedded registry with the demo city, this terminal enrolled
    and synced with it, then the clerk's desktop (or, with --text, a search prompt)."""
    from app.demo.local import start_demo_terminal

    if not args.text and not _has_screen():
        print("画面（DISPLAY）がありません。デスクトップのある端末で実行するか、"
              "`xvfb-run make run`、または文字だけの検索 `madoguchi demo --text` を使ってください。", file=sys.stderr)
        return 2
    directory = Path(args.dir)
    if args.kiosk:
        return _demo_kiosk(args, directory)
    print(f"デモ市の登録サーバーと端末を準備しています（{args.residents:,}人、初回のみ作成）: {directory} …", flush=True)
    t0 = time.perf_counter()
    demo = start_demo_terminal(directory, residents_count=args.residents, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, ward_code=DEMO_WARD)
    synced = demo.report
    print(
        f"登録サーバー {demo.registry.url} と同期しました（{time.perf_counter() - t0:.1f}秒"
        + (f"、全件 {synced.snapshot_residents:,}件の記録" if synced.snapshot_residents is not None else f"、異動 {synced.changes}件")
        + "）",
        flush=True,
    )
    try:
        if args.text:
            return _search_prompt(demo)
        demo.login.cache.close()
        from app.ui.app import run_clerk

        print(f"窓口の画面を開きます。職員ID「{DEMO_OPERATOR}」、パスワード「{DEMO_PASSWORD}」でログインしてください。", flush=True)
        return run_clerk(directory / "terminal", operator_hint=DEMO_OPERATOR)
    finally:
        demo.registry.close()


def _demo_kiosk(args, directory: Path) -> int:
    """The kiosk on the embedded default: the demo registry, a kiosk terminal, the virtual card."""
    import threading

    from app.demo.kiosk import CONTROL_PORT, DEMO_ADMIN_PIN, DEMO_CARD_PIN, start_demo_kiosk

    print(f"デモ市の登録サーバーとキオスク端末を準備しています（{args.residents:,}人、初回のみ作成）: {directory} …", flush=True)
    demo = start_demo_kiosk(directory, residents_count=args.residents, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD, ward_code=DEMO_WARD)
    try:
        print(f"キオスクを開きます。仮想カード：{demo.name}（宛名番号 {demo.resident_id}）、暗証番号 {DEMO_CARD_PIN}、カードリーダー {demo.reader}。\n"
              f"カードを置く／取る：この端末で insert / remove と入力（または echo insert | nc 127.0.0.1 {CONTROL_PORT}）。\n"
              f"キオスクの終了：画面の左上を3秒押し続け、管理者の暗証番号 {DEMO_ADMIN_PIN}。印刷した証明書：{directory / 'kiosk-prints'}", flush=True)
        if demo.control is not None or demo.link is not None:
            from hardware.cli import _Commands
            from hardware.virtual_card.profile import CardProfile

            commands = _Commands(demo.link, CardProfile.load(directory / "kiosk-card" / "card.json"))

            def read_stdin() -> None:
                for line in sys.stdin:
                    reply = commands.run(line)
                    if reply:
                        print(reply, flush=True)

            threading.Thread(target=read_stdin, name="demo-card-stdin", daemon=True).start()
        from app.ui.kiosk.app import run_kiosk

        return run_kiosk(demo.directory, full_screen=not args.windowed)
    finally:
        demo.close()


def cmd_kiosk(args) -> int:
    if args.kiosk_command == "set-admin-pin":
        from app.services.kiosk_settings import set_admin_pin
        from app.sync.terminal import TerminalIdentity

        TerminalIdentity.load(Path(args.dir))  # an enrolled terminal folder, or NotEnrolled says what to do
        if args.pin_stdin:
            pin = sys.stdin.readline().strip()
        else:
            pin = getpass.getpass("管理者の暗証番号（数字6〜12桁）: ")
            if getpass.getpass("もう一度: ") != pin:
                print("暗証番号が一致しません。", file=sys.stderr)
                return 2
        set_admin_pin(Path(args.dir), pin)
        print("管理者の暗証番号を設定しました（settings.json の kiosk.admin_pin_hash）。")
        return 0
    if args.kiosk_command == "screenshots":
        from app.ui.kiosk.screenshots import main as shots

        return shots(Path(args.out), demo_dir=Path(args.demo_dir), residents=args.residents, sizes=args.size)
    if not _has_screen():
        print("画面（DISPLAY）がありません。", file=sys.stderr)
        return 2
    from app.ui.kiosk.app import run_kiosk

    return run_kiosk(Path(args.dir), full_screen=not args.windowed)


def _search_prompt(demo) -> int:
    from app.demo.local import DEMO_TERMINAL_ID
    from domain.errors import ValidationError
    from domain.quick_search import parse_quick

    with demo.login.cache as cache:
        from app.store.search import Operator, SearchService

        service = SearchService(cache, Operator(DEMO_OPERATOR, DEMO_TERMINAL_ID, DEMO_WARD))
        print("窓口 — 住民検索（デモ）。氏名（カナ・漢字）と生年月日を空白で区切って入力（例: ヤマダ S55、髙橋、サイトウ 1980）。")
        print("区は中央区が既定です。全区を検索するには先頭に * を付けます。終了は空行か Ctrl-D。")
        interactive = sys.stdin.isatty()
        samples = iter(["サトウ", "髙橋", "*サイトウ 昭和55年", "ﾜﾀﾅﾍﾞ"])
        while True:
            if interactive:
                try:
                    line = input("検索> ").strip()
                except EOFError:
                    break
            else:
                line = next(samples, "")
                if line:
                    print(f"検索> {line}")
            if not line:
                break
            try:
                t0 = time.perf_counter()
                result = service.search(parse_quick(line))
                elapsed = (time.perf_counter() - t0) * 1000
            except ValidationError as exc:
                for e in exc.errors:
                    print(f"  {e.message}")
                continue
            _print_hits(result)
            print(f"  （{len(result.hits)}件、{elapsed:.1f} ms）")
    return 0


def cmd_desktop(args) -> int:
    """The clerk's desktop on an enrolled terminal folder."""
    if not _has_screen():
        print("画面（DISPLAY）がありません。", file=sys.stderr)
        return 2
    from app.ui.app import run_clerk

    return run_clerk(Path(args.dir), operator_hint=args.operator or "")


def cmd_screenshots(args) -> int:
    from app.ui.screenshots import main as shots

    return shots(Path(args.out), demo_dir=Path(args.dir), residents=args.residents, sizes=args.size)


def cmd_bench(args) -> int:
    from bench.run import main as bench_main

    return bench_main(args.extra)


def cmd_enrol(args) -> int:
    from app.sync.terminal import enrol

    identity = enrol(Path(args.dir), args.registry, args.code)
    print(json.dumps({"terminal_id": identity.terminal_id, "ward_code": identity.ward_code, "scope": identity.scope}, ensure_ascii=False))
    return 0


def cmd_login(args) -> int:
    """An operator's first login on this terminal (online): the registry checks the password, the
    cache is created or gets the operator's key slot, then a first sync."""
    from app.sync.engine import SyncEngine
    from app.sync.terminal import client_for, login, wipe
    from registry.protocol.issuing import ANCHOR_FILE

    directory = Path(args.dir)
    client = client_for(directory)
    session = login(directory, args.operator, _password(args), client=client)
    with session.cache as cache:
        print("オンラインでログインしました。" if session.online else "登録サーバーに接続できないため、端末内の情報でログインしました。")
        if session.online:
            report = SyncEngine(cache, client, on_revoked=lambda: wipe(directory), anchor_file=directory / ANCHOR_FILE).sync()
            print(json.dumps(report.__dict__, ensure_ascii=False))
    return 0


def cmd_sync(args) -> int:
    from app.sync.engine import SyncEngine, sync_with_retry
    from app.sync.terminal import client_for, open_for_sync, wipe
    from registry.protocol.issuing import ANCHOR_FILE

    directory = Path(args.dir)
    with open_for_sync(directory) as cache:
        engine = SyncEngine(cache, client_for(directory), on_revoked=lambda: wipe(directory), anchor_file=directory / ANCHOR_FILE)
        report = sync_with_retry(engine, attempts=args.attempts)
    print(json.dumps(report.__dict__, ensure_ascii=False))
    return 0


def cmd_outbox(args) -> int:
    from app.sync import outbox
    from app.sync.terminal import open_for_sync

    now = time.time()
    with open_for_sync(Path(args.dir)) as cache, cache.engine.connect() as conn:
        tally = outbox.counts(conn)
        summary = "、".join(f"{label} {tally[s]}件" for s, label in outbox.STATE_LABELS.items() if s in tally)
        oldest = outbox.oldest_open(conn)
        if oldest is not None:
            summary += f"（未送信の最古は {(now - oldest) / 3600:.1f}時間前）"
        print(summary or "送信した届出はありません")
        for e in outbox.entries(conn, limit=args.limit):
            print(f"{e.state_label}\t{e.kind_label}\t{e.age_seconds(now) / 3600:.1f}時間前\t{e.operation_id}\t{e.message}")
    return 0


OPTIONAL_ITEMS = ("householder_relationship", "domicile", "resident_code", "my_number", "history")
OMITTABLE_ITEMS = ("furigana", "nationality", "foreign_category", "residence_status", "period_of_stay", "stay_expires_on", "card_number", "alias")


def _names(text: str, allowed: tuple[str, ...], what: str) -> set[str]:
    names = {n.strip() for n in (text or "").split(",") if n.strip()}
    unknown = names - set(allowed)
    if unknown:
        raise SystemExit(f"{what}に使えない名前があります: {', '.join(sorted(unknown))}（使えるもの: {', '.join(allowed)}）")
    return names


class _FilePrinter:
    """--out FILE.pdf: the first copy to FILE.pdf, the next to FILE-2.pdf …"""

    name = "PDF保存"

    def __init__(self, path: Path):
        self.path, self.written = path, []

    def print_pdf(self, pdf: bytes, *, title: str) -> None:
        from hardware.printer import FolderPrinter

        n = len(self.written) + 1
        target = self.path if n == 1 else self.path.with_name(f"{self.path.stem}-{n}{self.path.suffix}")
        folder = FolderPrinter(target.parent)
        folder.print_pdf(pdf, title=target.stem)
        self.written.append(folder.saved[-1])


def cmd_certificate(args) -> int:
    """A certificate issued headless, with the same rules as the counter's print dialog."""
    from app.certificates import ItemChoice
    from app.services.issuance import CertificateOrder
    from app.services.session import log_in
    from domain.certificate_rules import CertificateKind
    from hardware.printer import CupsPrinter

    kind = CertificateKind(args.type)
    wanted = _names(args.items, OPTIONAL_ITEMS, "--items")
    omitted = _names(args.omit, OMITTABLE_ITEMS, "--omit")
    from app.certificates import item_labels

    fields = frozenset(_names(args.fields, tuple(item_labels(kind)), "--fields"))
    # each option belongs to some kinds only: one given to another kind would be silently ignored
    if kind.certifies_chosen_items and (wanted or omitted - {"furigana"}):
        raise SystemExit(f"{kind.title}では --items・--omit（furigana を除く）は使えません。証明を求める事項は --fields で指定してください。")
    if fields and not kind.certifies_chosen_items:
        raise SystemExit(f"{kind.title}では --fields は使えません（記載事項証明書のときだけ）。記載・省略は --items・--omit で指定してください。")
    items = ItemChoice(**{n: True for n in wanted}, **{n: False for n in omitted}, items=fields)
    service = log_in(Path(args.dir), args.operator, _password(args))
    try:
        issuance = service.issuance
        if args.members == "self":
            members = (args.resident,)
        else:
            candidates, _ = issuance.candidates(args.resident, kind)
            members = tuple(r.resident_id for r in candidates) if args.members == "all" else tuple(m.strip() for m in args.members.split(",") if m.strip())
        order = CertificateOrder(kind, members, items, copies=args.copies, official_use=args.official)
        prepared = issuance.prepare(order)
        for notice in prepared.notices:
            print(f"注意: {notice}", file=sys.stderr)
        for alert in prepared.alerts:
            print(f"文字溢れ: {alert.message}", file=sys.stderr)
        lift = None
        if prepared.protected:
            if not args.lift_by:
                names = "、".join(f"{p.name}（{p.label}）" for p in prepared.protected)
                print(f"{names}は支援措置・抑止の対象です。発行には上席者の一時解除が必要です（--lift-by 上席者ID --lift-reason 理由）。", file=sys.stderr)
                return 1
            supervisor_password = getpass.getpass(f"上席者 {args.lift_by} のパスワード: ")
            lift = issuance.lift([p.resident_id for p in prepared.protected], supervisor_id=args.lift_by, password=supervisor_password, reason=args.lift_reason)
        printer = _FilePrinter(Path(args.out)) if args.out else CupsPrinter(args.printer)
        result = issuance.issue(order, printer, lift=lift, accept_alerts=args.accept_overflow)
        spoiled = {s.issuance_id for s in result.spoiled}
        for c in result.copies:
            state = "処分（印刷失敗）" if c.issuance_id in spoiled else "発行"
            print(f"{state}\t{c.issue_numbers[0]}\t{c.pages}枚")
        for path in getattr(printer, "written", []):
            print(f"保存しました: {path}")
        print(f"手数料 {prepared.fee_each * result.printed:,}円（{prepared.fee_each:,}円 × {result.printed}通）")
        if result.failure:
            print(result.failure, file=sys.stderr)
            return 1
        return 0
    finally:
        service.close()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="madoguchi", description="窓口 — 住民記録の窓口端末",
                                epilog="madoguchi --kiosk [--dir DIR]: the self-service kiosk of DIR (without --dir: the embedded demo's)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo-city", help="build a synthetic Chiba City (terminal cache and/or dataset)")
    d.add_argument("--residents", type=int, default=20_000)
    d.add_argument("--out", help="build a terminal cache (and --dataset) in this folder")
    d.add_argument("--registry-db", help="load the city into this registry database (postgresql://… or a SQLite path)")
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--operator", default=DEMO_OPERATOR)
    d.add_argument("--password", help=f"the operator's password (default: the demo password {DEMO_PASSWORD})")
    d.add_argument("--dataset", action="store_true", help="also write the registry-side dataset (city.jsonl.gz)")
    d.add_argument("--no-cache", action="store_true", help="write only the dataset")
    d.add_argument("--today", help="the build date (YYYY-MM-DD), default today")
    d.set_defaults(func=cmd_demo_city)

    def add_session(sp):
        sp.add_argument("--cache", required=True, help="the cache folder")
        sp.add_argument("--operator", required=True)
        sp.add_argument("--password-stdin", action="store_true")
        sp.add_argument("--terminal", default=os.environ.get("MADOGUCHI_TERMINAL", "cli"))
        sp.add_argument("--own-ward", default=DEMO_WARD, help="the operator's ward (lg code)")

    s = sub.add_parser("search", help="search residents in the cache")
    add_session(s)
    s.add_argument("--name")
    s.add_argument("--given-only", action="store_true")
    s.add_argument("--birth")
    s.add_argument("--sex", type=int, choices=(0, 1, 2, 9))
    s.add_argument("--address")
    s.add_argument("--ward", help="ward lg code, or * for every ward (default: your own ward)")
    s.add_argument("--resident-code")
    s.add_argument("--my-number")
    s.add_argument("--resident-id")
    s.add_argument("--exact", action="store_true")
    s.set_defaults(func=cmd_search)

    a = sub.add_parser("access-log", help="verify or list the access log")
    add_session(a)
    a.add_argument("action", choices=("verify", "list"))
    a.add_argument("--limit", type=int, default=50)
    a.set_defaults(func=cmd_access_log)

    m = sub.add_parser("demo", help="the demo city on an embedded registry, then the clerk's desktop (what `make run` starts)")
    m.add_argument("--dir", default="var/demo")
    m.add_argument("--residents", type=int, default=20_000)
    m.add_argument("--text", action="store_true", help="a search prompt in the terminal instead of the desktop")
    m.add_argument("--kiosk", action="store_true", help="the self-service kiosk instead, with a virtual My Number card (make run KIOSK=1)")
    m.add_argument("--windowed", action="store_true", help="with --kiosk: a window instead of full screen")
    m.set_defaults(func=cmd_demo)

    g = sub.add_parser("desktop", help="the clerk's desktop on this terminal (enrolled folder)")
    g.add_argument("--dir", default="var/terminal")
    g.add_argument("--operator", default="", help="operator id to prefill on the login screen")
    g.set_defaults(func=cmd_desktop)

    sh = sub.add_parser("screenshots", help="render each main screen of the desktop to PNG with the demo city")
    sh.add_argument("--out", default="var/screenshots")
    sh.add_argument("--dir", default="var/demo-screens", help="the demo registry and terminal used for the pictures")
    sh.add_argument("--residents", type=int, default=2_000)
    sh.add_argument("--size", action="append", default=None, help="WIDTHxHEIGHT (repeatable; default 1366x768 and 1920x1080)")
    sh.set_defaults(func=cmd_screenshots)

    k = sub.add_parser("kiosk", help="the self-service kiosk (住民票の写し with a My Number card) on an enrolled kiosk terminal")
    ks = k.add_subparsers(dest="kiosk_command", required=True)
    kr = ks.add_parser("run", help="run the kiosk full screen (also: madoguchi --kiosk --dir DIR)")
    kr.add_argument("--dir", default="var/kiosk", help="the kiosk terminal's folder (enrolled with kind kiosk)")
    kr.add_argument("--windowed", action="store_true", help="a window instead of full screen (trials)")
    kr.set_defaults(func=cmd_kiosk)
    kp = ks.add_parser("set-admin-pin", help="set the administrator's PIN that leaves kiosk mode (6-12 digits, stored hashed)")
    kp.add_argument("--dir", required=True, help="the kiosk terminal's folder")
    kp.add_argument("--pin-stdin", action="store_true")
    kp.set_defaults(func=cmd_kiosk)
    kshot = ks.add_parser("screenshots", help="render every kiosk screen to PNG at 1080x1920 and 1920x1080")
    kshot.add_argument("--out", default="var/screenshots/kiosk")
    kshot.add_argument("--demo-dir", default="var/demo-screens", help="the demo registry and terminals used for the pictures")
    kshot.add_argument("--residents", type=int, default=2_000)
    kshot.add_argument("--size", action="append", default=None, help="WIDTHxHEIGHT (repeatable)")
    kshot.set_defaults(func=cmd_kiosk)

    e = sub.add_parser("enrol", help="enrol this terminal with the registry (one-time code from an administrator)")
    e.add_argument("--registry", required=True, help="the registry's URL, e.g. https://registry.example:8700")
    e.add_argument("--code", required=True)
    e.add_argument("--dir", default="var/terminal", help="the terminal's folder (identity, key, cache)")
    e.set_defaults(func=cmd_enrol)

    lg = sub.add_parser("login", help="log an operator in on this terminal (creates the cache on first login) and sync")
    lg.add_argument("--dir", default="var/terminal")
    lg.add_argument("--operator", required=True)
    lg.add_argument("--password-stdin", action="store_true")
    lg.set_defaults(func=cmd_login)

    y = sub.add_parser("sync", help="send the outbox and receive changes (device key; no operator needed)")
    y.add_argument("--dir", default="var/terminal")
    y.add_argument("--attempts", type=int, default=5)
    y.set_defaults(func=cmd_sync)

    o = sub.add_parser("outbox", help="list the operations taken at this terminal and their state")
    o.add_argument("--dir", default="var/terminal")
    o.add_argument("--limit", type=int, default=50)
    o.set_defaults(func=cmd_outbox)

    from domain.certificate_rules import CertificateKind

    c = sub.add_parser("certificate", help="issue a certificate (住民票の写し …) headless, with the counter's rules")
    c.add_argument("--dir", default="var/terminal", help="the enrolled terminal folder")
    c.add_argument("--operator", required=True)
    c.add_argument("--password-stdin", action="store_true")
    c.add_argument("--resident", required=True, help="宛名番号 of the person asked about")
    c.add_argument("--type", required=True, choices=[k.value for k in CertificateKind], help="copy 住民票の写し, removed_copy 除票の写し, items 記載事項証明書, removed_items 除票記載事項証明書, move_out 転出証明書")
    c.add_argument("--members", default="self", help="self (個人票), all (the household), or 宛名番号s separated by commas")
    c.add_argument("--items", default="", help=f"optional items to print: {','.join(OPTIONAL_ITEMS)}")
    c.add_argument("--omit", default="", help=f"items to leave out: {','.join(OMITTABLE_ITEMS)}")
    c.add_argument("--fields", default="", help="items / removed_items (記載事項証明書): the items the applicant asked for, e.g. address,birth_date,domicile (removed_items also removal_reason,removal_date,destination)")
    c.add_argument("--copies", type=int, default=1)
    c.add_argument("--official", action="store_true", help="公用 (no fee)")
    where = c.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="save as this PDF file")
    where.add_argument("--printer", help="print to this CUPS queue")
    c.add_argument("--accept-overflow", action="store_true", help="issue although some text does not fit (j1070)")
    c.add_argument("--lift-by", default="", help="a supervisor's id: lift 支援措置・抑止 for this issuance (asks their password)")
    c.add_argument("--lift-reason", default="")
    c.set_defaults(func=cmd_certificate)

    from registry.cli import add_parser as add_registry_parser

    add_registry_parser(sub)
    from app.certificates.cli import add_parser as add_certificate_parser

    add_certificate_parser(sub)
    from hardware.cli import add_parser as add_card_parser

    add_card_parser(sub)  # madoguchi card …

    b = sub.add_parser("bench", help="run the benchmarks in bench/ (one JSON object per line); --help for options", add_help=False)
    b.set_defaults(func=cmd_bench)
    return p


def kiosk_shorthand(argv: list[str]) -> list[str]:
    """`madoguchi --kiosk [--dir DIR]`: the kiosk of DIR, or without --dir the embedded default's."""
    lead = [a for a in argv[:1] if a in ("-v", "--verbose")]
    rest = argv[len(lead):]
    if not rest or rest[0] != "--kiosk":
        return argv
    rest = rest[1:]
    if "--dir" in rest or any(a.startswith("--dir=") for a in rest):
        return [*lead, "kiosk", "run", *rest]
    return [*lead, "demo", "--kiosk", *rest]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = kiosk_shorthand(list(sys.argv[1:] if argv is None else argv))
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "bench":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear message for the person, the details in the log
        message = getattr(exc, "message", None)
        if message:
            log.error("%s: %s", type(exc).__name__, exc)
            print(message, file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
