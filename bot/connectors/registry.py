"""Builds each brand account's connector once, by the `type` in its `[accounts.connector]`."""

from __future__ import annotations

import importlib
import os
import re
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

    def warm(self) -> None:
        """Build every account's connector up front (at start), so the first burst of scheduled
        posts does not pay for it. One that cannot be built yet is left for `get` to explain."""
        for account in self._cfg.accounts:
            try:
                self.get(account.key)
            except (ConnectorError, ValueError, TypeError):
                pass

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


# Secrets a connector reads from a default variable when its `*_env` option is left out.
IMPLIED_ENV = {"webhook": {"secret_env": "VEILLE_PUBLISH_SECRET"}, "bluesky": {"password_env": "VEILLE_BLUESKY_PASSWORD"}}


def check_connector(account: AccountConfig, env: Mapping[str, str], clock) -> list[str]:
    """What stops this account's connector from working, each as "connector.<key>: problem":
    an unknown type, a `*_env` option naming an unset variable, or an option its module refuses.
    Nothing is called on the network."""
    if "connector" not in account.model_fields_set:
        return ["connector: missing: nothing can publish this account's replies; add an [accounts.connector] "
                "table (README, \"Publishing through a webhook\", or docs/connectors.md)"]
    kind = account.connector.type
    if kind not in MODULES:
        return [f"connector.type: unknown connector {kind!r} (one of {', '.join(sorted(MODULES))})"]
    options = {**IMPLIED_ENV.get(kind, {}), **account.connector.options()}
    problems = []
    for key, name in options.items():
        if not key.endswith("_env"):
            continue
        if not isinstance(name, str) or not name:
            problems.append(f"connector.{key}: must name an environment variable, like \"ACME_SECRET\"")
        elif not env.get(name):
            problems.append(f"connector.{key}: {name} is not set in the environment")
    if problems:
        return problems
    try:
        connector = build_connector(account, env, clock)
    except (ConnectorError, ValueError, TypeError) as e:
        # Modules prefix "account acme_x: " or "mastodon account acme_x: "; the caller names the account.
        why = re.sub(r"^[\w ]*?\b" + re.escape(account.key) + ": ", "", str(e))
        return [f"connector: {why}"]
    close = getattr(connector, "close", None)
    if close is not None:
        close()
    return []
