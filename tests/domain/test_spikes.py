"""The spike statistic on replayed series (bot/domain/spikes.py): quiet through an ordinary week,
Monday-morning rush included; a burst of 50 mentions a second seen within a minute; robust to a
past bad-buzz week in the history; a cold start needs a real volume before it calls a spike."""

from __future__ import annotations

from bot.domain import spikes
from bot.domain.spikes import HOUR, WEEK, SpikeParams
from tests.conftest import START
from tests.support.traffic_replay import Account, Replay, history

SUNDAY_NIGHT = START - 9 * HOUR  # Monday 00:00 UTC: the week starts quiet, then the Monday rush


def test_an_ordinary_week_monday_morning_rush_included_raises_no_spike():
    for peak, seed in ((60, 1), (400, 2), (1500, 3)):
        acc = Account("acme", peak, seed)
        replay = Replay(acc, history(acc, SUNDAY_NIGHT, weeks=6))
        alarms = [t for t, v in replay.run(SUNDAY_NIGHT, WEEK) if v.spike]
        assert alarms == [], f"peak {peak}/h: false alarms at {alarms[:5]}"


def test_a_burst_of_fifty_mentions_a_second_is_flagged_within_a_minute():
    acc = Account("acme", 400, 7)
    replay = Replay(acc, history(acc, SUNDAY_NIGHT, weeks=6))
    burst_at = START + 1234 // 10 * 10  # Monday 09:20:30, the busiest hour of the week
    detected = next(t for t, v in replay.run(START, 2 * HOUR, burst_at=burst_at, burst_per_second=50)
                    if v.spike)
    assert burst_at <= detected <= burst_at + 60


def test_a_past_bad_buzz_week_does_not_make_the_next_one_look_normal():
    acc = Account("acme", 200, 11)
    hourly = history(acc, SUNDAY_NIGHT, weeks=6)
    crisis_hour = START - 2 * WEEK  # two Mondays ago at 09:00: a crisis, 20 times the volume
    hourly[crisis_hour] = hourly.get(crisis_hour, 0) * 20
    base = spikes.baseline(hourly, START + 600, SpikeParams())
    normal = spikes.baseline(history(Account("acme", 200, 11), SUNDAY_NIGHT, weeks=6), START + 600, SpikeParams())
    assert base.per_hour < 2 * normal.per_hour  # the median of six Mondays ignores the one bad one


def test_a_cold_start_stays_quiet_on_a_few_messages_and_flags_a_real_burst():
    params = SpikeParams()
    base = spikes.baseline({}, START, params)
    assert base.weeks == 0 and base.per_hour == params.floor_per_hour
    assert not spikes.evaluate({60: 5, 600: 19}, base, params).spike  # under min_count
    assert spikes.evaluate({60: 120, 600: 120}, base, params).spike


def test_the_poisson_threshold_is_the_first_count_rarer_than_p():
    assert spikes.poisson_threshold(0, 1e-6) == 1
    t = spikes.poisson_threshold(10, 1e-6)
    assert 28 <= t <= 32  # P(X >= 30) for Poisson(10) is about 7e-7
    big = spikes.poisson_threshold(10_000, 1e-6)
    assert 10_400 < big < 10_600


def test_top_words_leave_out_short_and_common_words_and_links():
    words = spikes.top_words(["Your app deleted my photos!!", "app deleted everything http://x.co",
                              "les photos supprimées, l'app est nulle"])
    assert words[0] == ("app", 3) and ("deleted", 2) in words and ("photos", 2) in words
