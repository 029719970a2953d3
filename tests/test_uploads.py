"""rag.uploads.save_upload: articles land inside the corpus, once, under a safe name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.errors import UserInputError
from rag.uploads import save_upload

ARTICLE = "Ministers met in Tallinn on Monday.\nThey agreed on a new ferry timetable.\n".encode()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "existing.txt").write_text("An article that is already in the corpus.\n", encoding="utf-8")
    return d


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_saves_txt_and_md_atomically(corpus: Path):
    p = save_upload(corpus, "ferry.txt", ARTICLE)
    assert p == (corpus / "ferry.txt").resolve()
    assert p.read_bytes() == ARTICLE
    q = save_upload(corpus, "notes.md", "# Heading\n\nÅland ferries – über.\n".encode())
    assert q.name == "notes.md"
    # No temp file is left behind.
    assert files_under(corpus) == {"existing.txt", "ferry.txt", "notes.md"}


@pytest.mark.parametrize("name", ["", "   ", None])
def test_refuses_an_empty_name(corpus: Path, name):
    with pytest.raises(UserInputError, match="no name"):
        save_upload(corpus, name, ARTICLE)


def test_refuses_a_name_with_a_nul_byte(corpus: Path):
    with pytest.raises(UserInputError, match="NUL"):
        save_upload(corpus, "evil\x00.txt", ARTICLE)
    assert files_under(corpus) == {"existing.txt"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../escape.txt", "escape.txt"),
        ("/tmp/absolute.txt", "absolute.txt"),
        ("a/b.txt", "b.txt"),
        ("..\\..\\windows.txt", "windows.txt"),
        ("C:\\Users\\me\\article.md", "article.md"),
    ],
)
def test_path_parts_are_reduced_to_a_base_name_inside_the_corpus(tmp_path: Path, corpus: Path, name, expected):
    p = save_upload(corpus, name, ARTICLE)
    assert p.parent == corpus.resolve()
    assert p.name == expected
    # Nothing was written next to or above the corpus.
    assert files_under(tmp_path) == {"corpus/existing.txt", f"corpus/{expected}"}


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "..", "../", ".txt", "a/.."])
def test_refuses_names_that_leave_nothing_usable(tmp_path: Path, corpus: Path, name):
    with pytest.raises(UserInputError):
        save_upload(corpus, name, ARTICLE)
    assert files_under(tmp_path) == {"corpus/existing.txt"}


@pytest.mark.parametrize("name", ["article.docx", "article.txt.exe", "article", "page.html.js"])
def test_refuses_other_suffixes(corpus: Path, name):
    with pytest.raises(UserInputError, match=r"kind of file corpus-rag reads"):
        save_upload(corpus, name, ARTICLE)


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_refuses_empty_content(corpus: Path, data):
    with pytest.raises(UserInputError, match="empty"):
        save_upload(corpus, "blank.txt", data)
    assert not (corpus / "blank.txt").exists()


def test_refuses_binary_content(corpus: Path):
    with pytest.raises(UserInputError, match="binary"):
        save_upload(corpus, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not (corpus / "image.txt").exists()


def test_refuses_content_over_the_limit(corpus: Path):
    with pytest.raises(UserInputError, match="limit"):
        save_upload(corpus, "big.txt", b"word " * 300, max_bytes=1000)
    # Exactly at the limit is fine.
    assert save_upload(corpus, "edge.txt", b"x" * 1000, max_bytes=1000).stat().st_size == 1000


def test_refuses_content_already_in_the_corpus_and_names_the_file(corpus: Path):
    sub = corpus / "2024"
    sub.mkdir()
    (sub / "old.txt").write_bytes(ARTICLE)
    with pytest.raises(UserInputError, match=r"2024/old\.txt") as info:
        save_upload(corpus, "copy.txt", ARTICLE)
    assert info.value.hint
    assert not (corpus / "copy.txt").exists()


def test_a_different_file_with_the_same_name_gets_a_new_name(corpus: Path):
    first = save_upload(corpus, "report.txt", ARTICLE)
    second = save_upload(corpus, "report.txt", b"A second, different report.\n")
    third = save_upload(corpus, "report.txt", b"A third report.\n")
    assert (first.name, second.name, third.name) == ("report.txt", "report-1.txt", "report-2.txt")
    assert first.read_bytes() == ARTICLE  # the existing file is never overwritten
    assert second.read_bytes() == b"A second, different report.\n"


def test_a_failed_write_leaves_no_temp_file(corpus: Path, monkeypatch):
    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_upload(corpus, "ferry.txt", ARTICLE)
    assert files_under(corpus) == {"existing.txt"}


def test_creates_a_missing_corpus_dir(tmp_path: Path):
    p = save_upload(tmp_path / "new" / "corpus", "first.txt", ARTICLE)
    assert p.read_bytes() == ARTICLE


def test_accepts_the_archive_formats_and_checks_a_pdf_is_one(corpus: Path):
    page = (Path(__file__).parent / "data" / "formats" / "huffpost_palin_trademark.html").read_bytes()
    assert save_upload(corpus, "palin.html", page).name == "palin.html"
    assert save_upload(corpus, "feed.jsonl", b'{"title": "A", "text": "Body."}\n').suffix == ".jsonl"
    assert save_upload(corpus, "clip.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n").suffix == ".pdf"
    with pytest.raises(UserInputError, match="not a PDF"):
        save_upload(corpus, "fake.pdf", b"MZ\x90\x00 an executable")
    with pytest.raises(UserInputError, match="kind of file"):
        save_upload(corpus, "tool.exe", b"MZ\x90\x00")
