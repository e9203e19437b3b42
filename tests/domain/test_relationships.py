"""続柄 (j110): the standard forms a record carries, the everyday words accepted at input."""
from __future__ import annotations

import pytest

from domain.relationships import (
    ALIASES,
    AMBIGUOUS,
    KNOWN_RELATIONSHIPS,
    is_standard_relationship,
    is_valid_relationship,
    parse_relationship,
    relationship_problem,
    standard_choices,
    standard_form,
)

EVERYDAY = ("孫", "曾孫", "曽孫", "玄孫", "養子", "養父", "養母", "未届の妻", "未届の夫", "祖父", "祖母", "曾祖父",
            "曾祖母", "伯父", "叔父", "伯母", "叔母", "おじ", "おば", "甥", "姪", "おい", "めい")


@pytest.mark.parametrize(
    "typed, standard",
    [
        ("孫", "子の子"),
        ("曾孫", "子の子の子"),
        ("曽孫", "子の子の子"),
        ("玄孫", "子の子の子の子"),
        ("孫の妻", "子の子の妻"),
        ("孫の夫", "子の子の夫"),
        ("養父", "父"),
        ("養母", "母"),
        ("養子", "子"),
        ("未届の妻", "妻（未届）"),
        ("未届の夫", "夫（未届）"),
        ("妻(未届)", "妻（未届）"),
        ("未届の妻の子", "妻（未届）の子"),
        ("子の妻", "子の妻"),
        ("妻の父", "妻の父"),
        ("子の子の子の子", "子の子の子の子"),
        (" 子の妻 ", "子の妻"),
        ("世帯主", "世帯主"),
        ("縁故者", "縁故者"),
        ("同居人", "同居人"),
    ],
)
def test_standard_form_of_what_a_clerk_types(typed, standard):
    assert is_valid_relationship(typed)
    assert standard_form(typed) == standard
    assert is_standard_relationship(standard)


@pytest.mark.parametrize(
    "word, choices",
    [
        ("祖父", ("父の父", "母の父")),
        ("祖母", ("父の母", "母の母")),
        ("叔父", ("父の弟", "母の弟")),
        ("伯母", ("父の姉", "母の姉")),
        ("おじ", ("父の兄", "父の弟", "母の兄", "母の弟")),
        ("おば", ("父の姉", "父の妹", "母の姉", "母の妹")),
        ("甥", ("兄の子", "姉の子", "弟の子", "妹の子")),
        ("姪", ("兄の子", "姉の子", "弟の子", "妹の子")),
        ("曾祖父", ("父の父の父", "父の母の父", "母の父の父", "母の母の父")),
        ("祖父の弟", ("父の父の弟", "母の父の弟")),
        ("妻の祖母", ("妻の父の母", "妻の母の母")),
    ],
)
def test_a_word_for_several_j110_forms_is_refused_naming_them(word, choices):
    assert standard_form(word) is None
    assert standard_choices(word) == choices
    message = relationship_problem(word)
    assert message is not None and f"「{word}」" in message
    assert all(f"「{c}」" in message for c in choices), message
    assert not is_valid_relationship(word)


def test_grandfather_asks_for_fathers_father_or_mothers_father():
    assert relationship_problem("祖父", "続柄（宛名番号R004）") == (
        "続柄（宛名番号R004）「祖父」は記載できません（「父の父」又は「母の父」で入力してください）"
    )


def test_many_choices_are_cut_short():
    message = relationship_problem("祖父の甥")  # 2 × 4 chains of four terms
    assert len(standard_choices("祖父の甥")) == 8
    assert "など" in message and "「父の父の兄の子」" in message and "「母の父の妹の子」" not in message


@pytest.mark.parametrize("rel", ["子の子の子の子の子", "曾孫の子の子", "玄孫の子", "曾祖父の父の母", "子の妻の父の母の父"])
def test_five_terms_or_more_must_be_written_as_connection(rel):
    message = relationship_problem(rel)
    assert message is not None and "「縁故者」としてください" in message and "5" in message
    assert standard_form(rel) is None


@pytest.mark.parametrize("rel", ["家事使用人", "準世帯主", "孫娘", "長男", "子の", "世帯主の妻", "妻の夫", "兄の姉"])
def test_not_a_relationship(rel):
    assert relationship_problem(rel) is not None
    assert standard_form(rel) is None and standard_choices(rel) == ()


def test_old_spellings_are_still_read_on_records():
    """Records loaded from elsewhere may carry 祖父 or 甥: read (for ordering) though not typed."""
    assert parse_relationship("祖父").is_grandparent
    assert parse_relationship("祖父").path == parse_relationship("父の父").path
    assert parse_relationship("孫").path == parse_relationship("子の子").path == ("子", "子")
    assert parse_relationship("甥").generation == parse_relationship("姉の子").generation == -1
    assert parse_relationship("叔父").generation == 1
    assert parse_relationship("未届の妻").unmarried and parse_relationship("妻（未届）の子").unmarried
    assert parse_relationship("家事使用人") is None


def test_picker_lists_j110_standard_forms_only():
    assert KNOWN_RELATIONSHIPS[:25] == (
        "世帯主", "妻", "夫", "妻（未届）", "夫（未届）", "子", "子の妻", "子の夫", "子の子", "父", "母",
        "兄", "姉", "弟", "妹", "父の父", "父の母", "母の父", "母の母", "妻の父", "妻の母", "夫の父",
        "夫の母", "兄の妻", "弟の妻",
    )
    assert KNOWN_RELATIONSHIPS[-2:] == ("縁故者", "同居人")
    assert len(set(KNOWN_RELATIONSHIPS)) == len(KNOWN_RELATIONSHIPS)
    assert all(is_standard_relationship(r) for r in KNOWN_RELATIONSHIPS)
    assert not set(EVERYDAY) & set(KNOWN_RELATIONSHIPS)


def test_every_everyday_word_is_known_either_way():
    assert set(EVERYDAY) <= set(ALIASES) | set(AMBIGUOUS) | {"未届の妻", "未届の夫"}
    for word in EVERYDAY:
        assert not is_standard_relationship(word)
        assert parse_relationship(word) is not None
