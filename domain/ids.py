"""Ids for changes and other records: UUIDv7 (RFC 9562), time-ordered so that ids sort as they were made.

Layout (128 bits): 48-bit unix time in milliseconds | version 7 (4 bits) | rand_a (12 bits) |
variant 0b10 (2 bits) | rand_b (62 random bits). rand_a is a counter (RFC 9562 §6.2, method 1): a
new millisecond starts it at a random value below 0x800, each further id in the same millisecond
adds one, so ids from this process are strictly increasing even when several share a millisecond.
When the counter runs out (more than 2048 ids in one millisecond) or the clock goes back, the
timestamp is carried forward from the last id instead (the RFC's advice); ids never go backwards.

    uuid7()                  # "01972f5c-8d2e-7a13-9f4b-2c6d8e0a1b3c"
    uuid7_time(uuid7())      # datetime.datetime(..., tzinfo=datetime.timezone.utc)

`now_ms` lets a caller give the time (tests, ids for history rebuilt after the fact). Those ids carry
that millisecond (the next one only after 2048+ ids in it) and keep their own order (same rules,
their own counter); they never move the sequence the clock drives, so a timestamp in the past or
the future given here does not disturb it.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import time

__all__ = ["uuid7", "is_uuid7", "uuid7_time"]

_MAX_MS = (1 << 48) - 1
_MAX_COUNTER = 0xFFF
_SEED_LIMIT = 0x800  # a new millisecond's counter starts below this: room for ≥ 2048 more ids
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class _Sequence:
    """The last (millisecond, counter) handed out by one stream of ids; guarded by `_LOCK`."""

    def __init__(self) -> None:
        self.ms = -1
        self.counter = 0

    def next(self, ms: int, *, never_back: bool) -> tuple[int, int]:
        if never_back and ms < self.ms:
            ms = self.ms  # the clock went back: stay on the last millisecond
        if ms == self.ms:
            counter = self.counter + 1
            if counter > _MAX_COUNTER:  # this millisecond is used up: carry on in the next one
                ms, counter = ms + 1, secrets.randbelow(_SEED_LIMIT)
        else:
            counter = secrets.randbelow(_SEED_LIMIT)
        if ms > _MAX_MS:
            raise ValueError("UUIDv7 timestamp overflow (beyond 48 bits of milliseconds)")
        self.ms, self.counter = ms, counter
        return ms, counter


_LOCK = threading.Lock()
_CLOCK = _Sequence()  # ids stamped by the clock
_GIVEN = _Sequence()  # ids stamped with a caller's now_ms


def uuid7(now_ms: int | None = None) -> str:
    """A new UUIDv7 in canonical form (lowercase, hyphenated).

    Without `now_ms` the clock gives the time, and every id is greater than the one before in this
    process (across threads too). With `now_ms` (unix milliseconds, 0 … 2**48-1) the id carries
    that millisecond; such ids increase among themselves while `now_ms` does not go down.
    """
    if now_ms is not None and (type(now_ms) is not int or not 0 <= now_ms <= _MAX_MS):
        raise ValueError(f"now_ms must be an int of unix milliseconds in 0..2**48-1, not {now_ms!r}")
    with _LOCK:
        if now_ms is None:
            ms, counter = _CLOCK.next(_now_ms(), never_back=True)
        else:
            ms, counter = _GIVEN.next(now_ms, never_back=False)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | secrets.randbits(62)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_uuid7(text: str) -> bool:
    """Whether `text` is a UUIDv7 in canonical form: lowercase hex, hyphenated, version 7, RFC variant."""
    return isinstance(text, str) and _CANONICAL.fullmatch(text) is not None


def uuid7_time(text: str) -> dt.datetime:
    """The moment (UTC, millisecond precision) a UUIDv7 was stamped with; ValueError if it is not one."""
    if not is_uuid7(text):
        raise ValueError(f"not a canonical UUIDv7: {text!r}")
    ms = int(text[:8] + text[9:13], 16)
    try:
        return _EPOCH + dt.timedelta(milliseconds=ms)
    except OverflowError:
        raise ValueError(f"UUIDv7 timestamp beyond the year 9999: {text!r}") from None
