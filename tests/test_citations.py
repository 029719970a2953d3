"""The citation parser and checker over hand-made answers: right, wrong, missing and stray markers."""

from __future__ import annotations

import pytest

from rag.citations import CitationChecker, is_refusal, parse_answer, render, verbatim_quotes
from rag.types import Hit

P1 = Hit("a", "000.txt", 6, 7, 1.0,
         "Finland officially joined NATO on Tuesday as Foreign Minister Pekka Haavisto handed the signed accession "
         "treaty to US Secretary of State Antony Blinken during an official ceremony in Brussels.\n"
         "Peskov also said there currently are no prospects for negotiations with Ukraine.", "Kremlin on Finland")
P2 = Hit("b", "002.txt", 7, 7, 1.0,
         "He pointed out the significance of their 1,350-kilometer shared border and stressed that the future of "
         "relations hinges on the resolution of the Ukraine conflict.", "Stubb in London")
PASSAGES = [P1, P2]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Haavisto handed it over [1].", [("Haavisto handed it over.", (1,))]),
        ("Haavisto handed it over. [1]", [("Haavisto handed it over.", (1,))]),
        ("A claim [1, 2]. Another [2][1].", [("A claim.", (1, 2)), ("Another.", (2, 1))]),
        ("A claim (1). Another (Source 2).", [("A claim.", (1,)), ("Another.", (2,))]),
        ("A claim [Source 1]. B [source 2, 1]", [("A claim.", (1,)), ("B", (2, 1))]),
        ("Finland joined in (2023) [1].", [("Finland joined in (2023).", (1,))]),
        ("No markers here. None here either.", [("No markers here.", ()), ("None here either.", ())]),
        ("Range [1-2].", [("Range.", (1, 2))]),
        ("[1] Finland joined NATO.", [("Finland joined NATO.", (1,))]),
    ],
)
def test_parse_markers(text, expected):
    got = [(p.text, p.sources) for p in parse_answer(text, n_sources=2)]
    assert got == expected


@pytest.fixture(params=["lexical", "embedding"])
def checker(request, seed_engine):
    return CitationChecker(seed_engine.embed if request.param == "embedding" else None)


def test_correct_citation_is_verified_with_lines_and_quote(checker):
    out = checker.check("Pekka Haavisto handed the accession treaty to Antony Blinken in Brussels [1].", PASSAGES)
    assert len(out) == 1 and out[0].supported
    c = out[0].citations[0]
    assert (c.source, c.file, c.line_start, c.line_end) == (1, "000.txt", 6, 6)
    assert "Haavisto" in c.quote


def test_wrong_marker_is_moved_to_the_supporting_passage(checker):
    out = checker.check("He pointed out the significance of their 1,350-kilometer shared border [1].", PASSAGES)
    assert out[0].supported
    assert [c.source for c in out[0].citations] == [2]


def test_out_of_range_marker_is_dropped(checker):
    out = checker.check("Haavisto handed the signed accession treaty to Blinken [7].", PASSAGES)
    assert all(1 <= c.source <= 2 for c in out[0].citations)
    assert "[7]" not in render(out)


def test_missing_marker_gets_the_clearly_supporting_passage(checker):
    out = checker.check("Peskov said there are no prospects for negotiations with Ukraine.", PASSAGES)
    assert out[0].supported and out[0].citations[0].source == 1
    assert out[0].citations[0].line_start == 7


def test_unsupported_claims_are_marked(checker):
    out = checker.check(
        "Finland has a population of 5.6 million people [1]. The treaty was signed in Helsinki by Sauli Niinisto [2].",
        PASSAGES,
    )
    assert [s.supported for s in out] == [False, False]
    assert all(not s.citations for s in out)


def test_changed_number_is_not_supported(checker):
    out = checker.check("Finland and Russia share a 2,500-kilometer border [2].", PASSAGES)
    assert not out[0].supported


def test_render_keeps_only_verified_markers(checker):
    out = checker.check("Haavisto handed the treaty to Blinken [1]. Finland has 5.6 million people [2].", PASSAGES)
    text = render(out)
    assert text.startswith("Haavisto handed the treaty to Blinken. [1]") or "[1]" in text.split(".")[1]
    assert "[2]" not in text


@pytest.mark.parametrize(
    "text, refused",
    [
        ("The corpus does not say.", True),
        ("The passages do not mention Japan's defense budget.", True),
        ("I cannot answer this from the provided context.", True),
        ("", True),
        ("Peskov said it was not a threat [1].", False),
        ("Haavisto handed the treaty to Blinken [1].", False),
    ],
)
def test_refusal_detection(text, refused):
    assert is_refusal(text) is refused


@pytest.mark.parametrize(
    "answer, fixed",
    [
        # a misquote is put back into the source's words, snapped to whole words
        ("Stoltenberg called the statement “empty promise” [1].", "Stoltenberg called the statement “empty promises” [1]."),
        ('He said it was "an additional threat to the Russian Federation" [1].',
         'He said it was "an additional threat for the Russian Federation" [1].'),
        # verbatim quotes, quotes close to nothing and one-word quotes are left alone
        ("It is “an additional threat for the Russian Federation” [1].", None),
        ("He called it “a triumph of diplomacy and goodwill” [1].", None),
        ("He called it “empty” [1].", None),
    ],
)
def test_misquotes_are_repaired_from_the_source(answer, fixed):
    sources = ["Stoltenberg said the joint statement amounted to “empty promises”.",
               "Peskov also said Helsinki’s membership creates “an additional threat for the Russian Federation,” noting more."]
    assert verbatim_quotes(answer, sources) == (fixed or answer)


def test_checker_verifies_the_repaired_quote(checker):
    hit = Hit("c", "004.txt", 3, 3, 1.0, "Jens Stoltenberg said a joint statement by Russia and China amounted to “empty promises”.", "")
    out = checker.check("Stoltenberg called the joint statement by Russia and China “empty promise” [1].", [hit])
    assert out[0].supported
    assert "“empty promises”" in out[0].text


def test_a_negated_claim_needs_a_negated_source_sentence(checker):
    hit = Hit("d", "004.txt", 2, 2, 1.0,
              "The Kremlin defended its decision to station tactical nuclear weapons in Belarus.\n"
              "Putin said NATO membership of Sweden and Finland does not pose a threat to Russia.", "")
    wrong = checker.check("The Kremlin defended its decision not to station tactical nuclear weapons in Belarus [1].", [hit])
    assert not wrong[0].supported
    right = checker.check("Putin said NATO membership of Sweden and Finland does not pose a threat to Russia [1].", [hit])
    assert right[0].supported


def test_a_sentence_the_model_stopped_in_the_middle_of_is_not_a_claim(checker):
    out = checker.check("Pekka Haavisto handed the accession treaty to Antony Blinken in Brussels in a [1].", PASSAGES)
    assert not out[0].supported and not out[0].citations


def test_every_source_sentence_copied_verbatim_is_supported():
    """The extractive backend copies sentences: each one must pass the check it is put through,
    headlines, short lines and bylines like "(D-CA)" included."""
    from pathlib import Path

    from rag.citations import CitationChecker
    from rag.text import split_sentences
    from rag.types import Hit

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    checker = CitationChecker(None)
    extra = "Top Democrats like House Minority Leader Nancy Pelosi (D-CA) said talk of impeachment would be a “gift” to Republicans."
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8") + "\n" + extra
        hit = Hit("c", path.name, 1, 1, 1.0, text)
        for a, b in split_sentences(text):
            sentence = text[a:b]
            if len(sentence.split()) < 3:
                continue
            checked = checker.check(f"{sentence} [1]", [hit], verbatim=True)
            assert checked and all(s.supported for s in checked if s.text.strip(" .")), (path.name, sentence)


def test_copied_sentences_end_at_their_markers():
    # the extractive backend copies a headline (no full stop) and then a lower-cased sentence: two
    # claims, each checked against its own source; read as prose they ran into one claim citing both
    headline = Hit("h", "h.txt", 1, 1, 1.0, "Clinton mocks Giuliani: 'Yes, I am famously under-scrutinized'", "")
    lower = Hit("l", "l.txt", 1, 1, 1.0, "hillary clinton questioned pompeo s handling of the ukraine call on cbs.", "")
    answer = ("Clinton mocks Giuliani: 'Yes, I am famously under-scrutinized' [1] "
              "hillary clinton questioned pompeo s handling of the ukraine call on cbs. [2]")
    parsed = parse_answer(answer, n_sources=2, verbatim=True)
    assert [(p.text, p.sources) for p in parsed] == [
        ("Clinton mocks Giuliani: 'Yes, I am famously under-scrutinized'", (1,)),
        ("hillary clinton questioned pompeo s handling of the ukraine call on cbs.", (2,))]
    assert len(parse_answer(answer, n_sources=2)) == 1  # a model's prose is split by sentence, as before
    checked = CitationChecker(embed=None).check(answer, [headline, lower], verbatim=True)
    assert [s.supported for s in checked] == [True, True]
    assert [s.citations[0].file for s in checked] == ["h.txt", "l.txt"]
