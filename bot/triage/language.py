"""Which language a post is written in, or "unknown" when the evidence is thin.

py3langid (the maintained fork of langid.py) ships its model inside the wheel and answers in
about 30 µs. Restricting it to the languages a team meets keeps short posts from landing on a
rare language, and a few social-media spellings it never saw in training ("mdr", "jsuis", "lol",
"idk") tip the balance on short posts."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.triage.text import letters, prepared

UNKNOWN = "unknown"
LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl")
MIN_LETTERS = 8  # below this ("ok", "mdr", "👍"), nobody can tell
MIN_CONFIDENCE = 0.80

# Words of chat spelling, decisive on short posts and unseen by the model's training text.
_MARKERS = {
    "fr": {"mdr", "ptdr", "jsuis", "chui", "tkt", "stp", "svp", "pk", "pcq", "jpp", "wesh", "bcp", "jsp",
           "jcrois", "jpense", "cv", "slt", "bjr", "bonjour", "merci", "nul", "pas", "c", "ya", "koi", "kwa",
           "g", "ct", "jvais", "tjrs", "toujours", "vraiment", "trop", "mais", "est", "et", "je", "vous", "nous",
           "les", "des", "une", "avec", "pour", "sur", "dans", "mon", "ma", "mes", "ça", "ca", "ai"},
    "en": {"lol", "omg", "idk", "pls", "plz", "thx", "ty", "u", "ur", "wtf", "imo", "tbh", "smh", "btw", "dm",
           "the", "and", "is", "my", "your", "you", "to", "it", "this", "not", "of", "with", "for", "why", "what",
           "still", "thanks", "please", "hi", "hey", "i", "im", "i'm", "can't", "don't"},
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier():
    # Loading decompresses the shipped model (~1.5 s): once per process, on first use.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def language(text: str) -> str:
    """An ISO 639-1 code among LANGUAGES, or "unknown" on short or undecidable text."""
    clean, _ = prepared(text or "")
    if letters(clean) < MIN_LETTERS:
        return UNKNOWN
    words = [w.lower() for w in _TOKEN.findall(clean)]
    margin = sum(w in _MARKERS["fr"] for w in words) - sum(w in _MARKERS["en"] for w in words)
    lang, prob = _identifier().classify(clean.lower())
    by_markers = "fr" if margin > 0 else "en" if margin < 0 else None
    if by_markers and lang == by_markers:
        return lang  # the model and the chat words agree, however unsure the model is
    if by_markers and (abs(margin) >= 2 or (lang not in ("fr", "en") and prob < 0.99)):
        return by_markers  # chat spelling the model never saw ("c nul tkt", "idk lol")
    return lang if prob >= MIN_CONFIDENCE else UNKNOWN
