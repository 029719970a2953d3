"""`rag eval`: retrieval, lookup and answer metrics over a JSONL question file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from statistics import mean

from .errors import UserInputError

REQUIRED = ("id", "question")


def load_questions(path: Path) -> list[dict]:
    if not path.is_file():
        raise UserInputError(f"No question file at {path}.", "Pass a JSONL file like ../shared/eval/dev.jsonl.")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except ValueError as exc:
            raise UserInputError(f"{path}:{n} is not valid JSON ({exc}).", "Each line must be one JSON object.") from None
        missing = [k for k in REQUIRED if k not in q]
        if missing:
            raise UserInputError(f"{path}:{n} lacks {', '.join(missing)}.", "See the format in the README.")
        q.setdefault("kind", "qa")
        q.setdefault("answerable", q["kind"] != "unanswerable")
        q.setdefault("gold_files", [])
        q.setdefault("answer_must", [])
        out.append(q)
    return out


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    i = (len(v) - 1) * p / 100
    lo, hi = int(i), min(int(i) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (i - lo), 2)


def answer_matches(text: str, groups: list[list[str]]) -> bool:
    """Every group has an alternative in the answer (case and line breaks aside: a hard-wrapped
    source sentence keeps its line breaks, "eight\nnew models" holds "eight new")."""
    t = " ".join(text.lower().split())
    return all(any(" ".join(alt.lower().split()) in t for alt in group) for group in groups)


def _avg(values: list[float]) -> float | None:
    return round(mean(values), 4) if values else None


def retrieval_metrics(files: list[str], gold: list[str]) -> tuple[bool, float, float]:
    """(hit, recall, reciprocal rank) of ranked hit files against gold files."""
    gold_set = set(gold)
    hit = any(f in gold_set for f in files)
    recall = len(gold_set & set(files)) / len(gold_set)
    rr = next((1.0 / r for r, f in enumerate(files, 1) if f in gold_set), 0.0)
    return hit, recall, rr


def statement_scores(listed: list[tuple[str, int, int]], gold: list[dict]) -> tuple[float | None, float | None]:
    """(recall, precision) of listed statements (file, line_start, line_end) against gold ones
    ({"file", "lines": [first, last]}): a listed statement matches a gold one when their lines overlap."""
    def overlaps(item, g) -> bool:
        lines = g.get("lines") or []
        return bool(lines) and item[0] == g["file"] and item[1] <= max(lines) and item[2] >= min(lines)

    recall = sum(any(overlaps(i, g) for i in listed) for g in gold) / len(gold) if gold else None
    precision = sum(any(overlaps(i, g) for g in gold) for i in listed) / len(listed) if listed else None
    return recall, precision


def _listed_statements(engine, question: str) -> list[tuple[str, int, int]]:
    """The statements a 'what did X say about Y' answer lists, as (file, line_start, line_end)."""
    from .quotes import answer_speech

    ans = answer_speech(question, engine.retriever, engine.embed)
    if ans is None or ans.refused:
        return []
    return [(c.file, c.line_start, c.line_end) for s in ans.sentences for c in s.citations]


def evaluate(engine, path: Path, backend: str | None = None, k: int = 5) -> dict:
    questions = load_questions(path)
    per: list[dict] = []
    hits_at, recalls, rrs, lk_top1, lk_line = [], [], [], [], []
    matches, cprec, crec, refusal_ok, false_ref = [], [], [], [], []
    t_retr, t_ans, t_ttft = [], [], []
    fallbacks: list[float] = []
    st_rec, st_prec, st_none = [], [], []  # "speaker" questions: statements listed vs labelled
    for q in questions:
        row: dict = {"id": q["id"], "kind": q["kind"], "question": q["question"],
                     "answerable": q["answerable"], "gold": q.get("answer_must") or []}
        gold = list(q.get("gold_files") or [])
        # a near-miss negative: an answerable question asked of the corpus without its gold articles
        exclude = tuple(q.get("exclude_files") or ())
        t0 = time.perf_counter()
        hits = engine.search(q["question"], k=k, exclude_files=exclude)
        t_retr.append((time.perf_counter() - t0) * 1000)
        files = [h.file for h in hits]
        row["hits"] = [h.location for h in hits]
        if gold:
            hit, recall, rr = retrieval_metrics(files, gold)
            hits_at.append(float(hit))
            recalls.append(recall)
            rrs.append(rr)
            row.update(hit=hit, recall=round(recall, 4), rr=round(rr, 4))
        if q["kind"] == "lookup":
            lk = engine.lookup(q["question"])
            top = lk[0] if lk else None
            row["lookup"] = top.location if top else None
            if gold:
                ok = bool(top and top.file in gold)
                lk_top1.append(float(ok))
                row["lookup_top1"] = ok
            gl = q.get("gold_lines") or {}
            if gl:
                ok = bool(top and any(top.file == f and any(top.line_start <= n <= top.line_end for n in ls) for f, ls in gl.items()))
                lk_line.append(float(ok))
                row["lookup_line"] = ok
        if q["kind"] == "speaker":
            listed = _listed_statements(engine, q["question"])
            row["statements"] = [f"{f}:{a}-{b}" for f, a, b in listed]
            if q["answerable"]:
                rec, prec = statement_scores(listed, q.get("gold_statements") or [])
                if rec is not None:
                    st_rec.append(rec)
                    row["statement_recall"] = round(rec, 4)
                if prec is not None:
                    st_prec.append(prec)
                    row["statement_precision"] = round(prec, 4)
            else:  # the speaker never spoke on it: nothing should be listed
                st_none.append(float(not listed))
        if backend:
            t0 = time.perf_counter()
            ans = engine.ask(q["question"], backend=backend, k=k, exclude_files=exclude)
            t_ans.append((time.perf_counter() - t0) * 1000)
            if "ttft_ms" in ans.timings:
                t_ttft.append(ans.timings["ttft_ms"])
            cited = ans.cited_files
            row.update(answer=ans.text, refused=ans.refused, cited=cited, backend=ans.backend, fallback=ans.fallback,
                       why=ans.refusal_reason, signals={key: ans.timings[key] for key in ("evidence", "closeness")
                                                         if key in ans.timings})
            fallbacks.append(float(bool(ans.fallback)))
            if q["answerable"]:
                false_ref.append(float(ans.refused))
                if q.get("answer_must"):
                    m = (not ans.refused) and answer_matches(ans.text, q["answer_must"])
                    matches.append(float(m))
                    row["answer_match"] = m
                if gold:
                    if cited and not ans.refused:
                        # an answer's sources: not those a refusal shows of what else there is ("X is not
                        # reported saying anything about Y; X spoke about: ...")
                        cprec.append(sum(f in gold for f in cited) / len(cited))
                    crec.append(float(any(f in gold for f in cited)))
            else:
                refusal_ok.append(float(ans.refused))
        per.append(row)
    latency = {"retrieval_p50": percentile(t_retr, 50), "retrieval_p95": percentile(t_retr, 95)}
    if backend:
        latency.update(answer_p50=percentile(t_ans, 50), answer_p95=percentile(t_ans, 95), ttft_p50=percentile(t_ttft, 50))
    return {
        "questions": len(questions),
        "k": k,
        "backend": backend,
        "hit_at_k": _avg(hits_at),
        "recall_at_k": _avg(recalls),
        "mrr": _avg(rrs),
        "lookup_top1": _avg(lk_top1),
        "lookup_line": _avg(lk_line),
        "statement_recall": _avg(st_rec),
        "statement_precision": _avg(st_prec),
        "statement_none_when_unanswerable": _avg(st_none),
        "answer_match": _avg(matches) if backend else None,
        "citation_precision": _avg(cprec) if backend else None,
        "citation_recall": _avg(crec) if backend else None,
        "refusal_accuracy": _avg(refusal_ok) if backend else None,
        "false_refusal_rate": _avg(false_ref) if backend else None,
        # share of answers where the model's text failed the check and source sentences were shown
        "fallback_rate": _avg(fallbacks) if backend else None,
        "latency_ms": latency,
        "per_question": per,
    }


def summary_line(r: dict) -> str:
    def f(v):
        return "n/a" if v is None else f"{v:.3f}"

    lat = r["latency_ms"]
    parts = [
        f"questions={r['questions']}", f"hit@{r['k']}={f(r['hit_at_k'])}", f"recall@{r['k']}={f(r['recall_at_k'])}",
        f"mrr={f(r['mrr'])}", f"lookup_top1={f(r['lookup_top1'])}", f"lookup_line={f(r['lookup_line'])}",
    ]
    if r.get("backend"):
        parts += [
            f"backend={r['backend']}", f"answer_match={f(r['answer_match'])}",
            f"citation_precision={f(r['citation_precision'])}", f"citation_recall={f(r['citation_recall'])}",
            f"refusal_accuracy={f(r['refusal_accuracy'])}", f"false_refusal_rate={f(r['false_refusal_rate'])}",
            f"fallback_rate={f(r.get('fallback_rate'))}",
            f"answer_p50={lat.get('answer_p50')}ms", f"ttft_p50={lat.get('ttft_p50')}ms",
        ]
    if r.get("statement_recall") is not None or r.get("statement_none_when_unanswerable") is not None:
        parts += [f"statement_recall={f(r.get('statement_recall'))}", f"statement_precision={f(r.get('statement_precision'))}",
                  f"statement_none={f(r.get('statement_none_when_unanswerable'))}"]
    parts.append(f"retrieval_p50={lat['retrieval_p50']}ms retrieval_p95={lat['retrieval_p95']}ms")
    return "summary: " + " ".join(parts)


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join(text.split()).replace("|", "\\|")


def question_table(report: dict) -> str:
    """A Markdown table, one row per question, for a person studying the failures."""
    head = ["id", "kind", "question", "gold", "answer", "refused", "ok", "why", "top hits"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in report["per_question"]:
        if row.get("answerable", True):
            ok = row.get("answer_match", "" if row.get("refused") is None else not row.get("refused"))
        else:
            ok = row.get("refused", "")
        gold = "; ".join(" / ".join(g) for g in row.get("gold") or [])
        cells = [row["id"], row["kind"], row["question"], gold, row.get("answer", ""),
                 row.get("refused", ""), ok, row.get("why", ""), ", ".join(row.get("hits", [])[:3])]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
