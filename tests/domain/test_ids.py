"""UUIDv7 ids (domain.ids)."""
from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import ids
from domain.ids import is_uuid7, uuid7, uuid7_time

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MAX_DATETIME_MS = (dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=dt.timezone.utc) - EPOCH) // dt.timedelta(milliseconds=1)


def fields_of(text: str) -> tuple[int, int, int, int]:
    """(timestamp ms, version, rand_a, variant) of a UUID string."""
    value = uuid.UUID(text).int
    return value >> 80, (value >> 76) & 0xF, (value >> 64) & 0xFFF, (value >> 62) & 0b11


def test_format_is_canonical_version_7_rfc_variant():
    text = uuid7()
    assert len(text) == 36 and text == text.lower()
    assert [len(part) for part in text.split("-")] == [8, 4, 4, 4, 12]
    parsed = uuid.UUID(text)
    assert str(parsed) == text
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    _, version, _, variant = fields_of(text)
    assert version == 7 and variant == 0b10
    assert is_uuid7(text)


def test_monotonic_over_ten_thousand_calls():
    made = [uuid7() for _ in range(10_000)]
    assert all(a < b for a, b in zip(made, made[1:]))  # text order is time order
    assert len(set(made)) == len(made)
    assert all(is_uuid7(x) for x in made)


def test_several_ids_in_one_millisecond_count_up(monkeypatch):
    now = time.time_ns() // 1_000_000
    monkeypatch.setattr(ids, "_now_ms", lambda: now)
    made = [uuid7() for _ in range(100)]
    assert all(a < b for a, b in zip(made, made[1:]))
    stamps = {fields_of(x)[0] for x in made}
    assert stamps <= {now, now + 1}  # the last millisecond may already be ahead of the clock
    counters = [fields_of(x)[2] for x in made if fields_of(x)[0] == max(stamps)]
    assert all(b == a + 1 for a, b in zip(counters, counters[1:]))


def test_counter_overflow_carries_into_the_next_millisecond(monkeypatch):
    now = time.time_ns() // 1_000_000
    monkeypatch.setattr(ids, "_now_ms", lambda: now)
    made = [uuid7() for _ in range(6000)]  # more than 4096 ids in one clock millisecond
    assert all(a < b for a, b in zip(made, made[1:]))
    assert max(fields_of(x)[0] for x in made) > now


def test_clock_going_back_does_not_reorder(monkeypatch):
    now = time.time_ns() // 1_000_000 + 5
    readings = iter([now, now - 2_000, now - 1_000, now])
    monkeypatch.setattr(ids, "_now_ms", lambda: next(readings))
    made = [uuid7() for _ in range(4)]
    assert all(a < b for a, b in zip(made, made[1:]))
    assert {fields_of(x)[0] for x in made} == {now}


def test_increasing_across_threads():
    per_thread: list[list[str]] = [[] for _ in range(8)]

    def work(out: list[str]) -> None:
        for _ in range(1_000):
            out.append(uuid7())

    threads = [threading.Thread(target=work, args=(out,)) for out in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [x for out in per_thread for x in out]
    assert len(set(everything)) == len(everything)
    for out in per_thread:
        assert all(a < b for a, b in zip(out, out[1:]))


def test_timestamp_of_a_clock_id_is_now():
    before = dt.datetime.now(dt.timezone.utc)
    stamp = uuid7_time(uuid7())
    after = dt.datetime.now(dt.timezone.utc)
    assert stamp.tzinfo is dt.timezone.utc
    assert before - dt.timedelta(milliseconds=5) <= stamp <= after + dt.timedelta(milliseconds=5)


def test_given_time_round_trips_and_does_not_disturb_the_clock_sequence():
    last = uuid7()
    old = uuid7(now_ms=1_600_000_000_123)
    assert uuid7_time(old) == dt.datetime(2020, 9, 13, 12, 26, 40, 123000, tzinfo=dt.timezone.utc)
    far = uuid7(now_ms=(dt.datetime(2200, 1, 1, tzinfo=dt.timezone.utc) - EPOCH) // dt.timedelta(milliseconds=1))
    assert uuid7_time(far).year == 2200
    following = uuid7()
    assert last < following < far and uuid7_time(following).year < 2200


def test_given_time_same_millisecond_still_increasing():
    made = [uuid7(now_ms=1_700_000_000_000) for _ in range(50)]
    assert all(a < b for a, b in zip(made, made[1:]))
    assert {uuid7_time(x) for x in made} == {EPOCH + dt.timedelta(milliseconds=1_700_000_000_000)}


@given(st.integers(min_value=0, max_value=MAX_DATETIME_MS))
def test_timestamp_round_trip(ms):
    text = uuid7(now_ms=ms)
    assert is_uuid7(text)
    assert fields_of(text)[0] == ms
    assert uuid7_time(text) == EPOCH + dt.timedelta(milliseconds=ms)


@given(st.lists(st.integers(min_value=0, max_value=MAX_DATETIME_MS), min_size=2, max_size=20))
def test_ids_sort_by_given_time(stamps):
    stamps.sort()
    made = [uuid7(now_ms=ms) for ms in stamps]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


@pytest.mark.parametrize("bad", [-1, 1 << 48, 1.5, "1700000000000", True])
def test_bad_given_time_is_refused(bad):
    with pytest.raises(ValueError):
        uuid7(now_ms=bad)


def test_uuid4_and_other_versions_are_not_uuid7():
    assert not is_uuid7(str(uuid.uuid4()))
    assert not is_uuid7(str(uuid.uuid1()))
    assert not is_uuid7("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a uuid",
        "0190163d-8694-739b-aea5-966c26f8ad91 ",
        "0190163d-8694-739b-aea5-966c26f8ad91\n",
        "0190163D-8694-739B-AEA5-966C26F8AD91",  # uppercase
        "{0190163d-8694-739b-aea5-966c26f8ad91}",  # braces
        "{0190163D-8694-739B-AEA5-966C26F8AD91}",  # uppercase with braces
        "urn:uuid:0190163d-8694-739b-aea5-966c26f8ad91",
        "0190163d8694739baea5966c26f8ad91",  # no hyphens
        "0190163d-8694-739b-cea5-966c26f8ad91",  # variant 110 (Microsoft)
        "0190163d-8694-739b-7ea5-966c26f8ad91",  # variant 0 (NCS)
        "0190163d-8694-639b-aea5-966c26f8ad91",  # version 6
        "0190163d-8694-739b-aea5-966c26f8ad9g",
        "０190163d-8694-739b-aea5-966c26f8ad91",  # full-width digit
    ],
)
def test_is_uuid7_rejects(text):
    assert not is_uuid7(text)
    with pytest.raises(ValueError):
        uuid7_time(text)


@pytest.mark.parametrize("value", [None, 7, b"0190163d-8694-739b-aea5-966c26f8ad91", uuid.UUID(int=0)])
def test_is_uuid7_of_a_non_string_is_false(value):
    assert not is_uuid7(value)  # type: ignore[arg-type]


def test_known_value_from_rfc_9562_appendix():
    text = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"  # RFC 9562 A.6: Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00
    assert is_uuid7(text)
    assert uuid7_time(text) == dt.datetime(2022, 2, 22, 19, 22, 22, tzinfo=dt.timezone.utc)


@given(st.text(max_size=40))
def test_is_uuid7_never_raises(text):
    assert is_uuid7(text) in (True, False)


def test_timestamp_beyond_datetime_range_is_a_value_error():
    text = "ffffffff-ffff-7fff-bfff-ffffffffffff"
    assert is_uuid7(text)
    with pytest.raises(ValueError):
        uuid7_time(text)
