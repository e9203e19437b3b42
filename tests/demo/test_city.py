"""The synthetic city: deterministic, the right size and shape, unique valid ids, coherent history."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter

import pytest

from app.demo import city as city_module
from app.demo.city import DemoHousehold, generate_city
from app.demo.names import VARIANT_SPELLINGS, family_names, given_names_by_era
from domain.addresses import WARDS
from domain.change_reasons import ChangeReason, ReasonGroup
from domain.checkdigits import is_valid_my_number, is_valid_resident_code, my_number_check_digit, resident_code_check_digit
from domain.codec import resident_from_dict, resident_to_dict
from domain.history import Change, ResidentDelta
from domain.record_dates import Qualifier
from domain.residents import HOUSEHOLDER, ForeignCategory, Resident, ResidentKind, Status

TODAY = dt.date(2026, 11, 25)
CARD = re.compile(r"[A-Z]{2}\d{8}[A-Z]{2}")
VARIANTS = {v for vs in VARIANT_SPELLINGS.values() for v in vs}


@pytest.fixture(scope="module")
def city() -> list[DemoHousehold]:
    return list(generate_city(20_000, seed=7, today=TODAY))


@pytest.fixture(scope="module")
def residents(city) -> list[Resident]:
    return [r for h in city for r in h.members if r.is_current]


def _age(r: Resident, on: dt.date = TODAY) -> int:
    b = r.birth_date
    month, day = b.month or 7, b.day or 1
    return on.year - b.year - ((on.month, on.day) < (month, day))


def test_same_seed_same_city_other_seed_other_city():
    a = repr(list(generate_city(2_000, seed=3, today=TODAY)))
    b = repr(list(generate_city(2_000, seed=3, today=TODAY)))
    c = repr(list(generate_city(2_000, seed=4, today=TODAY)))
    assert a == b
    assert a != c


def test_counts_current_residents_and_streams():
    households = generate_city(2_000, seed=1, today=TODAY)
    first = next(households)  # a generator: households come one by one
    assert isinstance(first, DemoHousehold)
    current = len(first.current_members) + sum(len(h.current_members) for h in households)
    assert abs(current - 2_000) <= 5
    assert list(generate_city(0, seed=1, today=TODAY)) == []


def test_wards_in_their_population_shares(residents):
    by_ward = Counter(r.address.lg_code for r in residents)
    total_pop = sum(w.population for w in WARDS)
    for ward in WARDS:
        share = by_ward[ward.lg_code] / len(residents)
        assert abs(share - ward.population / total_pop) < 0.02, (ward.name, share)
    towns = {(r.address.lg_code, r.address.town) for r in residents}
    assert len(towns) > 300  # the real 町丁目 (505 in all) are used
    municipality = {w.lg_code: w.municipality for w in WARDS}
    assert all(r.address.municipality == municipality[r.address.lg_code] for r in residents)


def test_household_shape(city, residents):
    sizes = [len(h.current_members) for h in city]
    assert 1.9 < sum(sizes) / len(sizes) < 2.25
    assert 0.33 < sizes.count(1) / len(sizes) < 0.43
    rels = Counter(r.relationship for r in residents)
    for rel in ("妻", "子", "子の妻", "子の子", "父", "母", "同居人", "縁故者"):
        assert rels[rel] > 0, rel
    with_building = sum(1 for h in city if h.current_members[0].address.building)
    assert 0.3 < with_building / len(city) < 0.5


def test_ids_unique_and_check_digits_valid(city):
    records = [r for h in city for r in h.members]
    assert len({r.resident_id for r in records}) == len(records)
    assert len({r.resident_code for r in records}) == len(records)
    assert len({r.my_number for r in records}) == len(records)
    assert len({h.household.household_id for h in city}) == len(city)
    for r in records:
        assert re.fullmatch(r"\d{10}", r.resident_id)
        assert re.fullmatch(r"\d{10}", r.household_id)
        assert is_valid_resident_code(r.resident_code), r.resident_code
        assert is_valid_my_number(r.my_number), r.my_number
    ids = [c.change_id for h in city for c in h.changes]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("demo-7-") for i in ids)


def test_fast_check_digits_agree_with_domain():
    import random

    rng = random.Random(1)
    for _ in range(5_000):
        body = rng.randrange(10**10)
        assert city_module._resident_code(body) == f"{body:010d}{resident_code_check_digit(f'{body:010d}')}"
        body = rng.randrange(10**11)
        assert city_module._my_number(body) == f"{body:011d}{my_number_check_digit(f'{body:011d}')}"


def test_one_householder_one_address_per_household(city):
    for h in city:
        current = h.current_members
        assert current, h.household.household_id
        assert [r.relationship for r in current].count(HOUSEHOLDER) == 1
        assert current[0].relationship == HOUSEHOLDER
        assert len({r.address for r in current}) == 1
        assert {r.household_id for r in h.members} == {h.household.household_id}
        ids = {r.resident_id for r in current}
        for r in current:
            if r.relationship in ("子の妻", "子の子"):
                assert r.related_to in ids
                parent = next(m for m in current if m.resident_id == r.related_to)
                assert parent.relationship == "子"


def test_household_order_and_relationships_understood_by_domain(city):
    from domain.household_order import order_members
    from domain.relationships import is_standard_relationship

    for h in city[:3000]:
        current = list(h.current_members)
        assert all(is_standard_relationship(r.relationship) for r in current)
        assert order_members(current)[0].relationship == HOUSEHOLDER


def test_history_is_coherent(city):
    removed = 0
    for h in city:
        by_id: dict[str, list[ResidentDelta]] = {}
        last_notified = dt.date.min
        last_occurred = None
        for i, change in enumerate(h.changes):
            assert isinstance(change, Change)
            assert change.notified_on <= TODAY
            assert change.notified_on >= last_notified
            last_notified = change.notified_on
            assert change.occurred_on.to_date() <= change.notified_on
            assert last_occurred is None or change.occurred_on >= last_occurred
            last_occurred = change.occurred_on
            assert bool(change.households) == (i == 0)
            for d in change.residents:
                by_id.setdefault(d.resident_id, []).append((change, d))
        for member in h.members:
            history = by_id.pop(member.resident_id)
            first_change, first = history[0]
            assert first.before is None
            assert first_change.reason.group is ReasonGroup.RECORD
            assert first_change.reason in (ChangeReason.BIRTH, ChangeReason.MOVE_IN_DOMESTIC,
                                           ChangeReason.MOVE_IN_ABROAD, ChangeReason.RECORD_EX_OFFICIO)
            if first_change.reason is ChangeReason.BIRTH:
                assert member.birth_date == first_change.occurred_on
            if first_change.reason in (ChangeReason.MOVE_IN_DOMESTIC, ChangeReason.MOVE_IN_ABROAD):
                assert first.after.previous_address is not None
                assert first.after.previous_address.is_abroad == (first_change.reason is ChangeReason.MOVE_IN_ABROAD)
            for n, (change, d) in enumerate(history, start=1):
                assert d.after.version == n
                if n > 1:
                    assert d.before == history[n - 2][1].after
                    assert change.reason.group is not ReasonGroup.RECORD
            assert history[-1][1].after == member
            assert member.version == len(history)
            if not member.is_current:
                removed += 1
                last_change = history[-1][0]
                assert last_change.reason in (ChangeReason.DEATH, ChangeReason.MOVE_OUT_DOMESTIC)
                assert member.removal.reason == last_change.reason.code
                assert member.removal.occurred_on == last_change.occurred_on
                assert member.status is Status.REMOVED
            assert member.address_set_on <= member.notified_on <= TODAY
        assert not by_id  # no change touches a record that is not a member
    current = sum(len(h.current_members) for h in city)
    assert 0.025 < removed / current < 0.06


def test_history_is_light(city):
    current = sum(len(h.current_members) for h in city)
    deltas = sum(len(c.residents) for h in city for c in h.changes)
    assert deltas / current <= 1.6
    reasons = Counter(c.reason for h in city for c in h.changes)
    for reason in (ChangeReason.BIRTH, ChangeReason.MOVE_IN_DOMESTIC, ChangeReason.MOVE_IN_ABROAD,
                   ChangeReason.MOVE_WITHIN, ChangeReason.HOUSEHOLDER_CHANGE, ChangeReason.DEATH,
                   ChangeReason.MOVE_OUT_DOMESTIC, ChangeReason.RECORD_EX_OFFICIO,
                   ChangeReason.OLD_SURNAME_RECORD):
        assert reasons[reason] > 0, reason


def test_move_within_keeps_the_earlier_address_in_before(city):
    seen = 0
    for h in city:
        for c in h.changes:
            if c.reason is ChangeReason.MOVE_WITHIN:
                for d in c.residents:
                    assert d.before.address != d.after.address
                    assert d.after.address.municipality.startswith("千葉市")
                    assert d.after.address_set_on == c.occurred_on.to_date()
                seen += 1
    assert seen > 100


def test_records_are_complete_and_round_trip(city):
    names = {f.name for f in dataclasses.fields(Resident)}
    for h in city[:1500]:
        for r in h.members:
            assert set(vars(r)) == names
            assert resident_from_dict(resident_to_dict(r)) == r
            assert Resident(**{n: getattr(r, n) for n in names}) == r
        for c in h.changes:
            assert Change(**vars(c)) == c
            for d in c.residents:
                assert ResidentDelta(**vars(d)) == d


def test_foreign_residents(residents):
    foreign = [r for r in residents if r.kind is ResidentKind.FOREIGN]
    assert 0.02 < len(foreign) / len(residents) < 0.045
    nationalities = Counter(r.foreign.nationality for r in foreign)
    assert nationalities.most_common(1)[0][0] == "中国"
    assert {"ベトナム", "韓国", "フィリピン", "ネパール"} <= set(nationalities)
    for r in foreign:
        f = r.foreign
        assert f.alphabet_name and f.alphabet_name == f.alphabet_name.upper()
        assert r.birth_date.qualifier is Qualifier.EXACT
        assert not r.domicile
        if f.category is ForeignCategory.MID_LONG_TERM:
            assert f.residence_status
            assert CARD.fullmatch(f.card_number)
            if f.residence_status not in ("永住者",):
                assert f.period_of_stay and f.stay_expires_on > TODAY
        elif f.category is ForeignCategory.SPECIAL_PERMANENT:
            assert CARD.fullmatch(f.card_number) and f.stay_expires_on is None
    special = [r for r in foreign if r.foreign.category is ForeignCategory.SPECIAL_PERMANENT]
    assert special and any(r.alias for r in special)
    assert any(r.foreign.residence_status == "留学" for r in foreign)
    assert any(r.foreign.residence_status == "技能実習" for r in foreign)


def test_japanese_records(residents):
    japanese = [r for r in residents if r.kind is ResidentKind.JAPANESE]
    assert all(r.domicile and r.domicile_head for r in japanese)
    assert all(r.name.family_kana and r.name.given_kana for r in japanese)
    variant = [r for r in japanese if r.name.family in VARIANTS]
    assert 0.01 < len(variant) / len(japanese) < 0.05
    married_women = [r for r in japanese if r.relationship in ("妻", "子の妻")]
    with_old = [r for r in married_women if r.old_surname]
    assert 0.01 < len(with_old) / len(married_women) < 0.08
    assert all(r.old_surname_kana for r in with_old)
    support = sum(r.support_measure for r in residents)
    assert 0 < support < len(residents) * 0.004
    assert any(r.suppressed for r in residents)


def test_variant_spellings_fold_to_their_representative():
    from domain.kanji_variants import representative

    for rep, variants in VARIANT_SPELLINGS.items():
        for v in variants:
            assert [representative(c) for c in v] == [representative(c) for c in rep], (rep, v)


def test_name_tables_are_large_enough():
    assert len(family_names()) >= 300
    eras = given_names_by_era()
    assert len({n for _, male, _ in eras for n in male}) >= 200
    assert len({n for _, _, female in eras for n in female}) >= 200


def test_ages_plausible(city, residents):
    ages = sorted(_age(r) for r in residents)
    assert all(0 <= a <= 110 for a in ages)
    median = ages[len(ages) // 2]
    assert 45 <= median <= 52
    assert 0.09 < sum(a < 15 for a in ages) / len(ages) < 0.14
    assert 0.25 < sum(a >= 65 for a in ages) / len(ages) < 0.33
    for h in city:
        current = h.current_members
        by_id = {r.resident_id: r for r in current}
        head = current[0]
        spouses = [r for r in current if r.relationship in ("妻", "夫")]
        for r in current:
            if r.relationship == "子":
                for parent in [head, *spouses]:
                    assert _age(parent) >= _age(r) + 15, (parent, r)
            elif r.relationship == "子の子":
                assert _age(by_id[r.related_to]) >= _age(r) + 15
            elif r.relationship in ("父", "母"):
                assert _age(r) >= _age(head) + 15
        for a, b in [(head, s) for s in spouses]:
            assert abs(_age(a) - _age(b)) <= 15


def test_unknown_birth_dates_for_the_very_old(monkeypatch):
    monkeypatch.setattr(city_module, "_UNKNOWN_BIRTH_SHARE", 1.0)
    records = [r for h in generate_city(3_000, seed=2, today=TODAY) for r in h.members]
    unknown = [r for r in records if r.birth_date.qualifier is not Qualifier.EXACT]
    assert unknown
    for r in unknown:
        assert r.kind is ResidentKind.JAPANESE  # foreign residents' birth dates are always exact
        assert TODAY.year - r.birth_date.year >= 88
        assert resident_from_dict(resident_to_dict(r)) == r
        assert r.birth_date.format_wareki()  # printable: 「昭和2年頃」「大正15年 月日不詳」
