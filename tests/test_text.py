"""The one sentence splitter (rag.text.split_sentences): news as it is written, exact spans."""

from __future__ import annotations

import pytest

from rag.text import split_sentences


def sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    assert all(text[s:e] == text[s:e].strip() and text[s:e] for s, e in spans)  # exact, trimmed spans
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    "text, expected",
    [
        # abbreviations, initials, decimals
        ("The hearing is set for Dec. 4 in the U.S. capital. “We will see,” he said. Mr. Smith left!",
         ["The hearing is set for Dec. 4 in the U.S. capital.", "“We will see,” he said.", "Mr. Smith left!"]),
        ("Gov. Cuomo met George W. Bush and J.K. Rowling at 3 p.m. on Friday. Rates rose 3.5 pct in the U.S. The dollar fell.",
         ["Gov. Cuomo met George W. Bush and J.K. Rowling at 3 p.m. on Friday.", "Rates rose 3.5 pct in the U.S.",
          "The dollar fell."]),
        ("No. 10 said Rs. 500 was paid. Then-Sen. Obama spoke. Sen. Mike Rounds (R-S.D.) told reporters.",
         ["No. 10 said Rs. 500 was paid.", "Then-Sen. Obama spoke.", "Sen. Mike Rounds (R-S.D.) told reporters."]),
        # lower-cased text: no capital after the full stop
        ("he said. the minister added that mr. jones and ms. lee would go. no. 14 runs in jan. 2020 in the u.s. too.",
         ["he said.", "the minister added that mr. jones and ms. lee would go.", "no. 14 runs in jan. 2020 in the u.s. too."]),
        ("senators including alexandria ocasio-cortez (d-n.y.) said friday that talks had failed. the vote is next.",
         ["senators including alexandria ocasio-cortez (d-n.y.) said friday that talks had failed.", "the vote is next."]),
        # mixed case with a lower-case word after a full stop: a fragment, not a new sentence
        ("President Vladimir Putin said. mentioned at a summit on Monday.", ["President Vladimir Putin said. mentioned at a summit on Monday."]),
        # a short quotation stays whole with its speaker; an attribution after a question is part of it
        ("“Of course, this will take time. But everything will be done,” Peskov said. He left.",
         ["“Of course, this will take time. But everything will be done,” Peskov said.", "He left."]),
        ("“Why not?” he asked. “How are we going to pay for it?” Ocasio-Cortez said. It ended.",
         ["“Why not?” he asked.", "“How are we going to pay for it?” Ocasio-Cortez said.", "It ended."]),
        ("Peskov said: “This obliges us to act. We will.” Then he left.", ["Peskov said: “This obliges us to act. We will.”", "Then he left."]),
        # any verb of saying that ends the sentence or goes on with where or when; not one that
        # goes on with a clause of its own, nor one that introduces the next quotation
        ("“Why the midterms?” Klepper wondered. “Stop!” Giuliani shouted at Kurtz. It ended.",
         ["“Why the midterms?” Klepper wondered.", "“Stop!” Giuliani shouted at Kurtz.", "It ended."]),
        ("“It is so pathetic to watch!” Trump noted the media was crazed. “Is this sound?” She later noted: “No.”",
         ["“It is so pathetic to watch!”", "Trump noted the media was crazed.", "“Is this sound?”", "She later noted: “No.”"]),
        # an ellipsis before a lower-case word goes on; a line break always ends a sentence
        ("for our safety ... and we are taking measures. And so it will be.\nSecond line",
         ["for our safety ... and we are taking measures.", "And so it will be.", "Second line"]),
        # a headline run into the first sentence: cut only where the case shows it
        ("Ad Sales Boost Time Warner Profit quarterly profits at us media giant timewarner jumped 76% to $1.13bn (£600m) "
         "for the three months to december. the firm said.",
         ["Ad Sales Boost Time Warner Profit", "quarterly profits at us media giant timewarner jumped 76% to $1.13bn (£600m) "
          "for the three months to december.", "the firm said."]),
        ("Senate Majority Leader Mitch McConnell said the chamber would vote on the bill next week. Democrats objected.",
         ["Senate Majority Leader Mitch McConnell said the chamber would vote on the bill next week.", "Democrats objected."]),
        # scraped pages glue sentences together
        ("The claims were denied.The ministry said so.", ["The claims were denied.", "The ministry said so."]),
    ],
)
def test_sentences_as_news_writes_them(text, expected):
    assert sentences(text) == expected


def test_a_long_quotation_is_split_so_no_chunk_has_to_cut_a_sentence():
    quote = "“" + " ".join(f"Point {i} of the plan is settled." for i in range(15)) + "”"
    assert len(sentences(quote + " she said.")) == 15


def test_spans_are_offsets_into_the_text_given():
    text = "Title\n\nFirst one. Second one.\nThird"
    spans = split_sentences(text, 7, len(text))
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one.", "Third"]
    assert spans[0][0] == 7


def test_hard_wrapped_newswire_lines_join_into_sentences():
    text = ("TRANSWORLD TRUST SETS INITIAL PAY DATE\n\n"
            "NEW YORK, March 26 - Transworld Liquidating Trust said it\n"
            "will distribute proceeds from the sale of Hilton International Co to\n"
            "UAL Inc to its holders on April 8.\n\n"
            "The deal is expected to close March 31, the day trading\n"
            "ceases in the Liquidating Trust shares.\n")
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got[0] == "TRANSWORLD TRUST SETS INITIAL PAY DATE"
    assert got[1].startswith("NEW YORK") and got[1].endswith("on April 8.")
    assert got[2] == "The deal is expected to close March 31, the day trading\nceases in the Liquidating Trust shares."
    # a headline over the body, and a paragraph per line, stay sentences of their own
    page = "Congress Must Tackle Mental Health Issues in Schools Today\nThe Education Secretary told radio host Hugh Hewitt so.\n"
    assert len(split_sentences(page)) == 2
    assert len(split_sentences("He said it would rise.\nShe said it would not rise at all this year\n")) == 2
    headline = ("Russia ‘taking measures’ in response to Nato expansion, says Kremlin\n"
                "The Kremlin has said Russia is taking steps to ensure its safety.\n")
    assert len(split_sentences(headline)) == 2


def test_a_wrapped_line_that_opens_with_names_is_no_headline():
    text = ("Senate Republican leader Robert Dole, a key Reagan ally,\n"
            "told reporters the report disclosed \"colossal blunders\" and said\n"
            "people who had not served the president well should step aside.\n")
    assert [text[a:b] for a, b in split_sentences(text)] == [text.strip()]


def test_a_wrapped_line_that_ends_on_a_name_goes_on_in_the_next_line():
    # real Reuters paragraphs (reuters_3487, reuters_16009): the wrap falls inside a name
    text = ("LONDON, March 11 - Genetech Inc is issuing a 100\n"
            "mln dlr convertible bond due March 30, 2002 with an indicated\n"
            "coupon of five to 5-1/2 pct and an issue price of par, Credit\n"
            "Suisse First Boston (CSFB) said as lead manager.\n\n"
            "Genentech's stock closed at 58-5/8 on the New York Stock\n"
            "Exchange last night.\n\n"
            "A key factor behind the advance was anticipation that\n"
            "inflation will be the only way for the major industrial nations\n"
            "to halt the slide in the value of the U.S. dollar, said Steve\n"
            "Chronowitz, director of commodity research with Smith Barney.\n")
    got = [text[a:b] for a, b in split_sentences(text)]
    assert len(got) == 3
    assert got[0].endswith("Credit\nSuisse First Boston (CSFB) said as lead manager.")
    assert got[1] == "Genentech's stock closed at 58-5/8 on the New York Stock\nExchange last night."
    assert "said Steve\nChronowitz" in got[2]
    # a scraped page's list of headlines (huffpost_4742597682.txt) is no wrapped paragraph
    related = ("Bernie Sanders Raised More Than $25 Million This Quarter, Campaign Says\n"
               "Joe Biden Defends Obama’s Immigration Record But Admits He’s Learned From Experience\n"
               "Kate McKinnon’s Elizabeth Warren Fakes Horror That Bill\n"
               "Trump Repeatedly Refuses To Answer Questions About Biden Part Of Ukraine Call\n"
               "HuffPost is part of Verizon Media.\n")
    assert len(split_sentences(related)) == 5


def test_a_subject_followed_by_a_comma_is_no_run_in_headline():
    # reuters_489.txt: an organisation's name opens the sentence, then an apposition in lower case
    line = ("The Aspen Institute for Humanistic Studies, a private group, also called for new research "
            "for oil exploration and development techniques.")
    assert [line[a:b] for a, b in split_sentences(line)] == [line]


def test_only_the_capitalised_parts_of_a_hyphenated_word_are_names():
    from rag.text import names

    found = names("They reopened the Clinton-era inquiry into Gulf-bound tankers, Ocasio-Cortez said.")
    assert {"clinton", "gulf", "ocasio", "cortez"} <= found
    assert not found & {"era", "bound"}


def test_lowercase_question_keeps_its_attribution_after_the_stripped_quotation_mark():
    # bbc-text.csv style: '"Why the midterms?" Klepper wondered.' arrives as "why the midterms?  klepper wondered."
    text = "the show aired. why the midterms?  klepper wondered. the crowd laughed. is it over? no one knows."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "the show aired.", "why the midterms?  klepper wondered.", "the crowd laughed.", "is it over?", "no one knows."]
