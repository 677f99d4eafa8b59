"""What a member gets back when typing a time in Slack: the exact UTC instant, in their zone."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.when import When, WhenError, format_when, parse_when, warm_up

PARIS, NEW_YORK, TOKYO = "Europe/Paris", "America/New_York", "Asia/Tokyo"


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def local(tz: str, *parts: int) -> float:
    return datetime(*parts, tzinfo=ZoneInfo(tz)).timestamp()


# Wednesday 2026-11-25 09:00 UTC: 10:00 in Paris, 04:00 in New York, 18:00 in Tokyo.
NOW = utc(2026, 11, 25, 9, 0)

TABLE = [
    # Paris (UTC+1), Wednesday 10:00
    (PARIS, "demain 9h", utc(2026, 11, 26, 8, 0)),
    (PARIS, "demain à 9h", utc(2026, 11, 26, 8, 0)),
    (PARIS, "vendredi 14h30", utc(2026, 11, 27, 13, 30)),
    (PARIS, "lundi prochain 10h", utc(2026, 11, 30, 9, 0)),
    (PARIS, "dans 2 heures", utc(2026, 11, 25, 11, 0)),
    (PARIS, "ce soir", utc(2026, 11, 25, 18, 0)),
    (PARIS, "midi", utc(2026, 11, 25, 11, 0)),
    (PARIS, "le 3 décembre à 10h", utc(2026, 12, 3, 9, 0)),
    (PARIS, "tomorrow 9am", utc(2026, 11, 26, 8, 0)),
    (PARIS, "next friday 2pm", utc(2026, 11, 27, 13, 0)),
    (PARIS, "in 30 minutes", utc(2026, 11, 25, 9, 30)),
    (PARIS, "Dec 3 10:00", utc(2026, 12, 3, 9, 0)),
    (PARIS, "2026-12-01 10:00", utc(2026, 12, 1, 9, 0)),
    # New York (UTC-5), Wednesday 04:00
    (NEW_YORK, "demain 9h", utc(2026, 11, 26, 14, 0)),
    (NEW_YORK, "demain à 9h", utc(2026, 11, 26, 14, 0)),
    (NEW_YORK, "vendredi 14h30", utc(2026, 11, 27, 19, 30)),
    (NEW_YORK, "lundi prochain 10h", utc(2026, 11, 30, 15, 0)),
    (NEW_YORK, "dans 2 heures", utc(2026, 11, 25, 11, 0)),
    (NEW_YORK, "ce soir", utc(2026, 11, 26, 0, 0)),
    (NEW_YORK, "midi", utc(2026, 11, 25, 17, 0)),
    (NEW_YORK, "le 3 décembre à 10h", utc(2026, 12, 3, 15, 0)),
    (NEW_YORK, "tomorrow 9am", utc(2026, 11, 26, 14, 0)),
    (NEW_YORK, "next friday 2pm", utc(2026, 11, 27, 19, 0)),
    (NEW_YORK, "in 30 minutes", utc(2026, 11, 25, 9, 30)),
    (NEW_YORK, "Dec 3 10:00", utc(2026, 12, 3, 15, 0)),
    (NEW_YORK, "2026-12-01 10:00", utc(2026, 12, 1, 15, 0)),
    # Tokyo (UTC+9), Wednesday 18:00: noon today is gone, so "midi" is tomorrow's
    (TOKYO, "demain 9h", utc(2026, 11, 26, 0, 0)),
    (TOKYO, "demain à 9h", utc(2026, 11, 26, 0, 0)),
    (TOKYO, "vendredi 14h30", utc(2026, 11, 27, 5, 30)),
    (TOKYO, "lundi prochain 10h", utc(2026, 11, 30, 1, 0)),
    (TOKYO, "dans 2 heures", utc(2026, 11, 25, 11, 0)),
    (TOKYO, "ce soir", utc(2026, 11, 25, 10, 0)),
    (TOKYO, "midi", utc(2026, 11, 26, 3, 0)),
    (TOKYO, "le 3 décembre à 10h", utc(2026, 12, 3, 1, 0)),
    (TOKYO, "tomorrow 9am", utc(2026, 11, 26, 0, 0)),
    (TOKYO, "next friday 2pm", utc(2026, 11, 27, 5, 0)),
    (TOKYO, "in 30 minutes", utc(2026, 11, 25, 9, 30)),
    (TOKYO, "Dec 3 10:00", utc(2026, 12, 3, 1, 0)),
    (TOKYO, "2026-12-01 10:00", utc(2026, 12, 1, 1, 0)),
]


@pytest.mark.parametrize(("tz", "text", "expected"), TABLE, ids=[f"{tz}:{t}" for tz, t, _ in TABLE])
def test_phrases_in_french_and_english_give_the_exact_instant(tz, text, expected):
    when = parse_when(text, tz, NOW)
    assert when.at == expected
    assert when.local.tzinfo == ZoneInfo(tz)
    assert int(when.local.timestamp()) == expected


@pytest.mark.parametrize(
    ("text", "expected_local"),
    [
        ("demain", (2026, 11, 26, 9, 0)),  # a date without a time is 09:00
        ("tomorrow", (2026, 11, 26, 9, 0)),
        ("3 décembre", (2026, 12, 3, 9, 0)),
        ("dans 3 jours", (2026, 11, 28, 9, 0)),
        ("vendredi", (2026, 11, 27, 9, 0)),
        ("8h", (2026, 11, 26, 8, 0)),  # 08:00 has gone today: the next 08:00
        ("14h", (2026, 11, 25, 14, 0)),
        ("demain matin", (2026, 11, 26, 9, 0)),
        ("demain soir 8h", (2026, 11, 26, 20, 0)),
        ("samedi après-midi", (2026, 11, 28, 14, 0)),
        ("tonight", (2026, 11, 25, 19, 0)),
        ("this afternoon", (2026, 11, 25, 14, 0)),
        ("demain midi", (2026, 11, 26, 12, 0)),
        ("9h et demie", (2026, 11, 26, 9, 30)),
        ("ce vendredi 9h", (2026, 11, 27, 9, 0)),
        ("this friday 9am", (2026, 11, 27, 9, 0)),
        ("vendredi prochain à 14h30", (2026, 11, 27, 14, 30)),
        ("lundi en huit", (2026, 12, 7, 9, 0)),
        ("next fri at 2:30pm", (2026, 11, 27, 14, 30)),
        ("dans 1h30", (2026, 11, 25, 11, 30)),
        ("dans une demi-heure", (2026, 11, 25, 10, 30)),
        ("in an hour", (2026, 11, 25, 11, 0)),
        ("01/12/2026 10:00", (2026, 12, 1, 10, 0)),  # French first: day/month
        ("  Demain   9H ", (2026, 11, 26, 9, 0)),
    ],
)
def test_everyday_forms_in_paris(text, expected_local):
    assert parse_when(text, PARIS, NOW).at == local(PARIS, *expected_local)


def test_a_weekday_named_on_that_day_means_next_week():
    friday_10am = local(PARIS, 2026, 11, 27, 10, 0)
    assert parse_when("vendredi 14h30", PARIS, friday_10am).at == local(PARIS, 2026, 12, 4, 14, 30)
    assert parse_when("next friday 2pm", PARIS, friday_10am).at == local(PARIS, 2026, 12, 4, 14, 0)
    assert parse_when("this friday 2pm", PARIS, friday_10am).at == local(PARIS, 2026, 11, 27, 14, 0)


def test_a_written_zone_is_honoured():
    assert parse_when("10:00 UTC", TOKYO, NOW).at == utc(2026, 11, 25, 10, 0)
    assert parse_when("2026-12-01T10:00+09:00", PARIS, NOW).at == utc(2026, 12, 1, 1, 0)


def test_midnight_is_the_next_one():
    assert parse_when("minuit", NEW_YORK, NOW).at == local(NEW_YORK, 2026, 11, 26, 0, 0)
    assert parse_when("midnight", NEW_YORK, NOW).at == local(NEW_YORK, 2026, 11, 26, 0, 0)


def test_languages_restrict_what_is_read():
    with pytest.raises(WhenError):
        parse_when("demain 9h", PARIS, NOW, languages=("en",))
    with pytest.raises(WhenError):
        parse_when("vendredi 14h30", PARIS, NOW, languages=("en",))
    assert parse_when("01/12/2027 10:00", PARIS, NOW, languages=("en", "fr")).local.month == 1


# ------------------------------------------------------------------ daylight saving time

PARIS_SATURDAY = local(PARIS, 2027, 3, 27, 10, 0)  # clocks go 02:00 -> 03:00 on Sunday 28
NEW_YORK_SATURDAY = local(NEW_YORK, 2027, 3, 13, 10, 0)  # clocks go 02:00 -> 03:00 on Sunday 14


@pytest.mark.parametrize(
    ("tz", "now", "text", "expected"),
    [
        (PARIS, PARIS_SATURDAY, "tomorrow 9am", utc(2027, 3, 28, 7, 0)),  # 09:00 CEST
        (PARIS, PARIS_SATURDAY, "demain 9h", utc(2027, 3, 28, 7, 0)),
        (PARIS, PARIS_SATURDAY, "lundi 9h", utc(2027, 3, 29, 7, 0)),
        (NEW_YORK, NEW_YORK_SATURDAY, "tomorrow 9am", utc(2027, 3, 14, 13, 0)),  # 09:00 EDT
        (NEW_YORK, NEW_YORK_SATURDAY, "demain 9h", utc(2027, 3, 14, 13, 0)),
    ],
)
def test_a_wall_time_across_the_spring_change_keeps_its_meaning(tz, now, text, expected):
    when = parse_when(text, tz, now)
    assert when.at == expected
    assert when.skipped_wall is None


@pytest.mark.parametrize(
    ("tz", "now", "text", "expected"),
    [
        (PARIS, PARIS_SATURDAY, "dimanche 2h30", utc(2027, 3, 28, 1, 0)),  # 03:00 CEST
        (PARIS, PARIS_SATURDAY, "2027-03-28 02:30", utc(2027, 3, 28, 1, 0)),
        (NEW_YORK, NEW_YORK_SATURDAY, "sunday 2:30am", utc(2027, 3, 14, 7, 0)),  # 03:00 EDT
        (NEW_YORK, NEW_YORK_SATURDAY, "dimanche 2h30", utc(2027, 3, 14, 7, 0)),
    ],
)
def test_a_wall_time_the_spring_change_skips_moves_to_three_and_says_so(tz, now, text, expected):
    when = parse_when(text, tz, now)
    assert when.at == expected
    assert (when.local.hour, when.local.minute) == (3, 0)
    assert "02:30 n'existe pas ce jour-là" in when.echo("fr")
    assert "2:30 AM does not exist that day" in when.echo("en")


def test_the_gap_is_named_in_the_echo_of_the_language_written():
    when = parse_when("dimanche 2h30", PARIS, PARIS_SATURDAY)
    assert when.echo_local == (
        "dimanche 28 mars 2027 à 03:00 (Europe/Paris) — 02:30 n'existe pas ce jour-là (changement d'heure)"
    )
    assert when.echo_utc == "01:00 UTC"


def test_in_two_hours_counts_real_time_across_the_change():
    one_thirty = local(PARIS, 2027, 3, 28, 1, 30)  # 00:30 UTC, half an hour before the change
    when = parse_when("dans 2 heures", PARIS, one_thirty)
    assert when.at == utc(2027, 3, 28, 2, 30)
    assert (when.local.hour, when.local.minute) == (4, 30)


def test_a_wall_time_that_happens_twice_in_autumn_is_the_first():
    saturday = local(PARIS, 2026, 10, 24, 10, 0)
    assert parse_when("dimanche 2h30", PARIS, saturday).at == utc(2026, 10, 25, 0, 30)  # still CEST


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "text", ["hier 9h", "yesterday", "aujourd'hui 8h", "today 8am", "this monday 9am", "2026-01-05 10:00"]
)
def test_the_past_is_refused_with_the_time_it_meant(text):
    with pytest.raises(WhenError) as caught:
        parse_when(text, PARIS, NOW)
    err = caught.value
    assert err.reason == "past"
    assert err.at is not None and err.at <= NOW
    assert "c'est déjà passé" in err.message("fr")
    assert "has already passed" in err.message("en")


def test_the_past_message_names_the_moment_in_the_members_language():
    with pytest.raises(WhenError) as caught:
        parse_when("hier 9h", PARIS, NOW)
    assert caught.value.message("fr").startswith(
        "« hier 9h » tombe le mardi 24 novembre 2026 à 09:00 (Europe/Paris) : c'est déjà passé."
    )
    assert caught.value.message("en-US").startswith(
        "“hier 9h” is Tuesday, November 24, 2026 at 9:00 AM (Europe/Paris), which has already passed."
    )


def test_now_itself_is_refused():
    exactly_ten = local(PARIS, 2026, 11, 25, 10, 0)
    with pytest.raises(WhenError):
        parse_when("aujourd'hui 10h", PARIS, exactly_ten)


@pytest.mark.parametrize(("text", "reason"), [("blorp", "unreadable"), ("", "empty"), ("   ", "empty")])
def test_unreadable_text_is_refused_with_examples_in_the_right_language(text, reason):
    with pytest.raises(WhenError) as caught:
        parse_when(text, PARIS, NOW)
    err = caught.value
    assert err.reason == reason
    french, english = err.message("fr"), err.message("en")
    for example in ("« demain 9h »", "« vendredi 14h30 »", "« dans 2 heures »", "« 2026-12-02 10:00 »"):
        assert example in french
    for example in ("“tomorrow 9am”", "“next friday 2pm”", "“in 2 hours”", "“2026-12-02 10:00”"):
        assert example in english
    assert "tomorrow" not in french and "demain" not in english
    if reason == "unreadable":
        assert "« blorp »" in french and "“blorp”" in english
    assert str(err) == english


def test_overlong_text_is_refused_before_parsing():
    with pytest.raises(WhenError) as caught:
        parse_when("demain 9h " + "x" * 300, PARIS, NOW)
    assert caught.value.reason == "unreadable"
    assert len(caught.value.message("fr")) < 400  # the input is shortened in the message


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.lists(
            st.sampled_from(
                ["demain", "9h", "dans", "in", "2", "heures", "0001-01-01", "9999-12-31", "23:59", "25:99",
                 "lundi", "next", "friday", "à", "pm", "soir", "ce", "utc", "+14:00", "décembre", "hier"]
            ),
            max_size=5,
        ).map(" ".join),
    ),
    tz=st.sampled_from([PARIS, NEW_YORK, TOKYO, "Australia/Lord_Howe", "Pacific/Kiritimati"]),
)  # fmt: skip
def test_any_text_gives_a_future_instant_or_a_when_error(text, tz):
    try:
        when = parse_when(text, tz, NOW)
    except WhenError as err:
        assert err.message("fr") and err.message("en")
    else:
        assert isinstance(when, When) and when.at > NOW


# ------------------------------------------------------------------ echo strings


def test_format_when_in_french_and_english():
    assert format_when(utc(2026, 11, 27, 13, 0), PARIS, "fr") == (
        "vendredi 27 novembre 2026 à 14:00 (Europe/Paris) · 13:00 UTC"
    )
    assert format_when(utc(2026, 11, 27, 19, 0), NEW_YORK, "en") == (
        "Friday, November 27, 2026 at 2:00 PM (America/New_York) · 19:00 UTC"
    )
    assert format_when(utc(2026, 12, 1, 9, 0), PARIS, "fr_FR") == (
        "mardi 1er décembre 2026 à 10:00 (Europe/Paris) · 09:00 UTC"
    )
    assert format_when(utc(2026, 8, 15, 23, 5), TOKYO, "en") == (
        "Sunday, August 16, 2026 at 8:05 AM (Asia/Tokyo) · 2026-08-15 23:05 UTC"
    )
    assert format_when(utc(2026, 11, 26, 5, 0), NEW_YORK, "en") == (
        "Thursday, November 26, 2026 at 12:00 AM (America/New_York) · 05:00 UTC"
    )


def test_the_echo_is_in_the_language_the_member_wrote_in():
    french = parse_when("vendredi 14h", PARIS, NOW)
    assert (french.echo_local, french.echo_utc) == (
        "vendredi 27 novembre 2026 à 14:00 (Europe/Paris)",
        "13:00 UTC",
    )
    english = parse_when("next friday 2pm", NEW_YORK, NOW)
    assert english.echo() == "Friday, November 27, 2026 at 2:00 PM (America/New_York) · 19:00 UTC"
    assert english.echo("fr") == "vendredi 27 novembre 2026 à 14:00 (America/New_York) · 19:00 UTC"


# ------------------------------------------------------------------ cost


def test_importing_the_module_does_not_load_dateparser():
    code = "import sys, bot.domain.when; assert 'dateparser' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(_repo_root()))


def test_a_parse_after_warm_up_stays_well_under_50_ms():
    warm_up()
    phrases = ["demain 9h", "le 3 décembre à 10h", "tomorrow 9am", "Dec 3 10:00", "blorp", "dans 3 jours"]
    timings = []
    for phrase in phrases * 5:
        start = time.perf_counter()
        try:
            parse_when(phrase, PARIS, NOW)
        except WhenError:
            pass
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.05


def _repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def test_a_time_typed_at_exactly_that_time_of_day_is_kept_not_replaced_by_nine():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    for text in ("tomorrow 10am", "demain 10h", "tomorrow 10:00"):
        assert parse_when(text, "Europe/Paris", now).local.hour == 10, text
