"""Who a Slack member is: timezone and locale (users.info, cached in the database), group
membership (usergroups.users.list, cached briefly) and channel membership (conversations.members,
cached briefly). Approver checks and access (bot/domain/access.py) go through here.

Group membership is a Tier 2 Slack call: it is never made under a database transaction. Callers
that decide inside one (approve, publish) first `resolve()` the groups they may need, outside it,
and hand the resulting `Membership` (no network) to the domain. When Slack cannot answer, the last
membership seen is used; a group never seen at all is `DirectoryUnavailable` (the publisher then
retries later rather than failing an approved post)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import TeamConfig
from bot.domain.access import Member
from bot.domain.approvals import ApprovalError
from storage.models import SlackUser

log = logging.getLogger(__name__)
USER_TTL = 86_400
GROUP_TTL = 300
CHANNEL_TTL = 300  # someone removed from a channel loses access within five minutes
MEMBERS_PAGE = 1000  # conversations.members' largest page


class DirectoryUnavailable(ApprovalError):
    """A group's membership is needed, Slack does not answer, and it was never seen before."""

    def __init__(self, group: str):
        super().__init__("directory_unavailable", group=group)
        self.group = group


class TeamRoles:
    """Approver and admin, by the team's lists and groups; `group_members` says who is in a group."""

    _team: TeamConfig

    def group_members(self, group_id: str) -> frozenset[str]:
        raise NotImplementedError

    def is_approver(self, user: str) -> bool:
        if user in self._team.approvers:
            return True
        return bool(self._team.approvers_group) and user in self.group_members(self._team.approvers_group)

    def is_admin(self, user: str) -> bool:
        if user in self._team.admins:
            return True
        return bool(self._team.admins_group) and user in self.group_members(self._team.admins_group)


class Membership(TeamRoles):
    """The team's approvers and admins and some groups' members, resolved before a transaction:
    what the workflow asks of `People` (bot/domain/workflows.py), answered without the network."""

    def __init__(self, team: TeamConfig, groups: dict[str, frozenset[str]], last_known):
        self._team, self._groups, self._last_known = team, groups, last_known

    def group_members(self, group_id: str) -> frozenset[str]:
        found = self._groups.get(group_id)
        if found is None:
            found = self._last_known(group_id)  # a group not resolved up front: the cache, no call
        if found is None:
            raise DirectoryUnavailable(group_id)
        return found


class Directory(TeamRoles):
    def __init__(self, db, client: WebClient, team: TeamConfig, clock):
        self._db, self._client, self._team, self._clock = db, client, team, clock
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self._channels: dict[str, tuple[float, frozenset[str]]] = {}

    def user(self, user_id: str) -> SlackUser:
        now = self._clock.now()
        with self._db.session() as s:
            u = s.get(SlackUser, user_id)
            if u is not None and now - u.fetched_at < USER_TTL:
                return u
        try:
            info = self._client.users_info(user=user_id, include_locale=True)["user"]
        except SlackApiError as e:
            log.warning("users.info %s failed: %s", user_id, e.response.get("error"))
            return u or SlackUser(id=user_id, tz=self._team.timezone, locale="en-US", fetched_at=0)
        with self._db.session() as s:
            u = s.get(SlackUser, user_id) or SlackUser(id=user_id)
            u.name = info.get("real_name") or info.get("name") or ""
            u.tz = info.get("tz") or self._team.timezone
            u.locale = info.get("locale") or "en-US"
            u.fetched_at = int(now)
            s.merge(u)
        return u

    def group_members(self, group_id: str) -> frozenset[str]:
        found = self._members(group_id)
        return found if found is not None else frozenset()

    def resolve(self, groups: Iterable[str | None] = ()) -> Membership:
        """Call before opening a transaction: the team's groups and `groups`, fetched now (or from
        the cache while fresh), for decisions taken inside the transaction without the network."""
        wanted = {g for g in (self._team.approvers_group, self._team.admins_group, *groups) if g}
        resolved = {g: m for g in sorted(wanted) if (m := self._members(g)) is not None}
        return Membership(self._team, resolved, self._last_known)

    def _last_known(self, group_id: str) -> frozenset[str] | None:
        with self._lock:
            cached = self._groups.get(group_id)
        return cached[1] if cached else None

    def _members(self, group_id: str) -> frozenset[str] | None:
        """Fresh from the cache, else from Slack; when Slack fails, the last membership seen, or
        None if there is none."""
        now = self._clock.now()
        with self._lock:
            cached = self._groups.get(group_id)
            if cached and now - cached[0] < GROUP_TTL:
                return cached[1]
        try:
            users = frozenset(self._client.usergroups_users_list(usergroup=group_id)["users"])
        except SlackApiError as e:
            log.warning("usergroups.users.list %s failed: %s", group_id, e.response.get("error"))
            return cached[1] if cached else None
        except Exception as e:  # a timeout or a dropped connection: same as a refusal
            log.warning("usergroups.users.list %s failed: %s", group_id, e)
            return cached[1] if cached else None
        with self._lock:
            self._groups[group_id] = (now, users)
        return users


    # ---- channel membership (access rules) ----------------------------------------------------

    def channel_members(self, channel: str) -> frozenset[str]:
        """Everyone in `channel`, every page of conversations.members, cached for CHANNEL_TTL.
        If Slack refuses, the last answer stands; with none, nobody (access is refused, not granted)."""
        now = self._clock.now()
        with self._lock:
            cached = self._channels.get(channel)
            if cached and now - cached[0] < CHANNEL_TTL:
                return cached[1]
        members: set[str] = set()
        cursor = None
        try:
            while True:
                page = self._client.conversations_members(channel=channel, limit=MEMBERS_PAGE, cursor=cursor)
                members.update(page.get("members") or ())
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as e:
            log.warning("conversations.members %s failed: %s", channel, e.response.get("error"))
            return cached[1] if cached else frozenset()
        found = frozenset(members)
        with self._lock:
            self._channels[channel] = (now, found)
        return found

    def member(self, user: str, channels) -> Member:
        """`user` as the access rules see them: which of `channels` they are in, and whether they
        are an admin. Call it before opening a transaction: it may ask Slack."""
        if self.is_admin(user):
            return Member(user, frozenset(channels), admin=True)
        return Member(user, frozenset(c for c in set(channels) if user in self.channel_members(c)))
