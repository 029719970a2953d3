"""Follow-up questions: rewrite "and what did he say about Sweden?" into a self-contained query."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

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


def rewrite_query(question: str, history: Sequence[Mapping[str, str]] = ()) -> str:
    """A retrieval query that stands on its own; the question itself when it already does."""
    previous = [m.get("content", "") for m in history if m.get("role") == "user" and m.get("content", "").strip()]
    if not previous or not is_follow_up(question):
        return question.strip()
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
