"""The extractive answerer's sentence choice: the asked-for kind of answer comes first."""

from __future__ import annotations

import pytest

from rag.generators.extractive import ExtractiveGenerator
from rag.questions import expected_type, has_type
from rag.types import Hit

BORDER = Hit(
    "a", "x.txt", 1, 2, 1.0,
    "Finland doubled the length of the alliance's border with Russia when it became the 31st member. "
    "He pointed out the significance of their 1,350-kilometer shared border.",
    "",
)


def test_a_sentence_with_the_asked_for_measure_leads_over_one_that_only_repeats_the_question():
    picker = ExtractiveGenerator(embed=None, idf=lambda term: 1.0)
    chosen = picker.select("How long is the border that Finland shares with Russia?", [BORDER])
    assert "1,350-kilometer" in chosen[0][1]


@pytest.mark.parametrize(
    "question, sentence, expected",
    [
        ("How long is the border?", "Their 1,350-kilometer shared border.", True),
        ("How long is the border?", "Finland became the 31st member.", False),
        ("How long did the talks last?", "The talks lasted three days.", True),
        ("How many soldiers were there?", "It was the 31st member.", False),
        ("How many soldiers were there?", "About 20 people crossed.", True),
    ],
)
def test_answer_types(question, sentence, expected):
    kind = expected_type(question)
    assert kind is not None
    assert has_type(sentence, kind, question) is expected
