"""Who each statement is by: the speakers of the statements an article's rules found
(rag/speech.py), resolved within the article.

The people an article names are read first (with capitals: runs of names; without: full names
whose surname is used alone elsewhere, set off by a job, or after an honorific). Then each
statement's speaker in turn: a pronoun is the person the story is following, "the spokesman" the
last person named in that job, a description ("the Frenchman", "the 77-year-old") the subject of
the sentence before, a surname the full name used before it, and a source the lead describes is
the person the story names next.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from .speech import (
    CONTEXT_UNITS, Statement, _ANAPHOR_START, _CALENDAR_WORDS, _COMPANY_ENDS, _BACKREF, _DATELINE_DASH, _DATELINE_LEAD, _OPEN_QUOTES, _ORG_WORDS,
    _PARTICLES, _PLURAL_GROUP, _PRONOUNS, _RELATIONS, _ROLE_NOUNS, _TITLE_WORDS, _VERB_RE, _Raw,
    _HONORIFICS, _NO_SPEAKER_DAYS, _OTHER_JOB, _PAST_FORMS, _SURNAME_JOBS, _VERBS, _Unit, _clean_np, _is_description, _unit_index, _last_title, _low_name_word, _opens_with_participle, _role_match,
    speaker_key, spell_titles, spelt_alike, surname_key,
)
from .text import STOPWORDS, terms
from .types import Document


@dataclass
class _Person:
    name: str
    role: str
    gender: str = ""  # "m", "f" or unknown


# One word of a capitalised name run: initials, an honorific, a capitalised word, a particle before one.
_NAME_WORD = (r"(?:(?:[A-Z]\.){1,3}|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr)\.|[A-Z][\w’'\-]*|"
              r"(?:von|van|der|den|de|del|da|di|al|bin|la|le)(?=\s+[A-Z]))")
_NAME_RUN = re.compile(r"(?<![\w’'.])(" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r")*)")
# In a hard-wrapped paragraph a name may run over the line break ("Governor Robert\nHeller said"),
# though not after a possessive ("Bettino Craxi's\nSocialists"); elsewhere a line break ends a name
# (a headline line above the text).
_NAME_RUN_WRAPPED = re.compile(r"(?<![\w’'.])(" + _NAME_WORD + r"(?:(?:[ \t]+|(?<![’']s)[ \t]*\n[ \t]*)" + _NAME_WORD + r")*)")


def _hard_wrapped(paragraph: str) -> bool:
    """A paragraph broken at a fixed width: three lines or more, all but the last 50-80 characters."""
    lines = paragraph.strip("\n").split("\n")
    return len(lines) >= 3 and all(50 <= len(line) <= 80 for line in lines[:-1])


def _name_runs(text: str, s: int, e: int) -> Iterator[re.Match]:
    """The capitalised runs of text[s:e], paragraph by paragraph."""
    start = s
    for gap in [*re.finditer(r"\n[ \t]*\n", text[s:e]), None]:
        end = s + gap.start() if gap else e
        rx = _NAME_RUN_WRAPPED if _hard_wrapped(text[start:end]) else _NAME_RUN
        yield from rx.finditer(text, start, end)
        if gap:
            start = s + gap.end()


# Words of the places a capitalised run may name ("United States", "West German", "Hong Kong").
_PLACE_WORDS = frozenset("""united states kingdom nations emirates soviet union west western east eastern north northern
    south southern new york jersey hampshire mexico zealand korea africa african america american arabia saudi hong
    kong sri lanka german germany european europe latin central white house capitol hill wall street middle""".split())
_INITIALS = re.compile(r"(?:[A-Z]\.)+")  # "M.K. Stalin", "K. Annamalai": initials, not a word in capitals
_NOT_INITIALS = frozenset("U.S. U.K. U.N. E.U. S.A. N.Y. D.C. L.A.".split())  # "the U.S. Navy", "the U.S.S. John S. McCain"
# Prepositions that open a new phrase inside a capitalised run, as when a heading runs into the text.
_RUN_BREAKS = frozenset("On In At After Before When While Since Despite Amid Following During".split())
# Last words of a capitalised run that describe a person rather than name one.
_NOT_SURNAMES = frozenset("republican republicans democrat democrats democratic conservative liberal award-winner winner".split())
# Abbreviated titles a surname may follow ("Sen. Warren", "Dr Fauci").
_SHORT_TITLES = _HONORIFICS | frozenset("prof sen rep gov gen lt col".split())
# A capitalised run inside a sentence (after a lower-case word or a comma), not opening one.
_MID_SENTENCE = re.compile(r"(?:[a-z,]) $")


def _mentions(text: str, s: int, e: int) -> list[tuple[int, str, str]]:
    """(offset, full name, role) of the people named with at least two words in text[s:e]."""
    out = []
    for m in _name_runs(text, s, e):
        if m.start() > 0 and text[m.start() - 1] == "\n" and _DATELINE_LEAD.match(text, m.start(), min(e, m.end() + 30)) and \
                (text.find("\n", m.end()) if "\n" in text[m.end():] else len(text)) - m.end() > 200:
            continue  # "New Delhi: ...", "Patna, March 3 (PTI) ..." opening a paragraph: where the story was filed
        #             (not "Bernie Sanders: ..." heading an article or standing as a title on its own line)
        words = m.group(1).split()
        lead = len(words)
        words = _clean_np(words)  # "In March Trump": the name is "Trump"
        opened = lead > len(words) or _MID_SENTENCE.search(text, max(0, m.start() - 3), m.start()) is not None
        after_the = False
        while words and words[0] in ("The", "A", "An", "By"):
            after_the = after_the or words[0] == "The"
            words = words[1:]  # "The Swiss said": no one is named "The Swiss"; "By Amy Russo": a byline
        if after_the and opened and _last_title([w.lower().rstrip(".") for w in words]) < 0:
            continue  # "On The Late Show, Stephen Colbert ...", "told The Hill": a show, a paper, not a person
        if words and all(w.lower().strip(".") in _PLACE_WORDS for w in words):
            continue  # "The United States has been working ...": a country, not a person
        if not words:
            continue
        skipped = len(" ".join(m.group(1).split()[:lead - len(words)])) + 1 if len(words) < lead else 0
        cut = next((i for i, w in enumerate(words) if i >= 2 and w in _RUN_BREAKS), None)
        if cut is not None:
            words = words[:cut]  # "Stephen Colbert On The Late Show, ...": a heading run into the text
        low = [w.lower().rstrip(".") for w in words]
        last_title = _last_title(low)
        name = [w for w in words[last_title + 1:]]
        while name and name[-1].lower() in _NO_SPEAKER_DAYS:
            name = name[:-1]  # "Prime Minister Narendra Modi Saturday launched": the day, not his name
        while name and name[-1].lower() in _PARTICLES:
            name = name[:-1]
        if name and name[-1].endswith(("’s", "'s")):
            name[-1] = name[-1][:-2]
        while name and name[0].lower() in _PARTICLES and name[0][0].islower():
            name = name[1:]
        # "Prime Minister Modi", "President Roosevelt": a surname after a job (not "Former Texas Rep.",
        # "Inspector General", "Chief Medical and Health Officer")
        titled = len(name) == 1 and last_title >= 0 and len(name[0]) > 2 and name[0][1:].islower() and (
            low[last_title] in _ROLE_NOUNS or low[last_title] in _SHORT_TITLES) and name[0].lower() not in _PLACE_WORDS \
            and name[0].lower() not in _TITLE_WORDS and not re.match(r"\s+(?:and|&)\s", text[m.end():m.end() + 6])
        if name and name[-1].lower() in _NOT_SURNAMES:
            continue  # "the Arizona Republican", "Grammy Award-winner": what someone is, not a name
        if len(name) < 2 and not titled or _INITIALS.fullmatch(name[-1]) or any(w in _NOT_INITIALS or len(w) > 4 and _INITIALS.fullmatch(w)
                                                                 for w in name) or any(w.lower() in _ORG_WORDS for w in name) or any(
                w.isupper() and len(w) > 1 and not _INITIALS.fullmatch(w) for w in name):
            continue
        if sum(1 for w in name if w.lower() not in _PARTICLES and not _INITIALS.fullmatch(w) and w not in ("Jr", "Jr.", "Sr", "Sr.")) > 3:
            continue  # "News Politics Sports Tech Donald Trump": a menu or headline in capitals, not a name
        if any(w.endswith(("’s", "'s")) for w in name) or re.search(r"\b(?:of|for|in|at)\s*$", text[max(s, m.start() - 6):m.start()]):
            continue  # "Russia’s Bryansk region", "the governor of Bryansk": places, not people
        office = re.search(r"([A-Za-z]+)\s+(?:of|for)\s+the\s+$", text[max(s, m.start() - 40):m.start()])
        if len(name) >= 3 and office and office.group(1).lower() in _TITLE_WORDS:
            # "Chancellor of the Exchequer Nigel Lawson": the office's last words, then the name
            dropped = len(" ".join(name[:-2])) + 1
            skipped += dropped
            name = name[-2:]
        role = " ".join(words[: last_title + 1])
        # lower-case role words right before the run ("Kremlin spokesman Dmitry Peskov")
        pre = re.search(r"((?:[A-Z][\w’'\-]*\s+)?(?:[a-z\-]+\s+){0,2}[a-z\-]*),?\s*$", text[max(s, m.start() - 40):m.start()])
        if not role and pre and any(w.lower() in _ROLE_NOUNS for w in pre.group(1).split()):
            role = pre.group(1).strip()
        out.append((m.start() + skipped + (len(" ".join(words[: last_title + 1])) + 1 if last_title >= 0 else 0), " ".join(name), role))
    return out


# In text without capitals, a word right after an honorific is a surname ("mr. weaver", "ms
# warren"), and so is one between a title and a verb or a break ("professor lessig said", "chief
# lawson, who"); the word before that surname elsewhere is the first name ("jeff weaver").
_LOW_HONORIFIC = re.compile(r"(?<![\w’'])(mr|mrs|ms|miss|dr|prof)\.?\s+([a-z][a-z’'\-]+)")
_LOW_TITLED = re.compile(
    r"(?<![\w’'])(senator|sen\.|rep\.|representative|judge|justice|professor|chief|president|governor|gov\.|"
    r"mayor|ambassador|commissioner|sheriff|chancellor|minister|secretary)\s+([a-z][a-z’'\-]+)(?=\s*[,.;:!?]|\s+(?:"
    + _VERB_RE + r"|who|and|was|is|has|had|would|will|also|on|in|at)\b|’s|'s)")
_LOW_APPOSITIVE = re.compile(  # "eva malecki, a spokeswoman for ...", "the party chairman, tim schneider,"
    r"(?:^|(?<=[.;:!?,—]\s))([a-z][a-z’'\-]+(?:\s+[a-z]\.)?\s+[a-z][a-z’'\-]+),\s+(?:a|an|the|his|her)\s+"
    r"(?:[a-z’'\-]+\s+){0,5}?(" + "|".join(sorted(_ROLE_NOUNS | _RELATIONS, key=len, reverse=True)) + r")\b")
_LOW_ROLE_APPOSITIVE = re.compile(r",\s+([a-z][a-z’'\-]+(?:\s+[a-z]\.)?\s+[a-z][a-z’'\-]+)(?=,)")
# A job, a name of two words and a verb: the subject of a narrative sentence ("charlton manager alan
# curbishley was less happy", "chancellor gordon brown has warned").
_LOW_JOB_NAME = re.compile(
    r"(?<![\w’'])(" + "|".join(sorted(_ROLE_NOUNS - _PLURAL_GROUP, key=len, reverse=True)) + r")\s+([a-z][a-z’'\-]+\s+[a-z][a-z’'\-]+)"
    r"(?=\s+(?:was|is|has|had|have|will|would|could|can|did|does|also|" + _VERB_RE + r")\b)")
_LOW_ROLE_BEFORE = re.compile(
    r"(?<![\w’'])((?:(?:the|a|an|his|her)\s+)?(?:[a-z’'\-]+\s+){0,4}?(?:" + "|".join(sorted(_ROLE_NOUNS | _RELATIONS, key=len, reverse=True))
    # (and where: "the chief executive of arts council england, darren henley, called it ...")
    + r")(?:\s+(?:of|at|for)\s+(?:the\s+)?(?:[a-z’'\-]+\s+){0,3}[a-z’'\-]+)?)$")


_LOW_WORD = re.compile(r"(?<![\w’'\-])[a-z][a-z\-]*(?![\w\-])")
_INTRODUCED = re.compile(r"\b(?:" + "|".join(sorted(_TITLE_WORDS | _RELATIONS, key=len, reverse=True)) + r")\.?,?\s*$")




# The words a first name follows: a break, a job, a relation, or a word that introduces a person.
_FIRST_NAME_AFTER = re.compile(
    r"(?:^|[,.;:!?—–(\[]|\b(?:said|says|told|by|and|with|of|for|from|to|as|like|including|between|according to)"
    r"|\b(?:" + "|".join(sorted(_TITLE_WORDS | _RELATIONS, key=len, reverse=True)) + r")\.?)\s*$")


# First names that end like a verb's past tense.
_ED_NAMES = frozenset("""ahmed mohammed muhammed mohamed muhammad hamed javed saeed rasheed waheed khaled majed
    naveed fareed junaid zahid alfred manfred winifred mildred siegfried jared""".split())


# Irregular past tenses that are nobody's first name ("his father sat ingram down"; "Drew" and
# "Won" may be one).
_PAST_NOT_NAMES = (_PAST_FORMS - {"drew", "won"}) | frozenset(
    "sat told saw got kept found felt heard paid sold bought thought became chose knew grew flew wore".split())


def _past_tense(word: str) -> bool:
    """'thanked', 'turned', 'frustrated', 'sat': no first name ('Ahmed', 'Alfred' are)."""
    return (len(word) > 4 and word.endswith("ed") and word not in _ED_NAMES) or word in _PAST_NOT_NAMES


def _lower_mentions(text: str, speaker_surnames: Iterable[str] = ()) -> list[tuple[int, str, str, str]]:
    """(offset, name, role, gender) of the people an article without capitals names: full names
    whose surname is used alone elsewhere (after an honorific, a title, or as a speaker's name),
    set off by a job ("eva malecki, a spokeswoman", "the party chairman, tim schneider,") or with
    a middle initial; surname mentions resolved to the full name that fits ("ms. sanders" is not
    the senator; "mr. biden" is not "his son hunter biden"), in article order."""
    surnames: dict[str, list[tuple[int, str, str]]] = {}  # surname -> (offset, gender, role) of its mentions
    full: list[tuple[int, str, str, str, bool]] = []  # (offset, full name, role, gender, introduced as a relative)
    for m in _LOW_HONORIFIC.finditer(text):
        sur = re.sub(r"[’']s$", "", m.group(2))
        if not _low_name_word(sur):
            continue
        if m.group(1) in ("dr", "prof"):  # "dr. steven nissen": doctors are named in full first
            nm = re.match(r"\s+([a-z][a-z’'\-]+)(?=\s*[,.;:!?]|\s+(?:" + _VERB_RE + r"|who|and|was|is|of|at)\b|[’']s)", text[m.end():])
            if nm and _low_name_word(nm.group(1)) and not nm.group(1).endswith(("ed", "ing")):
                full.append((m.start(), f"{sur} {nm.group(1)}", m.group(1), "", False))
                surnames.setdefault(nm.group(1), [])
                continue
        g = "m" if m.group(1) == "mr" else "f" if m.group(1) in ("mrs", "ms", "miss") else ""
        surnames.setdefault(sur, []).append((m.start(), g, ""))
    for m in _LOW_TITLED.finditer(text):
        sur = re.sub(r"[’']s$", "", m.group(2))
        if _low_name_word(sur):
            surnames.setdefault(sur, []).append((m.start(), "", m.group(1).rstrip(".")))
    lw = [(m.group(0), m.start(), m.end()) for m in _LOW_WORD.finditer(text)]
    where: dict[str, list[int]] = {}  # word -> indexes in `lw`
    for k, (w, _, _) in enumerate(lw):
        where.setdefault(w, []).append(k)
    bare = set()
    for sur in speaker_surnames:
        if _low_name_word(sur) and sur not in surnames:
            # a surname quoted alone ("biden said"): its bare mentions name that person too, once
            # the article is seen to give it a first name
            surnames[sur] = [(lw[k][1], "", "") for k in where.get(sur, ())]
            bare.add(sur)
    found = [(m.start(1), m.group(1), text[m.end(1) + 1:m.end()].strip()) for m in _LOW_APPOSITIVE.finditer(text)]
    for m in _LOW_ROLE_APPOSITIVE.finditer(text):
        rb = _LOW_ROLE_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if rb:
            found.append((rb.start(1), m.group(1), rb.group(1)))
    for m in _LOW_JOB_NAME.finditer(text):  # "charlton manager alan curbishley was less happy"
        found.append((m.start(2), m.group(2), m.group(1)))
    for off, name, role in found:
        words = name.split()
        if all(_low_name_word(w) or re.fullmatch(r"[a-z]\.", w) for w in words):
            rel = bool(set(role.split()) & _RELATIONS)
            role = re.sub(r"^(?:a|an|the|his|her)\s+", "", role)
            full.append((off, name, role, _gender_of(role), rel))
            surnames.setdefault(words[-1], [])
    for m in re.finditer(r"(?<![\w’'.])([a-z][a-z’'\-]+)\s+[a-z]\.\s+([a-z][a-z’'\-]+)(?![\w’'\-])", text):
        if _low_name_word(m.group(1)) and _low_name_word(m.group(2)):  # "carolyn b. mchugh"
            surnames.setdefault(m.group(2), [])
    # a headline run into the text: up to the first double space (bbc-text style) or line end, when early
    first_break = re.search(r"[ \t]{2,}|,\s|\n", text[:200])
    title_end = first_break.start() if first_break else -1
    title_end = title_end if 0 < title_end <= 160 else -1
    from_title: set[str] = set()
    if title_end > 0:
        # a surname in a headline run into the text ("henry double sinks chelsea  thierry henry
        # scored twice ..."): the person the story is about, named in full in its first words
        for w in re.findall(r"[a-z][a-z’'\-]+", text[:title_end]):
            w = re.sub(r"[’']s$", "", w)
            if w not in surnames and _low_name_word(w) and len(where.get(w, ())) >= 2:
                surnames[w] = []
                from_title.add(w)
    for sur in surnames:
        at = where.get(sur, [])
        for k in at:
            # "jeff weaver", "joseph r. biden": the word before the surname (and a middle initial)
            initial = None
            j = k - 1
            if j >= 1 and len(lw[j][0]) == 1 and text[lw[j][2]:lw[k][1]].startswith(". ") \
                    and not text[lw[j][2]:lw[k][1]].strip(". "):
                initial, j = lw[j][0], j - 1
            if j < 0 or text[lw[j][2]:lw[j + 1][1]].strip() or lw[j][1] > 0 and text[lw[j][1] - 1] in "’'.":
                continue
            first_name = lw[j][0]
            if not re.fullmatch(r"[a-z][a-z\-]+", first_name) or not _low_name_word(first_name) or first_name == sur \
                    or re.search(r"(?:ing|ed)$", first_name) and "-" in first_name \
                    or _past_tense(first_name):  # "fact-checking trump", "the tv doctor turned trump s ..."
                continue
            start = lw[j][1]
            before = text[max(0, start - 40):start]
            pre = re.search(r"((?:[a-z’'\-]+\.?,?\s+){0,3})$", before)
            pre_words = pre.group(1) if pre else ""
            low_pre = set(pre_words.replace(",", " ").replace(".", " ").split())
            rel = bool(low_pre & _RELATIONS)
            introduced = bool(_INTRODUCED.search(before))
            # a person is named in full the first time (a later "slamming trump" is no first name),
            # or again after a job or a relation ("his son hunter biden", "dr. jill biden")
            # (the first after the headline: "blair defends iraq policy  tony blair has defended ...")
            at_first = k == at[0] or k == next((x for x in at if lw[x][1] > title_end), -1) and lw[at[0]][1] < title_end
            after_title = 0 < title_end <= start and not text[title_end:start].strip(" ,")  # the text's first words
            if sur in from_title and not after_title:
                continue  # only the lead's first words name the headline's person
            if not (at_first and (_FIRST_NAME_AFTER.search(before) or after_title) or initial or introduced):
                continue
            role = " ".join(w for w in pre_words.replace(",", " ").split() if w in _TITLE_WORDS and w not in ("mr", "ms", "mrs", "dr"))
            name = f"{first_name} {initial}. {sur}" if initial else f"{first_name} {sur}"
            full.append((start, name, role, _gender_of(pre_words), rel))
    by_surname: dict[str, dict[str, list]] = {}  # surname -> full name -> [gender, relative, first offset, weak]
    for off, name, role, g, rel in sorted(full):
        # weak: only where the surname first occurs, with no job or middle initial ("top biden donors")
        weak = not role and not re.search(r"\s[a-z]\.\s", name)
        c = by_surname.setdefault(name.split()[-1], {}).setdefault(name, ["", rel, off, weak])
        c[0] = c[0] or g
        c[1] = c[1] and rel
        c[3] = c[3] and weak
    for cands in by_surname.values():
        # "his wife, jane sanders": the one whose wife she is is a man
        for name, c in cands.items():
            if c[1] and not c[0]:
                continue
        pos = [re.search(r"\b(his|her)\s+(?:\w+\s+){0,2}$", text[max(0, c[2] - 30):c[2]]) for c in cands.values()]
        for (name, c), pm in zip(list(cands.items()), pos):
            if c[1] and pm:
                for other, oc in cands.items():
                    if other != name and not oc[1] and not oc[0]:
                        oc[0] = "m" if pm.group(1) == "his" else "f"
    out = [(off, name, role, g) for off, name, role, g, _ in full]
    for sur, ms in surnames.items():
        cands = by_surname.get(sur, {})
        if sur in bare and not cands:
            continue
        for off, g, role in ms:
            if any(o <= off < o + len(n) for o, n, _, _, _ in full):
                continue  # the surname of a full name
            fitting = [n for n, c in cands.items() if not g or not c[0] or c[0] == g]
            if len(fitting) > 1:
                # "peter strzok", later "pete strzok" (a short form, in a quote): one person, named first in full
                first = min(fitting, key=lambda n: cands[n][2])
                f0 = first.split()[0]
                if all(n == first or n.split()[0].startswith(f0) or f0.startswith(n.split()[0]) for n in fitting):
                    fitting = [first]
            if len(fitting) > 1:
                fitting = [n for n in fitting if g and cands[n][0] == g] or fitting
                fitting = [n for n in fitting if not cands[n][1]] or fitting
            # the person named first, unless the honorific says it is another
            pick = min(fitting, key=lambda n: (cands[n][3], cands[n][2])) if fitting else None
            out.append((off, pick or sur, role, g))
    out.sort()
    return out




# The title written before a surname: "PM Modi", "Chief Minister Kumar".
_TITLE_BEFORE = re.compile(r"(?<![\w.])((?:[A-Z][\w.]*\s+){1,3})$")


def _fits_title(title: str, role: str | None) -> bool:
    """'PM' is the 'Prime Minister' the article named, not the 'Deputy Chief Minister' of the same
    surname: every word of the title (abbreviations spelt out) is in the role, and the role is no
    deputy's or vice's one the title does not say."""
    def words(r: str) -> set[str]:
        return set(re.findall(r"[a-z]+", spell_titles(r.lower())))
    t, have = words(title), words(role or "")
    return bool(t & _ROLE_NOUNS) and t <= have and not (have - t) & _OTHER_JOB


def _with_surname_mentions(text: str, doc: Document, order: list[tuple[int, _Person]]) -> list[tuple[int, _Person]]:
    """The person mentions and, after each person's first full name, that person's surname used
    alone ("Trump made illegal immigration the cornerstone of his campaign"): the subject a later
    "he" may follow."""
    named: dict[str, list[tuple[int, _Person]]] = {}  # surname -> its full-name mentions, in order
    firsts: dict[str, list[tuple[int, _Person]]] = {}  # first name -> the same
    for off, p in order:
        words = p.name.split()
        if len(words) >= 2 and len(words[-1]) >= 3 and words[-1][:1].isupper():
            named.setdefault(words[-1], []).append((off, p))
            if len(words[0]) >= 3 and words[0][:1].isupper() and words[0].isalpha():
                firsts.setdefault(words[0], []).append((off, p))
    # "Craig" for Craig Renaud, where his brother Brent shares the surname: a first name one person
    # of the story has, and no one's surname
    for first, people in firsts.items():
        kin = named.get(people[0][1].name.split()[-1], ())
        if first not in named and len({speaker_key(p.name) for _, p in people}) == 1 and \
                len({speaker_key(p.name) for _, p in kin}) > 1:
            named[first] = people
    if not named:
        return order
    covered = [(off, off + len(p.name)) for off, p in order]  # a surname inside a full name is that name
    rx = re.compile(r"(?<![\w’'.\-])(" + "|".join(sorted(map(re.escape, named), key=len, reverse=True)) + r")(?![\w\-])")
    extra = []
    for m in rx.finditer(text):
        if any(a <= m.start() < b for a, b in covered):
            continue
        before = [p for off, p in named[m.group(1)] if off < m.start()]
        if before:  # the person last named in full with that surname, or the one of that title
            title = _TITLE_BEFORE.search(text, max(0, m.start() - 40), m.start())
            titled = [p for p in before if title and _fits_title(title.group(1), p.role)]
            extra.append((m.start(), (titled or before)[-1]))
    if not extra:
        return order
    return sorted(order + extra, key=lambda item: item[0])




def resolve(doc: Document, text: str, units: list[_Unit], raws: list[_Raw], cased: bool) -> list[Statement]:
    people: dict[str, _Person] = {}  # surname key -> the person last named with it
    order: list[tuple[int, _Person]] = []  # (offset, person) of every person mention, for focus
    if cased:
        named_in_full: dict[str, list[_Person]] = {}  # surname key -> the full-named mentions of `order`
        for blk in doc.blocks:
            for off, name, role in _mentions(text, blk.char_start, blk.char_end):
                key = surname_key(speaker_key(name))
                p = people.get(key)
                if len(name.split()) == 1:
                    # "Prime Minister Modi" after "Narendra Modi": the one named in full, in that job when
                    # another shares the surname (not the Deputy Chief Minister Sushil Kumar Modi)
                    same = named_in_full.get(speaker_key(name), [])
                    fit = next((q for q in reversed(same) if not role or not q.role or _fits_title(role, q.role)
                                or role.lower().rstrip(".") in _SHORT_TITLES), None)
                    if fit is not None:
                        order.append((off, fit))
                        same.append(fit)
                        continue
                if p is None or speaker_key(p.name) != speaker_key(name):
                    p = _Person(name, role)
                elif role and not p.role:
                    p.role = role
                people[key] = p
                order.append((off, p))
                if len(p.name.split()) >= 2:
                    named_in_full.setdefault(surname_key(speaker_key(p.name)), []).append(p)
    else:
        known: dict[str, _Person] = {}
        alone = {speaker_key(r.speaker.name) for r in raws if r.speaker is not None and r.speaker.kind == "person"
                 and len(r.speaker.name.split()) == 1}
        for off, name, role, gender in _lower_mentions(text, alone):
            p = known.setdefault(speaker_key(name), _Person(name, role, gender))
            p.role = p.role or role
            p.gender = p.gender or gender
            order.append((off, p))
    first_full: dict[str, _Person] = {}
    for _, p in sorted(order, key=lambda item: len(item[1].name.split()) < 2):  # named in full first
        first_full.setdefault(surname_key(speaker_key(p.name)), p)
    if cased:
        order = _with_surname_mentions(text, doc, order)

    spelt = _spelt_out(text) if cased else _spelt_out_lower(text)
    credit: str | None = None  # the organisation the article credits its report to, read when first needed
    filer: tuple[str, str, str | None, str] | tuple[()] | None = None  # who filed its petition: () if no one
    out: list[Statement] = []
    last: tuple[str, str, str | None, str] | None = None  # (speaker, key, role, kind) of the statement before
    recent: list[tuple[int, str, str, str | None, str]] = []  # (offset, speaker, key, role, kind)
    genders: dict[str, str] = {}
    for r in raws:
        sp = r.speaker
        at = r.spans[0][0]
        resolved: tuple[str, str, str | None, str] | None = None
        if sp is None:
            resolved = last
        elif sp.kind == "pronoun":
            g = _PRONOUNS[sp.mention.lower()]
            resolved = _focus(text, at, g, recent, order, genders, units)
            if resolved is not None and g in "mf":
                genders[resolved[1]] = g
        elif sp.kind == "person":
            toks = sp.name.split()
            key = speaker_key(sp.name)
            gender = _gender_of(sp.mention + " " + sp.role)
            full = None
            if len(key.split()) == 1 or (len(toks) >= 1 and toks[0].lower() in _PARTICLES):
                # "Cindy McCain said ...", then "McCain said ...": the one with that surname just quoted
                known = {speaker_key(p.name) for _, p in order}
                quoted = next((item for item in reversed(recent[-6:]) if item[4] == "person" and len(item[2].split()) >= 2
                               and surname_key(item[2]) == key and item[2] in known
                               and genders.get(item[2], gender) in ("", gender)), None)
                if quoted is not None:
                    full = _Person(quoted[1], quoted[3] or "")
                if sp.role and (quoted is None or not _fits_title(sp.role, quoted[3])):
                    # "PM Modi said" after the Deputy Chief Minister Sushil Kumar Modi spoke: the one of that title
                    full = _person_before(order, key, at, gender, genders, title=sp.role) or full
            if full is None and (len(key.split()) == 1 or (len(toks) >= 1 and toks[0].lower() in _PARTICLES)):
                full = _person_before(order, key, at, gender, genders)
                if full is None and not _org_named_first(key, recent, order, None):
                    first = first_full.get(surname_key(key)) or _spelt_otherwise(key, first_full)
                    full = first if first is not None and _gender_fits(first, gender, genders) else None
            if full is not None and not sp.role and len(key.split()) == 1 and _org_named_first(key, recent, order, full):
                full = None  # the organisation below
            name = full.name if full else sp.name
            role = _no_honorific(sp.role) or (full.role if full else "") or _known_role(recent, speaker_key(name))
            resolved = (name, speaker_key(name), role or None, "person")
            if full is None and len(key.split()) == 1 and not sp.role:
                # "the official Tanjug news agency said ...", later "Tanjug said": the organisation
                org = next((item for item in reversed(recent) if item[4] == "org" and key in item[2].split()), None)
                if org is not None:
                    resolved = (org[1], org[2], org[3], "org")
            if gender:
                genders.setdefault(resolved[1], gender)
            if not cased and len(resolved[1].split()) >= 2 and speaker_key(name) not in {speaker_key(q.name) for _, q in order[-8:]}:
                # no capitals to find names by: the people the article quotes by full name are the
                # ones a surname, "he" or "the senator" later points back to
                q = _Person(name, role or "")
                people[surname_key(resolved[1])] = q
                bisect.insort(order, (at, q), key=lambda item: item[0])
        elif sp.kind == "role" and sp.definite:
            described = _described(text, sp.role, at, recent, order, genders, units) if _is_description(sp.role) else None
            first = sp.role.split()[0]
            if described is None and cased and first.lower() in _SURNAME_JOBS and first[:1].isupper():
                # "said King", "noted King of CNN's audience ..." after "Dr. Alveda King": the
                # surname, when someone was named with it
                named = _person_before(order, first.lower(), at)
                described = (named.name, speaker_key(named.name), named.role or None, "person") if named else None
            resolved = described or _by_role(sp.role, at, recent, order) or _went_on(r, recent) or (
                _named_later(sp.role, at, order) if r.unit <= _LEAD_UNITS else None) or _forward_speaker(raws, r, order) or (
                _opens_next_sentence(text, raws, r, units, order)) or (
                _named_after_lead(raws, r, order) if r.unit == 0 else None) or _described(
                text, sp.role, at, recent, order, genders, units) or _job_of_subject(
                text, sp.role, at, order, genders, units) or (sp.role, speaker_key(sp.role), sp.role, "role")
        elif sp.kind == "org":
            name = sp.name
            if speaker_key(name) in {"statement", "report", "communique", "declaration"}:
                org = re.search(r"(?:statement|communiqu[eé]|declaration|report)\s+(?:issued|released|published|put out)\s+by\s+(?:the\s+)?([A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*){0,4})", text[:at])
                if org:
                    name = org.group(1)
            resolved = (name, speaker_key(name), sp.role or None, "org")
            if cased:
                resolved = _named_org(text, sp.mention, at, recent, units) or resolved
            else:
                resolved = _named_org_lower(sp.mention, recent) or resolved
        else:  # groups and anonymous people: "analysts", "a spokesman for the ministry"
            words = sp.mention
            words = re.sub(r"^(?:the|a|an)\s+", "", words, flags=re.I)
            resolved = (words, speaker_key(words), sp.role or None, "group")
            if r.unit <= _LEAD_UNITS and not sp.definite and _singular(speaker_key(words)):
                resolved = _named_after_lead(raws, r, order, words) or resolved
        if resolved is None:
            continue
        if _is_document(resolved):
            if credit is None:
                credit = _credited_org(text, cased)
            resolved = _credited(resolved, credit)
        elif cased and resolved[1] in _FILINGS:
            if filer is None:
                filer = _filed_by(text)
            resolved = filer or resolved
        if resolved[0] in spelt:  # "BCG said" where the story wrote "Boston Consulting Group (BCG)"
            resolved = (f"{spelt[resolved[0]]} ({resolved[0]})", speaker_key(spelt[resolved[0]]), *resolved[2:])
        elif resolved[3] in ("group", "role") and resolved[0].split()[0] in spelt:
            # "A DfE spokesperson said": the Department for Education (DfE) spokesperson
            head, _, rest = resolved[0].partition(" ")
            name = f"{spelt[head]} ({head}) {rest}"
            resolved = (name, speaker_key(name), *resolved[2:])
        last = resolved
        recent.append((at, *resolved))
        spans = tuple(r.spans)
        s, e = spans[0][0], spans[-1][1]
        if e <= s:
            continue
        ctx_s, ctx_e = r.context
        body = " ".join(text[a:b] for a, b in spans)
        here = _unit_index(units, ctx_s)
        prev_unit = units[here - 1] if here > 0 else None
        if prev_unit is not None and _ANAPHOR_START.match(body):
            ctx_s = min(ctx_s, prev_unit.start)  # "This is certainly an event ...": what "this" is
        if prev_unit is not None:
            # the same speaker in the sentence before: one line of thought, one context, reaching
            # back at most CONTEXT_UNITS sentences (a long monologue changes subject)
            before = [st for st in out[-3:] if st.speaker_key == resolved[1] and st.char_end >= prev_unit.start]
            if before:
                ctx_s = min(ctx_s, max(before[-1].context_start, units[max(0, here - CONTEXT_UNITS)].start))
        nxt = _unit_after(units, ctx_e)
        if nxt is not None and _BACKREF.match(text[nxt.start:nxt.end]):
            ctx_e = max(ctx_e, nxt.end)
        name = " ".join(resolved[0].split())
        name = name[:-1] if name.endswith(".") and len(name.rsplit(" ", 1)[-1]) > 3 else name
        role = " ".join(resolved[2].split()) if resolved[2] else None
        out.append(Statement(
            file=doc.file, ordinal=len(out), speaker=name, speaker_key=resolved[1], role=role,
            kind=r.kind, text=" ".join(" ".join(doc.text[a:b].split()) for a, b in spans),
            char_start=s, char_end=e, line_start=doc.line_of(s), line_end=doc.line_of(e - 1), spans=spans,
            context_start=ctx_s, context_end=ctx_e, cue=r.cue, mention=sp.mention if sp else "",
            date=doc.date, publisher=doc.publisher, speaker_kind=resolved[3],
        ))
    return out


# What a document "says": "the report says", "according to research", "say the authors", "the
# Sutton Trust report shows". The article credits it to its author once: "the report by the Sutton
# Trust", "a survey of boys ... by Male Allies UK", "the Sutton Trust report" (not the one who
# commissioned or funded it). On the training labels (bench/speech_eval.py) speaker accuracy
# Guardian 3 0.859 -> 0.906 and lower-cased Guardian 2 0.892 -> 0.901, no other set moved; the
# held-out labels did not move (2026-12-03).
_DOCUMENTS = frozenset("""report reports study studies survey research analysis paper poll review audit inquiry
    authors researchers""".split())
_ORG_CASED = r"(?:the\s+)?((?:[A-Z][\w’'&.-]*)(?:\s+(?:(?:of|for|and|on|&)\s+)?[A-Z][\w’'&.-]*){0,6})"
_ORG_LOWER = (r"(?:the\s+)?((?:[a-z][\w’'&.-]*\s+){0,4}(?:trust|centre|center|institute|foundation|university|"
              r"council|commission|office|agency|charity|society|association|fund|ministry|department|"
              r"organisation|organization|network|alliance|coalition|union|federation|board|group|college|school))\b")
_BY = r"(?:report|study|survey|research|analysis|paper|poll|review|audit|inquiry)(?:\s+(?:of|on|into|among)\s+[^.,;:“”\"]{1,50}?)?\s+by\s+"
_NAME_GOES_ON = r"(?:\s+(?:(?:of|for|and|on|&)\s+)?[A-Z][\w’'&.-]*)+"
_NOT_AUTHORS = frozenset("The A An This That These Its Their His Her Our My Your Today Last Next New Latest".split())
_OWN = r"(?:[’']s)?\s+(?:new\s+|latest\s+|annual\s+|own\s+)?(?:report|study|survey|research|analysis|poll|review|audit)\b"
_OWN_LOWER = _OWN.replace("(?:[’']s)?", r"(?:\s+s)?")  # lower-cased, its apostrophe stripped: "tyndall s report"


def _credited_org(text: str, cased: bool) -> str:
    """The one organisation the article credits a report, a study or a survey to ("" when none, or
    when it credits several)."""
    org = _ORG_CASED if cased else _ORG_LOWER
    found = {" ".join(m.group(1).split()) for m in re.finditer(_BY + org, text)}
    if cased and not found:  # "the Sutton Trust report" (not "The Voice of the Boys report", a title)
        found = {" ".join(m.group(1).split()) for m in re.finditer(_ORG_CASED + _OWN, text)
                 if m.group(1).split()[0] not in _NOT_AUTHORS}
    if not cased and not found:
        # "the tyndall report says", where the story names the "tyndall centre": the organisation
        # whose first word names the report (no capitals tell a name, the organisation's word does)
        for m in re.finditer(r"\b([a-z][a-z’'\-]+)" + _OWN_LOWER, text):
            w = m.group(1)
            if w in STOPWORDS or w in _DOCUMENTS:
                continue
            named = re.search(r"\b" + re.escape(w) + r"\s+(?:trust|centre|center|institute|foundation|university|"
                              r"council|commission|agency|charity|society|association|fund)\b", text)
            if named:
                found.add(named.group(0))
    found = {f for f in found if speaker_key(f) and speaker_key(f) not in _DOCUMENTS}
    if len(found) != 1:
        return ""
    credit = found.pop()
    if cased:  # "the Tyndall report": the Tyndall Centre for Climate Change Research the story names
        longer = [m.group(0) for m in re.finditer(re.escape(credit) + _NAME_GOES_ON, text)]
        credit = max(longer, key=len, default=credit)
    return " ".join(credit.split())


# Court filings: what "the plea said" is the claim of the one who filed it.
_FILINGS = frozenset("plea petition pil lawsuit suit complaint petitioner petitioners plaintiff plaintiffs".split())
_FILED_BY = re.compile(r"\b(?:[Pp]lea|[Pp]etition|PIL|[Ll]awsuit|[Ss]uit|[Cc]omplaint)s?,?\s+(?:(?:was|were|has|have|had)\s+"
                       r"(?:been\s+)?)?filed\s+by\s+([^;:()“”\"]{3,120})")
_CAPITAL_RUN = re.compile(r"(?:[A-Z][\w’'.\-]*)(?:\s+(?:(?:of|for|and|on|&)\s+)?[A-Z][\w’'.\-]*)*")


def _filed_by(text: str) -> tuple[str, str, str | None, str] | tuple[()]:
    """Who filed the article's petition, plea or lawsuit, when the article says so of one filer:
    "The petition, filed by Delhi-based lawyer Amit Dwivedi, ..." (the name after the description);
    "filed by P.L. Vishweshwar Rao, a retired professor, and A. Rajendra Babu" (the first named)."""
    found = set()
    for m in _FILED_BY.finditer(text):
        words = re.split(r"(?<=[a-z]{2})\.\s", m.group(1).split(",")[0])[0]  # "P.L. Vishweshwar Rao" to the sentence's end
        runs = [r.group(0) for r in _CAPITAL_RUN.finditer(words) if not r.group(0).endswith("-based")]
        if runs:
            found.add(runs[-1])
    if len(found) != 1:
        return ()
    name = found.pop()
    kind = "org" if any(w.lower() in _ORG_WORDS for w in name.split()) or len(name.split()) == 1 else "person"
    return name, speaker_key(name), None, kind


def _is_document(resolved: tuple[str, str, str | None, str]) -> bool:
    """The speaker is a document or its authors: "report", "the study's authors", "Tyndall report"
    (a person's name is none; "according to research" may read as a one-word person)."""
    words = resolved[1].split()
    return bool(words) and words[-1] in _DOCUMENTS and not (resolved[3] == "person" and len(words) > 1)


def _credited(resolved: tuple[str, str, str | None, str], credit: str) -> tuple[str, str, str | None, str]:
    """A statement by "the report", "the authors" or "the Tyndall report": by its credited author."""
    if not credit:
        return resolved
    words = resolved[1].split()
    before = words[:-1]  # "the study's authors", "the Tyndall report"; not "the Fed report", another's
    if before and not speaker_key(credit).startswith(" ".join(before)) and \
            not all(w in _DOCUMENTS or w == "s" for w in before):
        return resolved
    return credit, speaker_key(credit), resolved[2], "org"


# An acronym the story spells out once: "the Boston Consulting Group (BCG)", "MITI (Ministry of
# International Trade and Industry)". The long form's capitalised words, small words aside, give
# the acronym's letters ("Reserve Bank of India" RBI; "Agriculture Department (USDA)" is no match).
ACRONYM = r"[A-Z][A-Za-z&]{0,5}[A-Z]"  # "BCG", "DfE" (capitals the long form's words begin with)
_LONG_WORD = re.compile(r"[A-Z][\w’'&.-]*|of|and|for|the|on|in|de|&")
_SMALL = frozenset("of and for the on in de &".split())


def _spelt_out(text: str) -> dict[str, str]:
    """Each acronym of the article the article spells out, with its long form."""
    out: dict[str, str] = {}
    for m in re.finditer(r"\((" + ACRONYM + r")\)", text):
        words = text[max(0, m.start() - 160):m.start()].split()
        long: list[str] = []
        for w in reversed(words):
            w = w.strip(",;")
            if not _LONG_WORD.fullmatch(w):
                break
            long.insert(0, w)
        while long and long[0] in _SMALL:
            long = long[1:]
        fit = _fit_initials(long, m.group(1))
        if fit:
            out.setdefault(m.group(1), fit)
    for m in re.finditer(r"\b(" + ACRONYM + r")\s+\(([^()]{4,90})\)", text):
        fit = _fit_initials(m.group(2).split(), m.group(1), whole=True)
        if fit:
            out.setdefault(m.group(1), fit)
    return out


def _spelt_out_lower(text: str) -> dict[str, str]:
    """In lower-cased text: each acronym in brackets after words it is the initials of, all of them
    or all but the small ones ("the department for education (dfe)", "boston consulting group (bcg)")."""
    out: dict[str, str] = {}
    for m in re.finditer(r"\(([a-z]{2,6})\)", text):
        acronym = m.group(1)
        words = re.findall(r"[a-z][\w’'&.-]*", text[max(0, m.start() - 120):m.start()])[-8:]
        for i in range(len(words) - 1, -1, -1):
            run = words[i:]
            if run[0] in _SMALL or any(w in _VERBS for w in run):
                continue  # not "said in court (sic)"
            if acronym in ("".join(w[0] for w in run), "".join(w[0] for w in run if w not in _SMALL)):
                out.setdefault(acronym, " ".join(run))
                break
            if len(run) > len(acronym):
                break
    return out


def _fit_initials(words: list[str], acronym: str, whole: bool = False) -> str | None:
    """The shortest run of `words` ending at their end (all of them: `whole`) whose capitals spell
    `acronym`, or None."""
    letters = re.sub(r"[^A-Z]", "", acronym)
    for i in range(len(words) - 1, -1, -1):
        run = words[i:]
        if run[0] in _SMALL:
            continue
        initials = "".join(w[0] for w in run if w not in _SMALL)
        if initials == letters and (not whole or i == 0):
            return " ".join(run)
        if len(initials) > len(letters):
            break
    return None



def _org_named_first(key: str, recent, order, person: _Person | None) -> bool:
    """'Emery Air Freight Corp said ...', 'Emery said ...', then "Emery's chairman, John C. Emery,
    said": a bare 'Emery' is the organisation quoted by that name before the person was named."""
    org_at = next((item[0] for item in recent if item[4] == "org" and item[2].split()[:1] == [key]
                   and item[2].split()[-1] in _COMPANY_ENDS), None)
    if org_at is None:
        return False
    if person is None:
        return True
    named = speaker_key(person.name)
    return org_at < min((off for off, p in order if speaker_key(p.name) == named), default=float("inf"))


def _spelt_otherwise(key: str, first_full: dict[str, _Person]) -> _Person | None:
    """The one person named in full whose surname is this one spelt otherwise ("Zelensky" for
    "Volodymyr Zelenskyy", "Zelenskiy")."""
    fits = [p for sur, p in first_full.items() if spelt_alike(key, sur) and len(speaker_key(p.name).split()) >= 2]
    return fits[0] if len(fits) == 1 else None


def _unit_after(units: list[_Unit], pos: int) -> _Unit | None:
    i = _unit_index(units, max(0, pos - 1))
    return units[i + 1] if i + 1 < len(units) else None


def _person_before(order: list[tuple[int, _Person]], key: str, at: int,
                   gender: str = "", genders: dict[str, str] | None = None, title: str = "") -> _Person | None:
    """The full name used for this surname before `at` (the last one, if several; "Mr. Sanders"
    is not the Jane Sanders the article called "Ms. Sanders" or "his wife"). With a `title`, only
    one named in that job: "PM Modi" is the Prime Minister, not the Deputy Chief Minister named since."""
    found = None
    for off, p in order:
        if off > at:
            break
        if (surname_key(speaker_key(p.name)) == key or speaker_key(p.name).endswith(" " + key)) and \
                _gender_fits(p, gender, genders or {}) and (not title or _fits_title(title, p.role)):
            found = p
    return found


_MALE = frozenset("mr mr. he him his husband father son brother king prince spokesman chairman congressman sir lord".split())
_FEMALE = frozenset("ms ms. mrs mrs. miss she her wife mother daughter sister queen princess spokeswoman chairwoman congresswoman dame lady".split())


def _gender_of(words: str) -> str:
    """'m' or 'f' when the words naming a person say it (an honorific, a relation), else ''."""
    low = {w.rstrip(",") for w in words.lower().split()}
    m, f = bool(low & _MALE), bool(low & _FEMALE)
    return "m" if m and not f else "f" if f and not m else ""


def _gender_fits(p: _Person, gender: str, genders: dict[str, str]) -> bool:
    known = p.gender or genders.get(speaker_key(p.name), "") or _gender_of(p.role)
    return not gender or not known or known == gender


def _no_honorific(role: str) -> str:
    """A role without the honorifics ("Ms.", "Mr."), which are not jobs."""
    kept = [w for w in (role or "").split() if w.lower().rstrip(".") not in ("mr", "mrs", "ms", "miss", "dr", "shri", "sri", "smt")]
    return " ".join(kept)


def _known_role(recent, key: str) -> str:
    for _, _, k, role, _ in reversed(recent):
        if k == key and role:
            return role
    return ""


def _same_owner(role: str, have: str) -> bool:
    """A job of someone's ("Russia’s foreign minister", "Serbia's energy minister") is only a job
    the story gave with that owner ("Russian Foreign Minister"); a job without one fits any."""
    words = role.replace("’", "'").split()
    owners = [w[:-2].lower() for w in words if w.endswith("'s") and w[:1].isupper()]
    # lower-cased text, its apostrophes stripped: "serbia s energy minister" (not "the bank s ...")
    owners += [w for w, nxt in zip(words, words[1:]) if nxt == "s" and w.islower() and w not in STOPWORDS
               and w not in _ORG_WORDS and w not in _ORG_KINDS and w not in _ROLE_NOUNS]
    have_words = have.lower().replace("’", "'").split()
    return all(any(h.startswith(o[:5]) for h in have_words) for o in owners)


_HEADS = frozenset("president premier chancellor leader".split())  # a country's one head: "Ukraine's president"


def _head_just_quoted(role: str, at: int, recent) -> tuple[str, str, str | None, str] | None:
    """'..., Volodymyr Zelensky said. "...," Ukraine’s president said.': the one just quoted, whom the
    story had given no job, in other words (a country's head, not "Serbia's energy minister")."""
    words = role.lower().split()
    if recent and recent[-1][4] == "person" and not recent[-1][3] and at - recent[-1][0] < 300 and len(words) >= 2 and (
            words[-2].endswith(("’s", "'s")) or words[-2] == "s") and words[-1] in _HEADS:
        return recent[-1][1], recent[-1][2], role, "person"
    return None


def _by_role(role: str, at: int, recent, order) -> tuple[str, str, str | None, str] | None:
    """'the spokesman' / 'the Kremlin spokesman': the last person named in that role ("Russia’s
    foreign minister" is not the foreign minister of another country named before)."""
    for _, name, key, r, kind in reversed(recent):
        if kind == "person" and r and _role_match(role, r) and _same_owner(role, r):
            return name, key, r, "person"
    for off, p in reversed(order):
        if off < at and p.role and _role_match(role, p.role) and _same_owner(role, p.role):
            return p.name, speaker_key(p.name), p.role, "person"
    # "The spokesman for one U.S. bank said ...", then "The spokesman said": the one quoted in that job
    for _, name, key, r, kind in reversed(recent[-4:]):
        if kind in ("role", "group") and _role_match(role, r or name) and not _PLURAL_GROUP & set(key.split()):
            return name, key, r, kind
    # "The analyst said ...": no one was called that, so the person just quoted is meant, unless
    # the article gave that person another job, or the job is one of a kind ("the president": the
    # article may quote a senator, not the president) or named with its employer ("the U.S. Bank
    # spokesman")
    words = role.lower().replace("-", " ").split()
    head = _head_just_quoted(role, at, recent)
    if head is not None:
        return head
    if any(w in _UNIQUE_OFFICES or w in _ORG_WORDS or w.endswith(("’s", "'s")) or w == "s" for w in words):
        # ("mr blunkett s spokesman": a possessive whose apostrophe was stripped)
        return None  # "Tony Blair's official spokesman": someone else's, not the last one quoted
    if _employer(role):
        return None  # "said the head of the regional military administration": a job with its employer
    for _, name, key, r, kind in reversed(recent[-2:]):
        if kind == "person" and not any(w in _ROLE_NOUNS for w in (r or "").lower().split()):
            return name, key, r, "person"
    return None


# Verbs that carry on what the one just quoted was saying: "The Labour MP added: ..."
_GOING_ON = frozenset("added continued".split())


def _went_on(r, recent) -> tuple[str, str, str | None, str] | None:
    """'Sarah Champion, chair of the committee, said ...', then 'The Labour MP added: ...': a job
    adding to a statement is the person quoted just before, whatever job the story gave that person
    before. A bare job ("the official added") may be another official, unnamed."""
    if r.cue.lower() not in _GOING_ON or not recent or len(r.speaker.role.split()) < 2:
        return None
    _, name, key, role, kind = recent[-1]
    return (name, key, role, kind) if kind == "person" else None


def _named_later(role: str, at: int, order) -> tuple[str, str, str | None, str] | None:
    """'... as the chief minister warned of a rise in cases' in a story's lead, then 'Chief Minister
    Vijay Rupani visited ...': the one the story names in that job further on (a one-person job)."""
    if not any(w in _ONE_PERSON_JOBS for w in role.lower().split()):
        return None
    later = {speaker_key(p.name): p for off, p in order if off > at and p.role and _role_match(role, p.role)
             and _same_owner(role, p.role)}
    if len(later) != 1:
        return None  # no one, or several in that job: which one is meant is not known
    p = next(iter(later.values()))
    return p.name, speaker_key(p.name), p.role, "person"


# Jobs the article means one person by ("the prime minister told mps ...", then "mr blair said").
_ONE_PERSON_JOBS = frozenset("president prime premier chancellor governor mayor king queen pope minister secretary "
                             "senator leader".split())
# Jobs one person holds: "the president" is never just the last person quoted.
_UNIQUE_OFFICES = frozenset("president king queen pope chancellor premier governor mayor ambassador".split())


def _forward_speaker(raws: list[_Raw], r: _Raw, order=()) -> tuple[str, str, str | None, str] | None:
    """'the governor ... has claimed ...', then 'It cites Alexander Bogomaz posting ...:': a role
    named before the person, who speaks in the next sentence or two."""
    i = raws.index(r)
    for nxt in raws[i + 1:i + 3]:
        sp = nxt.speaker
        office = r.speaker is not None and r.speaker.definite and bool(
            set((r.speaker.role or "").lower().split()) & _ONE_PERSON_JOBS)
        if office and sp is not None and sp.kind == "person" and len(sp.name.split()) == 1 and nxt.unit - r.unit <= 2 and order:
            # "the prime minister told mps ...", then "mr blair said": the person named in full before
            full = next((p for off, p in reversed(order) if off < r.spans[0][0] and len(p.name.split()) >= 2
                         and surname_key(speaker_key(p.name)) == speaker_key(sp.name)), None)
            if full is not None and not (_no_honorific(sp.role) and not _role_match(r.speaker.role if r.speaker else "", sp.role)):
                return full.name, speaker_key(full.name), (r.speaker.role if r.speaker else None) or full.role or None, "person"
        if sp is not None and sp.kind == "person" and len(sp.name.split()) >= 2 and nxt.unit - r.unit <= 2:
            role = r.speaker.role if r.speaker else ""
            if sp.role and not _role_match(role, sp.role):
                return None  # "the president told reporters. His wife, Jill Biden, said": someone else
            return sp.name, speaker_key(sp.name), sp.role or None, "person"
    return None


def _opens_next_sentence(text: str, raws: list[_Raw], r: _Raw, units: list[_Unit], order) -> tuple[str, str, str | None, str] | None:
    """"Russia's foreign minister said it would send its terms ...", then "Sergei Lavrov didn't say
    what those terms would be": a one-person job with its owner, then a sentence that opens with a
    person the story names there for the first time, in no other job."""
    sp = r.speaker
    role = (sp.role or "") if sp is not None else ""
    words = set(role.lower().split())
    if not (sp is not None and sp.definite and words & (_ONE_PERSON_JOBS | {"chief", "head"})
            and re.search(r"[’']s\b|\bof\b", role)) or r.unit + 1 >= len(units):
        return None
    nxt = units[r.unit + 1]
    opens = nxt.start + len(text[nxt.start:nxt.end]) - len(text[nxt.start:nxt.end].lstrip())
    p = next((p for off, p in order if off == opens), None)
    if p is None or len(speaker_key(p.name).split()) < 2 or (p.role and not _role_match(role, p.role)):
        return None
    key = speaker_key(p.name)
    if any(off < opens and speaker_key(q.name) == key for off, q in order):
        return None  # named before: the job may be someone else's
    if any(o.unit == r.unit + 1 and o.speaker is not None and o.speaker.role and speaker_key(o.speaker.name) == key
           and not _role_match(role, o.speaker.role) for o in raws):
        return None  # "John Smith, the shadow chancellor, said": in another job
    return p.name, key, role, "person"


# The headline and the first sentences of a story: where it introduces its source by description.
_LEAD_UNITS = 2
_AFFILIATED = re.compile(r"\b(?:for|at|of|from|with)\s+\S", re.I)
_AFFILIATION_WORDS = frozenset("the of and for at from with inc corp co ltd plc group company".split())


def _employer(role: str) -> str:
    """Whom a job is done for, as the job names it ("head of the regional military administration":
    "the regional military administration"); "" when none is named or the words are part of the
    office ("secretary of state", "minister of defence")."""
    aff = _AFFILIATED.search(role)
    if aff is None:
        return ""
    after = role[aff.end() - 1:]
    if all(w in _TITLE_WORDS or w == "the" for w in after.lower().split()):
        return ""
    return after


def _mention_of(raws: list[_Raw], key: str) -> str:
    """The words that named a speaker where first quoted ("David Larner of Lloyds")."""
    return next((r.speaker.mention for r in raws if r.speaker is not None and speaker_key(r.speaker.name) == key), "")


def _named_after_lead(raws: list[_Raw], r: _Raw, order, described: str = "") -> tuple[str, str, str | None, str] | None:
    """'U.S. BANKER PREDICTS ...', 'A leading U.S. banker said ...', then 'Kurt Viermetz, Worldwide
    Treasurer of Morgan Guaranty, told ...': a story's lead describes the source it names next (a
    person the story has not named before), whatever the job it then gives. A source `described`
    with its organisation ("a spokesman for Lloyds of London") is the one named next only when that
    one speaks for it too ("David Larner of Lloyds"; not "analysts at Merrill Lynch" after "a
    spokeswoman for Vodafone")."""
    named = _next_named(raws, r, order)
    aff = _AFFILIATED.search(described)
    if named is not None and aff is not None:
        org = set(speaker_key(described[aff.end() - 1:]).split()) - _AFFILIATION_WORDS
        said_of = set(speaker_key(f"{named[2] or ''} {_mention_of(raws, named[1])}").split()) - set(named[1].split())
        if not org & said_of:
            return None
    return named


def _next_named(raws: list[_Raw], r: _Raw, order) -> tuple[str, str, str | None, str] | None:
    """The person named next after the lead's statement `r`, when the story has not named them before."""
    i = raws.index(r)
    for nxt in raws[i + 1:i + 4]:
        if nxt.unit - r.unit > _LEAD_UNITS + 1:
            break
        sp = nxt.speaker
        if sp is None or sp.kind == "group" or sp.kind == "role" and r.unit == 0:
            continue  # the lead's own description after the headline's
        if sp.kind == "person" and len(sp.name.split()) >= 2:
            named = speaker_key(sp.name)
            if any(off < r.spans[0][0] and speaker_key(p.name) == named for off, p in order):
                return None
            return sp.name, named, sp.role or None, "person"
        return None
    return None


def _focus(text: str, at: int, gender: str, recent, order, genders, units) -> tuple[str, str, str | None, str] | None:
    """He/she: the person the story is following; they: the last group or organisation; it: the
    last organisation ("Tanjug said ... It said ...")."""
    if gender == "p":
        # people before an organisation ("Employers and companies argued ..., they said")
        for kinds in (("group",), ("org",)):
            for _, name, key, role, kind in reversed(recent[-4:]):
                if kind in kinds:
                    return name, key, role, kind
        return None
    if gender == "o":
        for _, name, key, role, kind in reversed(recent[-3:]):
            if kind == "org":
                return name, key, role, kind
            if kind == "person":
                return None
        return None
    if recent and recent[-1][4] in ("role", "group") and _singular(recent[-1][2]) and \
            any(w in _ROLE_NOUNS for w in recent[-1][2].split()) and \
            _unit_index(units, at) - _unit_index(units, recent[-1][0]) <= 2 and \
            _gender_of(recent[-1][3] or recent[-1][1]) in ("", gender):
        # '"...," one leading options analyst said.' / 'He said much of the growth ...': the one just
        # quoted, unless a sentence since is about someone named ("mr. biden was asked ...")
        subject = _subject_since(text, recent[-1][0], at, gender, order, genders, units)
        if subject is not None:
            return subject
        return recent[-1][1], recent[-1][2], recent[-1][3], recent[-1][4]
    # the subject of a narrative sentence since the last speaker takes the focus
    last_speaker = None
    for item in reversed(recent):
        if item[4] == "person" and genders.get(item[2], gender) == gender:
            last_speaker = item
            break
    since = last_speaker[0] if last_speaker else -1
    subject = _subject_since(text, since, at, gender, order, genders, units)
    if subject is not None:
        return subject
    if last_speaker:
        return last_speaker[1], last_speaker[2], last_speaker[3], "person"
    return None


def _described(text: str, role: str, at: int, recent, order, genders, units) -> tuple[str, str, str | None, str] | None:
    """'the 77-year-old independent', 'the widow of sen. john mccain': a description (no job) of the
    person the story is about: the subject of the sentence before, else the person just quoted (of
    the description's gender, and not the one it relates to)."""
    low = role.lower().split()
    # (also a job after a nationality no one was named in: "said the Ukrainian president", "the
    # french prime minister", when no one was named so)
    nationality_job = len(low) >= 2 and _is_description(low[0]) and all(w in _TITLE_WORDS for w in low[1:])
    if not low or not (low[0] in _RELATIONS or _is_description(role) or nationality_job):
        return None
    gender = _gender_of(role)
    related = speaker_key(" ".join(low[2:])) if len(low) > 2 and low[1] == "of" else ""
    here = _unit_index(units, at)
    since = units[max(0, here - 1)].start
    subject = _subject_since(text, since - 1, at, gender, order, genders, units) if not related else None
    if subject is not None:
        return subject
    for _, name, key, r, kind in reversed(recent[-3:]):
        if kind == "person" and (not related or key not in related and not related.endswith(key)) and \
                genders.get(key, gender) in ("", gender):
            return name, key, r, kind
    if not related and not recent and here <= 4:
        # no one quoted yet: the person the story's lead is about ("tim henman has been knocked out
        # ...", then "..., said the 30-year-old"), whom it goes on about (not a byline's name)
        lead = _subject_since(text, -1, units[min(1, len(units) - 1)].end, gender, order, genders, units)
        if lead is not None and len(re.findall(r"\b" + re.escape(lead[0].split()[-1]) + r"\b", text, re.I)) >= 2:
            return lead
    return None


# What a story calls an organisation it has named: "the central bank" (the RBI), "the team" (the
# Dallas Cowboys), "the company", "the ministry".
_ORG_KINDS = frozenset("""bank lender company firm group carmaker automaker airline insurer retailer regulator watchdog
    team club party union agency ministry department board council exchange band label publisher network""".split())


def _named_org(text: str, mention: str, at: int, recent, units) -> tuple[str, str, str | None, str] | None:
    """'The RBI said ...', then 'the central bank said': the organisation named last (one whose name
    has the kind's word, else one named by an acronym quoted within the last few sentences)."""
    words = mention.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    elif not (words and re.search(r"\b[Tt]he\s+(?:[a-z\-]+\s+){0,2}" + re.escape(words[-1]) + r"\b", text[max(0, at - 60):at + 30])):
        return None  # "the central bank" (its mention may have kept only "bank"), not "Bank of England"
    if not (1 <= len(words) <= 2 and all(w.islower() for w in words) and words[-1] in _ORG_KINDS):
        return None
    here = _unit_index(units, at)
    kind = {words[-1], words[-1] + "s"}  # "the airline": American Airlines
    # organisations by name (an acronym is one: "RBI"; a name of capitalised words with the kind's
    # word in it may have been read as a person's: "Goldman Sachs Bank")
    named = [item for item in reversed(recent) if any(c.isupper() for c in item[1]) and (
        item[4] == "org" or item[1].isupper() and item[4] != "group" or {w.capitalize() for w in kind} & set(item[1].split()))]
    for item in named:
        if kind & set(item[1].lower().split()):
            return item[1], item[2], item[3], "org"
    if words[-1] in ("company", "firm"):
        # "International Business Machines Corp said ...", then "the company said": the company
        # named last, by a name a company has ("... Corp", "... Inc", "... Plc")
        for item in named:
            if item[4] == "org" and item[1].split()[-1].lower().rstrip(".") in _COMPANY_ENDS:
                return item[1], item[2], item[3], "org"
    introduced = _introduced_org(text, words[-1], at)
    if introduced is not None:
        return introduced, speaker_key(introduced), None, "org"
    for item in reversed(recent):
        if item[4] == "org" and not any(c.isupper() for c in item[1]):
            break  # another organisation spoke since ("the government said"): which one is meant is not known
        if named and item is named[0] and item[1].isupper() and here - _unit_index(units, item[0]) <= 4:
            return item[1], item[2], item[3], "org"  # an acronym ("RBI") does not say its kind
    return None


def _named_org_lower(mention: str, recent) -> tuple[str, str, str | None, str] | None:
    """'american airlines suggested ...', then 'the airline said' in text without capitals: the
    speaker named last with the kind's word in its name (no capitals tell other names apart)."""
    words = mention.lower().split()
    if not (len(words) == 2 and words[0] == "the" and words[1] in _ORG_KINDS):
        return None
    kind = {words[1], words[1] + "s"}
    for item in reversed(recent):
        if item[4] in ("org", "person") and len(item[2].split()) >= 2 and kind & set(item[2].split()[1:]):
            return item[1], item[2], item[3], "org"
    return None


_ORG_NAME = r"[A-Z][\w’'&\-]*(?:\.[A-Za-z]+)*(?:\s+(?:[A-Z][\w’'&\-]*(?:\.[A-Za-z]+)*|of|and|&))*"


def _introduced_org(text: str, kind: str, at: int) -> str | None:
    """'The chatbot company Character.AI will ban ...', then 'the company wrote': the name the
    story gave after the kind's word (the last such before the statement), not a later one."""
    found = None
    for m in re.finditer(r"\b[Tt]he\s+(?:[\w\-]+\s+){0,2}" + re.escape(kind) + r"s?\s+(" + _ORG_NAME + r")", text[:at]):
        name = m.group(1)
        while name.split()[-1] in ("of", "and", "&"):
            name = name.rsplit(None, 1)[0]
        if name.split()[0].lower() not in _CALENDAR_WORDS:  # "the company Monday said": no name
            found = name
    return found


def _job_of_subject(text: str, role: str, at: int, order, genders, units) -> tuple[str, str, str | None, str] | None:
    """'Gordon Brown has promised ... Speaking in London, the chancellor said': a job no one was
    named in is the subject of the sentence before, when no other job is known of that person."""
    if not _singular(speaker_key(role)) or _role_match("spokesman", role):
        return None
    here = _unit_index(units, at)
    if here == 0:
        return None
    subject = _subject_since(text, units[here - 1].start - 1, units[here].start, _gender_of(role), order, genders, units)
    if subject is None or subject[2] and not _role_match(role, subject[2]):
        return None
    prev = text[units[here - 1].start:units[here].start]
    employer = _employer(role)
    if employer and not set(terms(employer)) & set(terms(prev)):
        return None  # "said the head of the regional military administration": not the one named before
    named = prev.find(subject[0])
    before = prev[max(0, named - 30):named].lower().split() if named >= 0 else []
    if any(w.rstrip(".,") in _ROLE_NOUNS or w.rstrip(".,") in _TITLE_WORDS for w in before[-2:]):
        return None  # "Sen. Mitch McConnell met Nancy Pelosi. The speaker said": he has another job
    jm = _JOB_BEFORE_NAME.fullmatch(prev[:named]) if named >= 0 else None
    if jm and not _role_match(role, jm.group(1)):
        return None  # "The governor of the Zaporizhzhia region, Ivan Federov, said ...", then "Serbia's energy minister said"
    return subject


# Words right before a name that make it no sentence's subject ("Despite Colbert's ...", "with Putin").
_NOT_BEFORE_SUBJECT = frozenset("despite after before with for of to by from against unlike like about than".split())
# A scene before the subject: "In an excerpt of the book posted online by NPR, McCain called ..."
_SCENE_LEAD = re.compile(r"\W*(?:in|on|at|after|before|during|while|when|with|despite|speaking|asked|according|"
                         r"since|following|amid|as)\b[^,]*,\s*", re.I)


# A job set before the name it describes, at the start of a sentence: "The chief executive of Arts
# Council England, " (Darren Henley, ...).
_JOB_BEFORE_NAME = re.compile(r"\W*(?:[Tt]he|[Aa]n?)\s+([^,;:.“”\"()]{3,60}),\s*")


# A relative set before the name, at the start of a sentence: "Her mother, former Olympic speed
# skater " (Karen Gardiner-Kah, ...).
_RELATION_BEFORE_NAME = re.compile(r"\W*(?:[Hh]is|[Hh]er|[Tt]heir)\s+(?:" + "|".join(sorted(_RELATIONS)) +
                                   r")\s*,\s*(?:[^,;:.“”\"()]{3,60})?")


def _subject_since(text: str, since: int, at: int, gender: str, order, genders, units) -> tuple[str, str, str | None, str] | None:
    """The person a narrative sentence between `since` and `at` is about (the latest such sentence)."""
    chosen = None
    for off, p in reversed(order):
        if chosen is not None and off < units[chosen[0]].start:
            break  # the latest sentence with a subject named has been read to its start
        if since < off < at:
            ui = _unit_index(units, off)
            u = units[ui]
            lead = text[u.start:off]
            # the sentence's subject: named in its first few words, outside any quotation
            # ("Describing the Trump administration's strategy, she said": a scene, not the subject)
            if _opens_with_participle(lead) and "," not in lead or "(" in lead:
                continue  # "(Bannon is on leave until after the election.)": an aside, not the story's focus
            sl = _SCENE_LEAD.match(lead)
            if sl and len(lead.split()) > 3:
                lead = lead[sl.end():]
            # after a dateline ("washington -- vermont sen. bernie sanders"), abbreviated titles not counted
            lead = _DATELINE_DASH.split(lead)[-1]
            if ui == 0:
                # after a headline run into the text, its break read as a comma ("henry double sinks
                # chelsea  thierry henry scored ...")
                lead = re.split(r",\s+|[ \t]{2,}", lead)[-1]
            if len(lead.split()) > 3:
                lead = " ".join(w for w in lead.split() if not (w.endswith(".") and w.lower().rstrip(".") in _TITLE_WORDS))
            if _RELATION_BEFORE_NAME.fullmatch(lead) and text.startswith(",", off + len(p.name)):
                lead = ""  # "Her mother, former Olympic speed skater Karen Gardiner-Kah, became ...": her
            jm = _JOB_BEFORE_NAME.fullmatch(lead)
            if jm and any(w in _ROLE_NOUNS for w in jm.group(1).lower().split()) and text.startswith(",", off + len(p.name)):
                lead = ""  # "The chief executive of Arts Council England, Darren Henley, called it ...": his job
            lead_words = lead.lower().split()
            if lead_words and lead_words[-1] in _NOT_BEFORE_SUBJECT or text.startswith(("’s", "'s"), off + len(p.name)):
                continue  # "Despite Colbert's suggestion, Warren would not say": Warren is the subject
            if len(lead.split()) <= 3 and not any(c in lead for c in _OPEN_QUOTES + '"') and genders.get(speaker_key(p.name), gender) == gender:
                # the first such name of that sentence: "Rafael Nadal beat Lleyton Hewitt" is about Nadal
                chosen = (ui, p)
    if chosen is None:
        return None
    p = chosen[1]
    return p.name, speaker_key(p.name), p.role or None, "person"


def _singular(key: str) -> bool:
    """One person in a job ("options analyst", "spokesman for shanahan"), not a group ("analysts")."""
    words = key.split()
    head = next((w for w in words if w in _ROLE_NOUNS), words[-1] if words else "")
    return bool(head) and head not in _PLURAL_GROUP and not (head.endswith("s") and head[:-1] in _ROLE_NOUNS)
