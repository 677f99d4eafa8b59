"""Triage at ingest: the language, sentiment and bot score of a run of customer messages, set on
their `Message` rows. Set-based like ingest: one query finds how many other authors posted the
same text lately, for the whole run."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.connectors.base import InboundMessage
from bot.triage import AuthorFacts, Triage, fingerprint, triage
from storage.models import Message

SAME_TEXT_WINDOW = 24 * 3600  # "the same text from many authors": within a day


def triage_run(s: Session, now: float, messages: list[InboundMessage]) -> dict[tuple[str, str], tuple[Triage, str]]:
    """(network, id) -> (its triage, its text fingerprint)."""
    prints = {(m.network, m.id): fingerprint(m.text) for m in messages}
    authors: dict[str, set[str]] = defaultdict(set)
    for m in messages:  # the same text within this run counts too
        if prints[(m.network, m.id)]:
            authors[prints[(m.network, m.id)]].add(f"{m.network}:{m.author.id}")
    wanted = sorted(authors)
    for i in range(0, len(wanted), 400):
        rows = s.execute(select(Message.text_fingerprint, Message.network, Message.author_id)
                         .where(Message.text_fingerprint.in_(wanted[i:i + 400]),
                                Message.received_at >= int(now) - SAME_TEXT_WINDOW)
                         .group_by(Message.text_fingerprint, Message.network, Message.author_id))
        for fp, network, author in rows:
            authors[fp].add(f"{network}:{author}")
    out = {}
    for m in messages:
        fp = prints[(m.network, m.id)]
        others = len(authors[fp] - {f"{m.network}:{m.author.id}"}) if fp else 0
        out[(m.network, m.id)] = (triage(m.text, AuthorFacts.from_dict(m.meta.get("author")), others, now), fp)
    return out


def triage_fields(result: tuple[Triage, str]) -> dict:
    """The `Message` columns of a triage result (ingest writes rows in bulk)."""
    t, fp = result
    return dict(language=t.language, sentiment=t.sentiment.value, sentiment_score=t.sentiment_score,
                bot_score=t.bot_score, bot_reasons=list(t.bot_reasons), text_fingerprint=fp)
