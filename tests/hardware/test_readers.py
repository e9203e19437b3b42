"""Readers and the monitor of readers and cards coming and going, through pcscd."""
from __future__ import annotations

import os
import queue
import subprocess
import sys

from hardware.readers import CARD_INSERTED, CARD_REMOVED, READER_ADDED, ReaderEvent, ReaderMonitor, list_readers
from hardware.virtual_card.profile import build_card


def test_list_readers(card_reader, second_reader):
    readers = {r.name: r for r in list_readers()}
    assert readers[card_reader.reader].card_present
    assert readers[card_reader.reader].atr.hex().upper() == "3BE000FF8131FE4514"
    assert not readers[second_reader.reader].card_present


def next_event(events: queue.Queue, timeout: float = 5.0) -> ReaderEvent:
    return events.get(timeout=timeout)


def test_the_monitor_reports_readers_and_cards(card_reader, second_reader, pki):
    events: queue.Queue = queue.Queue()
    monitor = ReaderMonitor(events.put).start()
    try:
        first = [next_event(events) for _ in range(3)]
        assert set(first) == {ReaderEvent(READER_ADDED, card_reader.reader), ReaderEvent(READER_ADDED, second_reader.reader),
                              ReaderEvent(CARD_INSERTED, card_reader.reader)}
        second_reader.put(build_card(pki.profile()))
        assert next_event(events) == ReaderEvent(CARD_INSERTED, second_reader.reader)
        card_reader.take_away()
        assert next_event(events) == ReaderEvent(CARD_REMOVED, card_reader.reader)
        second_reader.take_away()
        assert next_event(events) == ReaderEvent(CARD_REMOVED, second_reader.reader)
        assert events.empty()
    finally:
        monitor.stop()
    assert not monitor._thread.is_alive()


def test_a_listener_that_fails_does_not_stop_the_monitor(card_reader):
    seen: queue.Queue = queue.Queue()

    def listener(e: ReaderEvent) -> None:
        seen.put(e)
        raise RuntimeError("a bug in a listener")

    monitor = ReaderMonitor(listener).start()
    try:
        for _ in range(3):
            next_event(seen)
        card_reader.take_away()
        assert next_event(seen) == ReaderEvent(CARD_REMOVED, card_reader.reader)
    finally:
        monitor.stop()


def test_without_the_pc_sc_service_every_command_says_so_plainly():
    # a client pointed at a socket where no pcscd listens: the service is "not running"
    env = dict(os.environ, PCSCLITE_CSOCK_NAME="/nonexistent/pcscd.comm")
    code = ("from hardware import mynumber, errors\n"
            "try:\n    mynumber.read_card('1234')\n"
            "except errors.ReaderServiceUnavailable as e:\n    print(e.message)\n"
            "from hardware.readers import ReaderMonitor\n"
            "import queue; q = queue.Queue(); m = ReaderMonitor(q.put, retry_seconds=0.1).start()\n"
            "print(q.get(timeout=5).kind); m.stop()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    message, event = result.stdout.strip().splitlines()
    assert "サービス（PC/SC）が動作していません" in message
    assert event == "service_lost"
    cli = subprocess.run([sys.executable, "-m", "app.cli", "card", "readers"], capture_output=True, text=True, env=env, timeout=60)
    assert cli.returncode == 1 and "サービス（PC/SC）" in cli.stderr and "Traceback" not in cli.stderr
