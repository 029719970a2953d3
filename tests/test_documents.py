"""Ingest: decoding, boilerplate removal, repeated paragraphs, metadata, real line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.documents import Skipped, clean, decode, load_document

from conftest import SEEDS


def kept_lines(doc) -> set[int]:
    lines: set[int] = set()
    for b in doc.blocks:
        lines.update(n for n in range(b.line_start, b.line_end + 1) if doc.text.split("\n")[n - 1].strip())
    return lines


def seed(name: str):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return load_document(path, path.name)


@pytest.mark.parametrize(
    "name, junk",
    [
        ("000", ["Be First to Comment"]),
        ("001", ["Back to top button", "translate it through programmatic technology", "Russia news"]),
        ("002", ["403", "Sorry!!", "page you were looking for", "Legal Disclaimer:", "without warranty", "CommentsNo comment"]),
        ("003", ["Contact Us", "Subscribe", "Published December 03,2024"]),
    ],
)
def test_boilerplate_lines_are_not_kept(name, junk):
    doc = seed(name)
    lines = doc.text.split("\n")
    kept_text = "\n".join(lines[n - 1] for n in kept_lines(doc))
    for j in junk:
        assert j in doc.text  # the seed really holds it
        assert j not in kept_text, f"{j!r} survived cleaning of {doc.file}"


def test_article_text_survives_cleaning():
    doc = seed("000")
    # every line but the trailing call to action is article text
    assert kept_lines(doc) == set(range(1, 17))
    doc = seed("004")
    assert kept_lines(doc) == set(range(1, 18))


def test_repeated_paragraphs_dropped_but_first_copy_kept():
    doc = seed("002")
    kept = kept_lines(doc)
    # lines 9-11 repeat lines 6-8 word for word
    assert {6, 7, 8} <= kept
    assert not ({9, 10, 11} & kept)
    assert {9, 10, 11} <= set(doc.removed_lines)


def test_line_numbers_point_at_real_file_lines():
    for path in sorted(SEEDS.glob("*.txt")):
        doc = load_document(path, path.name)
        file_lines = path.read_text(encoding="utf-8").split("\n")
        for b in doc.blocks:
            assert doc.text[b.char_start : b.char_end].split("\n")[0].strip() == file_lines[b.line_start - 1].strip()
            assert doc.text[b.char_start : b.char_end].split("\n")[-1].strip() == file_lines[b.line_end - 1].strip()


def test_metadata_title_date_publisher():
    assert seed("001").title.startswith("NATO membership of Sweden and Finland")
    d3 = seed("003")
    assert d3.title == "Kremlin: Russia considers Ukraine’s possible NATO membership a threat"
    assert d3.date == "2024-12-03"
    assert d3.publisher == "Anadolu Agency"
    d2 = seed("002")
    assert d2.title == "Kremlin affirms Russia never sought to weaken relations with bordering nations"
    assert d2.publisher == "MENAFN"
    assert seed("000").date is None


def test_non_ascii_text_intact():
    doc = seed("000")
    block = doc.text[doc.blocks[0].char_start : doc.blocks[0].char_end]
    assert "Finland’s membership" in block and "“This is certainly" in block


def test_decode_prefers_utf8_and_stops_at_first_success():
    text = "Zürich café – “quoted” naïve"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"))[0] == text  # BOM dropped
    latin = "Zürich café naïve".encode("latin-1")
    assert decode(latin) == ("Zürich café naïve", "cp1252")


def test_legacy_encoded_file_is_read(tmp_path):
    p = tmp_path / "old.txt"
    p.write_bytes("Le ministre a déclaré à Genève que la réunion était terminée.\n".encode("cp1252"))
    doc = load_document(p, "old.txt")
    assert "déclaré à Genève" in doc.text


@pytest.mark.parametrize(
    "data, reason",
    [(b"", "empty"), (b"  \n\n \t\n", "empty"), (b"\x00\x01\x02PNG\x00" * 100, "binary")],
)
def test_empty_and_binary_files_skipped_with_reason(tmp_path, data, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    result = load_document(p, "bad.txt")
    assert isinstance(result, Skipped)
    assert reason in result.reason


def test_general_rules_not_a_list_of_strings():
    text = (
        "Officials meet to discuss the grain deal\n"
        "The ministers met in Ankara on Friday to discuss the grain corridor, officials said.\n"
        "Leave a reply\n"
        "Share this article\n"
        "12 Comments\n"
        "404\n"
        "The views expressed are the author's own and do not necessarily reflect the policy of this site.\n"
    )
    doc = clean("x.txt", text)
    assert kept_lines(doc) == {1, 2}
    assert doc.title == "Officials meet to discuss the grain deal"


# -- furniture inside a line: single-line scrapes and CSV exports hold a whole page on one line --

SINGLE_LINE = (
    "POLITICS > CONGRESS Skip to main content "
    "Senate panel backs water bill after late deal on dam repairs "
    "By Dana Whitfield | The Ledger 14 Mar 2019 Share on Facebook Share on Twitter Share on Email "
    "The Senate environment committee voted 15-6 on Thursday to send a $4.2 billion water bill to the "
    "full chamber, after Sen. Maria Ortiz (D-N.M.) and Sen. Tom Haskell (R-Wyo.) struck a late deal on "
    "money for dam repairs. “We were not going to leave the dams out of this bill. Nobody at home would "
    "forgive us,” Ortiz told reporters. The deal moves $600 million from a harbor fund to a dam safety "
    "program run by the U.S. Army Corps of Engineers. Haskell said the committee was not responsible for "
    "the delays at the Corps, and that the views expressed by the agency’s critics did not necessarily "
    "reflect the state of the projects. A floor vote is expected in April. "
    "Sign up for The Ledger’s morning briefing: the top stories, delivered to your inbox. "
    "Trending Now Governor signs budget after 12-hour session Storm damage tops $40 million in coastal "
    "counties Mayor names new police chief "
    "Copyright © 2019 The Ledger Media Group. All rights reserved. Privacy Policy | Terms of Use"
)
PROSE = [
    "The Senate environment committee voted 15-6 on Thursday",
    "“We were not going to leave the dams out of this bill. Nobody at home would forgive us,” Ortiz told reporters.",
    "The deal moves $600 million from a harbor fund",
    "did not necessarily reflect the state of the projects.",
    "A floor vote is expected in April.",
]
FURNITURE = ["Skip to main content", "Share on Facebook", "Sign up for", "Trending Now", "Governor signs budget",
             "Mayor names new police chief", "All rights reserved", "Privacy Policy", "POLITICS > CONGRESS"]


def kept_text(doc) -> str:
    return "\n".join(doc.text[b.char_start : b.char_end] for b in doc.blocks)


def test_single_line_article_loses_its_footer_not_its_text():
    doc = clean("page.txt", SINGLE_LINE)
    kept = kept_text(doc)
    for p in PROSE:
        assert p in kept
    for f in FURNITURE:
        assert f not in kept, f
    # the blocks start and end inside the one line, and still give back the file's own text
    assert all(b.line_start == b.line_end == 1 for b in doc.blocks)
    assert doc.blocks[0].char_start > 0 and doc.blocks[-1].char_end < len(SINGLE_LINE)
    assert doc.title.startswith("Senate panel backs water bill")


def test_notice_phrases_in_a_long_line_do_not_drop_the_article(tmp_path):
    # "not responsible for", "do not necessarily reflect" and "All rights reserved" are the line
    # rules' disclaimer phrases; a whole article on one line used to go with them
    p = tmp_path / "one_line.txt"
    p.write_text(SINGLE_LINE + "\n", encoding="utf-8")
    doc = load_document(p, "one_line.txt")
    assert not isinstance(doc, Skipped)
    assert "A floor vote is expected in April." in kept_text(doc)
    assert doc.warnings == ()


def test_lower_cased_single_line_article_keeps_every_sentence():
    text = ("council approves new bus routes the city council voted 7-2 on tuesday to add four bus routes. "
            "mr. alvarez said the routes would start in june. no. 14 will run every 10 minutes, he said. "
            "the council also approved rs. 500 in fees. copyright 2019 the courier. all rights reserved.")
    doc = clean("lower.txt", text)
    kept = kept_text(doc)
    assert "mr. alvarez said the routes would start in june. no. 14 will run every 10 minutes, he said." in kept
    assert "the council also approved rs. 500 in fees." in kept
    assert "copyright" not in kept and "all rights reserved" not in kept


def test_read_more_headline_inside_a_line_goes_and_the_quote_after_it_stays():
    text = ("The mayor defended the plan at a packed meeting on Monday night, saying the city had no choice. "
            "READ MORE: Council Delays Vote On Stadium Funding Again “We cannot keep borrowing for roads we "
            "do not repair,” she said. The vote is set for May 2.")
    kept = kept_text(clean("x.txt", text))
    assert "READ MORE" not in kept and "Stadium Funding" not in kept
    assert "“We cannot keep borrowing for roads we do not repair,” she said." in kept
    assert "The vote is set for May 2." in kept


MULTI_LINE = """Home > Politics
Menu Search Sign In
Senate panel backs water bill after late deal on dam repairs
By Dana Whitfield
14 Mar 2019
Facebook Twitter Email SMS
The Senate environment committee voted 15-6 on Thursday to send a $4.2 billion water bill to the full chamber.
READ MORE: Governor Signs Budget After 12-Hour Session
The deal moves $600 million from a harbor fund to a dam safety program.
A floor vote is expected in April.
Sign up for the morning briefing: the top stories, delivered to your inbox.
Trending in Politics
Storm damage tops $40 million in coastal counties
Mayor names new police chief
Senate race tightens in latest poll
Most Read
Library hours cut as budget shrinks
Fire crews contain blaze near reservoir
Judge blocks county map: ‘Cracked’ districts
© 2019 The Ledger Media Group. All rights reserved.
"""


def test_headline_lists_and_menus_go_from_a_multi_line_page():
    doc = clean("multi.txt", MULTI_LINE)
    kept = kept_text(doc)
    assert doc.title == "Senate panel backs water bill after late deal on dam repairs"
    for prose in ("voted 15-6 on Thursday", "The deal moves $600 million", "A floor vote is expected in April."):
        assert prose in kept
    for junk in ("Home > Politics", "Menu Search", "Governor Signs Budget", "Sign up", "Storm damage", "Mayor names",
                 "Senate race tightens", "Library hours", "Judge blocks", "All rights reserved", "Facebook"):
        assert junk not in kept, junk


def test_hard_wrapped_lines_are_not_a_list_of_headlines():
    # newswire copy wrapped at 70 columns: unpunctuated lines in a row, but prose
    text = ("TRADE PANEL DECIDES ON CHIPS\n\n"
            "WASHINGTON, March 26 - The White House Economic Policy\n"
            "Council made a recommendation to President Reagan whether to\n"
            "retaliate against Japan for alleged unfair practices in\n"
            "semiconductor trade, officials said.\n")
    doc = clean("wire.txt", text)
    assert kept_lines(doc) == {1, 3, 4, 5, 6}


def test_long_file_the_rules_would_empty_is_indexed_whole_with_a_warning(tmp_path):
    menu = "\n".join(["Share this article", "Subscribe", "Sign up for our newsletter", "Privacy Policy"] * 30)
    p = tmp_path / "all_menus.txt"
    p.write_text(menu, encoding="utf-8")
    doc = load_document(p, "all_menus.txt")
    assert not isinstance(doc, Skipped)
    assert doc.warnings and "indexed whole" in doc.warnings[0]
    assert kept_text(doc).count("Subscribe") == 30
    short = tmp_path / "short_menu.txt"
    short.write_text("Subscribe\nSign up for our newsletter\n", encoding="utf-8")
    assert isinstance(load_document(short, "short_menu.txt"), Skipped)


def test_a_byline_is_neither_the_title_nor_text_and_names_the_outlet():
    page = ("Home | India | Politics | World\n"
            "Edited By: Priya Sharma\n"
            "Updated: March 3, 2021 10:45 IST\n"
            "Sena slams Centre over fuel prices, says common man is suffering\n"
            "Shiv Sena MP Sanjay Raut on Wednesday said the Centre had failed to control fuel prices.\n"
            "By Monday the party had announced a protest in every district of the state.\n")
    doc = clean("sena.txt", page)
    assert doc.title == "Sena slams Centre over fuel prices, says common man is suffering"
    assert "Priya Sharma" not in kept_text(doc)
    assert "By Monday the party had announced a protest" in kept_text(doc)  # prose that opens with "By"
    doc = clean("fox.txt", "Graham pays tribute to McCain\nBy Robert Gearty | Fox News\nAugust 26, 2019\n"
                           "Sen. Lindsey Graham on Sunday paid tribute to his friend John McCain in a speech.\n")
    assert doc.publisher == "Fox News" and "Robert Gearty" not in kept_text(doc)
