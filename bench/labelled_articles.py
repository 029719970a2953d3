"""Copy the articles that the cased speech labels cover (bench/data/speech_labels_british_*.jsonl and
speech_labels_india_*.jsonl, not the lower-cased copies) into one directory, to index them alone:
there every statement a "what did X say about Y" question lists is one the labels judge, so
statement precision means something (eval/speech_realnews_train.jsonl, speech_realnews_heldout.jsonl).

    python3 bench/labelled_articles.py --data /work/data --out /work/data/labelled_bi
    .venv/bin/rag index --corpus /work/data/labelled_bi --index /work/data/idx_lab
    .venv/bin/rag eval eval/speech_realnews_train.jsonl --corpus /work/data/labelled_bi --index /work/data/idx_lab

The articles themselves come from bench/realnews.py and bench/india_british.py (public snapshots).
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/data"), help="where british/ and india/ are")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = []
    for labels in sorted((ROOT / "bench" / "data").glob("speech_labels_*.jsonl")):
        if "lower" in labels.name or not labels.name.startswith(("speech_labels_british", "speech_labels_india")):
            continue
        for line in labels.read_text(encoding="utf-8").splitlines():
            art = json.loads(line)
            src = args.data / art["corpus"] / art["file"]
            if not src.is_file():
                print(f"missing {src}: run bench/realnews.py and bench/india_british.py first", file=sys.stderr)
                return 1
            files.append(src)
    for src in files:
        shutil.copy(src, args.out / src.name)
    print(f"{len(set(f.name for f in files))} articles in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
