"""SLA policies: which conversations they cover, and the target for each metric.

The first policy whose `Match` accepts a `Subject` applies; an empty condition accepts anything.
Keywords match whole words, ignoring case and accents ("remboursement" matches "Remboursément!"
but not "remboursements"), because French customers type with and without accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class TargetWarning:
    """Warn at a `fraction` of the target (0.8 = 80 % elapsed) or `before` seconds before due."""

    fraction: float | None = None
    before: int | None = None

    def __post_init__(self) -> None:
        if (self.fraction is None) == (self.before is None):
            raise ValueError("a warning is either a fraction of the target or a time before due")

    @classmethod
    def at_fraction(cls, fraction: float) -> TargetWarning:
        return cls(fraction=fraction)

    @classmethod
    def before_due(cls, seconds: int) -> TargetWarning:
        return cls(before=seconds)

    def elapsed(self, target_seconds: int) -> int:
        """Seconds of target time (calendar or business) after the start when it fires."""
        if self.fraction is not None:
            return max(0, round(target_seconds * self.fraction))
        return max(0, target_seconds - (self.before or 0))


# The brief's name for it; `TargetWarning` avoids shadowing the builtin `Warning`.
Warning = TargetWarning


@dataclass(frozen=True)
class Target:
    seconds: int
    business: bool = False
    warnings: tuple[TargetWarning, ...] = ()
    escalate_after: int | None = None  # seconds after the breach, calendar time

    def __post_init__(self) -> None:
        object.__setattr__(self, "warnings", tuple(self.warnings))


@dataclass(frozen=True)
class Subject:
    """What a policy is matched against: one conversation's first inbound message."""

    account: str
    network: str
    kind: str  # mention | dm | comment | article
    priority: str | None = None
    author_id: str = ""
    author_handle: str = ""
    text: str = ""
    vip: bool = False


@dataclass(frozen=True)
class Match:
    """Conditions, all optional (empty = any); a subject must satisfy every non-empty one."""

    accounts: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    vip_only: bool = False
    keywords: tuple[str, ...] = ()
    _keyword_pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("accounts", "networks", "kinds", "priorities"):
            object.__setattr__(self, name, frozenset(_fold(v) for v in getattr(self, name)))
        object.__setattr__(self, "keywords", tuple(k for k in self.keywords if k.strip()))
        if self.keywords:
            alternatives = "|".join(_keyword_regex(k) for k in self.keywords)
            object.__setattr__(self, "_keyword_pattern", re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"))

    def accepts(self, subject: Subject) -> bool:
        if self.accounts and _fold(subject.account) not in self.accounts:
            return False
        if self.networks and _fold(subject.network) not in self.networks:
            return False
        if self.kinds and _fold(subject.kind) not in self.kinds:
            return False
        if self.priorities and _fold(subject.priority or "") not in self.priorities:
            return False
        if self.vip_only and not subject.vip:
            return False
        if self._keyword_pattern is not None:
            return self._keyword_pattern.search(normalize_text(subject.text)) is not None
        return True


@dataclass(frozen=True)
class Policy:
    """`version` changes whenever the policy (or its schedule) changes: a clock whose stored
    version differs is recomputed from its original start."""

    name: str
    match: Match = field(default_factory=Match)
    targets: Mapping[Metric, Target] = field(default_factory=dict)
    schedule_name: str = "always"
    pause_on_hold: bool = False
    version: str = "1"

    def target(self, metric: Metric) -> Target | None:
        return self.targets.get(metric)


def match_policy(policies: Iterable[Policy], subject: Subject) -> Policy | None:
    """The first policy that accepts `subject`, or None (no SLA for it)."""
    for policy in policies:
        if policy.match.accepts(subject):
            return policy
    return None


# Letters that do not decompose under NFKD but that French writers swap freely.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def normalize_text(text: str) -> str:
    """Lower case, accents removed, ligatures spelled out: the form keywords are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold(value: str) -> str:
    return value.strip().casefold()


def _keyword_regex(keyword: str) -> str:
    # Inner whitespace matches any run of whitespace so "mot de passe" survives line breaks.
    words = normalize_text(keyword).split()
    return r"\s+".join(re.escape(w) for w in words)
