"""My Number card reads through the real PC/SC stack (pyscard → pcscd → vpcd → the virtual card):
the My Number and the 4 basic info ≤ 50 ms median; JPKI authentication (read the certificate,
check its chain and CRL, VERIFY, sign a fresh challenge, verify the signature) ≤ 150 ms median.

Each sample is what the counter does for one card: find the reader holding a My Number card,
connect exclusively, ask the tries left, VERIFY, read, reset the card. Reported with the APDUs a
sample sends and the share of its time spent in SCardTransmit (pcscd, vpcd and the card itself —
the emulated card's RSA signature included). pcscd is started here with two virtual readers, or
joined when a stack started it already (a test run); one reader is leased for the benchmark.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

PIN = "1234"
WARM_UP = 5


def _wait_for_card(reader: str, timeout: float = 10.0) -> None:
    from hardware.readers import list_readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.name == reader and r.card_present for r in list_readers()):
            return
        time.sleep(0.05)
    raise RuntimeError(f"the virtual card did not appear on {reader}")


def _timed(fn, samples: int, card):
    from hardware.iso import ReadStats

    totals, transmits, apdus, in_card = [], [], [], []
    for i in range(WARM_UP + samples):
        stats = ReadStats()
        busy = card.busy_seconds
        t0 = time.perf_counter()
        fn(stats)
        elapsed = time.perf_counter() - t0
        if i >= WARM_UP:
            totals.append(elapsed * 1000)
            transmits.append(stats.transmit_seconds * 1000)
            apdus.append(stats.apdus)
            in_card.append((card.busy_seconds - busy) * 1000)
    return totals, transmits, apdus, in_card


def _record(metric: str, totals, transmits, apdus, in_card, target: float) -> dict:
    from bench.run import percentiles

    def p50(values):
        return round(sorted(values)[len(values) // 2], 3)

    return {
        "metric": metric,
        **percentiles(totals),
        "target_ms": target,
        "apdus": max(apdus),
        "transmit_p50_ms": p50(transmits),
        "transmit_share": round(sum(transmits) / sum(totals), 3),  # SCardTransmit: pcscd + vpcd + the card
        "card_p50_ms": p50(in_card),  # of which the emulated card answering (its RSA signature included)
        "stack": "pyscard → pcscd → vpcd → virtual card",
    }


def run(ctx):
    from hardware import jpki, mynumber, testca
    from hardware.pcsc_stack import PcscStack
    from hardware.virtual_card.profile import CardProfile, Pin, build_card
    from hardware.virtual_card.vpcd import VpcdLink

    samples = max(20, min(ctx.samples, 500))
    now = dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="madoguchi-card-bench-") as tmp:
        ca = testca.make_test_ca(Path(tmp) / "ca", now=now)
        key, cert = ca.issue_card_key(Path(tmp), now=now, serial=0x4242)
        profile = CardProfile(name="見本\u3000花子", address="千葉県千葉市中央区千葉港１番１号", birth_date="1985-04-01", sex=2,
                              my_number="123456789018", card_info=Pin(PIN, 3), jpki_auth=Pin(PIN, 3),
                              jpki_key=str(key), jpki_certificate=str(cert), jpki_ca_certificate=str(ca.cert_path))
        trust = jpki.TrustConfig.from_files(ca.cert_path, ca.crl_path)
        stack = PcscStack().start()
        try:
            with stack.lease(timeout=120) as slot:
                link = VpcdLink(build_card(profile), slot.port).start()
                try:
                    if not link.wait_connected(10):
                        raise RuntimeError("vpcd did not take the virtual card")
                    _wait_for_card(slot.reader)
                    card = link.card
                    read = _timed(lambda stats: mynumber.read_card(PIN, slot.reader, stats=stats), samples, card)
                    yield _record("card_read_mynumber_basic_info", *read, 50)
                    auth = _timed(lambda stats: jpki.authenticate(PIN, trust, slot.reader, stats=stats, now=lambda: now), samples, card)
                    yield _record("card_jpki_authentication", *auth, 150)
                finally:
                    link.stop()
        finally:
            stack.stop()
