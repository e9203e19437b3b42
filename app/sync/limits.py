"""How long a terminal may work without the registry.

A terminal that has not synced for longer than the city's limit (days, set at the registry) works
on, but refuses to issue certificates: a 住民票の写し must not show a register days out of date.
The screen warns from WARN_FRACTION of the limit on, so the clerk can connect in time.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection

DEFAULT_LIMIT_DAYS = 7
WARN_FRACTION = 0.5
DAY = 86400.0


class SyncTooOld(Exception):
    def __init__(self, state: "OfflineState"):
        super().__init__(f"last sync {state.days_since:.1f} days ago, limit {state.limit_days} days")
        self.message = state.message
        self.state = state


@dataclass(frozen=True)
class OfflineState:
    last_sync_at: float | None
    limit_days: int
    now: float

    @property
    def days_since(self) -> float:
        return float("inf") if self.last_sync_at is None else max(0.0, (self.now - self.last_sync_at) / DAY)

    @property
    def can_issue_certificates(self) -> bool:
        return self.days_since <= self.limit_days

    @property
    def warning(self) -> bool:
        return self.days_since >= self.limit_days * WARN_FRACTION

    @property
    def message(self) -> str:
        """Japanese, for the status bar: empty while all is well."""
        if self.last_sync_at is None:
            return "登録サーバーとまだ一度も同期していません。証明書は発行できません。ネットワークに接続して同期してください。"
        days = int(self.days_since)
        if not self.can_issue_certificates:
            return (
                f"最後の同期から{days}日経過し、上限の{self.limit_days}日を超えました。"
                "証明書は発行できません。ネットワークに接続して同期してください。"
            )
        if self.warning:
            left = max(0, int(self.limit_days - self.days_since))
            return f"最後の同期から{days}日経過しています。あと{left}日で証明書を発行できなくなります。早めに同期してください。"
        return ""


def offline_state(conn: Connection, *, now: float | None = None) -> OfflineState:
    rows = dict(
        conn.exec_driver_sql("SELECT key, value FROM meta WHERE key IN ('last_sync_at', 'offline_limit_days')").all()
    )
    last = float(rows["last_sync_at"]) if "last_sync_at" in rows else None
    limit = int(rows.get("offline_limit_days", DEFAULT_LIMIT_DAYS))
    return OfflineState(last, limit, time.time() if now is None else now)


def require_fresh(conn: Connection, *, now: float | None = None) -> OfflineState:
    """For the certificate service: raises SyncTooOld (Japanese .message) past the limit."""
    state = offline_state(conn, now=now)
    if not state.can_issue_certificates:
        raise SyncTooOld(state)
    return state
