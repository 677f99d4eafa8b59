"""Will this text fit on that network? Each network counts length its own way:

- X: 280 "weighted" characters (twitter-text v3): text is NFC-normalised; every URL counts 23;
  an emoji (a whole sequence: ZWJ family, flag, skin tone, keycap) counts 2; any other code point
  counts 1 inside U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F, U+2032-U+2037, and 2 elsewhere
  (CJK, but also "€" and "…").
- Bluesky: 300 graphemes (user-perceived characters) of the text as posted, and at most 3,000
  UTF-8 bytes (the record's other limit). URLs count in full.
- Mastodon: 500 graphemes by default (instances may change it: pass `limit`); a URL with a
  scheme counts 23 and "@user@server" counts as "@user".
- Facebook 63,206, Instagram caption 2,200, YouTube comment 10,000, LinkedIn 3,000: counted as
  JavaScript does (UTF-16 units: an emoji counts 2), the stricter reading, so a text we pass is
  never refused for length.
- webhook: no limit.

URLs without a scheme ("example.com/page") are found the way twitter-text does in spirit, with
a short list of generic TLDs plus any two-letter country TLD; a bare "example.fr" (one label, a
country TLD, no path) is not a URL, as on X.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex  # a dateparser dependency; its \X implements Unicode extended grapheme clusters

URL_WEIGHT = 23

_GENERIC_TLDS = (
    "com|net|org|info|biz|edu|gov|mil|int|app|dev|xyz|online|site|shop|store|tech|blog|news|"
    "social|page|cloud|club|live|media|agency|art|design|email|link|world|today|space|website"
)
_SCHEME_URL = regex.compile(r"\bhttps?://[^\s<>\"]+", regex.IGNORECASE)
_BARE_URL = regex.compile(
    r"(?<![\w@./:-])"
    r"(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>" + _GENERIC_TLDS + r"|[a-z]{2}))"
    r"(?::\d{1,5})?(?P<path>/[^\s<>\"]*)?(?![\w-])",
    regex.IGNORECASE,
)
_TRAILING = ".,;:!?'\"»…"
_EMOJI_IN_CLUSTER = regex.compile(
    r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}|\u20E3"
)
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_MASTODON_MENTION = regex.compile(r"(?<![\w/])@(\w+(?:[.-]\w+)*)@[\w-]+(?:\.[\w-]+)+\w*", regex.IGNORECASE)


def _trim_url(url: str) -> str:
    """Drop sentence punctuation after a URL, and a closing bracket it did not open."""
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    while url and url[-1] in ")]" and url.count(url[-1]) > url.count("(" if url[-1] == ")" else "["):
        url = url[:-1]
    return url


def find_urls(text: str, *, without_scheme: bool = True) -> list[tuple[int, int]]:
    """(start, end) spans of the URLs in `text`, in order, not overlapping."""
    spans = []
    for m in _SCHEME_URL.finditer(text):
        url = _trim_url(m.group(0))
        if url.split("://", 1)[1]:  # "https://" alone is not a link
            spans.append((m.start(), m.start() + len(url)))
    if without_scheme:
        for m in _BARE_URL.finditer(text):
            if any(s <= m.start() < e for s, e in spans):
                continue
            one_label = m.group("domain").count(".") == 1
            if one_label and len(m.group("tld")) == 2 and not m.group("path"):
                continue  # "example.fr": not a link on X without a path
            url = _trim_url(m.group(0))
            spans.append((m.start(), m.start() + len(url)))
    return sorted(spans)


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return "".join(out)


def grapheme_count(text: str) -> int:
    """User-perceived characters: "👨‍👩‍👧", "🇫🇷", "👍🏽" and "é" written e + accent each count 1."""
    return len(regex.findall(r"\X", text))


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    spans = find_urls(text)
    total, last = 0, 0
    for start, end in [*spans, (len(text), len(text))]:
        for cluster in regex.findall(r"\X", text[last:start]):
            if _EMOJI_IN_CLUSTER.search(cluster):
                total += 2
            else:
                total += sum(1 if _light(ord(ch)) else 2 for ch in cluster)
        if end > start:
            total += URL_WEIGHT
        last = end
    return total


def _light(code_point: int) -> bool:
    return any(lo <= code_point <= hi for lo, hi in _X_LIGHT_RANGES)


def mastodon_length(text: str) -> int:
    text = _replace_spans(text, find_urls(text, without_scheme=False), "x" * URL_WEIGHT)
    return grapheme_count(_MASTODON_MENTION.sub(r"@\1", text))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Rule:
    name: str
    limit: int | None
    unit: str
    count: Callable[[str], int]


RULES: dict[str, _Rule] = {
    "x": _Rule("X", 280, "weighted characters", x_weighted_length),
    "bluesky": _Rule("Bluesky", 300, "graphemes", grapheme_count),
    "mastodon": _Rule("Mastodon", 500, "graphemes", mastodon_length),
    "facebook": _Rule("Facebook", 63_206, "characters", utf16_length),
    "instagram": _Rule("Instagram", 2_200, "characters", utf16_length),
    "youtube": _Rule("YouTube", 10_000, "characters", utf16_length),
    "linkedin": _Rule("LinkedIn", 3_000, "characters", utf16_length),
    "webhook": _Rule("webhook", None, "characters", len),
}
RULES["twitter"] = RULES["x"]
BLUESKY_MAX_BYTES = 3_000

_UNITS_FR = {
    "weighted characters": "caractères pondérés",
    "graphemes": "caractères",
    "characters": "caractères",
}
_UNITS_EN = {
    "weighted characters": "weighted characters",
    "graphemes": "characters",
    "characters": "characters",
}
_HOW_COUNTED = {  # by network name
    "X": (
        "les liens comptent pour 23, les emoji et les caractères chinois, japonais ou coréens pour 2",
        "links count as 23, emoji and Chinese, Japanese or Korean characters as 2",
    ),
    "Mastodon": ("les liens comptent pour 23", "links count as 23"),
    "Bluesky": ("les liens comptent en entier", "links count in full"),
}


@dataclass(frozen=True)
class LengthCheck:
    network: str
    ok: bool
    length: int
    limit: int | None  # None: no limit
    unit: str  # "weighted characters", "graphemes" or "characters"
    byte_length: int | None = None  # Bluesky only: UTF-8 bytes, limited to 3,000

    @property
    def over(self) -> int:
        return 0 if self.limit is None else max(0, self.length - self.limit)

    def message(self, locale: str | None = "en") -> str:
        """One plain-text line for the member, in French or English."""
        fr = (locale or "").lower().replace("_", "-").split("-")[0] == "fr"
        name = RULES[self.network].name
        if self.limit is None:
            return f"Pas de limite de longueur pour {name}." if fr else f"No length limit for {name}."
        unit = (_UNITS_FR if fr else _UNITS_EN)[self.unit]
        if self.ok:
            return f"{self.length} / {self.limit} {unit} {'sur' if fr else 'on'} {name}."
        if self.over == 0:  # within the graphemes, over Bluesky's byte limit
            if fr:
                return (
                    f"Trop long pour {name} : {self.byte_length} / {BLUESKY_MAX_BYTES} octets "
                    "(les emoji composés pèsent lourd). Raccourcissez le texte."
                )
            return (
                f"Too long for {name}: {self.byte_length} / {BLUESKY_MAX_BYTES} bytes "
                "(combined emoji weigh a lot). Please shorten the text."
            )
        how = _HOW_COUNTED.get(name)
        how = f" ({how[0] if fr else how[1]})" if how else ""
        if fr:
            return f"Trop long pour {name} : {self.length} / {self.limit} {unit}, {self.over} de trop{how}."
        return f"Too long for {name}: {self.length} / {self.limit} {unit}, {self.over} over{how}."


def check_length(network: str, text: str, *, limit: int | None = None) -> LengthCheck:
    """Measure `text` the way `network` does. `limit` overrides the default (a Mastodon instance
    may allow more than 500). An unknown network is a programming error: KeyError."""
    key = network.lower()
    rule = RULES[key]
    limit = rule.limit if limit is None else limit
    length = rule.count(text)
    ok = limit is None or length <= limit
    byte_length = None
    if key == "bluesky":
        byte_length = len(text.encode("utf-8"))
        ok = ok and byte_length <= BLUESKY_MAX_BYTES
    return LengthCheck(key, ok, length, limit, rule.unit, byte_length)
