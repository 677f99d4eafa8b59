"""Who gets paged: rotations hand off at local wall time, overrides win while they last."""

import tomllib

import pytest

from bot.domain.oncall import OnCallConfigError, Override, parse_oncall_config
from tests.domain.sla.helpers import PARIS, local

HOUR = 3600

WEEKLY = """
[oncall]
timezone = "Europe/Paris"
handoff = "mon 09:00"
layers = [{ name = "primary", members = ["U1", "U2", "U3"], rotation = "weekly", start = "2026-11-02" }]
"""


def rotation(text: str = WEEKLY):
    return parse_oncall_config(tomllib.loads(text))


def test_weekly_rotation_hands_off_on_monday_at_nine():
    weekly = rotation()
    first = weekly.who_at(local(PARIS, 2026, 11, 2, 9))
    assert (first.primary, first.backup) == ("U1", "U2")  # backup: next in line
    assert (first.since, first.until) == (local(PARIS, 2026, 11, 2, 9), local(PARIS, 2026, 11, 9, 9))
    assert weekly.who_at(local(PARIS, 2026, 11, 9, 8, 59)).primary == "U1"
    assert weekly.who_at(local(PARIS, 2026, 11, 9, 9)).primary == "U2"
    assert weekly.who_at(local(PARIS, 2026, 11, 23, 9)).primary == "U1"  # back round to the first


def test_the_rotation_also_runs_before_its_start_date():
    assert rotation().who_at(local(PARIS, 2026, 11, 2, 8, 59)).primary == "U3"


def test_daily_rotation_hands_off_every_day():
    daily = rotation(WEEKLY.replace('"mon 09:00"', '"09:00"').replace('"weekly"', '"daily"'))
    assert daily.who_at(local(PARIS, 2026, 11, 3, 8, 59)).primary == "U1"
    assert daily.who_at(local(PARIS, 2026, 11, 3, 9)).primary == "U2"
    assert daily.who_at(local(PARIS, 2026, 11, 7, 12)).primary == "U3"  # Saturday: weekends rotate too


def test_handoff_stays_at_nine_local_across_both_dst_changes():
    weekly = rotation(WEEKLY.replace("2026-11-02", "2026-03-23"))
    spring = weekly.who_at(local(PARIS, 2026, 3, 25, 12))
    assert spring.since == local(PARIS, 2026, 3, 23, 9) and spring.until == local(PARIS, 2026, 3, 30, 9)
    assert spring.until - spring.since == 167 * HOUR
    autumn = weekly.who_at(local(PARIS, 2026, 10, 21, 12))
    assert autumn.until - autumn.since == 169 * HOUR
    assert autumn.until == local(PARIS, 2026, 10, 26, 9)


def test_a_backup_layer_rotates_on_its_own():
    text = WEEKLY.replace(
        'start = "2026-11-02" }]',
        'start = "2026-11-02" }, { members = ["U7", "U8"], rotation = "daily", start = "2026-11-02" }]',
    )
    both = rotation(text).who_at(local(PARIS, 2026, 11, 3, 12))
    assert (both.primary, both.backup) == ("U1", "U8")
    assert (both.since, both.until) == (local(PARIS, 2026, 11, 3, 9), local(PARIS, 2026, 11, 4, 9))


def test_an_override_wins_while_it_lasts_then_the_rotation_resumes():
    weekly = rotation()
    swap = Override("U9", local(PARIS, 2026, 11, 4, 12), local(PARIS, 2026, 11, 5, 12))
    during = weekly.who_at(local(PARIS, 2026, 11, 4, 13), [swap])
    assert (during.primary, during.backup) == ("U9", "U2")
    assert (during.since, during.until) == (swap.start, swap.end)
    after = weekly.who_at(swap.end, [swap])
    assert after.primary == "U1" and after.since == swap.end and after.until == local(PARIS, 2026, 11, 9, 9)
    assert weekly.next_shift(local(PARIS, 2026, 11, 4, 11), [swap]).primary == "U9"


def test_the_latest_override_wins_when_they_overlap():
    weekly = rotation()
    at = local(PARIS, 2026, 11, 4, 19)
    made_first = Override("U8", local(PARIS, 2026, 11, 4, 18), local(PARIS, 2026, 11, 4, 20), created_at=100)
    made_last = Override("U9", local(PARIS, 2026, 11, 4, 12), local(PARIS, 2026, 11, 5, 12), created_at=200)
    assert weekly.who_at(at, [made_last, made_first]).primary == "U9"
    assert weekly.who_at(at, [made_first, made_last]).primary == "U9"
    same_time = [Override("U8", at, at + HOUR), Override("U9", at, at + HOUR)]
    assert weekly.who_at(at, same_time).primary == "U9"  # same instant: the later in the list


def test_a_backup_override_replaces_only_the_backup():
    cover = Override("U9", local(PARIS, 2026, 11, 4), local(PARIS, 2026, 11, 5), layer="backup")
    now = rotation().who_at(local(PARIS, 2026, 11, 4, 12), [cover])
    assert (now.primary, now.backup) == ("U1", "U9")


def test_next_shift_is_who_takes_over_at_the_handoff():
    upcoming = rotation().next_shift(local(PARIS, 2026, 11, 4, 12))
    assert upcoming.primary == "U2" and upcoming.since == local(PARIS, 2026, 11, 9, 9)


def test_a_user_group_is_on_call_unless_someone_overrides():
    group = rotation('[oncall]\nusergroup = "S123"')
    assert group.who_at(local(PARIS, 2026, 11, 4)).usergroup == "S123"
    assert group.who_at(local(PARIS, 2026, 11, 4)).primary is None
    assert group.next_shift(local(PARIS, 2026, 11, 4)) is None
    cover = Override("U9", local(PARIS, 2026, 11, 4), local(PARIS, 2026, 11, 5))
    assert group.who_at(local(PARIS, 2026, 11, 4, 12), [cover]).primary == "U9"


def test_no_oncall_table_means_no_rotation():
    assert parse_oncall_config({}) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"U2"', '"alice"'), "oncall.layers[0].members[1]: 'alice' is not a Slack user id"),
        ((', start = "2026-11-02"', ""), "oncall.layers[0].start: is required"),
        (('"2026-11-02"', '"next monday"'), "oncall.layers[0].start: 'next monday' is not a date"),
        (('"weekly"', '"monthly"'), "oncall.layers[0].rotation: 'monthly' is not weekly or daily"),
        (('"mon 09:00"', '"09:00"'), 'oncall.handoff: a weekly rotation needs a day, like "mon 09:00"'),
        (('"mon 09:00"', '"monday 9am"'), "oncall.handoff: 'monday 9am' is not like"),
        (('"mon 09:00"', '"mon 25:00"'), "oncall.handoff: '25:00' is not a time like 09:00"),
        (('"Europe/Paris"', '"Mars/Olympus"'), "oncall.timezone: 'Mars/Olympus' is not an IANA timezone"),
        (("handoff =", 'usergroup = "S1"\nhandoff ='), "oncall: give either layers"),
        (("handoff =", "hand_off ="), "oncall.hand_off: unknown key"),
    ],
)
def test_config_errors_name_the_key(change, message):
    old, new = change
    assert old in WEEKLY
    with pytest.raises(OnCallConfigError) as caught:
        rotation(WEEKLY.replace(old, new, 1))
    assert str(caught.value).startswith(message)


def test_at_most_a_primary_and_a_backup_layer():
    layer = '{ members = ["U1"], start = "2026-11-02" }'
    text = f'[oncall]\ntimezone = "UTC"\nlayers = [{layer}, {layer}, {layer}]'
    with pytest.raises(OnCallConfigError, match="^oncall.layers: must list one or two layers"):
        rotation(text)
