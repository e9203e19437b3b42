"""Access-log entries sent up by terminals.

The registry cannot recompute a terminal's HMAC chain (the key stays in the terminal's cache), but
it holds each terminal's entries in order with no gaps, and keeps the newest (seq, mac): the anchor
against which a terminal's local log is checked, so that entries cut off its end show up.
"""
from __future__ import annotations

from sqlalchemy import Connection, insert, select

from registry.protocol.errors import ProtocolError
from registry.schema import access_log

FIELDS = ("seq", "at", "operator", "action", "resident_id", "detail", "my_number_shown", "mac")


class AccessLogRejected(ProtocolError):
    pass


def head(conn: Connection, terminal_id: str) -> dict:
    row = conn.execute(
        select(access_log.c.seq, access_log.c.mac).where(access_log.c.terminal_id == terminal_id).order_by(access_log.c.seq.desc()).limit(1)
    ).first()
    return {"seq": 0, "mac": ""} if row is None else {"seq": row.seq, "mac": row.mac}


def receive(conn: Connection, terminal_id: str, entries: list[dict]) -> dict:
    """Stores entries that continue the terminal's log; ones already held are skipped if identical."""
    last = head(conn, terminal_id)["seq"]
    rows = []
    for e in sorted(entries, key=lambda e: e["seq"]):
        if e["seq"] <= last:
            held = conn.execute(
                select(access_log.c.mac).where(access_log.c.terminal_id == terminal_id, access_log.c.seq == e["seq"])
            ).scalar()
            if held != e["mac"]:
                raise AccessLogRejected(
                    "access_log_diverged",
                    "端末のアクセス記録が登録サーバーの記録と一致しません。システム管理者に連絡してください。",
                    f"terminal {terminal_id} sent a different entry {e['seq']}",
                    status=409,
                )
            continue
        if e["seq"] != last + 1:
            raise AccessLogRejected(
                "access_log_gap",
                "アクセス記録に欠落があります。システム管理者に連絡してください。",
                f"terminal {terminal_id}: expected entry {last + 1}, got {e['seq']}",
                status=409,
            )
        rows.append(
            {
                "terminal_id": terminal_id,
                "seq": e["seq"],
                "at": e["at"],
                "operator_id": e["operator"],
                "action": e["action"],
                "resident_id": e["resident_id"],
                "detail": e["detail"],
                "my_number_shown": bool(e["my_number_shown"]),
                "mac": e["mac"],
            }
        )
        last = e["seq"]
    if rows:
        conn.execute(insert(access_log), rows)
    return head(conn, terminal_id)
