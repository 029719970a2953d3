"""`rag eval`: metrics computed right on a tiny question file with known outcomes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.errors import UserInputError
from rag.evaluation import answer_matches, evaluate, load_questions, percentile, retrieval_metrics

from conftest import DEV, ROOT

F000, F001, F002, F003, F004 = (
    "000_98f58e9247f94cfe.txt", "001_a4d76ca98f8e33ba.txt", "002_049595089446fbd5.txt",
    "003_ae5419ea39999b75.txt", "004_e280ef4099de1b9e.txt",
)


def test_retrieval_metric_definitions():
    assert retrieval_metrics(["a", "b", "c"], ["b"]) == (True, 1.0, 0.5)
    assert retrieval_metrics(["a", "b", "c"], ["c", "z"]) == (True, 0.5, pytest.approx(1 / 3))
    assert retrieval_metrics(["a", "a"], ["z"]) == (False, 0.0, 0.0)


def test_answer_match_groups_and_alternatives():
    assert answer_matches("It is 1,350 km long", [["1,350", "1350"]])
    assert answer_matches("FINLAND faces a threat", [["finland"], ["security", "threat"]])
    assert not answer_matches("Finland joined", [["finland"], ["security", "threat"]])
    assert answer_matches("anything", [])


def test_answer_match_reads_through_the_line_breaks_of_a_hard_wrapped_source():
    # an extractive answer quotes a wire sentence with its line breaks
    assert answer_matches("Unisys is offering eight\nnew models [1]", [["eight new"]])
    assert not answer_matches("Unisys is offering eight models [1]", [["eight new"]])


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5


def write(tmp_path, rows):
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return p


def test_known_outcomes(seed_engine, tmp_path):
    rows = [
        {"id": "a", "question": "Who handed Finland's signed NATO accession treaty to Antony Blinken?", "kind": "qa",
         "answerable": True, "gold_files": [F000], "answer_must": [["Haavisto"]]},
        # a gold file that cannot be found: a miss that must count as 0
        {"id": "b", "question": "Who handed Finland's signed NATO accession treaty to Antony Blinken?", "kind": "qa",
         "answerable": True, "gold_files": ["nonexistent.txt"], "answer_must": [["Zebra"]]},
        {"id": "c", "question": "What kind [of response] it will be, we will decide based on the threats", "kind": "lookup",
         "answerable": True, "gold_files": [F001], "answer_must": [], "gold_lines": {F001: [9]}},
        # no gold files: excluded from hit/recall/mrr, counted for refusals
        {"id": "d", "question": "What is the population of Finland?", "kind": "unanswerable", "answerable": False,
         "gold_files": [], "answer_must": []},
    ]
    r = evaluate(seed_engine, write(tmp_path, rows), backend="extractive", k=5)
    assert r["questions"] == 4
    assert r["hit_at_k"] == pytest.approx(2 / 3, abs=1e-3)  # a and c hit, b cannot
    assert r["recall_at_k"] == pytest.approx(2 / 3, abs=1e-3)
    assert r["lookup_top1"] == 1.0 and r["lookup_line"] == 1.0
    assert r["answer_match"] == 0.5  # a matches, b cannot
    assert r["refusal_accuracy"] == 1.0
    assert r["false_refusal_rate"] == 0.0
    # a and c cite their gold file, b cites a file that is not its gold
    assert r["citation_precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert r["citation_recall"] == pytest.approx(2 / 3, abs=1e-3)
    per = {q["id"]: q for q in r["per_question"]}
    assert per["b"]["hit"] is False and per["b"]["rr"] == 0.0
    assert "hit" not in per["d"]
    # timings are reported (how fast is bench/'s business: no wall-clock values asserted here)
    assert {"retrieval_p50", "answer_p50"} <= set(r["latency_ms"])


def test_a_refusal_that_lists_other_statements_cites_no_answer(seed_engine, tmp_path):
    rows = [{"id": "a", "question": "What did Peskov say about baseball?", "kind": "qa", "answerable": True,
             "gold_files": [F000], "answer_must": [["baseball"]]}]
    r = evaluate(seed_engine, write(tmp_path, rows), backend="extractive", k=5)
    per = r["per_question"][0]
    # refused, with what Peskov did talk about cited: a false refusal, no citation of an answer
    assert per["refused"] is True and per["cited"]
    assert r["false_refusal_rate"] == 1.0 and r["citation_precision"] is None


def test_without_backend_answer_metrics_are_null(seed_engine, tmp_path):
    rows = [{"id": "a", "question": "Where did Russia decide to station tactical nuclear weapons?", "kind": "qa",
             "answerable": True, "gold_files": [F004], "answer_must": [["Belarus"]]}]
    r = evaluate(seed_engine, write(tmp_path, rows))
    assert r["hit_at_k"] == 1.0 and r["mrr"] == 1.0
    for key in ("answer_match", "citation_precision", "citation_recall", "refusal_accuracy", "false_refusal_rate"):
        assert r[key] is None
    assert r["lookup_top1"] is None  # no lookup questions
    assert "answer_p50" not in r["latency_ms"]


def test_bad_question_files(tmp_path):
    with pytest.raises(UserInputError):
        load_questions(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "ok"}\nnot json\n')
    with pytest.raises(UserInputError) as exc:
        load_questions(bad)
    assert "bad.jsonl:2" in exc.value.message


def test_cli_prints_json_and_a_summary_line(seed_engine, tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", str(DEV), "-k", "5", "--json", str(out),
         "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("summary:") and "hit@5=" in last and "retrieval_p50=" in last
    report = json.loads(out.read_text())
    assert report["questions"] == 20 and len(report["per_question"]) == 20
    assert report["hit_at_k"] >= 0.9
