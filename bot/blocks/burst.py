"""The burst card: one live message per account while new ordinary conversations fold into it
(bot/domain/bursts.py). Exact counts, top words, a few quoted samples, the mix of networks and
kinds, the time window and a Triage button. Pure: facts in, blocks out; within Block Kit's limits
(about a dozen blocks, each section under 3,000 characters)."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import actions, button, context, network_label, plain, section
from bot.domain.bursts import QUIET_SECONDS, BurstFacts
from bot.i18n import t
from bot.ids import Action, Block
from bot.slack.dates import date_token
from bot.slack.escape import clean_name, escape, escaped, link, quote

SAMPLE_CHARS = 500
WORDS_LIMIT = 1500


def burst_message(f: BurstFacts, lang: str = "en") -> tuple[str, list[dict[str, Any]]]:
    b = f.burst
    account = escaped(b.account, 60)
    handled = sum(n for status, n in f.status.items() if status != "open")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(t(lang, "burst_header", account=b.account, n=f.total), 150)},
    ]
    start, last = date_token(f.first_at or b.opened_at, "{time}"), date_token(f.last_at or b.opened_at, "{time}")
    if b.closed_at is None:
        blocks.append(section(t(lang, "burst_live", start=start, last=last)))
    else:
        blocks.append(section(t(lang, "burst_ended", end=date_token(b.closed_at, "{time}"), quiet=QUIET_SECONDS // 60,
                                start=start, last=last)))
    blocks.append(section(t(lang, "burst_counts", waiting=f.waiting, assigned=f.assigned, handled=handled,
                            unfolded=f.unfolded, at_risk=f.at_risk, breached=f.breached)))
    blocks.append(context(t(lang, "burst_networks", mix=_mix([(network_label(k), n) for k, n in f.networks])),
                          t(lang, "burst_kinds", mix=_mix([(escaped(k, 20), n) for k, n in f.kinds]))))
    if f.words:
        words = _mix([("`" + escaped(w, 40).replace("`", "'") + "`", n) for w, n in f.words])[:WORDS_LIMIT]
        blocks.append(section(t(lang, "burst_words", words=words)))
    if f.samples:
        blocks.append(section(t(lang, "burst_samples")))
        for sample in f.samples:
            who = escape(clean_name(sample.author) or "?")
            where = link(sample.url, network_label(sample.network)) if sample.url else network_label(sample.network)
            blocks.append(section(f"{quote(sample.text, SAMPLE_CHARS)}\n— {who} · {where} · `c{sample.conversation_id}`"))
    blocks.append(actions(Block.BURST_ACTIONS, button(t(lang, "burst_triage"), Action.TRIAGE, str(b.id),
                                                      style="primary")))
    if f.words_over and f.words_over < f.total:
        blocks.append(context(t(lang, "burst_words_over", n=f"{f.words_over:,}")))
    fallback = t(lang, "burst_fallback", account=account, n=f.total, waiting=f.waiting)
    return fallback, blocks


def breaches_note(lang: str, burst_id: int, ids: list[int], total: int) -> tuple[str, list[dict[str, Any]]]:
    """In the card's thread: the folded conversations now past their deadline, with Triage."""
    more = t(lang, "burst_breaches_more", n=total - len(ids)) if total > len(ids) else ""
    text = t(lang, "burst_breaches", n=total, ids=", ".join(f"`c{i}`" for i in ids), more=more)
    return text, [section(text), actions(Block.BURST_ACTIONS, button(t(lang, "burst_triage"), Action.TRIAGE,
                                                                     str(burst_id), style="danger"))]


def _mix(items: list[tuple[str, int]]) -> str:
    return " · ".join(f"{label} {n:,}" for label, n in items[:12]) or "–"
