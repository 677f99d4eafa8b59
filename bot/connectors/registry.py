"""Builds each brand account's connector once, by the `type` in its `[accounts.connector]`."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from bot.config import AccountConfig, VeilleConfig
from bot.connectors.base import Connector, ConnectorError

MODULES = {"webhook": "webhook", "bluesky": "bluesky", "mastodon": "mastodon", "x": "x",
           "facebook": "meta", "instagram": "meta", "meta": "meta", "youtube": "youtube", "rss": "rss"}


class Connectors:
    def __init__(self, cfg: VeilleConfig, clock, env: Mapping[str, str] | None = None, transport=None):
        self._cfg, self._clock, self._env, self._transport = cfg, clock, env or os.environ, transport
        self._built: dict[str, Connector] = {}

    def get(self, account_key: str) -> Connector:
        if account_key not in self._built:
            account = self._cfg.account(account_key)
            if account is None:
                raise ConnectorError(f"unknown account {account_key!r}")
            self._built[account_key] = build_connector(account, self._env, self._clock, self._transport)
        return self._built[account_key]

    def can(self, account_key: str, op: str) -> bool:
        """Can this account's connector publish `op` ("reply" or "post")? A connector that cannot
        be built yet (a missing secret) is not refused here: its publication will say why."""
        try:
            return bool(getattr(self.get(account_key), f"can_{op}", True))
        except ConnectorError:
            return True

    def built(self) -> dict[str, Connector]:
        return dict(self._built)

    def secret(self, account: AccountConfig, option: str) -> str:
        """The value of the env var an account's connector option names (webhook secrets)."""
        name = account.connector.options().get(option)
        value = self._env.get(str(name)) if name else None
        if not value:
            raise ConnectorError(f"account {account.key}: option {option!r} must name a set env var")
        return value


def network_can_reply(network: str) -> bool:
    """Whether a conversation on `network` can be answered at all, for the alert (built from the
    database alone, without the accounts' connectors): no for a monitoring-only connector's network."""
    from bot.connectors.rss import RssConnector

    return not (network == RssConnector.network and not RssConnector.can_reply)


def build_connector(account: AccountConfig, env: Mapping[str, str], clock, transport=None) -> Connector:
    kind = account.connector.type
    name = MODULES.get(kind)
    if name is None:
        raise ConnectorError(f"account {account.key}: unknown connector type {kind!r}")
    module = importlib.import_module(f"bot.connectors.{name}")
    kwargs = {"transport": transport}
    if name in ("webhook", "meta"):
        kwargs["network"] = account.network
    return module.build(account.key, account.handle, account.connector.options(), env, clock, **kwargs)
