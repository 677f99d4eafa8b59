"""Text clean-up shared by the language, sentiment and bot checks: social posts carry links,
@handles, hashtags and stretched words ("nuuuul") that no lexicon or language model expects."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<!\w)@[\w.\-]+")
HASHTAG = re.compile(r"(?<!\w)#(\w+)")
# Three or more of the same letter: "nuuuul", "soooo". Two stay ("cool", "bonne").
STRETCH = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
_MARKS = re.compile(r"[\u0300-\u036f]")  # combining accents, once NFD has split them off
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def without_links(text: str) -> str:
    """The words of a post: no URL, no @handle; a hashtag keeps its word (#nul → nul)."""
    return HASHTAG.sub(r"\1", HANDLE.sub(" ", URL.sub(" ", text)))


def unstretch(text: str) -> tuple[str, bool]:
    """"nuuuul" → "nul"; says whether anything was stretched (an emphasis, like "!")."""
    out, n = STRETCH.subn(r"\1", text)
    return out, n > 0


def strip_accents(word: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFD", word))


def letters(text: str) -> int:
    return sum(len(w) for w in WORD.findall(text))


@lru_cache(maxsize=4)
def prepared(text: str) -> tuple[str, bool]:
    """without_links + unstretch, computed once per post for the language and sentiment checks."""
    return unstretch(without_links(text or ""))
