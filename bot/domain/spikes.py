"""Spike detection: is the volume of the last minutes far above what is normal for this hour of
the week? Pure arithmetic on counts (no database, no Slack); docs/crisis.md explains the choice.

Normal: for the hour of the week now (and its two neighbours, so a ramp that starts ten minutes
earlier than usual is not a spike), the hourly counts of the same hour in past weeks. Their
median plus `mad_k` scaled MADs is a robust "high normal" hourly rate: one past bad-buzz week
moves a median of five weeks by nothing. Before enough weeks exist (cold start) the rate is the
busiest hour seen in the past days, and never below `floor_per_hour`.

Spike: in each short window (60 s and 10 min by default) the count is compared with a Poisson
law whose mean is `ratio` x that high-normal rate over the window. It is a spike when the
probability of seeing that many or more is below `p_value` AND the count is at least
`min_count` (a handful of mentions is never a crisis, whatever the baseline)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

WEEK = 7 * 24 * 3600
HOUR = 3600
MAD_SCALE = 1.4826  # MAD x this estimates a standard deviation for normal data


@dataclass(frozen=True)
class SpikeParams:
    windows: tuple[int, ...] = (60, 600)  # seconds
    ratio: float = 3.0  # the window's mean is this many times the high-normal rate
    p_value: float = 1e-6
    min_count: int = 20  # in the window
    floor_per_hour: float = 30.0
    mad_k: float = 3.0
    weeks: int = 6  # past weeks of the same hour considered
    min_weeks: int = 2  # fewer: cold start


@dataclass(frozen=True)
class Baseline:
    per_hour: float  # the high-normal hourly rate
    median_per_hour: float  # the typical rate (what "normal" means in messages)
    weeks: int  # how many past weeks it rests on (0: cold start)


@dataclass(frozen=True)
class Verdict:
    spike: bool
    window: int  # the window that decided (the shortest that fired, else the first)
    count: int
    expected: float  # the typical count in that window
    threshold: int  # the count from which it is a spike
    baseline: Baseline

    @property
    def rate_per_hour(self) -> float:
        return self.count * HOUR / self.window


def hour_start(at: float) -> int:
    return int(at) // HOUR * HOUR


def baseline(hourly: Mapping[int, int], now: float, params: SpikeParams = SpikeParams()) -> Baseline:
    """`hourly`: hour start (epoch) -> count of inbound messages, for the past weeks. Hours with no
    message are simply absent (counted as 0 where a week is known to exist)."""
    here = hour_start(now)
    oldest = min(hourly) if hourly else here
    highs, medians, weeks_used = [], [], 0
    for shift in (-HOUR, 0, HOUR):
        samples = [hourly.get(here + shift - w * WEEK, 0) for w in range(1, params.weeks + 1)
                   if here + shift - w * WEEK >= oldest]
        weeks_used = max(weeks_used, len(samples))
        if len(samples) >= params.min_weeks:
            m = median(samples)
            mad = median(abs(x - m) for x in samples)
            highs.append(m + params.mad_k * MAD_SCALE * mad)
            medians.append(m)
    if highs:
        high, typical = max(highs), max(medians)
    else:  # cold start: the busiest complete hour of the past days stands for normal
        recent = [c for h, c in hourly.items() if here - 7 * 24 * HOUR <= h < here]
        high = typical = float(max(recent, default=0))
        weeks_used = 0
    return Baseline(max(high, params.floor_per_hour), max(typical, params.floor_per_hour / params.ratio),
                    weeks_used if highs else 0)


@lru_cache(maxsize=4096)  # a baseline lasts an hour: the same few means come back every tick
def poisson_threshold(mean: float, p_value: float) -> int:
    """The smallest k with P(X >= k) < p_value for X ~ Poisson(mean)."""
    if mean <= 0:
        return 1
    k, pmf = 0, math.exp(-mean) if mean < 700 else 0.0
    if pmf == 0.0:  # very large means: the normal approximation is exact enough
        z = math.sqrt(-2 * math.log(p_value))
        return int(math.ceil(mean + z * math.sqrt(mean) + 1))
    cdf = pmf
    while 1.0 - cdf >= p_value:
        k += 1
        pmf *= mean / k
        cdf += pmf
        if pmf == 0.0 and k > mean:
            break
    return k + 1


def evaluate(window_counts: Mapping[int, int], base: Baseline, params: SpikeParams = SpikeParams()) -> Verdict:
    """`window_counts`: window seconds -> messages received in the last that many seconds."""
    first: Verdict | None = None
    for w in params.windows:
        count = int(window_counts.get(w, 0))
        mean = params.ratio * base.per_hour * w / HOUR
        threshold = max(params.min_count, poisson_threshold(mean, params.p_value))
        v = Verdict(count >= threshold, w, count, base.median_per_hour * w / HOUR, threshold, base)
        if v.spike:
            return v
        first = first or v
    assert first is not None
    return first


def calm(window_counts: Mapping[int, int], base: Baseline, params: SpikeParams = SpikeParams()) -> bool:
    """Back to normal: the longest window holds no more than the high-normal rate allows."""
    w = max(params.windows)
    return window_counts.get(w, 0) <= max(params.min_count, base.per_hour * w / HOUR)


def top_words(texts: Sequence[str], n: int = 5, stop: frozenset[str] | None = None) -> list[tuple[str, int]]:
    """The most frequent words of the samples (short and common words left out)."""
    stop = stop or STOP_WORDS
    counts: dict[str, int] = {}
    for text in texts:
        seen = set()
        for raw in text.lower().split():
            w = raw.strip(".,;:!?\"'()[]«»“”…-_*").replace("’", "'")
            head, apostrophe, tail = w.partition("'")
            if apostrophe and head in ELISIONS:  # l'app, qu'elle: the word is what follows
                w = tail
            if len(w) < 3 or w in stop or w.startswith(("http", "@", "#")) or w in seen:
                continue
            seen.add(w)
            counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


ELISIONS = frozenset(["l", "d", "j", "n", "s", "c", "m", "t", "qu"])
STOP_WORDS = frozenset(["the", "and", "for", "you", "your", "are", "was", "with", "this", "that", "have", "not", "but", "from", "they", "what", "all", "can", "just", "our", "out", "get", "has", "had", "its", "it's", "i'm", "don't", "why", "how", "who", "when", "will", "would", "there", "their", "them", "been", "were", "les", "des", "une", "est", "pas", "que", "qui", "pour", "dans", "sur", "avec", "vous", "nous", "mais", "ont", "par", "son", "ses", "aux", "cette", "tout", "plus", "être", "très", "fait", "encore"])
