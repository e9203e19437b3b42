"""The terminal's HTTP client for the registry: every request signed, every failure a clear error.

Network trouble (refused, cut off, timed out, a 5xx) is `RegistryUnreachable`: worth retrying, and
never shown to the clerk as a traceback. A refusal by the registry (4xx with its JSON error) is
`RegistryRefused` with the registry's Japanese message; a revoked terminal is `TerminalRevoked`.
"""
from __future__ import annotations

import logging
from typing import Iterator
from urllib.parse import urlencode

import httpx
import orjson

from registry.protocol.signing import TerminalKey, sign_request

log = logging.getLogger(__name__)

UNREACHABLE_MESSAGE = "登録サーバーに接続できません。ネットワークを確認してください。届出は端末に保存され、接続が戻ると自動で送信されます。"


class SyncError(Exception):
    """A sync problem with a Japanese `message` for the screen (str() is English, for the log)."""

    def __init__(self, log_message: str, message: str, code: str = ""):
        super().__init__(log_message)
        self.message = message
        self.code = code


class RegistryUnreachable(SyncError):
    def __init__(self, log_message: str, message: str = UNREACHABLE_MESSAGE):
        super().__init__(log_message, message, "unreachable")


class RegistryRefused(SyncError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"registry refused ({status} {code})", message or "登録サーバーが要求を受け付けませんでした。", code)
        self.status = status


class TerminalRevoked(RegistryRefused):
    pass


def _refusal(response: httpx.Response) -> RegistryRefused:
    try:
        error = orjson.loads(response.content)["error"]
        code, message = str(error["code"]), str(error["message"])
    except Exception:
        code, message = f"http_{response.status_code}", ""
    cls = TerminalRevoked if code == "terminal_revoked" else RegistryRefused
    return cls(response.status_code, code, message)


def _check(response: httpx.Response, what: str) -> None:
    """A 5xx is the registry in trouble (retry later); a 4xx is its refusal, with its message."""
    if response.status_code >= 500:
        response.close()
        raise RegistryUnreachable(f"{what}: HTTP {response.status_code}")
    if response.status_code >= 400:
        response.read()
        raise _refusal(response)


class RegistryClient:
    def __init__(self, base_url: str, terminal_id: str, key: TerminalKey, *, timeout: float = 30.0, transport=None):
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.key = key
        self.session_token: str = ""
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, *, body: object = None, params: dict | None = None, stream: bool = False):
        target = path + ("?" + urlencode(params) if params else "")
        content = b"" if body is None else orjson.dumps(body)
        headers = sign_request(self.key, self.terminal_id, method, target, content)
        if body is not None:
            headers["content-type"] = "application/json"
        if self.session_token:
            headers["authorization"] = f"Bearer {self.session_token}"
        try:
            request = self._http.build_request(method, target, content=content or None, headers=headers)
            response = self._http.send(request, stream=stream)
        except httpx.HTTPError as e:
            raise RegistryUnreachable(f"{method} {path}: {type(e).__name__}: {e}") from None
        _check(response, f"{method} {path}")
        return response

    def call(self, method: str, path: str, *, body: object = None, params: dict | None = None) -> dict:
        response = self._request(method, path, body=body, params=params)
        try:
            return orjson.loads(response.content)
        except (orjson.JSONDecodeError, httpx.HTTPError) as e:
            raise RegistryUnreachable(f"{method} {path}: unreadable answer: {e}") from None

    def lines(self, path: str) -> Iterator[bytes]:
        """A streamed NDJSON answer, line by line; a cut connection is RegistryUnreachable."""
        response = self._request("GET", path, stream=True)
        try:
            rest = b""
            for chunk in response.iter_bytes():
                *complete, rest = (rest + chunk).split(b"\n")
                yield from complete
            if rest:
                yield rest
        except httpx.HTTPError as e:
            raise RegistryUnreachable(f"GET {path}: stream cut: {type(e).__name__}: {e}") from None
        finally:
            response.close()


def enrol(base_url: str, code: str, key: TerminalKey, *, timeout: float = 30.0, transport=None) -> dict:
    """Sends the one-time code and the terminal's public key; returns the registry's answer."""
    from registry.protocol.signing import b64url_encode

    try:
        with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport) as http:
            response = http.post("/v1/enrol", json={"code": code.strip(), "public_key": b64url_encode(key.public_key_bytes())})
    except httpx.HTTPError as e:
        raise RegistryUnreachable(
            f"enrol: {type(e).__name__}: {e}",
            f"登録サーバー（{base_url}）に接続できません。URLとネットワークを確認してください。",
        ) from None
    _check(response, "enrol")
    return response.json()
