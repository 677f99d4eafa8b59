"""X text rules: twitter-text's weighted length (v3 configuration), and recognising our own tweets.

twitter-text v3: the limit is 280 weighted units; code points in the Latin-1 to Georgian range
and a few punctuation ranges weigh 1, everything else (CJK, most symbols) 2; every URL weighs 23
whatever its length (t.co wraps it); an emoji, even a multi-code-point sequence, weighs 2. Text
is measured after NFC normalisation.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

# Scheme URLs, www. hosts, and bare domains on common TLDs (twitter-text links those too).
_URL = re.compile(
    r"https?://[^\s]+"
    r"|\bwww\.[^\s]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|dev|app|info|me|ly|fr|de|uk|es|it|eu)\b(?:/[^\s]*)?",
    re.IGNORECASE,
)
_EMOJI_BASE = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
_EMOJI_TAIL = "\uFE0E\uFE0F\U0001F3FB-\U0001F3FF\u20E3"
_EMOJI = re.compile(
    rf"[\U0001F1E6-\U0001F1FF]{{2}}"  # flags: a pair of regional indicators
    rf"|[{_EMOJI_BASE}][{_EMOJI_TAIL}]*(?:\u200D[{_EMOJI_BASE}][{_EMOJI_TAIL}]*)*"
)


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(lo <= point <= hi for lo, hi in _LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for url in _URL.finditer(text):
        total += _plain_weight(text[position : url.start()]) + URL_WEIGHT
        position = url.end()
    return total + _plain_weight(text[position:])


def _plain_weight(text: str) -> int:
    total = 0
    position = 0
    for emoji in _EMOJI.finditer(text):
        total += sum(_char_weight(c) for c in text[position : emoji.start()]) + 2
        position = emoji.end()
    return total + sum(_char_weight(c) for c in text[position:])


_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def comparable(text: str) -> str:
    """Text as X gives it back reduced to what we sent: entities decoded (X escapes &, <, >),
    links replaced (X returns them as t.co), the reply's leading @mentions dropped, spaces collapsed."""
    text = html.unescape(text)
    text = _URL.sub("<link>", text)
    text = _LEADING_MENTIONS.sub("", text.strip())
    return " ".join(text.split())
