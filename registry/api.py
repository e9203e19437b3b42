"""The registry's HTTP API (FastAPI). OpenAPI at /openapi.json, its pages at /docs.

Every request except enrolment and the health check is signed by an enrolled terminal
(registry.terminals). Supervisor and administrator calls also carry an operator session
(`Authorization: Bearer <token>` from POST /v1/sessions). Every error is JSON:
{"error": {"code": "...", "message": "<Japanese, for the screen>"}}; the English goes to the log.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable, Literal

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from domain.certificate_rules import Channel
from domain.ids import is_uuid7
from registry import access_log as access_log_store
from registry import accounts, certificates, kiosk, terminals
from registry.database import last_seq, lock_writer, reading
from registry.feed import MAX_PAGE, Scope, changes_page, min_cursor, snapshot_lines
from registry.operations import OperationService, Policy
from registry.passwords import LockoutPolicy, PasswordHasher
from registry.protocol.errors import ProtocolError
from registry.protocol.signing import b64url_decode, b64url_encode, request_target
from registry.schema import settings, worklists

log = logging.getLogger("registry.api")

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_OPERATIONS_PER_PUSH = 500
DEFAULT_OFFLINE_LIMIT_DAYS = 7


@dataclass
class RegistryConfig:
    engine: Engine
    policy: Policy = field(default_factory=Policy)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    key_passphrase: bytes | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    clock: Callable[[], float] = time.time
    today: Callable[[], dt.date] = dt.date.today
    jpki_trust: kiosk.JpkiTrust | None = None  # the J-LIS 利用者証明用 CA and CRL kiosk cards are checked against


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


class ApiError(ProtocolError):
    pass


def _public_key(text: str, purpose: str) -> bytes:
    """A terminal's raw Ed25519 public key from base64url; 422 when it is not one."""
    try:
        public_key = b64url_decode(text)
    except ValueError:
        public_key = b""
    if len(public_key) != 32:
        raise ApiError("public_key_invalid", "端末の公開鍵が読み取れません。端末のソフトウェアの版を確認してください。", f"{purpose} with a malformed public key", status=422)
    return public_key


def _offline_limit_days(conn) -> int:
    return int(conn.execute(select(settings.c.value).where(settings.c.key == "offline_limit_days")).scalar() or DEFAULT_OFFLINE_LIMIT_DAYS)


# -- request and response bodies --------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL cannot store NUL in text (SQLite silently does): refused on both, as a 422.
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else ()
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("text must not contain NUL")
        return value


class EnrolRequest(Strict):
    code: str = Field(max_length=64)
    public_key: str = Field(max_length=64, description="the terminal's Ed25519 public key, base64url")


class EnrolResponse(Strict):
    terminal_id: str
    certificate: str
    registry_public_key: str
    name: str
    kind: str
    ward_code: str
    scope: str


class LoginRequest(Strict):
    operator_id: str = Field(max_length=64)
    password: str = Field(max_length=256)


class PushRequest(Strict):
    operations: list[dict[str, Any]] = Field(max_length=MAX_OPERATIONS_PER_PUSH)


class AccessLogEntry(Strict):
    seq: int = Field(ge=1)
    at: str = Field(max_length=40)
    operator: str = Field(max_length=64)
    action: str = Field(max_length=32)
    resident_id: str = Field(max_length=32)
    detail: str = Field(max_length=4000)
    my_number_shown: bool
    mac: str = Field(max_length=64)


class AccessLogPush(Strict):
    entries: list[AccessLogEntry] = Field(max_length=5000)


ResidentId = Annotated[str, Field(max_length=32)]


class CertificateCheck(Strict):
    resident_ids: list[ResidentId] = Field(min_length=1, max_length=certificates.MAX_RESIDENTS)
    lift_id: str = Field(default="", max_length=40)


class LiftRequest(Strict):
    supervisor_id: str = Field(max_length=64)
    password: str = Field(max_length=256)
    resident_ids: list[ResidentId] = Field(min_length=1, max_length=certificates.MAX_RESIDENTS)
    reason: str = Field(max_length=500)


class IssuanceEvent(Strict):
    seq: int = Field(ge=1)
    event: Literal["issued", "spoiled", "refused"]  # refused: a kiosk attempt the rules turned down
    issuance_id: str = Field(max_length=40)
    batch_id: str = Field(max_length=40)
    at: str = Field(max_length=40)
    issued_on: str = Field(max_length=8)
    sequence: int = Field(ge=0)
    operator_id: str = Field(max_length=64)
    channel: Literal["counter", "kiosk"]
    kind: Literal["copy", "removed_copy", "items", "removed_items", "move_out"]
    resident_ids: str = Field(max_length=certificates.MAX_RESIDENTS * 40)
    items: str = Field(max_length=4000)
    pages: int = Field(ge=0, le=1000)
    issue_numbers: str = Field(max_length=20000)
    printer: str = Field(max_length=64)
    my_number_printed: bool
    official_use: bool
    fee: int = Field(ge=0, le=1_000_000)
    lift_id: str = Field(max_length=40)
    reprint_of: str = Field(max_length=40)
    reason: str = Field(max_length=1000)

    @field_validator("resident_ids", "issue_numbers")
    @classmethod
    def _json_list(cls, value: str) -> str:
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise ValueError("a JSON list is required") from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) and len(v) <= 128 for v in parsed):
            raise ValueError("a JSON list of strings is required")
        return value


class IssuancePush(Strict):
    entries: list[IssuanceEvent] = Field(max_length=2000)


class KioskIdentify(Strict):
    challenge_id: str = Field(max_length=40)
    certificate: str = Field(max_length=12000, description="the card's 利用者証明用 certificate, DER, base64url")
    signature: str = Field(max_length=700, description="the card's RSA signature over the challenge, base64url")


class DelegationRequest(Strict):
    public_key: str = Field(max_length=64, description="the terminal's issuing Ed25519 public key, base64url")


class Decision(Strict):
    approve: bool
    comment: str = Field(default="", max_length=1000)


class NewTerminal(Strict):
    name: str = Field(min_length=1, max_length=128)
    kind: Literal["counter", "field", "kiosk"]
    ward_code: str = Field(max_length=6)
    scope: Literal["city", "ward", "worklist"]


class Worklist(Strict):
    household_ids: list[Annotated[str, Field(max_length=worklists.c.household_id.type.length)]] = Field(max_length=5000)


class NewOperator(Strict):
    operator_id: str = Field(max_length=64)
    display_name: str = Field(min_length=1, max_length=128)
    role: Literal["clerk", "supervisor", "administrator", "kiosk"]
    ward_code: str = Field(default="", max_length=6)
    password: str = Field(max_length=256)


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable, snake_case")
    message: str = Field(description="Japanese, for the clerk's screen")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> dict:
    return {"description": description, "model": ErrorBody}


ERRORS = {
    400: _error("要求の形式が正しくない"),
    401: _error("端末の署名・ログインが確認できない、登録コードが正しくない"),
    403: _error("端末の登録取消し・権限なし"),
    404: _error("対象がない"),
    409: _error("状態が合わない（スナップショットが必要など）"),
    413: _error("要求が大きすぎる"),
    422: _error("内容の誤り"),
    423: _error("アカウントのロック中"),
}


# -- the app ----------------------------------------------------------------------------------
class BodyLimit:
    """ASGI middleware: refuses request bodies over the limit, declared or streamed (413)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await _too_large(send)
        seen, refused, started = 0, False, False

        async def limited():
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message):
            # FastAPI catches the error while it reads a body and answers 400 ("error parsing the
            # body"): once the body is refused, the app's own answer is dropped for the 413.
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except _BodyTooLarge:
            pass
        if refused and not started:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send):
    body = orjson.dumps(error_body("request_too_large", "送信するデータが大きすぎます。分けて送ってください。"))
    await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def create_app(config: RegistryConfig) -> FastAPI:
    app = FastAPI(
        title="Madoguchi registry",
        version="1",
        description="住民基本台帳の登録サーバー: 端末からの届出（操作）を受け、確定した異動を端末へ配る。",
        responses=ERRORS,
    )
    engine = config.engine
    with engine.begin() as conn:
        lock_writer(conn)
        registry_key = terminals.registry_key(conn, config.key_passphrase)
        issuing_key = certificates.issuing_key(conn, config.key_passphrase)

    @app.exception_handler(ProtocolError)
    async def _protocol_error(_request: Request, exc: ProtocolError):
        log.info("refused: %s (%s)", exc.log_message, exc.code)
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        detail = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("type", "")} for e in exc.errors()]
        return JSONResponse(
            error_body("request_invalid", "要求の形式が正しくありません。端末のソフトウェアの版を確認してください。", detail=detail),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        messages = {404: "そのような機能はありません。", 405: "その方法では呼び出せません。"}
        return JSONResponse(error_body(f"http_{exc.status_code}", messages.get(exc.status_code, "要求を処理できませんでした。")), status_code=exc.status_code)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _exc: ClientDisconnect):
        # The terminal went away mid-request (a cut cable): nothing was applied, nobody to answer.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unexpected error")
        return JSONResponse(error_body("internal_error", "登録サーバーで予期しないエラーが起きました。時間をおいて再度送信してください。"), status_code=500)

    async def signed_terminal(request: Request) -> terminals.TerminalInfo:
        checked = getattr(request.state, "terminal", None)
        if checked is not None:
            return checked
        body = await request.body()
        target = request_target(request.scope.get("raw_path") or request.url.path.encode(), request.scope.get("query_string", b""))

        def check():
            with engine.begin() as conn:
                return terminals.authenticate_request(conn, request.headers, request.method, target, body, now=config.clock())

        request.state.terminal = await run_in_threadpool(check)
        return request.state.terminal

    Terminal = Annotated[terminals.TerminalInfo, Depends(signed_terminal)]

    class SignatureFirst(APIRoute):
        """FastAPI parses a JSON body before it runs the dependencies, so a body it cannot parse
        would be refused (422/400) before the signature is looked at: on a signed endpoint the
        signature is checked first, and an unsigned request learns nothing about its body."""

        def get_route_handler(self):
            handler = super().get_route_handler()
            if not any(d.call is signed_terminal for d in self.dependant.dependencies):
                return handler

            async def signature_first(request: Request) -> Response:
                await signed_terminal(request)
                return await handler(request)

            return signature_first

    app.router.route_class = SignatureFirst

    def not_at_kiosk(terminal: terminals.TerminalInfo, what: str) -> None:
        """A kiosk issues certificates and nothing else: no notifications, logins, review or administration."""
        if terminal.kind == "kiosk":
            raise ApiError("kiosk_forbidden", "セルフサービス端末（キオスク）ではこの操作はできません。", f"{what} asked for by kiosk {terminal.terminal_id}", status=403)

    def operator_of(request: Request, terminal: terminals.TerminalInfo, *roles: str) -> accounts.OperatorInfo:
        not_at_kiosk(terminal, "an operator's call (" + "/".join(roles) + ")")
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        with engine.connect() as conn:
            operator = accounts.session_operator(conn, token, terminal.terminal_id, now=config.clock())
        accounts.require_role(operator, *roles)
        return operator

    @app.get("/v1/health", summary="生存確認（署名不要）")
    def health() -> dict:
        with engine.connect() as conn:
            conn.execute(select(1))
        return {"status": "ok"}

    @app.post("/v1/enrol", summary="端末の登録（一回限りの登録コード）", response_model=EnrolResponse)
    def enrol(body: EnrolRequest) -> EnrolResponse:
        public_key = _public_key(body.public_key, "enrolment")
        with engine.begin() as conn:
            cert, info = terminals.enrol(conn, registry_key, body.code, public_key, now=config.clock())
        log.info("terminal %s enrolled", info.terminal_id)
        return EnrolResponse(
            terminal_id=info.terminal_id,
            certificate=cert,
            registry_public_key=b64url_encode(registry_key.public_key_bytes()),
            name=info.name,
            kind=info.kind,
            ward_code=info.ward_code,
            scope=info.scope,
        )

    @app.get("/v1/status", summary="端末の状態と設定")
    def status(terminal: Terminal) -> dict:
        with engine.connect() as conn:
            limit = _offline_limit_days(conn)
            head = last_seq(conn)
        return {
            "terminal": terminal.__dict__,
            "head": head,
            "server_time": config.clock(),
            "offline_limit_days": limit,
            "review_kinds": sorted(config.policy.review_kinds),
        }

    @app.post("/v1/sessions", summary="職員のログイン")
    def login(body: LoginRequest, terminal: Terminal) -> dict:
        not_at_kiosk(terminal, "an operator login")
        refused: accounts.AccountError | None = None
        with engine.begin() as conn:
            try:
                operator = accounts.authenticate(conn, config.hasher, config.lockout, body.operator_id, body.password, now=config.clock())
            except accounts.AccountError as exc:
                refused = exc  # raised after this transaction commits: the failure count (lockout) must be kept
            else:
                token, expires = accounts.open_session(conn, operator, terminal.terminal_id, now=config.clock())
        if refused is not None:
            raise refused
        return {"token": token, "expires_at": expires, "operator": operator.to_dict()}

    @app.post("/v1/operations", summary="届出（操作）の送信：各操作の結果を返す")
    def push(body: PushRequest, terminal: Terminal) -> dict:
        not_at_kiosk(terminal, "a push of operations")
        with engine.begin() as conn:  # submit_all takes the writer lock
            service = OperationService(conn, config.policy, today=config.today())
            results = service.submit_all(body.operations, terminal_id=terminal.terminal_id)
        return {"results": results}

    @app.get("/v1/operations", summary="送信済みの操作の現在の結果")
    def operation_results(terminal: Terminal, ids: Annotated[str, Query(max_length=41 * 500)] = "") -> dict:
        wanted = [i for i in ids.split(",") if is_uuid7(i)][:MAX_OPERATIONS_PER_PUSH]  # no other id was ever stored
        with engine.connect() as conn:
            return {"results": OperationService(conn, config.policy).results(wanted) if wanted else []}

    def scope_of(terminal: terminals.TerminalInfo) -> Scope:
        return Scope(terminal.scope, terminal.ward_code, terminal.terminal_id, terminal.scope_version)

    @app.get("/v1/changes", summary="カーソル以降の確定した異動（ページ単位）")
    def changes(
        terminal: Terminal,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
        scope_version: Annotated[int, Query(ge=0, le=2**31)] = 0,
    ) -> Response:
        conn = reading(engine)
        try:
            with conn.begin():
                if after == 0 or after < min_cursor(conn) or scope_version != terminal.scope_version:
                    raise ApiError(
                        "snapshot_required",
                        "登録サーバーから全件を取り直します。",
                        f"terminal {terminal.terminal_id} needs a snapshot (after={after}, scope {scope_version}/{terminal.scope_version})",
                        status=409,
                    )
                page = changes_page(conn, scope_of(terminal), after, limit)
        finally:
            conn.close()
        page["scope_version"] = terminal.scope_version
        return Response(orjson.dumps(page), media_type="application/json")

    @app.get(
        "/v1/snapshot",
        summary="範囲内の全住民（NDJSON、最終行 end がなければ途中で切れている）",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/x-ndjson": {}}, "description": "one JSON object per line"}},
    )
    def snapshot(terminal: Terminal) -> StreamingResponse:
        lines = snapshot_lines(engine, scope_of(terminal))
        return StreamingResponse(lines, media_type="application/x-ndjson", headers={"X-Madoguchi-Scope-Version": str(terminal.scope_version)})

    @app.post("/v1/access-log", summary="アクセス記録の送信")
    def push_access_log(body: AccessLogPush, terminal: Terminal) -> dict:
        with engine.begin() as conn:
            return access_log_store.receive(conn, terminal.terminal_id, [e.model_dump() for e in body.entries])

    # -- certificates (証明書) ----------------------------------------------------------------------
    def channel_of(terminal: terminals.TerminalInfo) -> Channel:
        return Channel.KIOSK if terminal.kind == "kiosk" else Channel.COUNTER

    @app.post("/v1/certificates/check", summary="証明書を発行してよいか（支援措置・抑止の確認、登録サーバーの記録で）")
    def certificate_check(body: CertificateCheck, terminal: Terminal) -> dict:
        with engine.connect() as conn:
            result = certificates.check(conn, terminal.terminal_id, body.resident_ids, channel=channel_of(terminal), lift_id=body.lift_id, now=config.clock())
        return result.to_dict()

    @app.post("/v1/certificates/lifts", summary="支援措置・抑止の一時解除（上席者、1回の発行に限る）")
    def certificate_lift(body: LiftRequest, terminal: Terminal) -> dict:
        if channel_of(terminal) is Channel.KIOSK:
            raise ApiError("role_forbidden", "この端末では一時解除はできません。", "lift asked for at a kiosk", status=403)
        refused: accounts.AccountError | None = None
        with engine.begin() as conn:
            try:
                supervisor = accounts.authenticate(conn, config.hasher, config.lockout, body.supervisor_id, body.password, now=config.clock())
            except accounts.AccountError as exc:
                refused = exc  # raised after the commit: the failure count (lockout) is kept
            else:
                accounts.require_role(supervisor, "supervisor", "administrator")
                return certificates.grant_lift(conn, terminal.terminal_id, supervisor.operator_id, body.resident_ids, body.reason, now=config.clock())
        raise refused

    # -- kiosks (セルフサービス端末): who holds the My Number card ----------------------------------------
    def kiosk_only(terminal: terminals.TerminalInfo) -> None:
        if terminal.kind != "kiosk":
            raise ApiError("kiosk_only", "この機能はセルフサービス端末（キオスク）専用です。", f"kiosk call from {terminal.kind} terminal {terminal.terminal_id}", status=403)

    @app.post("/v1/kiosk/challenge", summary="カードに署名させる一回限りのチャレンジ（キオスク専用）")
    def kiosk_challenge(terminal: Terminal) -> dict:
        kiosk_only(terminal)
        with engine.begin() as conn:
            return kiosk.new_challenge(conn, terminal.terminal_id, now=config.clock())

    @app.post("/v1/kiosk/identify", summary="カードの署名と利用者証明用電子証明書から住民を特定（キオスク専用、拒否は中立的な文言）")
    def kiosk_identify(body: KioskIdentify, terminal: Terminal) -> dict:
        kiosk_only(terminal)
        try:
            certificate, signature = b64url_decode(body.certificate), b64url_decode(body.signature)
        except ValueError:
            raise kiosk.KioskError("request_invalid", kiosk.NEUTRAL, "certificate or signature is not base64url", status=422) from None
        refused: kiosk.KioskError | None = None
        with engine.begin() as conn:
            try:
                return kiosk.identify(
                    conn, terminal.terminal_id, challenge_id=body.challenge_id, certificate=certificate, signature=signature,
                    trust=config.jpki_trust, now=config.clock(),
                ).to_dict()
            except kiosk.KioskError as exc:
                refused = exc  # raised after the commit: the challenge stays used
        raise refused

    @app.post("/v1/issuances", summary="交付履歴の送信")
    def push_issuances(body: IssuancePush, terminal: Terminal) -> dict:
        with engine.begin() as conn:
            return certificates.receive(conn, terminal.terminal_id, [e.model_dump() for e in body.entries], now=config.clock())

    @app.post("/v1/issuing/delegation", summary="証明書の署名鍵の委任（登録サーバーの発行鍵による）")
    def issuing_delegation(body: DelegationRequest, terminal: Terminal) -> dict:
        public_key = _public_key(body.public_key, "delegation")
        with engine.connect() as conn:
            limit = _offline_limit_days(conn)
        return certificates.delegate(issuing_key, terminal.terminal_id, public_key, offline_limit_days=limit, now=config.clock())

    # -- 審査・決裁 (supervisor) -------------------------------------------------------------------
    @app.get("/v1/review", summary="審査待ちの届出")
    def review_queue(request: Request, terminal: Terminal) -> dict:
        operator_of(request, terminal, "supervisor", "administrator")
        with engine.connect() as conn:
            return {"operations": OperationService(conn, config.policy).review_queue()}

    @app.post("/v1/review/{operation_id}", summary="審査の決裁（承認・差戻し）")
    def decide(operation_id: str, body: Decision, request: Request, terminal: Terminal) -> dict:
        supervisor = operator_of(request, terminal, "supervisor", "administrator")
        with engine.begin() as conn:
            lock_writer(conn)
            service = OperationService(conn, config.policy, today=config.today())
            try:
                return service.decide(operation_id, approve=body.approve, supervisor_id=supervisor.operator_id, comment=body.comment)
            except LookupError:
                raise ApiError("operation_not_in_review", "その届出は審査待ちではありません。", f"{operation_id[:40]} not in review", status=404) from None

    # -- administration --------------------------------------------------------------------------
    @app.post("/v1/admin/terminals", summary="端末の登録（登録コードの発行）")
    def add_terminal(body: NewTerminal, request: Request, terminal: Terminal) -> dict:
        operator_of(request, terminal, "administrator")
        with engine.begin() as conn:
            terminal_id, code = terminals.register_terminal(conn, name=body.name, kind=body.kind, ward_code=body.ward_code, scope=body.scope, now=config.clock())
        return {"terminal_id": terminal_id, "enrol_code": code}

    @app.post("/v1/admin/terminals/{terminal_id}/revoke", summary="端末の登録取消し")
    def revoke_terminal(terminal_id: str, request: Request, terminal: Terminal) -> dict:
        operator_of(request, terminal, "administrator")
        with engine.begin() as conn:
            terminals.revoke(conn, terminal_id)
        return {"terminal_id": terminal_id, "revoked": True}

    @app.put("/v1/admin/terminals/{terminal_id}/worklist", summary="外勤端末の担当世帯")
    def put_worklist(terminal_id: str, body: Worklist, request: Request, terminal: Terminal) -> dict:
        operator_of(request, terminal, "administrator", "supervisor")
        with engine.begin() as conn:
            version = terminals.set_worklist(conn, terminal_id, body.household_ids)
        return {"terminal_id": terminal_id, "scope_version": version}

    @app.post("/v1/admin/operators", summary="職員の登録")
    def add_operator(body: NewOperator, request: Request, terminal: Terminal) -> dict:
        operator_of(request, terminal, "administrator")
        with engine.begin() as conn:
            info = accounts.add_operator(
                conn, config.hasher, operator_id=body.operator_id, display_name=body.display_name, role=body.role, ward_code=body.ward_code, password=body.password
            )
        return info.to_dict()

    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    return app
