"""A terminal's background sync as its own process, to be killed by tests/sync/test_faults.py.

    python tests/sync/sync_child.py TERMINAL_DIR ROUND N_OPS [PLAN]

Opens the terminal's cache with the device key (as the background sync does), takes N_OPS
転居届 into the outbox once the cache holds a complete snapshot (round ROUND moves households
no earlier round touched, each to an address of its own; the clerk's look at the household goes
into the access log with it), then runs one SyncEngine.sync().

It reports on stdout, one line each, flushed at once, so that the parent can tell where a kill
landed: `taken <operation_id>` after each take is committed, `ready` before the sync starts,
`call <METHOD> <path>` as each request to the registry starts, `done` when the sync returned.
A sync error is reported as `error <ExceptionType>` (exit status 3).

PLAN (default `none`) makes the process stop and wait to be killed at a chosen point, reporting
`paused`: `snapshot:K` after K lines of the snapshot stream were read (the old register is
already deleted, the new one not yet in), `answered:<path>` once the registry has answered a
request to <path> (it has done the work; the terminal has not recorded the answer). A point the
sync never reaches is no pause: the sync runs to its end.
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.store.access_log import AccessLog
from app.store.register_store import RegisterStore
from app.sync import outbox
from app.sync import terminal as terminal_mod
from app.sync.client import SyncError
from app.sync.engine import SyncEngine, get_meta
from domain.errors import ValidationError
from domain.notifications import MoveWithin
from domain.residents import Address

OPERATOR = "clerk01"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def household_at(conn, index: int) -> str | None:
    """The index-th household with current members, in household_id order (stable: a 転居 keeps its id)."""
    return conn.exec_driver_sql(
        "SELECT household_id FROM residents WHERE status = 'current' GROUP BY household_id ORDER BY household_id LIMIT 1 OFFSET ?",
        (index,),
    ).scalar()


def move(conn, household_id: str, round_: int, i: int, today: dt.date) -> MoveWithin:
    members = RegisterStore(conn).household_members(household_id)
    town = "本千葉町" if members[0].address.town != "本千葉町" else "千葉港"
    to = Address("千葉県", "千葉市中央区", town, f"{round_ + 1}番{i + 1}号", "", "121011")
    return MoveWithin(resident_ids=tuple(m.resident_id for m in members), address=to, moved_on=today, notified_on=today)


def take_moves(cache, terminal_id: str, round_: int, n_ops: int, today: dt.date) -> None:
    access_log = AccessLog(cache.subkey("access-log"))
    for i in range(n_ops):
        with cache.engine.begin() as conn:
            hid = household_at(conn, round_ * n_ops + i)
            if hid is None:
                return
            notification = move(conn, hid, round_, i, today)
            access_log.append(conn, operator=OPERATOR, terminal=terminal_id, action="view", resident_id=notification.resident_ids[0])
            try:
                taken = outbox.take(conn, notification, operator_id=OPERATOR, today=today)
            except ValidationError:
                continue
        say(f"taken {taken.operation_id}")


def pause() -> None:
    say("paused")
    time.sleep(600)  # the parent kills us here


def traced(client, plan: str) -> None:
    """Reports each request as it starts, and pauses where the plan says (the client object's own
    attributes are wrapped; the product code is untouched)."""
    call, lines = client.call, client.lines
    kind, _, where = plan.partition(":")

    def traced_call(method, path, **kw):
        say(f"call {method} {path}")
        answer = call(method, path, **kw)
        if kind == "answered" and path == where:
            pause()
        return answer

    def traced_lines(path):
        say(f"call GET {path}")
        for n, line in enumerate(lines(path), 1):
            yield line
            if kind == "snapshot" and n == int(where):
                pause()

    client.call, client.lines = traced_call, traced_lines


def main(argv: list[str]) -> int:
    directory, round_, n_ops = Path(argv[1]), int(argv[2]), int(argv[3])
    plan = argv[4] if len(argv) > 4 else "none"
    today = dt.date.today()
    cache = terminal_mod.open_for_sync(directory)
    with cache.engine.connect() as conn:
        snapshot_done = get_meta(conn, "snapshot") == "done"
    if snapshot_done:
        take_moves(cache, terminal_mod.TerminalIdentity.load(directory).terminal_id, round_, n_ops, today)
    client = terminal_mod.client_for(directory, timeout=10)
    traced(client, plan)
    say("ready")
    try:
        SyncEngine(cache, client).sync()
    except SyncError as e:
        say(f"error {type(e).__name__}")
        return 3
    finally:
        client.close()
        cache.close()
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
