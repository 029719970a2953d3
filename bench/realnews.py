#!/usr/bin/env python3
"""Rebuild the real-news calibration corpora under /work/data from fetched snapshots.

Data only: this script reads public news datasets out of bare git snapshots
(with `git show`) and writes one article per .txt file. Nothing fetched is
committed; rerun this script to rebuild the corpora.

    python bench/realnews.py \
        --reuters /work/.mirror/loki86+ksr_zadanie1V2/repo \
        --political /work/.mirror/SaraDavis1991+Gender-Bias-Recognition-in-Political-News-Articles-for-Public-Release/repo \
        --out /work/data

Corpora written (each a folder of <source>_<id>.txt files):
  wire/     Reuters-21578 newswire (1987): title line, blank line, body paragraphs
            (about a third keep the original 70-column hard wrap).
  lower/    New York Times and USA Today (2019 US politics): the whole article
            lowercased on one line, title then text, as in a CSV export; half of them
            also lose commas, apostrophes and quotes the way bbc-text.csv does.
  scraped/  Fox News, HuffPost and Breitbart (2019 US politics) as a scraper saves
            them: real headline, standfirst, byline and text, plus site furniture
            (navigation, related headlines, share buttons, newsletter, copyright);
            some on one long line, some multi-line. The article's sentences are
            never changed, only the whitespace between them.
  all/      copies of every article above.
Also writes articles_index.tsv (file, corpus, words, title, source, date) and MANIFEST.md.

Articles that mention India (any Indian politics), the BBC, or the year 2025 are left out,
to keep hidden evaluation sets (BBC 2004-2005 text, 2025 Indian political news) unseen.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

REUTERS_FILES = [f"reut2-{i:03d}.sgm" for i in range(22)]
REUTERS_RENAME = {"reut2-003.sgm": "reut2-003-full.sgm"}  # that repo's reut2-003.sgm is cut short
POLITICAL_COMMIT = "a63c9926b9040a730a3e99772d73d7100b210ab5"  # data was deleted at later commits
EXCLUDE = re.compile(r"\b(india|indian|indians|new delhi|delhi|modi|gandhi|bjp|bbc|2025)\b", re.I)


def git_show(gitdir: str, rev_path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, "show", rev_path],
                          check=True, capture_output=True).stdout


def git_head(gitdir: str) -> str:
    return subprocess.run(["git", "--git-dir", gitdir, "rev-parse", "HEAD"],
                          check=True, capture_output=True, text=True).stdout.strip()


def sid(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def words(text: str) -> int:
    return len(text.split())


# ---------------------------------------------------------------- Reuters-21578

def _sgml_text(s: str) -> str:
    s = re.sub(r"&#\d+;", "", s)
    return html.unescape(s)


def reuters_articles(gitdir: str):
    for name in REUTERS_FILES:
        raw = git_show(gitdir, "HEAD:" + REUTERS_RENAME.get(name, name)).decode("latin-1")
        for block in re.findall(r"<REUTERS (.*?)</REUTERS>", raw, re.S):
            newid = re.search(r'NEWID="(\d+)"', block).group(1)
            title = re.search(r"<TITLE>(.*?)</TITLE>", block, re.S)
            body = re.search(r"<BODY>(.*?)</BODY>", block, re.S)
            if not title or not body:
                continue
            dateline = re.search(r"<DATELINE>(.*?)</DATELINE>", block, re.S)
            date = re.search(r"<DATE>(.*?)</DATE>", block, re.S)
            yield {
                "id": newid,
                "file": name,
                "title": " ".join(_sgml_text(title.group(1)).split()),
                "dateline": " ".join(_sgml_text(dateline.group(1)).split()) if dateline else "",
                "body": _sgml_text(body.group(1)).rstrip(),
                "date": date.group(1).strip().split()[0] if date else "",
            }


def reuters_paragraphs(body: str, wrap: bool) -> list[str]:
    """Paragraphs start with an indented line in the SGML; keep or undo the hard wrap."""
    paras, cur = [], []
    for line in body.split("\n"):
        if line.startswith((" ", "\t")) and cur:
            paras.append(cur)
            cur = []
        if line.strip():
            cur.append(line.strip())
    if cur:
        paras.append(cur)
    return ["\n".join(p) if wrap else " ".join(p) for p in paras]


def prose_like(body: str) -> bool:
    toks = body.split()
    alpha = sum(1 for t in toks if re.fullmatch(r"[A-Za-z][A-Za-z'\-.,;:]*", t))
    return len(toks) > 0 and alpha / len(toks) >= 0.75


def build_wire(gitdir: str, outdir: Path, n: int, rng: random.Random):
    seen, pool = set(), []
    for a in reuters_articles(gitdir):
        body = a["body"]
        key = " ".join(body.split())[:300]
        if key in seen:
            continue
        seen.add(key)
        if words(body) < 120 or not prose_like(body):
            continue
        if EXCLUDE.search(a["title"] + " " + body):
            continue
        pool.append(a)
    rng.shuffle(pool)
    picked = sorted(pool[:n], key=lambda a: int(a["id"]))
    rows = []
    for i, a in enumerate(picked):
        wrap = rng.random() < 0.33
        paras = reuters_paragraphs(a["body"], wrap)
        if a["dateline"]:
            paras[0] = a["dateline"] + " " + paras[0]
        text = a["title"] + "\n\n" + "\n\n".join(paras) + "\n"
        fname = f"reuters_{a['id']}.txt"
        (outdir / fname).write_text(text, encoding="utf-8")
        rows.append((fname, "wire", words(text), a["title"], "Reuters", a["date"]))
    return rows, len(pool)


# ---------------------------------------------------------------- political news (2019)

OUTLETS = {  # folder -> (source tag, display name)
    "new_york_times": ("nyt", "The New York Times"),
    "usa_today": ("usatoday", "USA Today"),
    "fox": ("foxnews", "Fox News"),
    "huffpost": ("huffpost", "HuffPost"),
    "breitbart": ("breitbart", "Breitbart"),
}


def clean_url(url: str) -> str:
    m = re.search(r"/RU=([^/]+)/", url)
    if m:
        url = urllib.parse.unquote(m.group(1))
    return url.split("?")[0]


def political_articles(gitdir: str, commit: str):
    names = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "--name-only", commit],
                           check=True, capture_output=True, text=True).stdout.split()
    seen_url, seen_title = set(), set()
    for name in sorted(names):
        if not (name.startswith("Data/candidate/") and name.endswith(".revised.json")):
            continue
        folder = name.split("/")[2]
        if folder not in OUTLETS:
            continue
        data = json.loads(git_show(gitdir, f"{commit}:{name}").decode("utf-8-sig"))
        for a in data["articles"]:
            content = " ".join(a.get("content", "").split())
            title = " ".join(a.get("title", "").split())
            if not content or not title:
                continue
            url = clean_url(a.get("url", ""))
            tkey = title.lower()
            if url in seen_url or tkey in seen_title:
                continue
            seen_url.add(url)
            seen_title.add(tkey)
            sub = " ".join(a.get("subtitle", "").split())
            if sub in ("null", title):
                sub = ""
            date = " ".join(a.get("date", "").split())
            author = " ".join(a.get("author", "").split())
            yield {
                "outlet": folder, "title": title, "url": url, "subtitle": sub,
                "author": "" if author == "null" else author,
                "date": "" if date == "null" else date,
                "content": content, "path": name,
            }


def usable(a) -> bool:
    if words(a["content"]) < 150:
        return False
    if "/transcript/" in a["url"] or "video." in a["url"]:
        return False
    year = re.search(r"\b(19|20)\d\d\b", a["date"] + " " + a["url"])
    if year and not 2010 <= int(year.group(0)) <= 2022:  # modern, but never 2025
        return False
    return not EXCLUDE.search(" ".join([a["title"], a["subtitle"], a["content"]]))


def lower_text(a, bbc_style: bool) -> str:
    text = a["title"] + ("  " if bbc_style else " ") + a["content"]
    text = text.lower()
    if bbc_style:  # bbc-text.csv: commas, apostrophes and quotes became spaces
        text = re.sub(r"[,'\"\u2018\u2019\u201c\u201d]", " ", text)
    return text.replace("\n", " ").strip() + "\n"


def build_lower(arts, outdir: Path, rng: random.Random):
    rows = []
    for a in arts:
        tag, name = OUTLETS[a["outlet"]]
        fname = f"{tag}_{sid(a['url'] or a['title'])}.txt"
        text = lower_text(a, bbc_style=rng.random() < 0.5)
        (outdir / fname).write_text(text, encoding="utf-8")
        rows.append((fname, "lower", words(text), a["title"], name, a["date"]))
    return rows


# sentence boundaries: split only at whitespace, never after a short abbreviation
_ABBR = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|Rev|Prof|Inc|Co|Corp|"
                   r"No|Vol|vs|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Ala|Ariz|Calif|Colo|Conn|"
                   r"Fla|Ga|Ill|Ind|Kan|Ky|La|Mass|Md|Mich|Minn|Miss|Mo|Mont|Neb|Nev|Okla|Ore|Pa|"
                   r"Tenn|Tex|Va|Vt|Wash|Wis|Wyo)\.|\b[A-Z]\.|\b[A-Z]\.[A-Z]\.)$")


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(r"(?<=[.!?])[\"\u201d\u2019)]?\s+(?=[\"\u201c\u2018(]?[A-Z0-9])", text):
        piece = text[start:m.end()].rstrip()
        if _ABBR.search(piece.split()[-1] if piece.split() else ""):
            continue
        out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def paragraphs(text: str, rng: random.Random) -> list[str]:
    sents, paras = sentences(text), []
    while sents:
        k = rng.choice([1, 2, 2, 3, 3, 4])
        paras.append(" ".join(sents[:k]))
        sents = sents[k:]
    return paras


SITE = {
    "foxnews": {
        "nav": ["Fox News | Politics", "U.S. | Politics | Media | Opinion | Entertainment | Business | Lifestyle | Video",
                "Home > Politics", "FOX NEWS POLITICS"],
        "share": ["Facebook Twitter Flipboard Comments Print Email", "Share on Facebook Share on Twitter Email Print",
                  "close Video"],
        "newsletter": ["CLICK HERE TO SIGN UP FOR OUR POLITICS NEWSLETTER",
                       "Get the latest updates from the 2020 campaign trail and exclusive interviews at our Fox News 2020 hub.",
                       "CLICK HERE TO GET THE FOX NEWS APP"],
        "related": ["RELATED:", "MORE FROM FOX NEWS", "Trending in Politics", "Related Articles"],
        "inline": "{}",
        "copyright": ["This material may not be published, broadcast, rewritten, or redistributed. \u00a92019 FOX News Network, LLC. All rights reserved.",
                      "Copyright 2019 FOX News Network, LLC. All rights reserved. All market data delayed 20 minutes."],
    },
    "huffpost": {
        "nav": ["HuffPost | POLITICS", "News Politics Entertainment Life Voices Shopping", "POLITICS 10/2019"],
        "share": ["Share on Facebook Share on Twitter Share on Email", "Share this: Facebook Twitter Email Copy link"],
        "newsletter": ["Sign up for the Morning Email to start your day with the latest news.",
                       "Calling all HuffPost superfans! Sign up for membership to become a founding member and help shape HuffPost's next chapter",
                       "Subscribe to the Politics email. From Washington to your inbox, every weekday."],
        "related": ["Related...", "Related Coverage", "Trending Now", "More In Politics"],
        "inline": "RELATED: {}",
        "copyright": ["\u00a9 2019 Verizon Media. All rights reserved. Part of HuffPost News.",
                      "HuffPost is part of Verizon Media. \u00a92019 Verizon Media. All rights reserved."],
    },
    "breitbart": {
        "nav": ["Breitbart | Politics", "News Politics Entertainment Media Economy Sports Tech", "BREITBART NEWS NETWORK > POLITICS"],
        "share": ["Share Tweet Email", "Facebook Twitter Email SMS"],
        "newsletter": ["Sign up for the Breitbart News Daily newsletter: the top stories, delivered to your inbox.",
                       "Breitbart News Daily: get it in your inbox every morning. Subscribe"],
        "related": ["Read More Stories About:", "Related Stories", "Trending Now", "Popular on Breitbart"],
        "inline": "READ MORE: {}",
        "copyright": ["Copyright \u00a9 2019 Breitbart. All rights reserved.",
                      "\u00a9 2019 Breitbart News Network, LLC. All rights reserved. Privacy Policy | Terms of Use"],
    },
}


def scraped_text(a, tag: str, others: list[str], rng: random.Random, one_line: bool) -> str:
    s = SITE[tag]
    top = [rng.choice(s["nav"])]
    if rng.random() < 0.5:
        top.append("Skip to main content" if rng.random() < 0.5 else "Menu Search Sign In")
    head = [a["title"]]
    if a["subtitle"] and rng.random() < 0.8:
        head.append(a["subtitle"])
    by = []
    if a["author"]:
        by.append(rng.choice(["By {}", "{}", "By {} | {}".format("{}", OUTLETS_NAME[tag])]).format(a["author"]))
    if a["date"]:
        by.append(a["date"])
    share = [rng.choice(s["share"])] if rng.random() < 0.7 else []
    rel = rng.sample(others, k=min(len(others), rng.randint(2, 5)))
    related = [rng.choice(s["related"])] + rel
    foot = []
    if rng.random() < 0.8:
        foot.append(rng.choice(s["newsletter"]))
    if rng.random() < 0.5:
        foot.extend(share or [rng.choice(s["share"])])
    trending = rng.random() < 0.6
    foot2 = [rng.choice(s["copyright"])]
    if one_line:
        parts = top + head + by + share + [a["content"]] + foot
        if trending:
            parts += related
        parts += foot2
        return " ".join(parts).strip() + "\n"
    paras = paragraphs(a["content"], rng)
    if len(paras) > 4 and rng.random() < 0.6:  # an in-body link to another story
        at = rng.randint(2, len(paras) - 2)
        paras.insert(at, s["inline"].format(rng.choice(others).upper() if tag == "foxnews" else rng.choice(others)))
    blocks = ["\n".join(top), "\n".join(head), "\n".join(by + share)] + paras + foot
    if trending:
        blocks.append("\n".join(related))
    blocks += foot2
    sep = "\n\n" if rng.random() < 0.6 else "\n"
    return sep.join(b for b in blocks if b.strip()) + "\n"


OUTLETS_NAME = {tag: name for tag, name in OUTLETS.values()}


def build_scraped(arts, pool_titles: dict, outdir: Path, rng: random.Random):
    rows = []
    for a in arts:
        tag, name = OUTLETS[a["outlet"]]
        others = [t for t in pool_titles[a["outlet"]] if t != a["title"]]
        text = scraped_text(a, tag, others, rng, one_line=rng.random() < 0.4)
        fname = f"{tag}_{sid(a['url'] or a['title'])}.txt"
        (outdir / fname).write_text(text, encoding="utf-8")
        rows.append((fname, "scraped", words(text), a["title"], name, a["date"]))
    return rows


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuters", required=True, help="git dir of a snapshot holding reut2-0NN.sgm")
    ap.add_argument("--political", required=True, help="git dir of the Gender-Bias-Recognition... snapshot")
    ap.add_argument("--political-commit", default=POLITICAL_COMMIT)
    ap.add_argument("--out", default="/work/data")
    ap.add_argument("--wire", type=int, default=900)
    ap.add_argument("--scraped-per-outlet", type=int, default=160)
    ap.add_argument("--seed", type=int, default=1987)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    out = Path(args.out)
    dirs = {c: out / c for c in ("wire", "lower", "scraped", "all")}
    for d in dirs.values():
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    rows, wire_pool = build_wire(args.reuters, dirs["wire"], args.wire, rng)

    arts = [a for a in political_articles(args.political, args.political_commit)]
    titles = {}
    for a in arts:
        titles.setdefault(a["outlet"], []).append(a["title"])
    good = [a for a in arts if usable(a)]
    lower_arts = [a for a in good if a["outlet"] in ("new_york_times", "usa_today")]
    rows += build_lower(lower_arts, dirs["lower"], rng)
    scraped_arts = []
    for outlet in ("fox", "huffpost", "breitbart"):
        cand = [a for a in good if a["outlet"] == outlet]
        rng.shuffle(cand)
        scraped_arts += cand[:args.scraped_per_outlet]
    rows += build_scraped(scraped_arts, titles, dirs["scraped"], rng)

    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), "duplicate file names"
    for fname, corpus, *_ in rows:
        shutil.copy2(dirs[corpus] / fname, dirs["all"] / fname)

    with open(out / "articles_index.tsv", "w", encoding="utf-8") as f:
        f.write("file\tcorpus\twords\ttitle\tsource\tdate\n")
        for r in rows:
            f.write("\t".join(str(x).replace("\t", " ") for x in r) + "\n")

    counts = {c: sum(1 for r in rows if r[1] == c) for c in ("wire", "lower", "scraped")}
    by_source = {}
    for r in rows:
        by_source[(r[1], r[4])] = by_source.get((r[1], r[4]), 0) + 1
    write_manifest(out, args, counts, by_source, wire_pool, len(arts), len(good))
    print(json.dumps({"counts": counts, "total": len(rows)}, indent=1))
    return 0


def write_manifest(out: Path, args, counts, by_source, wire_pool, n_pol, n_good):
    rhead = git_head(args.reuters)
    src = "\n".join(f"| {c} | {s} | {n} |" for (c, s), n in sorted(by_source.items()))
    text = f"""# Real-news calibration corpora

Rebuilt by `bench/realnews.py` (in the corpus-rag repo) from fetched public snapshots; none
of this data is committed. Seed {args.seed}. Total {sum(counts.values())} articles.

Left out everywhere: any article whose title or text mentions India/Indian/Delhi/Modi/
Gandhi/BJP, the BBC, or 2025 (the hidden sets are BBC 2004-2005 text and 2025 Indian
political news).

| corpus | articles | format |
| --- | --- | --- |
| `wire/` | {counts['wire']} | Reuters-21578 (1987). Title line (upper case, as on the wire), blank line, body paragraphs with the dateline ("SALVADOR, Feb 26 - ") leading the first; about a third keep the original 70-column hard wrap; the closing "Reuter" sign-off is kept. Only bodies of >= 120 words that are mostly prose (no tables), duplicates dropped, sampled at random from the {wire_pool} that qualify. |
| `lower/` | {counts['lower']} | New York Times and USA Today (US politics, mostly Sep-Oct 2019, a few 2010-2018). Whole article lowercased on ONE line: title then text. About half are plain lowercase (`title text`); the other half imitate bbc-text.csv: `title  text` with commas, apostrophes and quotes turned into spaces. |
| `scraped/` | {counts['scraped']} | Fox News, HuffPost and Breitbart (US politics, mostly 2019, some 2010-2018), written as a scraper saves them: site navigation, headline, standfirst, byline and date (real), share-button text, the real article text, newsletter sign-up, a "Related"/"Trending" list of real headlines from the same outlet, copyright line. About 40% are one long line (everything on one line); the rest are multi-line, the text split into paragraphs at sentence boundaries (only whitespace changed), some with an in-body "READ MORE:/RELATED:" headline. The furniture is added by the script (the dataset has the text only), varied per outlet and per file. Breitbart's own "Follow ... on Twitter" tails are real. |
| `all/` | {sum(counts.values())} | copies of all of the above (file names are unique across corpora) |

Articles per source:

| corpus | source | articles |
| --- | --- | --- |
{src}

`articles_index.tsv`: file, corpus, words, title, source, date (tab-separated, one row per article).

## Sources

1. **Reuters-21578, Distribution 1.0** (Reuters newswire, 1987), SGML files `reut2-000.sgm` ...
   `reut2-021.sgm` (for 003 the repo's `reut2-003-full.sgm`; its `reut2-003.sgm` is cut short)
   from GitHub `loki86/ksr_zadanie1V2`, commit `{rhead}`.
   Licence (per the collection's original README, which this snapshot does not carry): copyright of the text resides with Reuters Ltd.;
   Reuters Ltd. and Carnegie Group, Inc. allow free distribution for research purposes only.
   The repository itself states no licence.
2. **Gender-Bias-Recognition-in-Political-News-Articles** (scraped Oct 2019 by the authors:
   Breitbart, Fox News, HuffPost, The New York Times, USA Today articles about US politicians),
   files `Data/candidate/<outlet>/*.revised.json` from GitHub
   `SaraDavis1991/Gender-Bias-Recognition-in-Political-News-Articles-for-Public-Release`,
   commit `{args.political_commit}` (the data files were deleted in later commits).
   {n_pol} distinct articles (deduplicated by URL and title), {n_good} usable (>= 150 words, no
   transcripts or videos, dated 2010-2022 where a year is given, none mentioning the excluded terms). No licence is stated; the text
   remains the outlets' copyright; used here only as local evaluation data.
"""
    (out / "MANIFEST.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
