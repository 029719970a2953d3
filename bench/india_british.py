#!/usr/bin/env python3
"""Build two small calibration corpora of real news article texts.

  /work/data/india/    Indian national / political news, 2020 (TOI, Indian Express,
                       ThePrint, The Wire), from GitHub VijayrajS/DHP.
  /work/data/british/  British news (mostly The Guardian, plus a few Independent /
                       Daily Mail items) from several public GitHub repositories.

Data tooling only (not project code).  Reads the bare git snapshots that the `fetch`
tool placed under /work/.mirror/<owner>+<name>/repo and writes one UTF-8 text file per
article:  headline, blank line, body paragraphs separated by blank lines.

Usage:  python3 bench/india_british.py [--dry-run]   (then: python3 bench/british_lower.py)
"""
import csv
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter, defaultdict

csv.field_size_limit(10 ** 9)

MIRROR = "/work/.mirror"
OUT = "/work/data"
SEED = 20240517
MIN_WORDS = 150
DRY = "--dry-run" in sys.argv


# --------------------------------------------------------------------------- helpers
def gitdir(repo):
    d = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return os.path.join(d, ".git") if os.path.isdir(os.path.join(d, ".git")) else d


def head_commit(repo):
    return subprocess.check_output(["git", "--git-dir", gitdir(repo), "rev-parse", "HEAD"],
                                   text=True).strip()


def git_show(repo, path):
    return subprocess.check_output(["git", "--git-dir", gitdir(repo), "show", "HEAD:" + path])


def git_tree_files(repo, prefixes):
    """Yield (path, bytes) for every blob under the given prefixes (via git archive)."""
    # (git may warn about unrelated large blobs missing from the snapshot; harmless)
    data = subprocess.check_output(["git", "--git-dir", gitdir(repo), "archive", "HEAD"] + prefixes,
                                   stderr=subprocess.DEVNULL)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf.getmembers():
            if m.isfile():
                yield m.name, tf.extractfile(m).read()


def read_csv(repo, path):
    raw = git_show(repo, path)
    if raw.startswith(b"version https://git-lfs"):
        raise SystemExit(f"{repo}:{path} is a Git LFS pointer")
    return list(csv.DictReader(io.StringIO(fix_mojibake(raw.decode("utf-8", errors="replace")))))


_CP1252 = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass


def fix_mojibake(text):
    """Undo UTF-8 text that was decoded as cp1252/latin-1 ("â€™" -> "’"), line by line."""
    if not re.search("[âÃÂ][\u0080-\u00bf\u0152-\u2122]", text):
        return text
    out = []
    for line in text.split("\n"):
        if re.search("[âÃÂ][\u0080-\u00bf\u0152-\u2122]", line):
            line = line.replace("\u00e2\u20ac\ufffd", "\u00e2\u20ac\u009d")  # lost 0x9d byte of ”
            try:
                b = bytes(_CP1252[ch] if ch in _CP1252 else ord(ch) for ch in line)
                line = b.decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                pass
        out.append(line)
    return "\n".join(out)


def norm_space(s):
    s = unicodedata.normalize("NFC", s).replace("\r", "")
    s = s.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"[ \t]+", " ", s).strip()


def words(s):
    return len(s.split())


def key_text(s):
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def shingles(text, k=8):
    w = key_text(text).split()
    return {hash(" ".join(w[i:i + k])) for i in range(0, max(1, len(w) - k + 1))}


class Deduper:
    """Reject exact / near duplicates: same title, same opening 40 words, or >=50% of the
    8-word shingles of the shorter text shared with an already accepted article."""

    def __init__(self):
        self.titles, self.openings, self.shingle_sets = set(), set(), []

    def accept(self, it):
        t = key_text(it["title"])
        o = " ".join(key_text(it["body"]).split()[:40])
        if t in self.titles or o in self.openings:
            return False
        s = shingles(it["body"])
        for s2 in self.shingle_sets:
            inter = len(s & s2)
            if inter and inter / min(len(s), len(s2)) >= 0.5:
                return False
        self.titles.add(t)
        self.openings.add(o)
        self.shingle_sets.append(s)
        return True


def take(items, quota, dd):
    out = []
    for it in items:
        if len(out) >= quota:
            break
        if dd.accept(it):
            out.append(it)
    return out


def write_corpus(outdir, items, prefix_of):
    if DRY:
        return
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".txt") or f == "index.tsv":
            os.remove(os.path.join(outdir, f))
    counters = Counter()
    rows = []
    for it in items:
        p = prefix_of(it)
        counters[p] += 1
        fn = f"{p}_{counters[p]:04d}.txt"
        paras = [norm_space(x) for x in it["paras"] if norm_space(x)]
        text = norm_space(it["title"]) + "\n\n" + "\n\n".join(paras) + "\n"
        with open(os.path.join(outdir, fn), "w", encoding="utf-8") as fh:
            fh.write(text)
        it["file"] = fn
        rows.append([fn, it["outlet"], it["date"], str(words(" ".join(paras))), it.get("section", ""),
                     it.get("url", ""), it["repo"], it["path"], norm_space(it["title"])])
    with open(os.path.join(outdir, "index.tsv"), "w", encoding="utf-8") as fh:
        fh.write("file\toutlet\tdate\twords\tsection\turl\trepo\tsource_path\ttitle\n")
        for r in rows:
            fh.write("\t".join(x.replace("\t", " ") for x in r) + "\n")


# --------------------------------------------------------------------------- group A
INDIA_REPO = "VijayrajS/DHP"
INDIA_QUOTA = {"TOI": 150, "IE": 150, "print": 140, "thewire": 120}
INDIA_OUTLET = {"TOI": "The Times of India", "IE": "The Indian Express",
                "print": "ThePrint", "thewire": "The Wire"}
INDIA_PREFIX = {"TOI": "toi", "IE": "indianexpress", "print": "theprint", "thewire": "thewire"}
INDIA_SECTIONS = {
    "TOI": {"india", "city", "business"},
    "IE": {"india"},
    "print": {"india", "politics", "judiciary", "defence", "diplomacy", "economy", "health",
              "governance", "world"},
    "thewire": {"government", "politics", "rights", "law", "economy", "diplomacy", "communalism",
                "labour", "health", "business", "education", "media", "security", "agriculture",
                "urban", "rights"},
}
POLITICAL = [r"\bBJP\b", r"\bCongress\b", r"\bminister", r"\bgovernment\b", r"\bgovt\b", r"\bCentre\b",
             r"\bParliament", r"\bLok Sabha\b", r"\bRajya Sabha\b", r"\bchief minister\b", r"\bCM\b",
             r"\bopposition\b", r"\bparty\b", r"\belection", r"\bModi\b", r"\bAmit Shah\b",
             r"\bGandhi\b", r"\bKejriwal\b", r"\bAdityanath\b", r"\bThackeray\b", r"\bMamata\b",
             r"\bSupreme Court\b", r"\bHigh Court\b", r"\bministry\b", r"\bMHA\b", r"\bMLA", r"\bMP\b",
             r"\bpolicy\b", r"\bstate government\b", r"\bUnion\b", r"\bNiti Aayog\b", r"\bRBI\b",
             r"\bTMC\b", r"\bAAP\b", r"\bShiv Sena\b", r"\bNCP\b", r"\bCPI", r"\bDMK\b", r"\bCAA\b",
             r"\bgovernor\b", r"\bcabinet\b", r"\bbill\b", r"\bordinance\b"]
POL_RE = [re.compile(p, re.I if p.islower() else 0) for p in POLITICAL]
SKIP_TITLE = re.compile(r"live updates|live:|\blive\b|highlights|as it happened|cartoon|quiz|in pics|"
                        r"photos|watch:|video|day \d+ of|news wrap|top news|morning briefing|"
                        r"coronavirus cases in india|covid-19 tally|tracker", re.I)
DROP_LINE = [re.compile(p, re.I) for p in [
    r"^also read\s*[:|]", r"^read also\s*:", r"^‣", r"^📣", r"^follow .*live", r"^https?://", r"^<",
    r"^subscribe now$", r"^support our journalism$", r"^quality journalism is expensive",
    r"^we are deeply grateful to our readers", r"^subscribe to our channels", r"^news media is in a crisis",
    r"^you are reading this because", r"^you also know that the news media", r"^we have a newsroom filled",
    r"^at theprint, we invest", r"^this comes with a sizable cost", r"^if you think we deserve your support",
    r"^for all the latest .* news, download", r"^don’t miss these articles", r"^don't miss these articles",
    r"^coronavirus outbreak live updates$", r"^more on covid-19$", r"^trust the newspaper for your daily",
    r"^how to quarantine yourself at home$", r"^coronavirus pandemic: complete coverage$",
    r"^here[’']?s a curated list", r"^here is a curated list", r"^\S+\.\.\. read more$",
    r"^watch the latest episode", r"^the indian express is now on telegram", r"^§$",
    r"(^|\s)(photo|credit|image|photograph)\s*:\s*\S", r"^representative image", r"^file photo",
    r"^\(this story has not been edited", r"^read more:", r"\.\.\.\s*read more$", r"t\.co/",
    r"pic\.twitter\.com", r"^a post shared by", r"^view this post on instagram",
]]
TWEET_ATTR = re.compile(r"^[—-] .{1,80}\(@\w+\) [A-Z][a-z]+ \d{1,2}, \d{4}$")


def mostly_latin(line):
    letters = [ch for ch in line if ch.isalpha()]
    if not letters:
        return True
    return sum(1 for ch in letters if ord(ch) < 0x250) / len(letters) >= 0.8


def india_items():
    repo = INDIA_REPO
    url_of = {}
    for src, f in [("IE", "results_IE.csv"), ("print", "results_print.csv"),
                   ("thewire", "results_wire.csv"), ("TOI", "results_toi.csv")]:
        m = {}
        for line in git_show(repo, f).decode("utf-8", errors="replace").splitlines():
            u = line.split(",")[0].strip()
            if not u:
                continue
            parts = u.rstrip("/").split("/")
            if src == "TOI":
                k = parts[-3] if "articleshow" in u else parts[-1]
            else:
                k = parts[-1]
            m[k] = u
        url_of[src] = m

    raw = []
    for path, data in git_tree_files(repo, ["dataset"]):
        parts = path.split("/")
        if len(parts) != 3 or not parts[2].endswith(".txt"):
            continue
        src, fn = parts[1], parts[2]
        if data.startswith(b"version https://git-lfs"):
            continue
        lines = fix_mojibake(data.decode("utf-8", errors="replace")).replace("\r", "").split("\n")
        title = norm_space(lines[0])
        if src == "TOI":
            date = lines[1].strip() if len(lines) > 1 else ""
            body_lines = lines[2:]
            key = fn[:-4]
        else:
            date = fn[:10]
            body_lines = lines[1:]
            key = fn[11:-4]
        raw.append(dict(src=src, fn=fn, path=path, title=title, date=date,
                        url=url_of[src].get(key, ""), body_lines=[norm_space(l) for l in body_lines]))

    # boilerplate: short lines repeated in >= 5 files of the same outlet
    rep = defaultdict(Counter)
    for r in raw:
        for l in set(x for x in r["body_lines"] if x):
            rep[r["src"]][l] += 1
    items = []
    for r in raw:
        src = r["src"]
        if not re.fullmatch(r"20(1[5-9]|2[0-3])-\d\d-\d\d", r["date"]):
            continue  # outside 2015-2023 or undated
        url = re.sub(r"(?<!:)//+", "/", r["url"])
        p = url.split("/")
        if src == "TOI":
            sec = p[3] if len(p) > 4 else ""
        elif src == "IE":
            sec = p[4] if len(p) > 5 else ""
        else:
            sec = p[3] if len(p) > 3 else ""
        if sec not in INDIA_SECTIONS[src]:
            continue
        if SKIP_TITLE.search(r["title"]) or not r["title"]:
            continue
        paras, tweets = [], 0
        for l in r["body_lines"]:
            if not l:
                continue
            if TWEET_ATTR.match(l):  # embedded tweet: attribution line + the tweet text before it
                tweets += 1
                if paras and "@" in paras[-1]:
                    paras.pop()
                continue
            if len(l) < 250 and rep[src][l] >= 5:
                continue
            if any(rx.search(l) for rx in DROP_LINE) or not mostly_latin(l):
                continue
            paras.append(l)
        if tweets > 3:
            continue  # mostly a compilation of social-media posts
        body = "\n".join(paras)
        nw = words(body)
        if nw < MIN_WORDS or nw > 2500:
            continue
        if re.search(r"\b2024\b|\b2025\b", r["title"]):
            continue
        score = sum(1 for rx in POL_RE if rx.search(r["title"] + " " + " ".join(body.split()[:400])))
        if src == "TOI" and sec == "city" and score < 5:
            continue  # city pages only when clearly about state/national politics
        if score < 3:
            continue
        items.append(dict(outlet=INDIA_OUTLET[src], src=src, title=r["title"], date=r["date"], url=url,
                          section=sec, paras=paras, body=body, repo=repo, path=r["path"], score=score))
    return items


# --------------------------------------------------------------------------- group B
GUARDIAN_SOURCES = [
    # repo, path, field map
    ("KrishPatel0111/final_project_NLP", "guardian_articles_raw.csv",
     dict(title="title", body="text", url="url", date=None)),
    ("Daniila-vv/nlp-scraper", "data/guardian_articles.csv",
     dict(title="headline", body="body", url="url", date="date")),
    ("YHamdouni/NLP_Scraper", "data/guardian_articles.csv",
     dict(title="headline", body="body", url="url", date="date")),
    ("Chinaka-Favour/GuardianAPI_Project", "guardian_articles.csv",
     dict(title="webTitle", body="bodyText", url="webUrl", date=None)),
]
HSG = ("hsg1991/team2", [("theguardian.csv", "The Guardian", "guardian"),
                         ("independent.csv", "The Independent", "independent")])
# (daily.csv, 3 Daily Mail pages, is left out: its text keeps the page's byline/comment/"Enlarge" furniture)
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
GU_URL = re.compile(r"^https://www\.theguardian\.com/((?:[a-z0-9-]+/)*?)(\d{4})/([a-z]{3})/(\d{2})/[a-z0-9-]+$")
PRIORITY = {"politics", "uk-news", "business", "money", "sport", "football", "cricket", "rugby-union",
            "tennis", "formulaone", "golf", "cycling", "boxing", "rugby-league", "athletics",
            "business/economics", "society"}
SECONDARY = {"world", "us-news", "education", "environment", "technology", "science", "law", "media",
             "global-development", "australia-news", "commentisfree", "uk", "news"}
B_TARGET = 560
SKIP_B_TITLE = re.compile(r"as it happened|\blive\b|quiz|crossword|podcast|in pictures|\bvideo\b|"
                          r"photos of the|newsletter|the week in|first thing:|morning mail|"
                          r"what we know|cartoon|sudoku|corrections and clarifications", re.I)
PROMO = re.compile(r"\s*Sign up to .{0,400}? after newsletter promotion\s*")
TAILS = [re.compile(p, re.S) for p in [
    r"\s*•?\s*(?:The|This) [^.]{0,60}?(?:article|caption)[^.]{0,40}? was amended on .*$",
    r"\s*More about: [^.]*?Reuse content\s*$",
    r"\s*Reuse content\s*$",
]]
KICKERS = re.compile(r"^(?:Clear Air)(?=[A-Z])")  # series kicker glued to a headline in one source
INLINE_JUNK = [re.compile(p) for p in [
    r"\s*Sign up: AU Breaking News email\s*",
    r"\s*To support the Guardian,? order your copy at guardianbookshop\.com\.?(?: Delivery charges may apply\.?)?",
]]


def clean_b(body):
    body = PROMO.sub(" ", body)
    for rx in INLINE_JUNK:
        body = rx.sub(" ", body)
    for rx in TAILS:
        body = rx.sub("", body)
    return body


def guardian_section(url):
    m = GU_URL.match(url.strip())
    if not m:
        return None, None
    sec = m.group(1).strip("/")
    if "live" in sec.split("/"):
        return None, None
    mon = MONTHS.get(m.group(3))
    if not mon:
        return None, None
    return sec, f"{m.group(2)}-{mon:02d}-{m.group(4)}"


def british_items():
    items = []
    for repo, path, fm in GUARDIAN_SOURCES:
        for r in read_csv(repo, path):
            url = (r.get(fm["url"]) or "").strip()
            sec, date = guardian_section(url)
            if not sec:
                continue
            title = KICKERS.sub("", norm_space(r.get(fm["title"]) or ""))
            body = clean_b(r.get(fm["body"]) or "")
            paras = [norm_space(p) for p in re.split(r"\n\s*\n|\n", body) if norm_space(p)]
            items.append(dict(outlet="The Guardian", pfx="guardian", title=title, date=date, url=url,
                              section=sec, paras=paras, body=" ".join(paras), repo=repo, path=path))
    repo, files = HSG
    for path, outlet, pfx in files:
        for r in read_csv(repo, path):
            body = r.get("content") or ""
            if body.strip() in ("", "NA"):
                continue
            body = clean_b(body)
            url = (r.get("url") or "").strip()
            if url.startswith("/"):
                url = "https://www." + r.get("news_source", "").strip() + url
            date = (r.get("publication_date") or "").strip()
            sec = (r.get("categories") or "").split(",")[0].strip()
            paras = [norm_space(p) for p in re.split(r"\n\s*\n|\n", body) if norm_space(p)]
            items.append(dict(outlet=outlet, pfx=pfx, title=norm_space(r.get("title") or ""), date=date,
                              url=url, section=sec, paras=paras, body=" ".join(paras), repo=repo, path=path))
    out = []
    for it in items:
        txt = it["title"] + " " + it["body"]
        if not it["title"] or SKIP_B_TITLE.search(it["title"]) or it["section"] == "info":
            continue
        if re.search(r"BBC", txt, re.I) or "bbc.co" in it["url"]:
            continue
        if re.search(r"Sign up (to|for) |Read more|Photograph:", it["body"]):
            continue  # leftover newsletter / related-link / caption furniture inside the text
        if words(it["body"]) < MIN_WORDS:
            continue
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", it["date"] or ""):
            continue
        out.append(it)
    return out


def rank_b(it):
    s = it["section"]
    top = s.split("/")[0]
    if s in PRIORITY or top in PRIORITY:
        return 0
    if s in SECONDARY or top in SECONDARY:
        return 1
    return 2


# --------------------------------------------------------------------------- main
def main():
    rng = random.Random(SEED)

    # ---- India
    pool = india_items()
    by_src = defaultdict(list)
    for it in pool:
        by_src[it["src"]].append(it)
    print("India pool:", {k: len(v) for k, v in by_src.items()})
    chosen = []
    dd = Deduper()  # shared across outlets: the same PTI copy can appear in several
    for src in ["TOI", "IE", "print", "thewire"]:
        lst = sorted(by_src[src], key=lambda x: x["path"])
        rng.shuffle(lst)
        if src == "TOI":  # national desk first, then business, then city pages
            lst.sort(key=lambda x: {"india": 0, "business": 1}.get(x["section"], 2))
        chosen += take(lst, INDIA_QUOTA[src], dd)
    chosen.sort(key=lambda x: (x["src"], x["date"], x["path"]))
    print("India chosen:", Counter(x["outlet"] for x in chosen),
          min(x["date"] for x in chosen), max(x["date"] for x in chosen))
    write_corpus(os.path.join(OUT, "india"), chosen, lambda it: INDIA_PREFIX[it["src"]])
    india_chosen = chosen

    # ---- British
    pool = british_items()
    pool.sort(key=lambda x: (x["repo"], x["url"]))
    # exact-URL duplicates across repositories: keep the first
    seen, uniq = set(), []
    for it in pool:
        if it["url"] in seen:
            continue
        seen.add(it["url"])
        uniq.append(it)
    print("British pool:", len(uniq), Counter(rank_b(x) for x in uniq))
    groups = defaultdict(list)
    for it in uniq:
        groups[rank_b(it)].append(it)
    ordered = []
    for g in sorted(groups):
        lst = groups[g]
        rng.shuffle(lst)
        ordered += lst
    chosen = take(ordered, B_TARGET, Deduper())
    chosen.sort(key=lambda x: (x["pfx"], x["date"], x["url"]))
    print("British chosen:", len(chosen), Counter(x["outlet"] for x in chosen),
          Counter(rank_b(x) for x in chosen), min(x["date"] for x in chosen), max(x["date"] for x in chosen))
    print(Counter(x["section"] for x in chosen).most_common(30))
    write_corpus(os.path.join(OUT, "british"), chosen, lambda it: it["pfx"])
    british_chosen = chosen

    if not DRY:
        json.dump({
            "india": summarize(india_chosen), "british": summarize(british_chosen),
            "commits": {r: head_commit(r) for r in sorted({x["repo"] for x in india_chosen + british_chosen})},
        }, open("/tmp/convert_summary.json", "w"), indent=1)


def summarize(items):
    d = defaultdict(lambda: dict(n=0, dates=[], sections=Counter(), paths=set()))
    for it in items:
        k = (it["repo"], it["outlet"])
        d[k]["n"] += 1
        d[k]["dates"].append(it["date"])
        d[k]["sections"][it.get("section", "")] += 1
        d[k]["paths"].add(it["path"].split("/")[0] + "/" + it["path"].split("/")[1] + "/" if it["repo"] == INDIA_REPO else it["path"])
    return [dict(repo=k[0], outlet=k[1], n=v["n"], first=min(v["dates"]), last=max(v["dates"]),
                 sections=v["sections"].most_common(), paths=sorted(v["paths"])) for k, v in d.items()]


if __name__ == "__main__":
    main()
