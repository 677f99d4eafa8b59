"""The one validation `veille check-config` and `veille run` both go through: veille.toml (its
models, the SLA rules, on-call, PagerDuty), every account's connector with the secrets its `*_env`
options name, the Slack environment and the database URL. Every problem is listed, each naming
the user's own key (`sla.first_response`, `SLACK_BOT_TOKEN`), so a valid check means `veille run`
gets past its configuration."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.clock import RealClock
from bot.config import ConfigError, Settings, VeilleConfig, load_config


@dataclass
class CheckedConfig:
    cfg: VeilleConfig
    notices: list[str] = field(default_factory=list)  # valid, but worth a look


def check_config(settings: Settings, env: Mapping[str, str] | None = None) -> CheckedConfig:
    """The validated config, or a ConfigError listing every problem, one per line."""
    from bot.connectors.registry import check_connector
    from bot.domain.sla_rules import build_rules

    env = os.environ if env is None else env
    source = settings.veille_config
    problems: list[str] = []
    notices: list[str] = []
    cfg: VeilleConfig | None = None
    try:
        cfg = load_config(source)
    except ConfigError as e:
        problems.append(str(e))
    if cfg is not None:
        try:
            notices += build_rules(cfg, env).notices
        except ConfigError as e:
            problems += [f"{source}: {line}" for line in str(e).splitlines()]
        clock = RealClock()
        for i, account in enumerate(cfg.accounts):
            problems += [f"{source}: accounts[{i}].{p}" for p in check_connector(account, env, clock)]
    problems += [f"environment: {p}" for p in slack_problems(settings)]
    db = database_problem(settings.database_url)
    if db:
        problems.append(f"environment: {db}")
    if not settings.veille_ingest_secret.get_secret_value():
        notices.append("VEILLE_INGEST_SECRET is not set: POST /ingest/webhook refuses every request")
    if problems:
        raise ConfigError("\n".join(problems))
    assert cfg is not None
    return CheckedConfig(cfg, notices)


def slack_problems(settings: Settings) -> list[str]:
    problems = []
    bot_token = settings.slack_bot_token.get_secret_value()
    if not bot_token:
        problems.append("SLACK_BOT_TOKEN is not set: copy the bot token (xoxb-...) from your Slack app's "
                        "OAuth & Permissions page")
    elif not bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN is not a bot token: it starts with xoxb- (OAuth & Permissions page)")
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN is not an app-level token: it starts with xapp- (Basic Information → "
                        "App-Level Tokens, scope connections:write); unset it for HTTP mode")
    if not settings.socket_mode and not settings.slack_signing_secret.get_secret_value():
        problems.append("SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information → Signing "
                        "Secret), or set SLACK_APP_TOKEN for Socket Mode")
    if not settings.slack_api_url.startswith(("https://", "http://")):
        problems.append(f"SLACK_API_URL: {settings.slack_api_url!r} is not an http(s) URL")
    return problems


def database_problem(url: str) -> str | None:
    """A DATABASE_URL this installation cannot open, said before anything tries to."""
    if url.startswith("sqlite"):
        return None
    if url.startswith("postgresql"):
        if not _importable("psycopg"):
            return ("DATABASE_URL is a PostgreSQL URL but the PostgreSQL driver is not installed: "
                    "pip install 'veille[postgres]' (or `make setup EXTRAS=postgres`)")
        return None
    return f"DATABASE_URL must start with sqlite:/// or postgresql+psycopg://, not {url.split(':', 1)[0]}:"


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None and bool(importlib.import_module(module))
    except ImportError:
        return False
