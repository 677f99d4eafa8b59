"""Triage of one inbound message: its language, its sentiment and how likely its author is a bot.
Pure domain code (no Slack, no storage); `triage()` is what ingest and `veille triage` call."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.triage.bots import LIKELY_BOT, AuthorFacts, bot_score, fingerprint
from bot.triage.language import UNKNOWN, language
from bot.triage.sentiment import Sentiment, sentiment

__all__ = ["LIKELY_BOT", "UNKNOWN", "AuthorFacts", "Sentiment", "Triage", "bot_score", "fingerprint",
           "language", "sentiment", "triage", "warm_up"]


@dataclass(frozen=True)
class Triage:
    language: str
    sentiment: Sentiment
    sentiment_score: float
    bot_score: float
    bot_reasons: list[str] = field(default_factory=list)

    @property
    def likely_bot(self) -> bool:
        return self.bot_score >= LIKELY_BOT

    def as_dict(self) -> dict:
        return {"language": self.language,
                "sentiment": {"label": self.sentiment.value, "score": self.sentiment_score},
                "bot": {"score": self.bot_score, "reasons": list(self.bot_reasons), "likely": self.likely_bot}}


def triage(text: str, facts: AuthorFacts | None = None, same_text_authors: int = 0,
           now: float | None = None) -> Triage:
    lang = language(text)
    label, score = sentiment(text, lang)
    b, reasons = bot_score(facts or AuthorFacts(), text, same_text_authors, now)
    return Triage(lang, label, score, b, reasons)


def warm_up() -> None:
    """Load the language model and both lexicons now (about 1.5 s), not inside the first ingest."""
    triage("Bonjour, ceci est un message de mise en route.")
    sentiment("Hello, this warms the English lexicon up.", "en")
