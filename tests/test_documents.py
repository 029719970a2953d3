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
