"""Who may see and change what: one rule for every path (slash commands, buttons, modals, App
Home). A conversation, and a draft or post, belong to their account's Slack channel: members of
that channel may act on them and see them in `/veille queue`, the App Home and `/veille audit`;
admins (`[team] admins` / `admins_group`) may everywhere. Everyone else learns nothing, not even
that an id exists: ids are sequential.

Plain data only: the Slack side (bot/slack/directory.py) resolves the member's channels and admin
flag before any transaction, with a short cache, and hands a `Member` in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    id: str
    channels: frozenset[str] = frozenset()  # the account channels this member is in
    admin: bool = False


def may_see(member: Member, channel: str | None) -> bool:
    """May `member` see and change what lives in `channel` (a conversation's or a draft's)?"""
    return member.admin or (channel is not None and channel in member.channels)


def visible_channels(member: Member) -> frozenset[str] | None:
    """The channels whose conversations and drafts a listing may show; None: every one (an admin)."""
    return None if member.admin else member.channels


def only_visible(member: Member, items: Iterable, channel_of) -> list:
    """`items` without those in channels `member` may not see (`channel_of(item)` gives it)."""
    return [i for i in items if may_see(member, channel_of(i))]
