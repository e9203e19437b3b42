"""Certificates in a warm process: a one-page 住民票の写し (≤ 15 ms median) and a 9-member household
(3 pages, ≤ 40 ms), signing and QR codes included; next to a bare ReportLab page with the same text in
the same fonts as the floor; and verifying a certificate (rasterizing, decoding, checking).

People come from the synthetic city (app/demo/city.py): its first single-person household, and a
household of 9 made of its largest household and members of the next ones.
"""
from __future__ import annotations

import datetime as dt
import io
import statistics
import time
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab.pdfgen import canvas as rl_canvas

from app.certificates import CertificateKind, CertificateRequest, IssueStamp, ItemChoice, render
from app.certificates.certifier import CertifierSettings
from app.certificates.content import build_content
from app.certificates.fonts import default_fonts
from app.certificates.layout import PAGE_HEIGHT, PAGE_WIDTH, Text, layout_certificate
from app.certificates.verify import verify_pdf
from app.demo.city import generate_city
from bench.run import percentiles
from registry.protocol.issuing import IssuingSigner, make_delegation

TODAY = dt.date(2026, 12, 6)
TARGETS_MS = {"certificate_one_page": 15, "certificate_household_9": 40}


def _people() -> tuple[tuple, tuple]:
    households = [h for h in generate_city(3000, seed=7, today=TODAY)]
    single = next(h.current_members for h in households if len(h.current_members) == 1 and h.current_members[0].kind.value == "japanese")
    ordered = sorted(households, key=lambda h: -len(h.current_members))
    nine = list(ordered[0].current_members)
    for h in ordered[1:]:
        for r in h.current_members:
            if len(nine) < 9:
                nine.append(replace(r, household_id=nine[0].household_id, relationship="同居人", address=nine[0].address))
    return single, tuple(nine)


def _bare_floor(req: CertificateRequest) -> bytes:
    """The same strings at the same places in the same (embedded) fonts, and nothing else."""
    fonts = default_fonts()
    pages, _ = layout_certificate(build_content(req), fonts, certified_on="令和8年12月6日")
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1,
                         initialFontName=fonts.primary.name)
    for page in pages:
        for op in page.ops:
            if isinstance(op, Text):
                c.setFont(op.font, op.size)
                c.drawString(op.x, op.y, op.text)
        c.showPage()
    c.save()
    return buf.getvalue()


def _time(fn, n: int) -> list[float]:
    for _ in range(5):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(ctx):
    t0 = time.perf_counter()
    fonts = default_fonts()
    registered_ms = (time.perf_counter() - t0) * 1000
    settings = CertifierSettings.load()
    certifier = settings.certifier_on(TODAY)
    registry_key, terminal_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    now = int(time.time())
    signer = IssuingSigner(terminal_key, make_delegation(registry_key, "bench-counter-01", terminal_key.public_key(), now - 60, now + 86400))
    stamp = IssueStamp(TODAY, "千葉市", "中央区窓口1", "プリンタ001", 1)
    single, nine = _people()
    items = ItemChoice(householder_relationship=True)
    requests = {
        "certificate_one_page": CertificateRequest(CertificateKind.COPY, single, single[0], items, certifier),
        "certificate_household_9": CertificateRequest(CertificateKind.COPY, nine, nine[0], items, certifier),
    }
    samples = max(20, min(ctx.samples, 200))
    yield {"metric": "certificate_fonts_registered", "ms": round(registered_ms, 1), "fallback": fonts.fallback is not None}
    for metric, req in requests.items():
        result = render(req, stamp, signer=signer)
        times = _time(lambda: render(req, stamp, signer=signer), samples)
        floor = _time(lambda: _bare_floor(req), samples)
        median, floor_median = statistics.median(times), statistics.median(floor)
        yield {
            "metric": metric, "persons": len(req.persons), "pages": result.pages, "pdf_kb": round(len(result.pdf) / 1024, 1),
            **percentiles(times), "median_ms": round(median, 3), "target_ms": TARGETS_MS[metric],
            "floor_median_ms": round(floor_median, 3), "ratio_to_floor": round(median / floor_median, 2),
            "signed_and_qr": True,
        }
    pdf = render(requests["certificate_household_9"], stamp, signer=signer).pdf
    anchors = [registry_key.public_key()]
    times = _time(lambda: verify_pdf(pdf, anchors), max(5, min(ctx.samples // 20, 20)))
    yield {"metric": "certificate_verify_3_pages", **percentiles(times)}
