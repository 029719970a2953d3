"""british/ -> british_lower/: each article lowercased on one line as bbc-text.csv has it (title, two
spaces, text; commas, apostrophes and quotes turned into spaces). Same file names, so labels of
british/ apply with lines [1, 1] (bench/speech_eval.py finds statements by their quote words)."""
import re, sys
from pathlib import Path
src, dst = Path('/work/data/british'), Path('/work/data/british_lower')
dst.mkdir(exist_ok=True)
for f in sorted(src.glob('*.txt')):
    lines = f.read_text(encoding='utf-8').split('\n')
    title, body = lines[0].strip(), ' '.join(l.strip() for l in lines[1:] if l.strip())
    text = (title + '  ' + body).lower()
    text = re.sub(r"[,'\"\u2018\u2019\u201c\u201d]", " ", text)
    (dst / f.name).write_text(text.replace('\n', ' ').strip() + '\n', encoding='utf-8')
print(len(list(dst.glob('*.txt'))))
