"""Logging an operator in at this terminal and getting their counter service.

Online when the registry answers (it checks the password, lockout included), else offline
against the operator's key slot in the encrypted cache. Every refusal is a `LoginFailed` with a
Japanese message for the login screen; the password is not kept after this call."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from app.services import login_lock
from app.services.counter import CounterService, TerminalInfo
from app.store.database import CacheOpenError
from app.store.keys import CacheKeyError
from app.sync import terminal as terminal_mod
from app.sync.client import RegistryClient, SyncError
from app.sync.terminal import REVOKED_FILE, NoCacheYet, NotEnrolled, TerminalIdentity, TerminalRevokedHere

log = logging.getLogger(__name__)


class LoginFailed(Exception):
    def __init__(self, log_message: str, message: str):
        super().__init__(log_message)
        self.message = message


def log_in(
    directory: Path,
    operator_id: str,
    password: str,
    *,
    client: RegistryClient | None = None,
    scrypt_n: int | None = None,
    clock: Callable[[], float] = time.time,
) -> CounterService:
    directory = Path(directory)
    operator_id = operator_id.strip()
    if not operator_id or not password:
        raise LoginFailed("empty operator id or password", "職員IDとパスワードを入力してください。")
    if (directory / REVOKED_FILE).exists():
        raise LoginFailed("terminal revoked", TerminalRevokedHere.message)
    locked = login_lock.locked_message(directory, operator_id, clock())
    if locked:
        raise LoginFailed(f"{operator_id} locked out at this terminal", locked)
    try:
        identity = TerminalIdentity.load(directory)
        client = client or terminal_mod.client_for(directory)
        login = terminal_mod.login(directory, operator_id, password, client=client, scrypt_n=scrypt_n)
    except CacheKeyError as e:  # offline, and the key slot refused the password
        log.info("offline login of %s refused: %s", operator_id, e)
        raise LoginFailed(f"offline login refused: {e}", login_lock.failed(directory, operator_id, clock()) or e.message) from None
    except (NotEnrolled, NoCacheYet, TerminalRevokedHere, SyncError, CacheOpenError) as e:
        log.info("login of %s refused: %s", operator_id, e)
        raise LoginFailed(f"login refused: {type(e).__name__}: {e}", e.message) from None
    except FileNotFoundError as e:  # offline and no cache on this terminal yet
        raise LoginFailed(f"login refused: {e}", NoCacheYet.message) from None
    login_lock.succeeded(directory, operator_id)
    operator = {"operator_id": operator_id, "role": "clerk", "ward_code": identity.ward_code, "display_name": operator_id}
    operator.update({k: v for k, v in login.operator.items() if v})
    info = TerminalInfo(identity.terminal_id, identity.name, identity.ward_code, identity.kind)
    return CounterService(
        login.cache,
        operator=operator,
        terminal=info,
        client=client,
        online=login.online,
        clock=clock,
        on_revoked=lambda: terminal_mod.wipe(directory),
        directory=directory,
    )
