"""Protocol errors: a machine code, a Japanese message for the clerk's screen, an English one for logs.

The registry maps each error to `status` and sends `code` and `message` back; the terminal shows
`message`. `log_message` may carry details (clock offsets, ids) that are for the logs only.
"""
from __future__ import annotations


class ProtocolError(Exception):
    """Base for every refusal in the protocol.

    `code` is snake_case and stable (the terminal may act on it), `message` is Japanese for the
    screen, `log_message` English for the logs, `status` the HTTP status it maps to.
    """

    status: int = 400

    def __init__(self, code: str, message: str, log_message: str, *, status: int | None = None):
        super().__init__(f"{code}: {log_message}")
        self.code = code
        self.message = message
        self.log_message = log_message
        self.status = type(self).status if status is None else status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, log_message={self.log_message!r})"


class SignatureRejected(ProtocolError):
    """A request whose signature headers are missing, malformed, wrong, or too far off in time."""

    status = 401


class CertificateRejected(ProtocolError):
    """A terminal certificate that is malformed, not signed by this registry, or not valid now."""

    status = 401


class KeyFileRejected(ProtocolError):
    """A private-key file that cannot be opened: wrong password, damaged, or not an Ed25519 key.

    This is a local problem (the terminal's or the registry's own key file), hence 500 if it ever
    reaches an HTTP response.
    """

    status = 500
