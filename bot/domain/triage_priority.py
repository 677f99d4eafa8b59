"""What triage means for priority, in one place. `is_negative` is the one test of a negative
message; the one priority function (`alert_priority` in bot/domain/urgency.py) takes its answer,
and `would_give` reports what that function decides."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.urgency import PRIORITY_NAMES, alert_priority
from bot.triage import Sentiment, Triage
from storage.models import Conversation

NEGATIVE_STRONG = -0.5  # below this, "very negative": a candidate for a raised priority


def is_negative(sentiment: Sentiment | str, score: float | None = None, strong: bool = False) -> bool:
    """True for a negative message; with strong=True, only for clearly negative ones."""
    if Sentiment(sentiment) is not Sentiment.NEGATIVE:
        return False
    return not strong or (score is not None and score <= NEGATIVE_STRONG)


@dataclass(frozen=True)
class Verdict:
    priority: str
    sla_policy: str | None
    vip: bool
    negative: bool


def would_give(rules, account: str, network: str, kind: str, author_id: str, handle: str, text: str,
               t: Triage) -> Verdict:
    """The priority and SLA policy ingest would give a new conversation opened by this message."""
    conv = Conversation(account=account, network=network, kind=kind, priority="normal", author_id=author_id,
                        author_handle=handle, author_name="")
    policy = rules.match(conv, text) if rules is not None else None
    vip = rules.config.is_vip(author_id, handle) if rules is not None else False
    negative = is_negative(t.sentiment, t.sentiment_score)
    return Verdict(priority=PRIORITY_NAMES[alert_priority(rules, conv, negative)],
                   sla_policy=policy.name if policy else None, vip=vip, negative=negative)
