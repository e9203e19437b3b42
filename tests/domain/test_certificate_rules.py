"""Who may be given which certificate: protection (支援措置・抑止), kinds, kiosk items."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, strategies as st

from domain.certificate_rules import (
    NEUTRAL_MESSAGE,
    CertificateKind,
    Channel,
    IssuanceRefused,
    check_items,
    check_kind,
    check_protection,
    move_out_pending,
)
from domain.notifications.move_out import MoveOut
from domain.notifications.death import Death
from tests.domain.factories import ABROAD, ELSEWHERE, TODAY, apply, chiba_family, family_register, with_


@contextlib.contextmanager
def refused(*words: str):
    """The block must raise IssuanceRefused whose Japanese message holds every word."""
    with pytest.raises(IssuanceRefused) as info:
        yield info
    assert all(w in info.value.message for w in words), info.value.message


def test_a_protected_member_blocks_the_household_and_the_clerk_is_told_who():
    family = chiba_family()
    family[1] = with_(family[1], support_measure=True)
    with pytest.raises(IssuanceRefused) as info:
        check_protection(family)
    assert info.value.code == "protected"
    assert "千葉　花子（支援措置）" in info.value.message and "一時解除" in info.value.message
    assert [p.resident_id for p in info.value.protected] == ["R002"]
    check_protection(family[:1] + family[2:])  # the others alone may be issued


def test_a_lift_opens_only_the_person_it_names():
    family = chiba_family()
    family[1] = with_(family[1], support_measure=True)
    family[3] = with_(family[3], suppressed=True)
    check_protection(family, lifted={"R002", "R004"})
    with pytest.raises(IssuanceRefused) as info:
        check_protection(family, lifted={"R002"})
    assert [p.resident_id for p in info.value.protected] == ["R004"]
    assert "抑止" in info.value.message


def test_at_a_kiosk_the_refusal_reveals_nothing():
    family = chiba_family()
    family[1] = with_(family[1], support_measure=True)
    with pytest.raises(IssuanceRefused) as info:
        check_protection(family, channel=Channel.KIOSK)
    assert info.value.message == NEUTRAL_MESSAGE
    assert "花子" not in info.value.message and "支援" not in info.value.message


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=9))
def test_refused_exactly_when_someone_protected_is_not_lifted(flags):
    people, lifted = [], set()
    base = chiba_family()[0]
    for i, (support, suppressed, lift) in enumerate(flags):
        rid = f"R{i:03d}"
        people.append(with_(base, resident_id=rid, support_measure=support, suppressed=suppressed))
        if lift:
            lifted.add(rid)
    should_refuse = any((s or u) and not lift for s, u, lift in flags)
    try:
        check_protection(people, lifted=lifted)
        refused = False
    except IssuanceRefused as e:
        refused = True
        assert {p.resident_id for p in e.protected} == {f"R{i:03d}" for i, (s, u, lift) in enumerate(flags) if (s or u) and not lift}
    assert refused == should_refuse


def test_kinds_fit_the_records():
    register = family_register()
    apply(register, Death(resident_id="R004", death_date=dt.date(2025, 5, 1), notified_on=TODAY))
    dead = register.resident("R004")
    alive = register.resident("R001")
    check_kind(CertificateKind.COPY, [alive], on=TODAY)
    check_kind(CertificateKind.REMOVED_COPY, [dead], on=TODAY)
    with refused("除票の写し"):
        check_kind(CertificateKind.COPY, [alive, dead], on=TODAY)
    with refused("住民票の写し"):
        check_kind(CertificateKind.REMOVED_COPY, [alive], on=TODAY)
    check_kind(CertificateKind.REMOVED_ITEMS, [dead], on=TODAY)
    with refused("「住民票記載事項証明書」"):
        check_kind(CertificateKind.REMOVED_ITEMS, [alive], on=TODAY)
    with refused("除票の写し"):
        check_kind(CertificateKind.ITEMS, [dead], on=TODAY)
    with refused("転出証明書"):
        check_kind(CertificateKind.MOVE_OUT, [dead], on=TODAY)
    with refused("選んでください"):
        check_kind(CertificateKind.COPY, [], on=TODAY)


def test_before_the_planned_move_out_day_a_copy_is_still_issued():
    register = family_register()
    planned = TODAY + dt.timedelta(days=10)
    apply(register, MoveOut(resident_ids=("R010",), destination=ELSEWHERE, planned_on=planned, notified_on=TODAY))
    leaving = register.resident("R010")
    assert move_out_pending(leaving, TODAY)
    check_kind(CertificateKind.COPY, [leaving], on=TODAY)
    check_kind(CertificateKind.MOVE_OUT, [leaving], on=TODAY)
    assert not move_out_pending(leaving, planned)
    with pytest.raises(IssuanceRefused):
        check_kind(CertificateKind.COPY, [leaving], on=planned + dt.timedelta(days=1))


def test_no_move_out_certificate_for_a_move_abroad():
    register = family_register()
    apply(register, MoveOut(resident_ids=("R010",), destination=ABROAD, planned_on=TODAY, notified_on=TODAY))
    with refused("国内への転出届"):
        check_kind(CertificateKind.MOVE_OUT, [register.resident("R010")], on=TODAY)


def test_a_kiosk_never_prints_the_my_number_or_the_resident_code():
    check_items(Channel.COUNTER, my_number=True, resident_code=True)
    check_items(Channel.KIOSK, my_number=False, resident_code=False)
    for my_number, code in ((True, False), (False, True)):
        with refused("窓口"):
            check_items(Channel.KIOSK, my_number=my_number, resident_code=code)


def test_kind_labels():
    assert [k.label for k in CertificateKind] == ["住民票の写し", "住民票の除票の写し", "住民票記載事項証明書", "住民票除票記載事項証明書", "転出証明書"]
