"""Stored records round-trip exactly; the address master has every ward and municipality."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from domain import addresses
from domain.codec import apply_diff, resident_diff, resident_from_dict, resident_to_dict
from domain.record_dates import RecordDate
from domain.residents import Address, ForeignCategory, ForeignResidentInfo, PersonName, Removal, Resident, ResidentKind, Sex, Status

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
dates = st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31))


@st.composite
def residents(draw):
    foreign = draw(st.booleans())
    addr = Address("千葉県", "千葉市中央区", draw(text), draw(text), draw(text), "121011", draw(st.sampled_from(["", "2600013"])))
    info = None
    if foreign:
        info = ForeignResidentInfo(
            draw(text), draw(st.sampled_from(list(ForeignCategory))), draw(text), draw(text), draw(text),
            draw(st.none() | dates), draw(text), draw(st.none() | dates.map(RecordDate.exact)),
        )
    removed = draw(st.booleans())
    return Resident(
        resident_id=draw(st.text("0123456789", min_size=10, max_size=10)),
        household_id=draw(st.text("0123456789", min_size=10, max_size=10)),
        kind=ResidentKind.FOREIGN if foreign else ResidentKind.JAPANESE,
        name=PersonName(draw(text), draw(text), draw(text), draw(text)),
        birth_date=draw(dates.map(RecordDate.exact) | st.just(RecordDate.parse("昭和20年頃")) | st.just(RecordDate.parse("年月日不詳"))),
        sex=draw(st.sampled_from(list(Sex))),
        relationship=draw(st.sampled_from(["世帯主", "妻", "子", "同居人"])),
        address=addr,
        became_resident_on=draw(dates.map(RecordDate.exact)),
        address_set_on=draw(dates),
        notified_on=draw(dates),
        previous_address=draw(st.none() | st.just(Address("国外", "ベトナム"))),
        old_surname=draw(text),
        alias=draw(text),
        domicile=draw(text),
        domicile_head=draw(text),
        resident_code=draw(st.sampled_from(["", "12345678903"])),
        my_number=draw(st.sampled_from(["", "123456789018"])),
        foreign=info,
        status=Status.REMOVED if removed else Status.CURRENT,
        removal=Removal("B03", RecordDate.exact(dt.date(2024, 1, 1))) if removed else None,
        suppressed=draw(st.booleans()),
        support_measure=draw(st.booleans()),
        related_to=draw(st.sampled_from(["", "0000000001"])),
        version=draw(st.integers(1, 50)),
    )


@given(residents())
def test_resident_round_trip(r):
    assert resident_from_dict(resident_to_dict(r)) == r


@given(residents(), residents())
def test_diff_restores_both_versions(a, b):
    before, after = resident_diff(a, b)
    stored_b = resident_to_dict(b)
    stored_a = apply_diff(stored_b, before)
    assert resident_from_dict({**stored_a, "v": a.version}) == a
    assert apply_diff(resident_to_dict(a), after) | {"v": b.version} == stored_b


def test_address_master():
    assert len(addresses.WARDS) == 6
    assert sum(len(addresses.towns(w)) for w in addresses.WARDS) == 505
    assert addresses.ward_by_code("121037").name == "稲毛区"
    assert addresses.ward_by_name("千葉市美浜区").lg_code == "121061"
    munis = addresses.municipalities()
    assert len(munis) == 47 and sum(len(v) for v in munis.values()) == 1895
    assert addresses.is_known_municipality("北海道", "札幌市中央区")
    assert addresses.is_city_address("千葉県", "千葉市若葉区")
    assert not addresses.is_city_address("千葉県", "船橋市")
    completions = [t.name for t in addresses.complete_town(addresses.ward_by_name("中央区"), "稲荷町")]
    assert completions[:3] == ["稲荷町一丁目", "稲荷町二丁目", "稲荷町三丁目"]


def test_attribution_ships_with_the_data():
    text = (addresses.ADDRESS_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "geolonia" in text
