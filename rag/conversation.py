"""Follow-up questions: rewrite "and what did he say about Sweden?" into a self-contained query.

After a question about what someone said ("What did Peskov say about Finland?") a follow-up
keeps what it does not change: "and about Sweden?" keeps the speaker ("What did Peskov say about
Sweden?"), "how about Putin?" / "and Zakharova?" keep the topic ("What did Putin say about
Finland?") when the name is a speaker the index knows (`is_speaker`, from the caller).
"""

from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

_PRONOUNS = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "it", "its", "this", "that", "there"}
_FOLLOW_UP_START = re.compile(r"^\s*(and|also|but|so|what about|how about|and what|what else|why|then)\b", re.I)
_ENTITY = re.compile(r"\b([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*)")
_QUESTION_WORDS = {"What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Did", "Does", "Do",
                   "Is", "Are", "Was", "Were", "Can", "Could", "Would", "Should", "And", "But", "So", "Also", "Tell", "The", "A", "An", "In", "On"}


def _entities(text: str) -> list[tuple[str, str]]:
    """(entity, the word before it) for capitalised names in a question."""
    out = []
    for m in _ENTITY.finditer(text):
        ent = m.group(1)
        words = ent.split()
        while words and words[0] in _QUESTION_WORDS:
            words = words[1:]
        if not words:
            continue
        ent = " ".join(words)
        before = text[: m.start()].split()
        out.append((ent, before[-1].lower() if before else ""))
    return out


def is_follow_up(question: str) -> bool:
    words = re.findall(r"[A-Za-z']+", question.lower())
    if not words:
        return False
    has_pronoun = any(w in _PRONOUNS for w in words)
    return bool(_FOLLOW_UP_START.match(question)) or (has_pronoun and not _entities(question)) or (
        has_pronoun and len(words) <= 8
    )


# How many earlier questions a follow-up chain is read back over ("and about Sweden?", then "how about Putin?").
FOLLOW_UP_DEPTH = 4
# "and about Sweden?" (the topic changes), "how about Putin?", "what about Zakharova on Sweden?", "and Zakharova?"
_ABOUT_ONLY = re.compile(r"^\s*(?:and|but|also|so)?\s*(?:on|about|regarding|concerning)\s+(?P<x>.+?)\s*[?.!]*\s*$", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*[?.!]*\s*$", re.I)
_AND_NAME = re.compile(r"^\s*(?:and|but|also|so)\s+(?P<x>(?!(?:what|how|who|why|when|where|did|does|is|was)\b)[^?]{1,60}?)\s*[?.!]*\s*$", re.I)
_ON_TOPIC = re.compile(r"\s+(?:on|about|regarding|concerning)\s+", re.I)
_LEAD = re.compile(r"^\s*(?:and|also|but|so)\s+", re.I)


def _speech_follow_up(question: str, prev: str, is_speaker: Callable[[str], bool] | None) -> str | None:
    """The follow-up to a 'what did X say about Y' question as one that stands alone, or None."""
    from .quotes import parse_question

    before = parse_question(prev)
    if before is None or before.kind != "speaker":
        return None
    who, topic = before.who, before.topic

    def ask(w: str, t: str) -> str:
        return f"What did {w} say about {t}?" if t else f"What did {w} say?"

    m = _ABOUT_ONLY.match(question)
    if m:  # "and about Sweden?": the same speaker on another topic
        return ask(who, m.group("x"))
    m = _WHAT_ABOUT.match(question) or _AND_NAME.match(question)
    if m:
        x = m.group("x").strip(" ,")
        # "how about Putin on Sweden?": a speaker and a topic
        parts = _ON_TOPIC.split(x, maxsplit=1)
        name, new_topic = (parts[0], parts[1]) if len(parts) == 2 else (x, "")
        if is_speaker is not None and name.lower() not in _PRONOUNS and is_speaker(name):
            return ask(name, new_topic or topic)
        if len(x.split()) <= 6:
            return ask(who, x)  # "what about Sweden?": a topic
        return None
    # "and what did Putin say?": a speech question of its own, without a topic, keeps the topic
    now = parse_question(_LEAD.sub("", question))
    if now is not None and now.kind == "speaker" and _LEAD.match(question):
        w = now.who
        if w.lower() in _PRONOUNS:
            w = who
        return ask(w, now.topic or topic)
    return None


def rewrite_query(question: str, history: Sequence[Mapping[str, str]] = (),
                  is_speaker: Callable[[str], bool] | None = None) -> str:
    """A retrieval query that stands on its own; the question itself when it already does.

    `is_speaker(name)` says whether a name is someone the index quotes: "how about Putin?" after
    "What did Peskov say about Finland?" then asks what Putin said about Finland."""
    previous = [m.get("content", "") for m in history if m.get("role") == "user" and m.get("content", "").strip()]
    if not previous or not is_follow_up(question):
        return question.strip()
    # the previous question as it was understood: a follow-up of a follow-up reads back the chain
    chain = [{"role": "user", "content": q} for q in previous[-FOLLOW_UP_DEPTH:]]
    understood = rewrite_query(chain[-1]["content"], chain[:-1], is_speaker) if len(chain) > 1 else previous[-1]
    speech = _speech_follow_up(question, understood, is_speaker)
    if speech is not None:
        return speech
    prev = previous[-1]
    prev_ents = _entities(prev)
    cur_ents = _entities(question)
    cur_names = {e.lower() for e, _ in cur_ents}
    cur_slots = {b for _, b in cur_ents}
    # an entity of the previous question in the same slot ("about Finland" -> "about Sweden") is replaced
    carried = [e for e, before in prev_ents if e.lower() not in cur_names and not (before and before in cur_slots)]
    if not carried:
        return question.strip()
    q = question.strip()
    q = re.sub(r"^\s*(and|also|but|so)\s+", "", q, flags=re.I)
    # put the first carried name where a subject pronoun stands
    replaced = False

    def sub(m: re.Match) -> str:
        nonlocal replaced
        if replaced:
            return m.group(0)
        replaced = True
        return carried[0]

    q2 = re.sub(r"\b(he|she|they|him|her|them)\b", sub, q, flags=re.I)
    rest = carried[1:] if replaced else carried
    if rest:
        q2 = f"{q2.rstrip('?').rstrip()} ({', '.join(rest)})?"
    return q2[0].upper() + q2[1:] if q2 else q2
