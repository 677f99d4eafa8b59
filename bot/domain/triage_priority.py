"""What triage means for priority, in one place (issue 9: "negative + VIP → high").

Today a new conversation is always priority "normal" and its SLA policy is matched on account,
network, kind, VIP and keywords. `is_negative` is the one test of a negative message: the single
priority function (`alert_priority` in bot/domain/urgency.py, when it lands) should call it, and
`would_give` below should then return that function's answer instead of "normal"."""

from __future__ import annotations

from dataclasses import dataclass

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
    return Verdict(priority=conv.priority, sla_policy=policy.name if policy else None, vip=vip,
                   negative=is_negative(t.sentiment, t.sentiment_score))
