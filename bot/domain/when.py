"""Reading a time a member types in Slack ("demain 9h", "next friday 2pm") as one UTC instant.

What a member can rely on (the tests spell each rule out):
- The text is read in the member's zone `tz`; the result is the wall time they meant there.
- French and English are read; dateparser is restricted to `languages` (fewer false readings).
- "vendredi 14h30", "next friday 2pm", "lundi prochain": the next such day strictly after today.
  "ce vendredi" / "this friday": this week's (Monday to Sunday), refused if already past.
  "lundi en huit": a week after next Monday.
- A date without a time means 09:00 local ("demain", "3 décembre", "in 2 days").
- A time without a date is the next such time (today if still ahead, else tomorrow).
- "ce matin/cet après-midi/ce soir", "this morning/afternoon/evening", "tonight" mean 09:00, 14:00
  and 19:00 today; "demain soir", "friday morning"... the same hours on that day; "demain soir 8h"
  is 20:00. "midi"/"noon" is 12:00, "minuit"/"midnight" 00:00.
- "dans 2 heures" / "in 30 minutes" count real elapsed time, so they stay right across a DST
  change; longer spans ("dans 3 jours") count calendar days.
- A wall time that does not exist (the spring-forward gap) moves to the end of the gap (02:30 ->
  03:00 in Paris on 2027-03-28) and the echo says so; one that happens twice (autumn) is the first.
- A written zone ("10:00 UTC", "2026-12-01T10:00+09:00") is honoured.
- Anything not strictly after `now`, anything unreadable, and anything over 200 characters is
  refused with a WhenError whose message (French or English) lists examples.

dateparser is imported on first use (it is slow to import); call `warm_up()` at start-up so the
first member does not wait for its language data to load.
"""

from __future__ import annotations

import functools
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_HOUR = 9  # a date without a time means 09:00 local
MAX_TEXT = 200  # longer input is refused before parsing: dateparser's cost grows with length

# fmt: off
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
# fmt: on

_EXAMPLES = {
    "fr": ("demain 9h", "vendredi 14h30", "lundi prochain 10h", "dans 2 heures"),
    "en": ("tomorrow 9am", "next friday 2pm", "in 2 hours", "Dec 3 10:00"),
}


def lang_of(locale: str | None) -> str:
    """'fr', 'fr-FR', 'fr_CA' -> 'fr'; anything not French -> 'en'."""
    return "fr" if (locale or "").lower().replace("_", "-").split("-")[0] == "fr" else "en"


# ---------------------------------------------------------------- result, errors, echo strings


@dataclass(frozen=True)
class When:
    at: int  # UTC epoch seconds
    local: datetime  # aware, in the member's zone
    echo_local: str  # "vendredi 27 novembre 2026 à 14:00 (Europe/Paris)" in `language`
    echo_utc: str  # "13:00 UTC" (with the date when the UTC date differs)
    language: str = "en"  # the language the text was written in
    skipped_wall: datetime | None = None  # the wall time asked for, when a DST gap moved it

    def echo(self, locale: str | None = None) -> str:
        """The full confirmation line in `locale` (default: the language the member wrote in)."""
        lang = lang_of(locale) if locale else self.language
        return (
            f"{_local_text(self.local, lang)}{_gap_note(self.skipped_wall, lang)} · {_utc_text(self.local)}"
        )


class WhenError(ValueError):
    """Refused input. `reason` is "empty", "unreadable" or "past". `message(locale)` is plain text
    that quotes the member's input: escape it before putting it in mrkdwn."""

    def __init__(
        self,
        reason: str,
        examples: Mapping[str, Sequence[str]] | None = None,
        *,
        text: str = "",
        at: int | None = None,
        tz: str | None = None,
    ):
        self.reason = reason
        self.examples = {k: tuple(v) for k, v in (examples or _EXAMPLES).items()}
        self.text = text
        self.at = at
        self.tz = tz
        super().__init__(self.message("en"))

    def examples_for(self, locale: str | None) -> tuple[str, ...]:
        return self.examples.get(lang_of(locale), ())

    def message(self, locale: str | None = "en") -> str:
        lang = lang_of(locale)
        quoted = _shorten(self.text)
        if lang == "fr":
            listing = ", ".join(f"« {e} »" for e in self.examples_for("fr"))
            if self.reason == "past" and self.at is not None and self.tz:
                when = _local_text(datetime.fromtimestamp(self.at, ZoneInfo(self.tz)), "fr")
                return (
                    f"« {quoted} » tombe le {when} : c'est déjà passé. "
                    f"Indiquez un moment à venir, par exemple : {listing}."
                )
            if self.reason == "unreadable":
                return f"Je n'arrive pas à lire « {quoted} » comme une date. Essayez par exemple : {listing}."
            return f"Indiquez quand, par exemple : {listing}."
        listing = ", ".join(f"“{e}”" for e in self.examples_for("en"))
        if self.reason == "past" and self.at is not None and self.tz:
            when = _local_text(datetime.fromtimestamp(self.at, ZoneInfo(self.tz)), "en")
            return (
                f"“{quoted}” is {when}, which has already passed. "
                f"Please pick a time in the future, for example: {listing}."
            )
        if self.reason == "unreadable":
            return f"I couldn't read “{quoted}” as a date and time. Try for example: {listing}."
        return f"Please say when, for example: {listing}."


def format_when(epoch: float, tz: str, locale: str | None = "en") -> str:
    """Format as "vendredi 27 novembre 2026 à 14:00 (Europe/Paris) · 13:00 UTC" or
    "Friday, November 27, 2026 at 2:00 PM (America/New_York) · 19:00 UTC". Day and month names are
    ours: system locales are not relied on."""
    local = datetime.fromtimestamp(epoch, ZoneInfo(tz))
    return f"{_local_text(local, lang_of(locale))} · {_utc_text(local)}"


def _local_text(local: datetime, lang: str) -> str:
    zone = getattr(local.tzinfo, "key", None) or local.tzname()
    if lang == "fr":
        day = "1er" if local.day == 1 else str(local.day)
        return (
            f"{FR_DAYS[local.weekday()]} {day} {FR_MONTHS[local.month - 1]} {local.year} "
            f"à {local:%H:%M} ({zone})"
        )
    hour = local.hour % 12 or 12
    ampm = "AM" if local.hour < 12 else "PM"
    return (
        f"{EN_DAYS[local.weekday()]}, {EN_MONTHS[local.month - 1]} {local.day}, {local.year} "
        f"at {hour}:{local:%M} {ampm} ({zone})"
    )


def _utc_text(local: datetime) -> str:
    utc = local.astimezone(UTC)
    return f"{utc:%H:%M} UTC" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M} UTC"


def _gap_note(skipped: datetime | None, lang: str) -> str:
    if skipped is None:
        return ""
    if lang == "fr":
        return f" — {skipped:%H:%M} n'existe pas ce jour-là (changement d'heure)"
    hour = skipped.hour % 12 or 12
    ampm = "AM" if skipped.hour < 12 else "PM"
    return f" — {hour}:{skipped:%M} {ampm} does not exist that day (clocks change)"


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- parsing


def parse_when(text: str, tz: str, now: float, languages: Sequence[str] = ("fr", "en")) -> When:
    """Read `text` as a moment strictly after `now` (UTC epoch) in zone `tz` (IANA name)."""
    zone = ZoneInfo(tz)  # an unknown zone is a configuration error: ZoneInfoNotFoundError
    languages = tuple(lang_of(x) for x in languages) or ("en",)
    base = datetime.fromtimestamp(now, zone).replace(tzinfo=None)
    iso = f"{base.date() + timedelta(days=7):%Y-%m-%d} 10:00"  # an example that is never past
    examples = {k: (*v, iso) for k, v in _EXAMPLES.items()}
    cleaned = _clean(text or "")
    if not cleaned:
        raise WhenError("empty", examples, text=text or "")
    if len(cleaned) > MAX_TEXT:
        raise WhenError("unreadable", examples, text=text)

    try:
        resolved = _resolve(cleaned, zone, base, now, languages)
    except (OverflowError, ValueError):  # dates at the ends of the calendar (year 1, year 9999)
        resolved = None
    if resolved is None:
        raise WhenError("unreadable", examples, text=text)
    local, skipped, lang = resolved
    at = int(local.timestamp())
    if at <= now:
        raise WhenError("past", examples, text=text, at=at, tz=tz)
    return When(
        at=at,
        local=local,
        echo_local=_local_text(local, lang) + _gap_note(skipped, lang),
        echo_utc=_utc_text(local),
        language=lang,
        skipped_wall=skipped,
    )


def _resolve(cleaned: str, zone: ZoneInfo, base: datetime, now: float, languages: Sequence[str]):
    """(aware local time, skipped wall time or None, language), or None when unreadable."""
    offset = _relative_offset(cleaned)
    lang = "fr" if cleaned.startswith("dans") else "en"
    if offset is not None and lang in languages:
        return datetime.fromtimestamp(int(now) + offset, zone), None, lang
    normalised, norm_lang = _normalise(cleaned)
    read = _clock_rule(normalised, base, now) or _weekday_rule(normalised, base)
    if read is not None and read[1] not in (None, *languages):
        read = None  # "vendredi" is not read when only English is allowed
    read = read or _read_with_dateparser(normalised, zone.key, base, languages)
    if read is None:
        return None
    moment, lang = read
    lang = norm_lang or lang or languages[0]
    if moment.tzinfo is not None:  # the text named its own zone: that instant is right
        return moment.astimezone(zone), None, lang
    local, skipped = _localise(moment, zone)
    return local, skipped, lang


def warm_up() -> float:
    """Import dateparser and load its French and English data; returns the seconds it took."""
    start = time.perf_counter()
    for phrase in ("le 3 décembre à 10:00", "Dec 3 10:00", "dans 3 jours", "in 2 days"):
        _read_with_dateparser(phrase, "UTC", datetime(2026, 1, 1), ("fr", "en"))
    return time.perf_counter() - start


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("`", "'")
    text = " ".join(text.lower().split())  # also folds no-break spaces
    return text.strip(" .!?,;")


# "dans 2 heures", "in 1h30", "dans une demi-heure": elapsed time, never wall-clock arithmetic.
# fmt: off
_NUMBER_WORDS = {
    "un": 1, "une": 1, "a": 1, "an": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "dix": 10, "ten": 10, "quinze": 15,
    "fifteen": 15, "vingt": 20, "twenty": 20, "trente": 30, "thirty": 30,
}
# fmt: on
_MINUTES = r"(?:minutes?|mins?|mn|m)"
_RELATIVE = re.compile(
    r"(?:dans|in)\s+(?P<n>\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")\s*"
    r"(?:(?P<hours>heures?|hours?|hrs?|h)"
    rf"(?:\s*(?:et\s+|and\s+)?(?P<min>\d{{1,2}})\s*{_MINUTES}?|\s+(?P<half>et\s+demie?|and\s+a\s+half))?"
    rf"|{_MINUTES})"
)
_FIXED_SPANS = {
    "une demi-heure": 1800, "une demi heure": 1800, "half an hour": 1800, "a half hour": 1800,
    "un quart d'heure": 900, "a quarter of an hour": 900, "a quarter hour": 900,
}  # fmt: skip


def _relative_offset(text: str) -> int | None:
    """Seconds for "dans 2 heures", "in 1h30", "in 45 min", "dans une demi-heure"; else None."""
    for prefix in ("dans ", "in "):
        if text.startswith(prefix) and text[len(prefix) :] in _FIXED_SPANS:
            return _FIXED_SPANS[text[len(prefix) :]]
    m = _RELATIVE.fullmatch(text)
    if not m:
        return None
    n = int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"]]
    if not m["hours"]:
        return n * 60
    return n * 3600 + int(m["min"] or 0) * 60 + (1800 if m["half"] else 0)


# French clock forms dateparser misreads ("demain 9h" came back as 19:00): "9h" -> "9:00".
_FR_CLOCK = re.compile(
    r"(?<![\w:])(\d{1,2})\s*h(?:eures?)?(?:\s*(\d{2})(?!\d)|\s+et\s+(demie?|quart))?(?![\w'])"
)
_HAS_CLOCK = re.compile(r"(?<![\w:])(\d{1,2}):(\d{2})(?!\s*[ap]\.?m)|\d\s*[ap]\.?m\b")
# Parts of the day: (words, hour when no clock is given, whether a given clock is afternoon).
_PARTS = (
    (r"(?:du\s+|le\s+|au\s+)?matin|(?:in\s+the\s+|the\s+)?morning", 9, False),
    (r"(?:de\s+l'|l')?apr[eè]s[- ]?midi|(?:de\s+l')?apr[eè]m|(?:in\s+the\s+|the\s+)?afternoon", 14, True),
    (r"(?:du\s+|le\s+)?soir(?:ée)?|(?:in\s+the\s+|the\s+)?evening|tonight", 19, True),
)
_THIS = r"(?:(ce|cet|cette|this)\s+)?"
_NAMED_TIMES = (
    (r"midi\s+et\s+demie?", "12:30"),
    (r"minuit\s+et\s+demie?", "0:30"),
    (r"midi|noon", "12:00"),
    (r"minuit|midnight", "0:00"),
)


def _normalise(text: str) -> tuple[str, str | None]:
    """Rewrite the forms dateparser misreads into ones it reads; also returns the language when
    a French or English word decided it."""
    lang = None

    def clock(m: re.Match) -> str:
        if re.search(r"(?:^|\s)(?:dans|in)\s*$", text[: m.start()]):
            return m.group(0)  # a duration ("dans 2h et 3 jours"): leave it to dateparser
        minutes = m.group(2) or {"demi": "30", "demie": "30", "quart": "15", None: "00"}[m.group(3)]
        return f"{m.group(1)}:{minutes}"

    text = _FR_CLOCK.sub(clock, text)
    for words, hour, afternoon in _PARTS:
        m = re.search(rf"(?<!\w){_THIS}(?:{words})(?!\w)", text)
        if not m:
            continue
        french = not re.search(r"morning|afternoon|evening|tonight|this", m.group(0))
        lang = lang or ("fr" if french else "en")
        today = ("aujourd'hui " if french else "today ") if (m.group(1) or "tonight" in m.group(0)) else ""
        rest = text[: m.start()] + text[m.end() :]
        given = _HAS_CLOCK.search(rest)
        if given:  # "demain soir 8h" is 20:00; "8pm tonight" already says so
            if afternoon and given.group(1) and int(given.group(1)) < 12:
                rest = rest[: given.start(1)] + str(int(given.group(1)) + 12) + rest[given.end(1) :]
            text = f"{today}{rest}"
        else:
            text = text[: m.start()] + f"{today}{hour}:00" + text[m.end() :]
        text = " ".join(text.split())
        break
    for words, value in _NAMED_TIMES:
        text = re.sub(rf"(?<!\w)(?:{words})(?!\w)", value, text)
    return text, lang


_FR_WEEKDAYS = {name: i for i, name in enumerate(FR_DAYS)}
_EN_WEEKDAYS = {name.lower(): i for i, name in enumerate(EN_DAYS)}
_EN_WEEKDAYS.update(
    {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
)
_WEEKDAY = re.compile(
    r"(?:(?:le|on)\s+)?(?:(?P<pre>ce|this|next|prochain)\s+)?"
    rf"(?P<day>{'|'.join(sorted({**_FR_WEEKDAYS, **_EN_WEEKDAYS}, key=len, reverse=True))})\.?"
    r"(?:\s+(?P<post>prochain|next|en\s+huit))?"
    r"(?:\s*,?\s*(?:(?:à|a|at|@)\s*)?(?P<clock>\S.*?))?"
)
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")


def _read_clock(text: str) -> tuple[int, int] | None:
    m = _CLOCK.fullmatch(text)
    if not m or (m.group(2) is None and m.group(3) is None):
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group(3).startswith("p") else 0)
    return (hour, minute) if hour <= 23 and minute <= 59 else None


_CLOCK_ONLY = re.compile(r"(?:(?:à|a|at|@)\s*)?(?P<clock>.+?)(?:\s*(?P<utc>utc|gmt|z))?")


def _clock_rule(text: str, base: datetime, now: float) -> tuple[datetime, str | None] | None:
    """Clock-only forms ("14:30", "à 9:00", "9am", "10:00 UTC") mean the next such time, today if
    still ahead. dateparser sometimes keeps an earlier time today (seen: "0:00" at 04:00 in New York)."""
    m = _CLOCK_ONLY.fullmatch(text)
    clock = _read_clock(m.group("clock")) if m else None
    if clock is None:
        return None
    if m.group("utc"):
        base = datetime.fromtimestamp(now, UTC)
    moment = base.replace(hour=clock[0], minute=clock[1], second=0, microsecond=0)
    if moment <= base:
        moment += timedelta(days=1)
    return moment, None


def _weekday_rule(text: str, base: datetime) -> tuple[datetime, str] | None:
    """Weekday forms ("vendredi 14:30", "next friday 2pm", "lundi prochain", "ce vendredi"):
    dateparser misses some and reads others as this week's day, so they are ours."""
    m = _WEEKDAY.fullmatch(text)
    if not m:
        return None
    clock = (DEFAULT_HOUR, 0)
    if m.group("clock"):
        clock = _read_clock(m.group("clock"))
        if clock is None:
            return None
    day = m.group("day")
    target = _FR_WEEKDAYS.get(day, _EN_WEEKDAYS.get(day))
    today: date = base.date()
    if m.group("pre") in ("ce", "this"):
        when = today + timedelta(days=target - today.weekday())
    else:
        when = today + timedelta(days=(target - today.weekday()) % 7 or 7)
        if (m.group("post") or "").startswith("en"):
            when += timedelta(days=7)
    french = day in _FR_WEEKDAYS or m.group("pre") in ("ce", "prochain") or m.group("post") == "prochain"
    return datetime(when.year, when.month, when.day, *clock), "fr" if french else "en"


@functools.lru_cache(maxsize=1)
def _dateparser():
    from dateparser.date import DateDataParser
    from dateparser.timezone_parser import pop_tz_offset_from_string

    return DateDataParser, pop_tz_offset_from_string


_WRITTEN_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2}|\s?[ap]\.?m\b)", re.IGNORECASE)

_SETTINGS = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "future",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_TIME_AS_PERIOD": True,  # tells "demain" (no time: 09:00) from "demain 10:00"
    "PARSERS": ["relative-time", "custom-formats", "absolute-time"],  # no bare epoch numbers
}


def _read_with_dateparser(text: str, tz: str, base: datetime, languages: Sequence[str]):
    """(naive wall time, language), or (aware instant, language) when the text names a zone."""
    parser_class, pop_zone = _dateparser()
    # A parser is cheap to build (~0.1 ms); the language data it loads is cached by dateparser.
    parser = parser_class(
        languages=list(languages),
        use_given_order=True,
        settings={**_SETTINGS, "TIMEZONE": tz, "RELATIVE_BASE": base},
    )
    try:
        data = parser.get_date_data(text)
    except Exception:  # odd input makes dateparser raise assorted errors (OverflowError...)
        return None
    if data.date_obj is None:
        return None
    lang = lang_of(data.locale) if data.locale else None
    if pop_zone(text)[1] is not None:
        return data.date_obj, lang
    # dateparser's own offset is wrong across DST for relative days (pytz arithmetic): keep only
    # the wall time and place it in the zone ourselves.
    wall = data.date_obj.replace(tzinfo=None)
    # dateparser reports period "day" when the time typed equals RELATIVE_BASE's to the second
    # ("demain 10h" typed at 10:00:00): a clock written in the text still means that time.
    if data.period not in ("time", "part_of_day") and not _WRITTEN_CLOCK.search(text):
        wall = wall.replace(hour=DEFAULT_HOUR, minute=0, second=0, microsecond=0)
    return wall, lang


def _localise(wall: datetime, zone: ZoneInfo) -> tuple[datetime, datetime | None]:
    """The instant of `wall` in `zone`: the first of two in an autumn overlap; the end of the gap
    for a wall time the spring change skips (then the skipped wall time is returned too)."""
    aware = wall.replace(tzinfo=zone, fold=0)
    if _exists(aware):
        return aware, None
    probe = wall.replace(second=0, microsecond=0)
    for _ in range(24 * 60):  # gaps are whole minutes and at most a day long
        probe += timedelta(minutes=1)
        if _exists(probe.replace(tzinfo=zone)):
            return probe.replace(tzinfo=zone), wall
    raise ValueError(f"no valid wall time near {wall} in {zone.key}")


def _exists(aware: datetime) -> bool:
    back = aware.astimezone(UTC).astimezone(aware.tzinfo)
    return back.replace(tzinfo=None) == aware.replace(tzinfo=None)
