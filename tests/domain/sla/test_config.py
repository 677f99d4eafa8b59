"""The [sla] part of veille.toml: what an admin writes, and what they read when it is wrong."""

import tomllib
from datetime import date, time

import pytest

from bot.domain.sla.config import (
    SlaConfigError,
    format_duration,
    parse_duration,
    parse_sla_config,
)
from bot.domain.sla.deadlines import deadline_for
from bot.domain.sla.describe import describe_policies
from bot.domain.sla.policy import Metric, Subject, TargetWarning, match_policy
from bot.domain.sla.schedule import Holiday
from tests.domain.sla.helpers import PARIS, local, wall

EXAMPLE = """
[sla]
vip_authors = ["@BigFan", "did:plc:abc"]

[sla.schedules.paris]
timezone = "Europe/Paris"
hours = { mon = ["09:00-12:00", "14:00-18:00"], tue-fri = ["09:00-18:00"], sat = [] }
holidays = [ "2026-12-25", { date = "2026-12-24", from = "14:00" } ]
holidays_country = "FR"

[[sla.policies]]
name = "vip-dm"
match = { kinds = ["dm"], vip = true }
schedule = "paris"
first_response = { target = "15m", business = false, warn = ["50%", "5m before"], escalate_after = "10m" }
next_response = { target = "1h", business = true }
resolution = { target = "2d", business = true }

[[sla.policies]]
name = "everything"
first_response = { target = "1h30m" }
"""


def parse(text: str):
    return parse_sla_config(tomllib.loads(text))


def error_of(text: str) -> str:
    with pytest.raises(SlaConfigError) as caught:
        parse(text)
    return str(caught.value)


def test_the_documented_example_parses():
    config = parse(EXAMPLE)
    paris = config.schedules["paris"]
    assert paris.tz == PARIS
    assert paris.intervals[0] == ((time(9), time(12)), (time(14), time(18)))
    assert paris.intervals[4] == ((time(9), time(18)),) and paris.intervals[5] == ()
    assert paris.holidays == (Holiday(date(2026, 12, 25)), Holiday(date(2026, 12, 24), start=time(14)))
    vip_dm, everything = config.policies
    first = vip_dm.target(Metric.FIRST_RESPONSE)
    assert (first.seconds, first.business, first.escalate_after) == (900, False, 600)
    assert first.warnings == (TargetWarning.at_fraction(0.5), TargetWarning.before_due(300))
    assert vip_dm.target(Metric.RESOLUTION).seconds == 2 * 86400
    assert everything.schedule_name == "always" and everything.target(Metric.FIRST_RESPONSE).seconds == 5400


def test_vip_authors_match_by_handle_or_id_ignoring_case_and_at_sign():
    config = parse(EXAMPLE)
    assert config.is_vip(author_handle="bigfan") and config.is_vip(author_handle="@BIGFAN")
    assert config.is_vip(author_id="did:plc:abc")
    assert not config.is_vip(author_id="did:plc:zzz", author_handle="someone")
    dm = Subject("acme", "bluesky", "dm", author_handle="bigfan", vip=config.is_vip(author_handle="bigfan"))
    assert match_policy(config.policies, dm).name == "vip-dm"


def test_a_parsed_policy_gives_business_deadlines_on_its_schedule():
    config = parse(EXAMPLE)
    monday_1130 = local(PARIS, 2026, 11, 9, 11, 30)
    deadline = deadline_for(config.policies[0], Metric.NEXT_RESPONSE, config.schedules, monday_1130)
    assert wall(PARIS, deadline.due) == "Mon 2026-11-09 14:30 CET"  # 30 min before lunch, 30 after


def test_a_schedule_without_hours_is_open_all_day_except_holidays():
    config = parse('[sla.schedules.h24]\ntimezone = "UTC"\nholidays = ["2026-12-25"]')
    assert config.schedules["h24"].intervals[2] == ((time(0), time(0)),)
    assert config.notices == []


def test_a_schedule_with_no_open_hours_is_reported_to_the_admin_in_their_language():
    from bot.domain.reasons import as_text

    config = parse('[sla.schedules.never]\ntimezone = "UTC"\nhours = {}')
    assert [as_text(n) for n in config.notices] == [
        "sla.schedules.never has no open hours: business targets on it use calendar time"
    ]
    assert [as_text(n, "fr") for n in config.notices] == [
        "sla.schedules.never n'a aucune heure d'ouverture : ses objectifs ouvrés comptent en temps calendaire"
    ]


def test_the_version_changes_when_the_policy_or_its_schedule_changes():
    version = parse(EXAMPLE).policies[0].version
    assert parse(EXAMPLE).policies[0].version == version
    assert parse(EXAMPLE.replace('"15m"', '"20m"')).policies[0].version != version
    assert parse(EXAMPLE.replace('"2026-12-25"', '"2026-12-31"')).policies[0].version != version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('"15m"', '"15 minutes"'),
            'sla.policies[0].first_response.target: "15 minutes" is not a duration like 15m, 1h30m, 2d',
        ),
        (
            ('"1h30m"', "90"),
            "sla.policies[1].first_response.target: 90 is not a duration like 15m, 1h30m, 2d",
        ),
        (('"10m" }', '"soon" }'), "sla.policies[0].first_response.escalate_after: "),
        (('"Europe/Paris"', '"Paris"'), "sla.schedules.paris.timezone: 'Paris' is not an IANA timezone"),
        (("tue-fri", "tue-fry"), "sla.schedules.paris.hours.tue-fry: 'tue-fry' is not a day"),
        (
            ('"09:00-18:00"', '"9h-18h"'),
            "sla.schedules.paris.hours.tue-fri[0]: '9h' is not a time like 09:00",
        ),
        (('"2026-12-25"', '"25/12/2026"'), "sla.schedules.paris.holidays[0]: '25/12/2026' is not a date"),
        (('"FR"', '"XX"'), "sla.schedules.paris.holidays_country: 'XX' is not a country code"),
        (('schedule = "paris"', 'schedule = "lyon"'), "sla.policies[0].schedule: no schedule named 'lyon'"),
        (('kinds = ["dm"]', 'kinds = ["email"]'), "sla.policies[0].match.kinds[0]: 'email' is not one of"),
        (("vip = true", "vip = false"), "sla.policies[0].match.vip: only vip = true is supported"),
        (
            ('"5m before"', '"20m before"'),
            "sla.policies[0].first_response.warn[1]: '20m before' is not before",
        ),
        (('"50%"', '"150%"'), "sla.policies[0].first_response.warn[0]: '150%' must be between"),
        (('"50%"', '"soonish"'), "sla.policies[0].first_response.warn[0]: 'soonish' is not a warning"),
        (
            ("escalate_after", "escalate_afterr"),
            "sla.policies[0].first_response.escalate_afterr: unknown key",
        ),
        (('name = "everything"', 'name = "vip-dm"'), "sla.policies[1].name: 'vip-dm' is already used"),
        (
            ('first_response = { target = "1h30m" }', 'pause_on_hold = "yes"'),
            "sla.policies[1].pause_on_hold: must",
        ),
        (('first_response = { target = "1h30m" }', ""), "sla.policies[1]: sets no target"),
    ],
)
def test_config_errors_name_the_key_and_the_problem(change, message):
    old, new = change
    assert old in EXAMPLE
    assert error_of(EXAMPLE.replace(old, new, 1)).startswith(message)


def test_the_built_in_schedule_name_is_reserved():
    assert error_of('[sla.schedules.always]\ntimezone = "UTC"').startswith("sla.schedules.always: ")


def test_durations_read_and_print_the_same_way():
    assert [parse_duration(t, "x") for t in ("90s", "15m", "1h30m", "2d", "1d 2h")] == [
        90,
        900,
        5400,
        172800,
        93600,
    ]
    assert [format_duration(s) for s in (90, 900, 5400, 172800)] == ["1m30s", "15m", "1h30m", "2d"]
    with pytest.raises(SlaConfigError, match='x: "0m" must be longer than zero'):
        parse_duration("0m", "x")


def test_describe_policies_for_the_slash_command():
    summary = describe_policies(parse(EXAMPLE))
    assert [p["name"] for p in summary] == ["vip-dm", "everything"]
    vip = summary[0]
    assert vip["applies_to"] == "DMs from VIP authors"
    assert vip["hours"].startswith("Europe/Paris: Mon 09:00-12:00, 14:00-18:00; Tue 09:00-18:00")
    assert vip["hours"].endswith("(closed on 2 holidays and FR public holidays)")
    assert vip["targets"][0] == {
        "metric": "first_response",
        "label": "First response",
        "target": "15m",
        "time": "calendar",
        "warn": ["50%", "5m before"],
        "escalate_after": "10m",
    }
    assert [t["time"] for t in vip["targets"]] == ["calendar", "business", "business"]
    assert summary[1]["applies_to"] == "Everything" and summary[1]["hours"] == "24x7"
