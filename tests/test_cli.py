"""The `rag` command: instant help, no heavy imports where they are not used, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

CODE = (
    "import sys, runpy; sys.argv = {argv!r}\n"
    "try:\n    runpy.run_module('rag.cli', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "heavy = [m for m in ('torch', 'faiss', 'llama_cpp', 'sentence_transformers', 'transformers', 'streamlit', 'onnxruntime') if m in sys.modules]\n"
    "print('HEAVY=' + ','.join(heavy))\n"
)


def run(argv):
    return subprocess.run([sys.executable, "-c", CODE.format(argv=["rag", *argv])], capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_a_mistyped_setting_is_a_sentence_not_a_traceback(seed_engine, monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "five")
    proc = subprocess.run([sys.executable, "-m", "rag.cli", "search", "Finland"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 2
    assert "RAG_TOP_K='five' is not a whole number" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_imports_nothing_heavy():
    proc = run(["--help"])
    assert "usage: rag" in proc.stdout
    assert proc.stdout.strip().endswith("HEAVY=")


def test_search_does_not_import_the_llm_or_the_ui(seed_engine):
    proc = run(["search", "Peskov Finland", "--index", str(seed_engine.settings.index_dir), "--json"])
    heavy = proc.stdout.strip().splitlines()[-1].split("=", 1)[1].split(",")
    assert "llama_cpp" not in heavy and "streamlit" not in heavy
    hits = json.loads(proc.stdout[: proc.stdout.rindex("HEAVY=")])
    assert hits[0]["file"].endswith(".txt") and hits[0]["location"].count(":") == 1


def test_ask_json_has_citations(seed_engine):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "Where did Russia decide to station tactical nuclear weapons?",
         "--backend", "extractive", "--json", "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    a = json.loads(proc.stdout)
    assert "Belarus" in a["text"] and a["cited_files"] == ["004_e280ef4099de1b9e.txt"]
    cite = a["sentences"][0]["citations"][0]
    assert cite["line_start"] == 2 and "Belarus" in cite["quote"]


def test_ask_prints_citations_as_file_lines(seed_engine):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "Which anniversary did the CSTO summit in Moscow coincide with?",
         "--backend", "extractive", "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0
    assert "001_a4d76ca98f8e33ba.txt:19" in proc.stdout and "30th anniversary" in proc.stdout


def test_lookup_cli(seed_engine):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "lookup", "“It is important that we discuss all aspects of this relationship together today”",
         "--index", str(seed_engine.settings.index_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("Found in 004_e280ef4099de1b9e.txt:17")


def test_doctor_reports_and_names_fixes(seed_engine, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "doctor", "--index", str(seed_engine.settings.index_dir),
         "--corpus", str(seed_engine.settings.corpus_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env={"OLLAMA_HOST": "127.0.0.1:9", "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    )
    assert "[ok ] index" in proc.stdout and "[ok ] embedding model" in proc.stdout
    assert "ollama server" in proc.stdout and "ollama serve" in proc.stdout
    assert proc.returncode == 0  # Ollama is optional
    missing = subprocess.run([sys.executable, "-m", "rag.cli", "doctor", "--index", str(tmp_path / "none")],
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert missing.returncode == 1 and "rag index" in missing.stdout


def test_only_config_reads_rag_variables():
    import re

    reads = re.compile(r"""environ(?:\.get)?\s*[\[(]\s*["']RAG_|getenv\(\s*["']RAG_""")
    for path in sorted((ROOT / "rag").rglob("*.py")):
        if path.name != "config.py":
            assert not reads.search(path.read_text(encoding="utf-8")), f"{path} reads a RAG_* variable: use Settings"


def test_importing_the_library_leaves_the_environment_alone_and_loading_a_model_goes_offline():
    import os

    code = (
        "import os\n"
        "import rag.cli, rag.engine, rag.embeddings, rag.onnx_embedder, rag.index, rag.vector_index\n"
        "assert 'HF_HUB_OFFLINE' not in os.environ and 'TOKENIZERS_PARALLELISM' not in os.environ\n"
        "from rag.config import Settings\n"
        "from rag.embeddings import load_embedder\n"
        "load_embedder(Settings()).embed(['x'])\n"
        "import huggingface_hub.constants as c\n"
        "assert os.environ['HF_HUB_OFFLINE'] == '1' and c.HF_HUB_OFFLINE, os.environ.get('HF_HUB_OFFLINE')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
