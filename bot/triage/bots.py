"""How likely a message comes from a bot or a spammer, with the reasons, from what networks expose
about the author and what Veille has seen (the same text from many authors).

Precision over recall: each signal alone stays under LIKELY_BOT, so a new account with a link, or
an angry customer posting a lot, is never labelled by one coincidence; a network's own "bot"
label, or several signals together, are. Labelling only: muting stays a member's decision."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from bot.triage.text import HANDLE, HASHTAG, URL, letters, strip_accents, without_links

LIKELY_BOT = 0.7
DAY = 86400

_SPAM = re.compile(
    r"\b(free (followers|likes|iphone|gift)|giveaway|crypto|bitcoin|btc|airdrop|nft|forex|earn \$?\d+|"
    r"\$\d+ (a|per) day|click (here|the link|below)|check (my|the) (bio|profile)|link in (my )?bio|dm me|"
    r"promo ?code|onlyfans|casino|betting|100% (free|legit)|work from home|make money|followers? for|"
    r"gagne[rz]? (\d+|de l'argent)|cliquez|lien (dans|en) (ma )?bio|gratuit|concours|argent facile|"
    r"investis|rejoins|code promo|hot singles|celibataires pres|verify (now|your account)|"
    r"(will be|has been|va etre) suspendu|exclusive content|contenu exclusif|follow ?back|suis-moi|"
    r"free shipping worldwide|livraison gratuite|watch (the )?full movie|film complet|(followers|abonnes|likes) "
    r"(for|pour|pas chers|for cheap)|profitable opportunity|investment manager|gestionnaire en investissement|"
    r"signals group|signaux|gift card|carte cadeau|argent vite|gagne[rz]? un)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AuthorFacts:
    """What a network says about an account; None when it does not say."""

    created_at: int | None = None  # account creation, epoch seconds
    followers: int | None = None
    following: int | None = None
    posts: int | None = None  # posts since the account exists
    bot_label: bool = False  # the network's own "automated account" flag (Mastodon `bot`, X label)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> AuthorFacts:
        d = d or {}

        def num(*keys: str) -> int | None:
            for k in keys:
                v = d.get(k)
                if isinstance(v, bool):
                    continue
                if isinstance(v, int | float):
                    return int(v)
            return None

        label = d.get("bot", d.get("automated", False))
        return cls(created_at=num("created_at", "account_created_at"), followers=num("followers", "followers_count"),
                   following=num("following", "following_count", "follows_count"),
                   posts=num("posts", "posts_count", "statuses_count"), bot_label=label is True)


def fingerprint(text: str) -> str:
    """The same text from different authors, whatever links, handles, digits or case differ."""
    core = re.sub(r"[\W\d_]+", " ", strip_accents(without_links(text or "").lower())).strip()
    return hashlib.blake2b(core.encode(), digest_size=8).hexdigest() if len(core) >= 12 else ""


def bot_score(facts: AuthorFacts, text: str, same_text_authors: int = 0, now: float | None = None
              ) -> tuple[float, list[str]]:
    """(score in [0, 1], reasons). `same_text_authors`: other authors seen posting this text lately."""
    signals: list[tuple[str, float]] = []
    if facts.bot_label:
        signals.append(("labelled_bot", 0.9))
    if same_text_authors >= 5:
        signals.append(("same_text_many_authors", 0.6))
    elif same_text_authors >= 2:
        signals.append(("same_text_several_authors", 0.35))
    links = len(URL.findall(text or ""))
    if links and letters(HASHTAG.sub(" ", HANDLE.sub(" ", URL.sub(" ", text)))) < 4:
        signals.append(("link_only", 0.4))
    spam = len(_SPAM.findall(strip_accents(text or "")))
    if spam:
        # Several spam phrases and a link is what a spammer writes, not what a customer does.
        strength = 0.7 if spam >= 3 or (spam >= 2 and links) else 0.45 if spam >= 2 or links else 0.25
        signals.append(("spam_words", strength))
    if len(HASHTAG.findall(text or "")) >= 5 or len(HANDLE.findall(text or "")) >= 5:
        signals.append(("tag_stuffing", 0.3))
    if facts.created_at is not None and now is not None:
        age_days = max(0.0, (now - facts.created_at) / DAY)
        if age_days < 7:
            signals.append(("new_account", 0.3 if age_days < 1 else 0.2))
        if facts.posts is not None and facts.posts / max(age_days, 1.0) > 150:
            signals.append(("posting_rate", 0.4))
    if facts.following is not None and facts.following >= 500 and (facts.followers or 0) * 20 < facts.following:
        signals.append(("follow_ratio", 0.3))
    miss = 1.0
    for _, weight in signals:
        miss *= 1.0 - weight  # noisy-or: independent hints add up, none alone reaches certainty
    return round(1.0 - miss, 3), [name for name, _ in signals]
