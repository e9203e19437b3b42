"""The registry's HTTP API refusing what it must refuse: each refusal is a 4xx with a JSON error code
and a Japanese message, and leaves the register as it was.

The app runs in-process (httpx ASGITransport) over SQLite, and over PostgreSQL too (`any_registry`)
where transactions or column types decide the outcome. Terminals enrol over POST /v1/enrol with
their own Ed25519 keys and sign every request as it goes on the wire.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import orjson
import pytest

from domain.ids import is_uuid7, uuid7
from registry import terminals
from registry.protocol.signing import HEADER_NONCE, HEADER_SIGNATURE, HEADER_TERMINAL, HEADER_TIMESTAMP, TerminalKey, b64url_encode
from registry.schema import terminals as terminals_table
from tests.registry.harness import (
    ADMIN,
    ADMIN_PASSWORD,
    JAPANESE,
    Registry,
    Terminal,
    assert_error,
    move_in,
    move_within,
    operation,
)
from tests.sync.harness import CLERK, CLERK_PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD


@contextmanager
def nothing_changes(reg: Registry, *, nonces: bool = False):
    """No row added or removed in the register's tables (and in the nonce table, when the request
    should be refused before its signature is accepted)."""
    before, used = reg.counts(), reg.nonces()
    yield
    assert reg.counts() == before
    if nonces:
        assert reg.nonces() == used


def push(reg: Registry, terminal, *ops) -> list[dict]:
    response = reg.signed(terminal, "POST", "/v1/operations", {"operations": list(ops)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


# -- the request body ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/operations", b'{"operations": [{"operation_id": '),
        ("/v1/operations", b"\xff\xfe not utf-8"),
        ("/v1/sessions", b'{"operator_id": "clerk01", "password": }'),
        ("/v1/access-log", b"[1, 2"),
        ("/v1/operations", b'{"operations": [] /* comment */}'),
    ],
)
def test_a_body_that_is_not_json_is_refused(registry, path, body):
    t = registry.enrol()
    with nothing_changes(registry):
        response = registry.signed(t, "POST", path, body)
    assert_error(response, 422, "request_invalid")


@pytest.mark.parametrize("body", [b'"\xff"', b'{"a":' * 5000 + b"1" + b"}" * 5000])
def test_a_body_json_cannot_even_read_is_refused(registry, body):
    t = registry.enrol()  # invalid UTF-8, nesting beyond the parser's recursion limit: FastAPI's 400
    with nothing_changes(registry):
        response = registry.signed(t, "POST", "/v1/operations", body)
    assert_error(response, 400, "http_400")


@pytest.mark.parametrize("body", [b"\x00", b"{not json", b'"\xff"', b'{"operations": [], "extra": 1}', b'{"a":' * 5000])
@pytest.mark.parametrize("path", ["/v1/operations", "/v1/sessions", "/v1/admin/operators"])
def test_an_unsigned_request_is_refused_before_its_body_is_looked_at(registry, path, body):
    with nothing_changes(registry, nonces=True):
        response = registry.client.request("POST", path, content=body, headers={"content-type": "application/json"})
    assert_error(response, 401, "terminal_unknown")


@pytest.mark.parametrize(
    "path, body, where",
    [
        ("/v1/operations", {"operations": [], "priority": "high"}, "body.priority"),
        ("/v1/sessions", {"operator_id": CLERK, "password": CLERK_PASSWORD, "remember": True}, "body.remember"),
        (
            "/v1/access-log",
            {"entries": [{"seq": 1, "at": "2026-01-01T09:00:00", "operator": CLERK, "action": "view", "resident_id": "R1",
                          "detail": "", "my_number_shown": False, "mac": "00", "extra": 1}]},
            "body.entries.0.extra",
        ),
    ],
)
def test_a_body_with_unknown_fields_is_refused(registry, path, body, where):
    t = registry.enrol()
    with nothing_changes(registry):
        response = registry.signed(t, "POST", path, body)
    assert_error(response, 422, "request_invalid")
    assert {"where": where, "problem": "extra_forbidden"} in response.json()["error"]["detail"]


def test_enrolment_with_unknown_fields_is_refused_and_the_code_stays_usable(registry):
    _terminal_id, code = registry.register()
    key = b64url_encode(TerminalKey.generate().public_key_bytes())
    with nothing_changes(registry):
        response = registry.client.request("POST", "/v1/enrol", json={"code": code, "public_key": key, "terminal_id": "mine"})
    assert_error(response, 422, "request_invalid")
    assert registry.client.request("POST", "/v1/enrol", json={"code": code, "public_key": key}).status_code == 200


@pytest.fixture
def small(sqlite_url):
    reg = Registry(sqlite_url, max_body_bytes=2048)
    yield reg
    reg.close()


def _big_push() -> bytes:
    body = orjson.dumps({"operations": [operation(move_in(f"R{i:03d}", f"H{i:03d}")) for i in range(10)]})
    assert len(body) > 2048
    return body


def test_a_body_declared_over_the_limit_is_refused_before_anything_else(small):
    t = small.enrol()
    body = _big_push()
    request = small.prepare(t, "POST", "/v1/operations", body)
    assert request.headers["content-length"] == str(len(body))
    with nothing_changes(small, nonces=True):
        response = small.client.send(request)
    assert_error(response, 413, "request_too_large")


@pytest.mark.parametrize("method, path", [("POST", "/v1/operations"), ("POST", "/v1/sessions"), ("GET", "/v1/status"), ("POST", "/v1/enrol")])
def test_a_body_streamed_over_the_limit_without_a_length_is_refused(small, method, path):
    t = small.enrol()
    body = _big_push()

    async def chunks():
        for i in range(0, len(body), 500):
            yield body[i : i + 500]

    request = small.prepare(t, method, path, body)  # signed over the whole body, then sent in pieces
    request = small.client.build_request(method, path, content=chunks(), headers={k: v for k, v in request.headers.items() if k != "content-length"})
    assert "content-length" not in request.headers and request.headers["transfer-encoding"] == "chunked"
    with nothing_changes(small):
        response = small.client.send(request)
    assert_error(response, 413, "request_too_large")


def test_a_streamed_body_within_the_limit_is_accepted(small):
    t = small.enrol()
    body = orjson.dumps({"operations": [operation(move_in())]})
    assert len(body) < 2048

    async def chunks():
        for i in range(0, len(body), 100):
            yield body[i : i + 100]

    signed = small.prepare(t, "POST", "/v1/operations", body)
    request = small.client.build_request("POST", "/v1/operations", content=chunks(), headers={k: v for k, v in signed.headers.items() if k != "content-length"})
    response = small.client.send(request)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["state"] == "confirmed"


# -- signatures -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "dropped, code",
    [
        ((HEADER_TERMINAL, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE), "terminal_unknown"),
        ((HEADER_TERMINAL,), "terminal_unknown"),
        ((HEADER_TIMESTAMP,), "signature_missing"),
        ((HEADER_NONCE,), "signature_missing"),
        ((HEADER_SIGNATURE,), "signature_missing"),
    ],
)
def test_a_request_without_its_signature_headers_is_refused(any_registry, dropped, code):
    reg = any_registry
    t = reg.enrol()
    request = reg.prepare(t, "POST", "/v1/operations", orjson.dumps({"operations": [operation(move_in())]}))
    for name in dropped:
        del request.headers[name]
    with nothing_changes(reg, nonces=True):
        response = reg.client.send(request)
    assert_error(response, 401, code)


@pytest.mark.parametrize(
    "header, value",
    [
        (HEADER_TIMESTAMP, "1e9"),
        (HEADER_TIMESTAMP, "-5"),
        (HEADER_NONCE, "not-a-nonce"),
        (HEADER_SIGNATURE, "AAAA"),
        (HEADER_SIGNATURE, "x" * 86 + "=="),
    ],
)
def test_a_malformed_signature_header_is_refused(registry, header, value):
    t = registry.enrol()
    request = registry.prepare(t, "GET", "/v1/status")
    request.headers[header] = value
    with nothing_changes(registry, nonces=True):
        response = registry.client.send(request)
    assert_error(response, 401, "signature_missing")


def test_a_body_changed_after_signing_is_refused(registry):
    t = registry.enrol()
    signed = orjson.dumps({"operations": [operation(move_in("R100"))]})
    tampered = signed.replace(b"R100", b"R666")
    request = registry.prepare(t, "POST", "/v1/operations", signed)
    forged = registry.client.build_request("POST", "/v1/operations", content=tampered, headers=dict(request.headers))
    with nothing_changes(registry, nonces=True):
        response = registry.client.send(forged)
    assert_error(response, 401, "signature_invalid")


def test_a_query_changed_after_signing_is_refused(registry):
    t = registry.enrol()
    request = registry.prepare(t, "GET", "/v1/changes?after=1")
    forged = registry.client.build_request("GET", "/v1/changes?after=2", headers=dict(request.headers))
    with nothing_changes(registry, nonces=True):
        response = registry.client.send(forged)
    assert_error(response, 401, "signature_invalid")


def test_a_request_signed_with_another_terminals_key_is_refused(any_registry):
    reg = any_registry
    mine, other = reg.enrol(), reg.enrol()
    with nothing_changes(reg, nonces=True):
        response = reg.signed(mine, "POST", "/v1/operations", {"operations": [operation(move_in())]}, signer=other.key)
    assert_error(response, 401, "signature_invalid")


def test_a_terminal_that_was_never_registered_or_never_enrolled_is_refused(registry):
    stranger = registry.enrol()
    stranger.terminal_id = "t-000000000000"  # well formed, unknown
    registered_id, _code = registry.register()
    not_enrolled = Terminal(registered_id, TerminalKey.generate())
    for t in (stranger, not_enrolled):
        with nothing_changes(registry, nonces=True):
            response = registry.signed(t, "POST", "/v1/operations", {"operations": [operation(move_in())]})
        assert_error(response, 401, "terminal_unknown")


def test_a_revoked_terminal_is_told_so_and_nothing_it_sends_is_applied(any_registry):
    reg = any_registry
    admin_terminal, field = reg.enrol(), reg.enrol()
    admin = reg.login(admin_terminal, ADMIN, ADMIN_PASSWORD)
    response = reg.signed(admin_terminal, "POST", f"/v1/admin/terminals/{field.terminal_id}/revoke", headers=admin)
    assert response.status_code == 200 and response.json() == {"terminal_id": field.terminal_id, "revoked": True}
    for method, path, body in [("POST", "/v1/operations", {"operations": [operation(move_in())]}), ("GET", "/v1/status", None), ("GET", "/v1/snapshot", None)]:
        with nothing_changes(reg, nonces=True):
            response = reg.signed(field, method, path, body)
        assert_error(response, 403, "terminal_revoked")


def test_a_replayed_request_is_refused_and_applied_once(any_registry):
    reg = any_registry
    t = reg.enrol()
    request = reg.prepare(t, "POST", "/v1/operations", orjson.dumps({"operations": [operation(move_in())]}))
    first = reg.client.send(request)
    assert first.status_code == 200 and first.json()["results"][0]["state"] == "confirmed"
    with nothing_changes(reg, nonces=True):
        again = reg.client.send(request)
    assert_error(again, 401, "request_replayed")
    assert reg.counts()["changes"] == 1


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_timestamp_too_far_from_the_registry_clock_is_refused(registry, offset):
    t = registry.enrol()
    with nothing_changes(registry, nonces=True):
        response = registry.signed(t, "GET", "/v1/status", now=registry.clock() + offset)
    message = assert_error(response, 401, "clock_skew")
    assert "5分" in message


def test_a_timestamp_within_the_window_is_accepted(registry):
    t = registry.enrol()
    for offset in (-299, 299):
        assert registry.signed(t, "GET", "/v1/status", now=registry.clock() + offset).status_code == 200


def test_a_registry_whose_clock_is_ahead_refuses_requests_signed_now(registry):
    t = registry.enrol()
    now = registry.clock()
    registry.clock.advance(600)
    with nothing_changes(registry, nonces=True):
        response = registry.signed(t, "GET", "/v1/status", now=now)
    assert_error(response, 401, "clock_skew")


# -- enrolment ----------------------------------------------------------------------------------
def _enrol(reg: Registry, code: str, key: TerminalKey | None = None):
    key = key or TerminalKey.generate()
    return reg.client.request("POST", "/v1/enrol", json={"code": code, "public_key": b64url_encode(key.public_key_bytes())})


def _public_key_of(reg: Registry, terminal_id: str):
    with reg.engine.connect() as conn:
        return conn.execute(terminals_table.select().where(terminals_table.c.terminal_id == terminal_id)).one().public_key


def test_enrolment_with_a_wrong_code_is_refused(any_registry):
    reg = any_registry
    terminal_id, code = reg.register()
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    with nothing_changes(reg):
        assert_error(_enrol(reg, wrong), 401, "enrol_code_invalid")
        assert_error(_enrol(reg, ""), 401, "enrol_code_invalid")
    assert _public_key_of(reg, terminal_id) is None


def test_a_used_code_cannot_enrol_another_key(any_registry):
    reg = any_registry
    terminal_id, code = reg.register()
    first = TerminalKey.generate()
    assert _enrol(reg, code, first).status_code == 200
    with nothing_changes(reg):
        assert_error(_enrol(reg, code), 401, "enrol_code_invalid")
    assert bytes(_public_key_of(reg, terminal_id)) == first.public_key_bytes()


def test_an_expired_code_is_refused(registry):
    terminal_id, code = registry.register(now=registry.clock() - terminals.ENROL_CODE_SECONDS - 1)
    with nothing_changes(registry):
        assert_error(_enrol(registry, code), 401, "enrol_code_invalid")
    assert _public_key_of(registry, terminal_id) is None


@pytest.mark.parametrize("public_key", ["", "AAAA", "not base64!", "A" * 64])
def test_enrolment_with_a_key_that_is_not_an_ed25519_public_key_is_refused(registry, public_key):
    terminal_id, code = registry.register()
    with nothing_changes(registry):
        response = registry.client.request("POST", "/v1/enrol", json={"code": code, "public_key": public_key})
    assert_error(response, 422, "public_key_invalid")
    assert _public_key_of(registry, terminal_id) is None
    assert _enrol(registry, code).status_code == 200  # the code was not used up


# -- operators ----------------------------------------------------------------------------------
def test_a_wrong_password_is_refused_and_opens_no_session(any_registry):
    reg = any_registry
    t = reg.enrol()
    for operator_id in (CLERK, "nobody"):
        with nothing_changes(reg):
            response = reg.signed(t, "POST", "/v1/sessions", {"operator_id": operator_id, "password": "間違ったパスワード"})
        assert_error(response, 401, "login_failed")


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused_while_locked(any_registry):
    reg = any_registry
    t = reg.enrol()

    def login(password):
        return reg.signed(t, "POST", "/v1/sessions", {"operator_id": CLERK, "password": password})

    for attempt in range(1, 5):
        assert_error(login("間違ったパスワード"), 401, "login_failed")
        assert reg.operator_row(CLERK).failures == attempt  # counted, and kept though the login was refused
    message = assert_error(login("間違ったパスワード"), 423, "account_locked")
    assert "15分" in message and "5回" in message
    sessions = reg.counts()["sessions"]
    reg.clock.advance(5 * 60)
    message = assert_error(login(CLERK_PASSWORD), 423, "account_locked")
    assert "10分" in message
    assert reg.counts()["sessions"] == sessions
    reg.clock.advance(10 * 60 + 1)
    response = login(CLERK_PASSWORD)
    assert response.status_code == 200, response.text
    assert reg.operator_row(CLERK).failures == 0


def test_a_success_clears_the_failure_count(registry):
    t = registry.enrol()
    for _ in range(3):
        registry.signed(t, "POST", "/v1/sessions", {"operator_id": CLERK, "password": "間違ったパスワード"})
    registry.login(t, CLERK, CLERK_PASSWORD)
    assert registry.operator_row(CLERK).failures == 0


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", "/v1/review", None),
        ("POST", f"/v1/review/{uuid7()}", {"approve": True}),
        ("POST", "/v1/admin/terminals", {"name": "端末", "kind": "counter", "ward_code": "121011", "scope": "city"}),
        ("PUT", "/v1/admin/terminals/t-000000000000/worklist", {"household_ids": []}),
        ("POST", "/v1/admin/terminals/t-000000000000/revoke", None),
        ("POST", "/v1/admin/operators", {"operator_id": "new01", "display_name": "新人", "role": "clerk", "password": "新しいパスワード2026"}),
    ],
)
def test_supervisor_and_administrator_calls_need_a_session_with_the_role(any_registry, method, path, body):
    reg = any_registry
    t, other = reg.enrol(), reg.enrol()
    clerk = reg.login(t, CLERK, CLERK_PASSWORD)
    supervisor_elsewhere = reg.login(other, SUPERVISOR, SUPERVISOR_PASSWORD)
    admin_only = path.startswith("/v1/admin/") and not path.endswith("/worklist")
    supervisor = reg.login(t, SUPERVISOR, SUPERVISOR_PASSWORD)
    cases = [
        ({}, 401, "session_invalid"),
        ({"authorization": "Bearer not-a-token"}, 401, "session_invalid"),
        ({"authorization": "Basic " + "x" * 20}, 401, "session_invalid"),
        (supervisor_elsewhere, 401, "session_invalid"),  # a session belongs to the terminal it was opened on
        (clerk, 403, "role_forbidden"),
    ]
    if admin_only:
        cases.append((supervisor, 403, "role_forbidden"))
    for headers, status, code in cases:
        with nothing_changes(reg):
            response = reg.signed(t, method, path, body, headers=headers)
        assert_error(response, status, code)


def test_an_expired_session_is_refused(registry):
    t = registry.enrol()
    supervisor = registry.login(t, SUPERVISOR, SUPERVISOR_PASSWORD)
    assert registry.signed(t, "GET", "/v1/review", headers=supervisor).status_code == 200
    registry.clock.advance(12 * 3600 + 1)
    assert_error(registry.signed(t, "GET", "/v1/review", headers=supervisor, now=registry.clock()), 401, "session_invalid")


def test_deciding_an_operation_that_is_not_in_review_is_refused(any_registry):
    reg = any_registry
    t = reg.enrol()
    supervisor = reg.login(t, SUPERVISOR, SUPERVISOR_PASSWORD)
    [confirmed] = push(reg, t, operation(move_in()))
    for operation_id in (confirmed["operation_id"], uuid7(), "not-an-id", "a%00b"):
        with nothing_changes(reg):
            response = reg.signed(t, "POST", f"/v1/review/{operation_id}", {"approve": True}, headers=supervisor)
        assert_error(response, 404, "operation_not_in_review")


# -- operations -----------------------------------------------------------------------------------
def _stored(reg: Registry) -> dict[str, int]:
    counts = reg.counts()
    return {k: counts[k] for k in ("changes", "change_residents", "residents", "households", "operation_residents")}


@pytest.mark.parametrize(
    "raw, detail",
    [
        ({**operation(move_in()), "operation_id": "not-a-uuid"}, "operation_id must be a UUIDv7"),
        ({**operation(move_in()), "operation_id": "01890a5d-ac96-4b4e-8c5e-1a2b3c4d5e6f"}, "operation_id must be a UUIDv7"),  # v4
        ({k: v for k, v in operation(move_in()).items() if k != "operator_id"}, "operator_id, kind and notification are required"),
        ({**operation(move_in()), "taken_on": "昨日"}, "taken_on must be an ISO date"),
        ({**operation(move_in()), "base": {"R1": "3"}}, "base must map resident ids to versions"),
        ({**operation(move_in()), "signature": "x"}, "unknown keys ['signature']"),
    ],
)
def test_a_malformed_operation_is_rejected_and_not_stored(any_registry, raw, detail):
    reg = any_registry
    t = reg.enrol()
    with nothing_changes(reg):
        [result] = push(reg, t, raw)
    assert result["state"] == "rejected" and result["code"] == "malformed" and result["stored"] is False
    assert result["detail"] == detail
    assert JAPANESE.search(result["message"])
    assert result["operation_id"] == (raw["operation_id"] if is_uuid7(raw["operation_id"]) else "")  # only a real id is echoed


@pytest.mark.parametrize("entry", ["an operation", 7, None, ["operation_id"]])
def test_a_push_whose_operations_are_not_objects_is_refused_whole(registry, entry):
    t = registry.enrol()
    with nothing_changes(registry):
        response = registry.signed(t, "POST", "/v1/operations", {"operations": [operation(move_in()), entry]})
    assert_error(response, 422, "request_invalid")


def _assert_rejected_and_nothing_applied(reg: Registry, before: dict, result: dict, code: str) -> None:
    assert result["state"] == "rejected" and result["code"] == code, result
    assert JAPANESE.search(result["message"])
    assert _stored(reg) == before
    assert reg.counts()["operations"] == 1  # the refusal is kept, so a repeat gets the same answer


def test_an_unknown_notification_kind_is_rejected(any_registry):
    reg = any_registry
    t = reg.enrol()
    before = _stored(reg)
    [result] = push(reg, t, {**operation(move_in()), "kind": "Marriage"})
    _assert_rejected_and_nothing_applied(reg, before, result, "malformed")
    assert result["errors"][0]["field"] == "kind" and JAPANESE.search(result["errors"][0]["message"])


def test_a_notification_the_rules_refuse_is_rejected_with_the_reasons(any_registry):
    reg = any_registry
    t = reg.enrol()
    before = _stored(reg)
    [result] = push(reg, t, operation(move_within("R404")))
    _assert_rejected_and_nothing_applied(reg, before, result, "invalid")
    assert any(e["field"] == "resident_ids" and "R404" in e["message"] and "見つかりません" in e["message"] for e in result["errors"])
    assert result["residents"] == [] and result["households"] == []


def test_an_operation_by_an_unknown_operator_is_rejected(any_registry):
    reg = any_registry
    t = reg.enrol()
    before = _stored(reg)
    [result] = push(reg, t, operation(move_in(), operator_id="ghost01"))
    _assert_rejected_and_nothing_applied(reg, before, result, "operator_unknown")


def test_one_refused_operation_does_not_spoil_the_others_in_the_push(any_registry):
    reg = any_registry
    t = reg.enrol()
    results = push(reg, t, operation(move_in("R100", "H100")), operation(move_within("R404")), {"operation_id": "garbage"}, operation(move_in("R101", "H101")))
    assert [(r["state"], r["code"]) for r in results] == [("confirmed", "confirmed"), ("rejected", "invalid"), ("rejected", "malformed"), ("confirmed", "confirmed")]
    assert reg.counts()["changes"] == 2 and reg.counts()["residents"] == 2


def test_the_same_operation_twice_is_applied_once(any_registry):
    reg = any_registry
    t = reg.enrol()
    op = operation(move_in())
    [first] = push(reg, t, op)
    assert first["state"] == "confirmed" and "duplicate" not in first
    with nothing_changes(reg):
        [second] = push(reg, t, op)
    assert second == {**first, "duplicate": True}
    with nothing_changes(reg):
        twice = push(reg, t, op, op)
    assert twice == [second, second]
    assert reg.counts()["changes"] == 1


def test_the_same_operation_twice_in_one_push_is_applied_once(any_registry):
    reg = any_registry
    t = reg.enrol()
    op = operation(move_in())
    first, second = push(reg, t, op, op)
    assert first["state"] == "confirmed" and second == {**first, "duplicate": True}
    assert reg.counts()["changes"] == 1


def test_a_rejected_operation_sent_again_gets_the_same_answer(any_registry):
    reg = any_registry
    t = reg.enrol()
    op = operation(move_within("R404"))
    [first] = push(reg, t, op)
    with nothing_changes(reg):
        [second] = push(reg, t, op)
    assert second == {**first, "duplicate": True}


# -- what a PostgreSQL column cannot hold (SQLite would keep it) --------------------------------------
def _with_notification(**fields) -> dict:
    op = operation(move_in())
    return {**op, "notification": {**op["notification"], **fields}}


@pytest.mark.parametrize(
    "raw, detail",
    [
        ({**operation(move_in()), "operator_id": "x" * 65}, "too long"),
        ({**operation(move_in()), "kind": "K" * 41}, "too long"),
        ({**operation(move_in()), "operator_id": "clerk\x0001"}, "NUL"),
        (_with_notification(new_household_id="H\x00"), "NUL"),
        (_with_notification(note={"n": 10**20}), "64 bits"),
        ({**operation(move_in()), "base": {"R1": 2**64}}, "64 bits"),
        ({**operation(move_in()), "base": {"R" * 33: 1}}, "resident ids are at most 32"),
        (_with_notification(new_household_id=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]), "nested too deeply"),
    ],
)
def test_an_operation_holding_what_cannot_be_stored_is_rejected_as_malformed(any_registry, raw, detail):
    reg = any_registry
    t = reg.enrol()
    good = operation(move_in("R200", "H200"))
    with nothing_changes(reg):
        [result] = push(reg, t, raw)
    assert result["state"] == "rejected" and result["code"] == "malformed" and result["stored"] is False
    assert detail in result["detail"]
    [ok] = push(reg, t, good)  # and the registry goes on
    assert ok["state"] == "confirmed"


def test_text_with_lone_surrogates_in_an_operation_is_rejected_as_malformed(any_registry):
    reg = any_registry
    t = reg.enrol()
    op_id = uuid7()
    body = b'{"operations": [{"operation_id": "%s", "operator_id": "clerk01", "kind": "MoveIn", "notification": {"note": "\\ud800"}, "taken_on": "%s"}]}' % (
        op_id.encode(), dt.date.today().isoformat().encode())
    with nothing_changes(reg):
        response = reg.signed(t, "POST", "/v1/operations", body)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["operation_id"], result["code"]) == (op_id, "malformed") and "surrogate" in result["detail"]


@pytest.mark.parametrize("resident_id, household_id", [("R" * 33, "H1"), ("R1", "H" * 33)])
def test_a_notification_making_ids_longer_than_the_register_holds_is_rejected(any_registry, resident_id, household_id):
    reg = any_registry
    t = reg.enrol()
    before = _stored(reg)
    [result] = push(reg, t, operation(move_in(resident_id, household_id)))
    _assert_rejected_and_nothing_applied(reg, before, result, "invalid")
    assert any("32文字以内" in e["message"] for e in result["errors"])


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/sessions", {"operator_id": "clerk\x0001", "password": CLERK_PASSWORD}),
        ("/v1/access-log", {"entries": [{"seq": 1, "at": "2026-01-01T09:00:00", "operator": "a\x00", "action": "view", "resident_id": "R1",
                                          "detail": "", "my_number_shown": False, "mac": "00"}]}),
        ("/v1/admin/terminals", {"name": "端末\x00", "kind": "counter", "ward_code": "121011", "scope": "city"}),
        ("/v1/admin/operators", {"operator_id": "new01", "display_name": "新\x00人", "role": "clerk", "password": "新しいパスワード2026"}),
        ("/v1/admin/terminals/t-000000000000/worklist", {"household_ids": ["H" * 33]}),
        ("/v1/admin/terminals/t-000000000000/worklist", {"household_ids": ["H\x00"]}),
    ],
)
def test_text_a_column_cannot_hold_is_refused_as_invalid(any_registry, path, body):
    reg = any_registry
    t = reg.enrol()
    admin = reg.login(t, ADMIN, ADMIN_PASSWORD)
    method = "PUT" if path.endswith("/worklist") else "POST"
    with nothing_changes(reg):
        response = reg.signed(t, method, path, body, headers=admin)
    assert_error(response, 422, "request_invalid")


@pytest.mark.parametrize("terminal_id", ["t%00x", "-t", "t" * 65])
def test_a_terminal_id_that_cannot_exist_is_not_found(any_registry, terminal_id):
    reg = any_registry
    t = reg.enrol()
    admin = reg.login(t, ADMIN, ADMIN_PASSWORD)
    for method, path, body in [("POST", f"/v1/admin/terminals/{terminal_id}/revoke", None), ("PUT", f"/v1/admin/terminals/{terminal_id}/worklist", {"household_ids": []})]:
        with nothing_changes(reg):
            response = reg.signed(t, method, path, body, headers=admin)
        assert_error(response, 404, "terminal_unknown")


def test_operation_results_ignore_ids_that_cannot_exist(any_registry):
    reg = any_registry
    t = reg.enrol()
    [done] = push(reg, t, operation(move_in()))
    response = reg.signed(t, "GET", f"/v1/operations?ids=a%00b,{done['operation_id']},{'x' * 40}")
    assert response.status_code == 200, response.text
    assert response.json() == {"results": [done]}


# -- the feed and the rest -------------------------------------------------------------------------
def test_changes_from_cursor_zero_need_a_snapshot(any_registry):
    reg = any_registry
    t = reg.enrol()
    push(reg, t, operation(move_in()))
    with nothing_changes(reg):
        response = reg.signed(t, "GET", "/v1/changes?after=0")
    assert_error(response, 409, "snapshot_required")
    assert_error(reg.signed(t, "GET", "/v1/changes"), 409, "snapshot_required")
    assert_error(reg.signed(t, "GET", "/v1/changes?after=1&scope_version=7"), 409, "snapshot_required")
    page = reg.signed(t, "GET", "/v1/changes?after=1&scope_version=1")
    assert page.status_code == 200, page.text


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "after=1&limit=100000", "after=99999999999999999999999"])
def test_changes_with_a_bad_query_are_refused(registry, query):
    t = registry.enrol()
    assert_error(registry.signed(t, "GET", f"/v1/changes?{query}"), 422, "request_invalid")


def test_an_unknown_path_or_method_is_a_json_error(registry):
    t = registry.enrol()
    for response in (registry.client.request("GET", "/v2/nothing"), registry.signed(t, "GET", "/v1/nothing")):
        assert_error(response, 404, "http_404")
    assert_error(registry.client.request("DELETE", "/v1/operations"), 405, "http_405")


def test_health_needs_no_signature(registry):
    response = registry.client.request("GET", "/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
