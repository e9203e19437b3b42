"""Schemathesis against the registry's own OpenAPI document, every operation, with requests signed
by an enrolled terminal and carrying an administrator's session, so that they reach the endpoints
past authentication. Whatever is generated, valid or not: never a 5xx, 2xx bodies as documented,
every 4xx a JSON error with a code and a Japanese message. Unsigned, every signed endpoint answers
401 whatever the body (413 for one over the size limit, refused before anything else).
"""
from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, reject, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import response_schema_conformance

from registry.api import RegistryConfig, create_app
from registry.database import open_database
from tests.registry.harness import ADMIN, ADMIN_PASSWORD, JAPANESE, Registry, postgres_copy_of, sqlite_copy

UNSIGNED_PATHS = ["/v1/health", "/v1/enrol"]
FUZZ_TERMINAL = "fuzz-terminal-0001"  # nothing generated will name it (and revoke it)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request, tmp_path_factory):
    """One registry per database kind for the whole module: what one operation's cases leave
    behind (operators, terminals, operations…) the next ones run against."""
    if request.param == "sqlite":
        url = sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path_factory.mktemp("fuzzed"))
    else:
        server = request.getfixturevalue("postgres_server")
        url = postgres_copy_of(server, request.getfixturevalue("postgres_template"))
    reg = Registry(url)
    reg.terminal = reg.enrol(terminal_id=FUZZ_TERMINAL)
    reg.session = reg.login(reg.terminal, ADMIN, ADMIN_PASSWORD)
    yield reg
    reg.close()
    if request.param == "postgresql":
        server.drop_database(url)


def _load_schema():
    """The app's own OpenAPI document. It does not depend on the database, so it is read from an app
    over a throwaway in-memory registry; the tests send every case to the `fuzzed` registry. (Eager
    rather than `schemathesis.pytest.from_fixture`: that one sets `Node._nodeid`, gone in pytest 9.)"""
    engine = open_database("sqlite://")
    try:
        return schemathesis.openapi.from_asgi("/openapi.json", create_app(RegistryConfig(engine=engine)))
    finally:
        engine.dispose()


schema = _load_schema()
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _send(reg: Registry, case, *, signed: bool) -> httpx.Response:
    """The case as bytes on the wire; signed over exactly those bytes and that request target."""
    body, headers = b"", {}
    if not isinstance(case.body, NotSet):
        body = case.body if isinstance(case.body, bytes) else json.dumps(case.body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers["content-type"] = case.media_type or "application/json"
    params = case.query or None
    try:
        if signed:
            request = reg.prepare(reg.terminal, case.method, case.formatted_path, body, headers={**headers, **reg.session}, params=params)
        else:
            request = reg.client.build_request(case.method, case.formatted_path, params=params, content=body, headers=headers)
    except httpx.InvalidURL:  # a query over 64 KiB once percent-encoded: no HTTP server takes such a request line
        reject()
    return reg.client.send(request)


def _sent(case) -> str:
    return f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"[:600]


def _assert_json_error(case, response: httpx.Response) -> None:
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"].startswith("application/json"), (_sent(case), response.text)
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"], (_sent(case), error)
        assert isinstance(error["message"], str) and JAPANESE.search(error["message"]), (_sent(case), error)


@schema.parametrize()
@FUZZ
def test_signed_requests_never_fail_the_server(case, fuzzed):
    response = _send(fuzzed, case, signed=True)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    _assert_json_error(case, response)


@schema.exclude(path=UNSIGNED_PATHS).parametrize()
@settings(FUZZ, max_examples=10)
def test_unsigned_requests_are_refused(case, fuzzed):
    response = _send(fuzzed, case, signed=False)
    case.validate_response(response, checks=[not_a_server_error])
    _assert_json_error(case, response)
    expected = {401, 413} if case.method.upper() == case.operation.method.upper() else {405}  # coverage tries other methods
    assert response.status_code in expected, (_sent(case), response.text)
