"""`/veille mute|unmute @author [network]` and `/veille mute list`, apart from Slack. A muted
author is stored per network and handle; alerts label them and spike counts leave them out.
Muting is always a member's decision (approvers and admins): the bot score only suggests it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from bot.config import NETWORKS
from bot.domain.outbox import enqueue_refresh
from storage.models import Conversation, Message, MutedAuthor
from storage.upsert import insert_ignore_many

_HANDLE = re.compile(r"^@?([\w.\-:]{1,200})$", re.UNICODE)


class MuteAction(StrEnum):
    MUTE = "mute"
    UNMUTE = "unmute"
    LIST = "list"


class MuteError(Exception):
    """A refusal, with the i18n key (bot/i18n.py) and its fields."""

    def __init__(self, code: str, **info):
        super().__init__(code)
        self.code, self.info = code, info


@dataclass(frozen=True)
class Muted:
    network: str
    handle: str
    muted_by: str
    muted_at: int


def may_mute(people, user: str) -> bool:
    return people.is_approver(user) or people.is_admin(user)


def parse(args: str) -> tuple[str, str | None]:
    """"@jane bluesky" → ("jane", "bluesky"); raises MuteError on anything else."""
    parts = args.split()
    if not parts or len(parts) > 2 or not _HANDLE.match(parts[0]):
        raise MuteError("mute_usage")
    network = parts[1].lower() if len(parts) == 2 else None
    if network is not None and network not in NETWORKS:
        raise MuteError("mute_unknown_network", network=network[:30], networks=", ".join(NETWORKS))
    return _HANDLE.match(parts[0]).group(1).lower(), network


def _networks_of(s: Session, handle: str, network: str | None) -> list[str]:
    if network:
        return [network]
    seen = sorted(set(s.scalars(select(Message.network).where(func.lower(Message.author_handle).in_(
        [handle, "@" + handle]), Message.direction == "in").distinct())))
    if not seen:
        raise MuteError("mute_which_network", handle=handle, networks=", ".join(NETWORKS))
    return seen  # the same handle on several networks: a member said "this author", mute each


def mute(s: Session, now: float, people, user: str, args: str) -> list[str]:
    """The networks the author is now muted on."""
    if not may_mute(people, user):
        raise MuteError("mute_only_approvers")
    handle, network = parse(args)
    networks = _networks_of(s, handle, network)
    insert_ignore_many(s, MutedAuthor, [dict(network=n, handle=handle, author_id="", muted_by=user,
                                             muted_at=int(now)) for n in networks])
    _refresh_alerts(s, now, handle, networks)
    return networks


def unmute(s: Session, now: float, people, user: str, args: str) -> list[str]:
    if not may_mute(people, user):
        raise MuteError("mute_only_approvers")
    handle, network = parse(args)
    q = delete(MutedAuthor).where(MutedAuthor.handle == handle)
    if network:
        q = q.where(MutedAuthor.network == network)
    gone = s.scalars(select(MutedAuthor.network).where(q.whereclause)).all()
    if not gone:
        raise MuteError("mute_not_muted", handle=handle)
    s.execute(q)
    _refresh_alerts(s, now, handle, gone)
    return sorted(gone)


def _refresh_alerts(s: Session, now: float, handle: str, networks: list[str]) -> None:
    """The author's open alerts show (or stop showing) "muted"."""
    for conv_id, channel in s.execute(select(Conversation.id, Conversation.slack_channel).where(
            Conversation.network.in_(networks), Conversation.status != "resolved",
            func.lower(Conversation.author_handle).in_([handle, "@" + handle]))):
        if channel:
            enqueue_refresh(s, now, channel, "alert_refresh", "conversation_id", conv_id)


def listing(s: Session) -> list[Muted]:
    return [Muted(r.network, r.handle, r.muted_by, r.muted_at)
            for r in s.scalars(select(MutedAuthor).order_by(MutedAuthor.network, MutedAuthor.handle))]


def norm_handle(handle: str) -> str:
    return (handle or "").strip().lstrip("@").lower()


def is_muted(s: Session, network: str, handle: str) -> bool:
    return muted_pairs(s, {(network, handle)}) != set()


def muted_pairs(s: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (network, handle) pairs among `pairs` that are muted (handles compared normalised)."""
    wanted = {(n, norm_handle(h)) for n, h in pairs if h}
    if not wanted:
        return set()
    found = set(s.execute(select(MutedAuthor.network, MutedAuthor.handle)
                          .where(tuple_(MutedAuthor.network, MutedAuthor.handle).in_(list(wanted)))).all())
    return {(n, h) for n, h in pairs if (n, norm_handle(h)) in {tuple(f) for f in found}}
