"""世帯員の並び順 (j1010)."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.household_order import order_members, relationship_rank
from domain.record_dates import RecordDate
from domain.residents import Sex
from tests.domain.factories import resident


def ids(members) -> list[str]:
    return [m.resident_id for m in members]


def person(rid: str, rel: str, birth=dt.date(1980, 1, 1), **kw):
    return resident(rid, rel, birth=birth, **kw)


def shuffled(members, seed=0):
    out = list(members)
    random.Random(seed).shuffle(out)
    return out


def test_rank_one_householder_spouse_children_by_birth_date():
    members = [
        person("C2", "子", dt.date(1995, 1, 1)),
        person("W", "妻", dt.date(1962, 1, 1)),
        person("C1", "子", dt.date(1990, 1, 1)),
        person("H", "世帯主", dt.date(1960, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "W", "C1", "C2"]


def test_twins_are_ordered_by_resident_id():
    members = [person("H", "世帯主"), person("C9", "子", dt.date(2000, 5, 5)), person("C3", "子", dt.date(2000, 5, 5))]
    assert ids(order_members(members)) == ["H", "C3", "C9"]


def test_common_law_spouse_is_rank_one():
    members = [person("C", "子", dt.date(2001, 1, 1)), person("W", "未届の妻"), person("H", "世帯主")]
    assert ids(order_members(members)) == ["H", "W", "C"]
    members = [person("C", "子", dt.date(2001, 1, 1)), person("W", "妻（未届）"), person("H", "世帯主")]
    assert ids(order_members(members)) == ["H", "W", "C"]


def test_child_with_family_moves_to_rank_two_after_plain_children():
    members = [
        person("H", "世帯主", dt.date(1950, 1, 1)),
        person("S1", "子", dt.date(1975, 1, 1)),  # 長男, married
        person("S1W", "子の妻", dt.date(1977, 1, 1), related_to="S1"),
        person("G2", "孫", dt.date(2005, 1, 1), related_to="S1"),
        person("G1", "孫", dt.date(2003, 1, 1), related_to="S1"),
        person("D", "子", dt.date(1980, 1, 1)),  # 長女, single
    ]
    assert ids(order_members(shuffled(members))) == ["H", "D", "S1", "S1W", "G1", "G2"]


def test_elder_sons_family_before_younger_sons_family():
    members = [
        person("H", "世帯主", dt.date(1940, 1, 1)),
        person("W", "妻", dt.date(1942, 1, 1)),
        person("S2", "子", dt.date(1972, 1, 1)),  # 次男
        person("S2W", "子の妻", dt.date(1971, 1, 1), related_to="S2"),
        person("S2C", "孫", dt.date(2000, 1, 1), related_to="S2"),
        person("S1", "子", dt.date(1968, 1, 1)),  # 長男
        person("S1W", "子の妻", dt.date(1969, 1, 1), related_to="S1"),
        person("S1C", "子の子", dt.date(1998, 1, 1), related_to="S1"),
    ]
    assert ids(order_members(members)) == ["H", "W", "S1", "S1W", "S1C", "S2", "S2W", "S2C"]


def test_unlinked_family_member_attaches_to_the_only_child_with_a_family():
    members = [
        person("H", "世帯主", dt.date(1940, 1, 1)),
        person("S1", "子", dt.date(1968, 1, 1)),
        person("S2", "子", dt.date(1972, 1, 1)),
        person("S2W", "子の妻", dt.date(1971, 1, 1), related_to="S2"),
        person("G", "孫", dt.date(2000, 1, 1)),  # no related_to: S2 is the only child with a family
    ]
    assert ids(order_members(members)) == ["H", "S1", "S2", "S2W", "G"]


def test_unlinked_family_member_attaches_to_the_only_child():
    members = [person("H", "世帯主"), person("S", "子", dt.date(1990, 1, 1)), person("SW", "子の妻", dt.date(1991, 1, 1))]
    assert ids(order_members(members)) == ["H", "S", "SW"]


def test_ambiguous_unlinked_family_member_stands_at_the_end_of_rank_two():
    members = [
        person("H", "世帯主", dt.date(1940, 1, 1)),
        person("S1", "子", dt.date(1968, 1, 1)),
        person("S2", "子", dt.date(1972, 1, 1)),
        person("X", "子の妻", dt.date(1971, 1, 1)),
        person("F", "父", dt.date(1915, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "S1", "S2", "X", "F"]


def test_grandchild_with_own_family_is_followed_by_it():
    members = [
        person("H", "世帯主", dt.date(1930, 1, 1)),
        person("S", "子", dt.date(1955, 1, 1)),
        person("SW", "子の妻", dt.date(1956, 1, 1), related_to="S"),
        person("G1", "孫", dt.date(1980, 1, 1), related_to="S"),
        person("G1W", "孫の妻", dt.date(1981, 1, 1), related_to="G1"),
        person("GG", "曾孫", dt.date(2010, 1, 1), related_to="G1"),
        person("G2", "孫", dt.date(1985, 1, 1), related_to="SW"),  # through the mother: same family
    ]
    assert ids(order_members(members)) == ["H", "S", "SW", "G1", "G1W", "GG", "G2"]


def test_rank_three_parents_with_domicile_head_first_then_siblings_then_grandparents():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1), domicile_head="千葉　一"),
        person("M", "母", dt.date(1940, 1, 1), family="千葉", given="和子"),
        person("F", "父", dt.date(1942, 1, 1), family="千葉", given="一"),  # 筆頭者, younger than 母
        person("YB", "弟", dt.date(1975, 1, 1)),
        person("ES", "姉", dt.date(1968, 1, 1)),
        person("GM", "祖母", dt.date(1915, 1, 1), given="ハル"),
        person("GF", "祖父", dt.date(1918, 1, 1), given="一", family="佐倉"),
    ]
    assert ids(order_members(shuffled(members, 3))) == ["H", "F", "M", "ES", "YB", "GM", "GF"]


def test_parents_without_domicile_head_by_birth_date():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1), domicile_head="千葉　太郎"),
        person("M", "母", dt.date(1940, 1, 1), given="和子"),
        person("F", "父", dt.date(1942, 1, 1), given="一"),
    ]
    assert ids(order_members(members)) == ["H", "M", "F"]


def test_grandparent_who_heads_own_family_register_first():
    members = [
        person("H", "世帯主", dt.date(1990, 1, 1), domicile_head="千葉　一"),
        person("GM", "祖母", dt.date(1930, 1, 1), given="ハル", domicile_head="佐倉　勝"),
        person("GF", "祖父", dt.date(1932, 1, 1), family="佐倉", given="勝", domicile_head="佐倉　勝"),
    ]
    assert ids(order_members(members)) == ["H", "GF", "GM"]


def test_wifes_elder_brother_before_her_younger_brother():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("W", "妻", dt.date(1972, 1, 1)),
        person("WYB", "妻の弟", dt.date(1978, 1, 1)),
        person("WEB", "妻の兄", dt.date(1969, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "W", "WEB", "WYB"]


def test_wifes_twin_siblings_by_resident_id():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("W", "妻", dt.date(1972, 1, 1)),
        person("12445", "妻の姉", dt.date(1968, 1, 1)),
        person("12345", "妻の兄", dt.date(1968, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "W", "12345", "12445"]


def test_rank_four_spouse_side_follows_rank_three_pattern_then_relatives_connections_lodgers():
    members = [
        person("L", "同居人", dt.date(1950, 1, 1)),
        person("K", "縁故者", dt.date(1960, 1, 1)),
        person("N", "甥", dt.date(2000, 1, 1)),
        person("U", "叔父", dt.date(1945, 1, 1)),
        person("WGM", "妻の祖母", dt.date(1920, 1, 1)),
        person("WS", "妻の妹", dt.date(1975, 1, 1)),
        person("WM", "妻の母", dt.date(1948, 1, 1)),
        person("W", "妻", dt.date(1972, 1, 1)),
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("F", "父", dt.date(1940, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "W", "F", "WM", "WS", "WGM", "U", "N", "K", "L"]


def test_sibling_with_family_moves_to_rank_four_as_a_family():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("B", "兄", dt.date(1965, 1, 1)),
        person("BW", "兄の妻", dt.date(1966, 1, 1)),  # only one 兄: attaches to him
        person("BN", "甥", dt.date(1995, 1, 1), related_to="B"),
        person("S", "妹", dt.date(1975, 1, 1)),
        person("WM", "妻の母", dt.date(1940, 1, 1)),
        person("L", "同居人", dt.date(1980, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "S", "WM", "B", "BW", "BN", "L"]


def test_relative_families_by_generation_then_birth():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("N", "甥", dt.date(1990, 1, 1)),
        person("NW", "甥の妻", dt.date(1991, 1, 1), related_to="N"),
        person("U", "叔父", dt.date(1945, 1, 1)),
        person("UW", "叔父の妻", dt.date(1946, 1, 1), related_to="U"),
    ]
    assert ids(order_members(members)) == ["H", "U", "UW", "N", "NW"]


def test_connection_family_follows_connections():
    members = [
        person("H", "世帯主"),
        person("K2", "縁故者", dt.date(1990, 1, 1), related_to="K1"),
        person("K1", "縁故者", dt.date(1960, 1, 1)),
        person("K3", "縁故者", dt.date(1970, 1, 1)),
        person("L", "同居人", dt.date(1930, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "K3", "K1", "K2", "L"]


def test_common_law_wifes_child_is_a_rank_four_relative():
    members = [
        person("H", "世帯主", dt.date(1970, 1, 1)),
        person("W", "妻（未届）", dt.date(1975, 1, 1)),
        person("WC", "妻（未届）の子", dt.date(2005, 1, 1), related_to="W"),
        person("C", "子", dt.date(2010, 1, 1)),
        person("F", "父", dt.date(1940, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "W", "C", "F", "WC"]


def test_unknown_birth_dates_sort_deterministically():
    members = [
        person("H", "世帯主"),
        person("C3", "子", RecordDate.unknown()),
        person("C2", "子", RecordDate.parse("平成2年 月日不詳")),
        person("C1", "子", dt.date(1990, 6, 1)),
        person("C0", "子", RecordDate.unknown()),
    ]
    first = ids(order_members(members))
    assert first == ["H", "C0", "C3", "C2", "C1"]
    assert ids(order_members(list(reversed(members)))) == first


def test_loop_in_related_to_does_not_lose_anyone():
    members = [
        person("H", "世帯主"),
        person("A", "子の妻", related_to="B"),
        person("B", "孫", related_to="A"),
    ]
    assert sorted(ids(order_members(members))) == ["A", "B", "H"]


def test_explicit_order_is_kept_and_newcomers_follow_in_computed_order():
    members = [
        person("H", "世帯主", dt.date(1960, 1, 1)),
        person("W", "妻", dt.date(1962, 1, 1)),
        person("C", "子", dt.date(1990, 1, 1)),
        person("N2", "同居人", dt.date(1980, 1, 1)),
        person("N1", "子", dt.date(2025, 1, 1)),  # newborn, not in the clerk's order
    ]
    explicit = ("C", "H", "GONE", "W", "C")
    assert ids(order_members(members, explicit)) == ["C", "H", "W", "N1", "N2"]


def test_relationship_rank_helper():
    assert relationship_rank("世帯主") == (1, 1)
    assert relationship_rank("夫（未届）") == (1, 2)
    assert relationship_rank("子") == (1, 3)
    assert relationship_rank("子の夫")[0] == 2
    assert relationship_rank("母") == (3, 1)
    assert relationship_rank("妹") == (3, 2)
    assert relationship_rank("祖父") == (3, 3)
    assert relationship_rank("父の母") == (3, 3)
    assert relationship_rank("妻の父") == (4, 1)
    assert relationship_rank("夫の姉") == (4, 2)
    assert relationship_rank("子の妻の母") == (4, 4)
    assert relationship_rank("縁故者") == (4, 5)
    assert relationship_rank("同居人") == (4, 6)
    assert relationship_rank("家事使用人") == (5, 0)


@pytest.mark.parametrize(
    "standard, rank",
    [
        ("妻（未届）", (1, 2)),
        ("子の妻", (2, 2)),
        ("子の子", (2, 2)),  # 孫
        ("子の子の妻", (2, 3)),
        ("子の子の子", (2, 3)),  # 曾孫
        ("父の父", (3, 3)),  # 祖父母
        ("父の母", (3, 3)),
        ("母の父", (3, 3)),
        ("母の母", (3, 3)),
        ("妻の父", (4, 1)),  # the spouse's parents, like rank 3-1
        ("夫の母", (4, 1)),
        ("妻（未届）の父", (4, 1)),
        ("妻の兄", (4, 2)),
        ("夫の妹", (4, 2)),
        ("妻の父の母", (4, 3)),
        ("父の兄", (4, 4)),  # おじ
        ("母の妹", (4, 4)),
        ("姉の子", (4, 4)),  # 甥・姪
        ("兄の妻", (4, 4)),
        ("子の妻の父", (4, 4)),
    ],
)
def test_j110_standard_forms_rank(standard, rank):
    assert relationship_rank(standard) == rank


@pytest.mark.parametrize(
    "old, standard",
    [("孫", "子の子"), ("孫の妻", "子の子の妻"), ("曾孫", "子の子の子"), ("祖父", "父の父"), ("祖母", "母の母"),
     ("未届の妻", "妻（未届）"), ("叔父", "父の弟"), ("伯母", "母の姉"), ("甥", "妹の子"), ("姪", "兄の子"),
     ("養父", "父"), ("妻の祖母", "妻の母の母")],
)
def test_old_spellings_on_loaded_records_rank_like_their_standard_form(old, standard):
    assert relationship_rank(old) == relationship_rank(standard)


def test_standard_forms_order_like_the_everyday_words():
    """The j1010 examples written the j110 way: 子の子 follows its parent's family, 父の父 is 3-3,
    妻の父 4-1, 父の弟 and 姉の子 4-1 others."""
    members = [
        person("H", "世帯主", dt.date(1950, 1, 1)),
        person("S", "子", dt.date(1975, 1, 1)),
        person("SW", "子の妻", dt.date(1976, 1, 1), related_to="S"),
        person("G", "子の子", dt.date(2003, 1, 1)),  # S is the only 子 with a family: attaches to S
        person("D", "子", dt.date(1980, 1, 1)),
        person("GF", "母の父", dt.date(1925, 1, 1)),
        person("M", "母", dt.date(1928, 1, 1)),
        person("W", "妻", dt.date(1952, 1, 1)),
        person("WF", "妻の父", dt.date(1922, 1, 1)),
        person("U", "父の弟", dt.date(1930, 1, 1)),
        person("N", "姉の子", dt.date(1990, 1, 1)),
        person("K", "縁故者", dt.date(1960, 1, 1)),
    ]
    expected = ["H", "W", "D", "S", "SW", "G", "M", "GF", "WF", "U", "N", "K"]
    assert ids(order_members(shuffled(members, 5))) == expected
    assert ids(order_members(members)) == expected


def test_a_household_mixing_old_and_standard_spellings_orders_as_one():
    members = [
        person("H", "世帯主", dt.date(1940, 1, 1)),
        person("S", "子", dt.date(1965, 1, 1)),
        person("G1", "孫", dt.date(1992, 1, 1), related_to="S"),  # loaded from elsewhere
        person("G2", "子の子", dt.date(1990, 1, 1), related_to="S"),  # recorded here
        person("GF", "祖父", dt.date(1915, 1, 1)),
        person("GM", "父の母", dt.date(1914, 1, 1)),
    ]
    assert ids(order_members(members)) == ["H", "S", "G2", "G1", "GM", "GF"]


RELATIONSHIPS = ["世帯主", "妻", "子", "子の妻", "孫", "父", "母", "兄", "妹", "祖母", "妻の父", "妻の兄", "叔父",
                 "甥", "縁故者", "同居人", "未届の夫", "家事使用人", "孫の妻",
                 "子の子", "子の子の妻", "父の父", "母の母", "妻（未届）の父", "父の弟", "姉の子", "子の子の子"]


@st.composite
def households(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    rids = draw(st.lists(st.text("0123456789", min_size=1, max_size=3), min_size=n, max_size=n, unique=True))
    members = []
    for rid in rids:
        rel = draw(st.sampled_from(RELATIONSHIPS))
        birth = draw(
            st.one_of(
                st.dates(dt.date(1920, 1, 1), dt.date(2024, 12, 31)).map(RecordDate.exact),
                st.just(RecordDate.unknown()),
                st.integers(1930, 2020).map(lambda y: RecordDate(y, None, None, RecordDate.unknown().qualifier)),
            )
        )
        related = draw(st.one_of(st.just(""), st.sampled_from(rids)))
        head = draw(st.sampled_from(["", "千葉　太郎"]))
        members.append(resident(rid, rel, birth=birth, related_to=related, domicile_head=head,
                                sex=draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))))
    explicit = tuple(draw(st.lists(st.sampled_from(rids + ["X"]), max_size=4)))
    return members, explicit


@settings(max_examples=150, deadline=None)
@given(households(), st.randoms(use_true_random=False))
def test_order_is_a_permutation_independent_of_input_order(data, rnd):
    members, explicit = data
    ordered = order_members(members, explicit)
    assert sorted(ids(ordered)) == sorted(ids(members))
    again = list(members)
    rnd.shuffle(again)
    assert ids(order_members(again, explicit)) == ids(ordered)
    listed = [r for r in dict.fromkeys(explicit) if r in ids(members)]
    assert ids(ordered)[: len(listed)] == listed
