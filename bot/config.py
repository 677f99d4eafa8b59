"""Settings from the environment (and `.env`) plus the team's `veille.toml`, validated.
A bad config stops start-up with a message naming the key and the problem."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("en", "fr")  # of channel messages; see bot/i18n.py channel_lang
NETWORKS = ("webhook", "x", "mastodon", "bluesky", "facebook", "instagram", "youtube", "rss", "linkedin", "blog")


class ConfigError(ValueError):
    """Raised with a message that names the key and the problem."""


class Settings(BaseSettings):
    """The public environment contract (documented in the README)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr = Field(default=SecretStr(""), alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr = Field(default=SecretStr(""), alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///veille.db", alias="DATABASE_URL")
    veille_config: str = Field(default="veille.toml", alias="VEILLE_CONFIG")
    port: int = Field(default=3000, alias="PORT")
    veille_ingest_secret: SecretStr = Field(default=SecretStr(""), alias="VEILLE_INGEST_SECRET")

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token and self.slack_app_token.get_secret_value())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamConfig(_Strict):
    timezone: str = "UTC"
    approvers: list[str] = []
    approvers_group: str | None = None
    admins: list[str] = []
    admins_group: str | None = None
    default_channel: str | None = None
    oncall_channel: str | None = None
    language: str = "en"  # of channel messages (alerts, cards, notes); members' answers follow their locale

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _check_tz(v)

    @field_validator("language", mode="before")
    @classmethod
    def _team_language(cls, v: Any) -> str:
        return _check_language(v)


class ConnectorConfig(BaseModel):
    """`type` picks the module under bot/connectors; every other key is that connector's option."""

    model_config = ConfigDict(extra="allow")
    type: str = "webhook"

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ApprovalStep(_Strict):
    """One step of an approval workflow (Sprout's model): named approvers and/or a user group;
    `any` one of them approves the step, or `all` of them must. Neither list: the team's approvers."""

    name: str = Field(default="", max_length=60)
    approvers: list[str] = []  # Slack user ids (U...)
    group: str | None = Field(default=None, pattern=r"^S[A-Z0-9]{2,}$")  # Slack user group id
    rule: Literal["any", "all"] = "any"

    @field_validator("approvers")
    @classmethod
    def _user_ids(cls, v: list[str]) -> list[str]:
        for u in v:
            if not re.match(r"^[UW][A-Z0-9]{2,}$", u):
                raise ValueError(f"{u!r} is not a Slack user id (like U0123ABCD)")
        return v

    @model_validator(mode="after")
    def _all_needs_names(self) -> ApprovalStep:
        if self.rule == "all" and not self.approvers and not self.group:
            raise ValueError('rule = "all" needs approvers or a group (the team approvers are "any")')
        return self


class ApprovalPolicy(_Strict):
    """`[approval]` (team default) or `[accounts.approval]` (one account; keys given override).
    steps: omitted = one step, the team's approvers; [] = no approval; else the ordered steps.
    replies: "team" (one step, the team's approvers: the default), "none", or "steps" (same as posts)."""

    steps: list[ApprovalStep] | None = None
    replies: Literal["team", "none", "steps"] = "team"
    reapprove_on_move: bool = False  # a moved post goes through its steps again (approvals were for the old time)


class LanguageRoute(_Strict):
    """`routes = [{ language = "fr", channel = "C0FR" }]`: new conversations in that language (as
    triage detects it, issue 9) get their alert in that channel instead of the account's."""

    language: str
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,}$")

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        from bot.triage.language import LANGUAGES

        if v not in LANGUAGES:
            raise ValueError(f"unknown language {v!r}; one of {', '.join(LANGUAGES)}")
        return v


class AccountConfig(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,62}$")
    network: str
    handle: str
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{2,}$")
    name: str = ""
    connector: ConnectorConfig = ConnectorConfig()
    poll_seconds: int = Field(default=60, ge=5)
    approval: ApprovalPolicy | None = None
    slots: list[str] = []  # posting times for "next free slot", e.g. "mon-fri 09:30"
    timezone: str | None = None  # the zone of `slots` (default: the team's)
    crisis_keywords: list[str] = []  # spike detection per keyword on this account (see [crisis])
    language: str | None = None  # of this account's channel messages (default: the team's)
    routes: list[LanguageRoute] = []  # a language to its own channel (issue 9, docs/triage.md)

    @field_validator("slots")
    @classmethod
    def _slots(cls, v: list[str]) -> list[str]:
        from bot.domain.slots import SlotError, parse_slot

        for spec in v:
            try:
                parse_slot(spec)
            except SlotError as e:
                raise ValueError(str(e)) from None
        return v

    @field_validator("timezone")
    @classmethod
    def _account_tz(cls, v: str | None) -> str | None:
        return None if v is None else _check_tz(v)

    @field_validator("language", mode="before")
    @classmethod
    def _account_language(cls, v: Any) -> str | None:
        return None if v is None else _check_language(v)

    @field_validator("routes")
    @classmethod
    def _routes(cls, v: list[LanguageRoute]) -> list[LanguageRoute]:
        langs = [r.language for r in v]
        if len(set(langs)) != len(langs):
            raise ValueError("each language is routed at most once")
        return v

    def channel_for(self, language: str) -> str:
        return next((r.channel for r in self.routes if r.language == language), self.channel)

    @field_validator("network")
    @classmethod
    def _network(cls, v: str) -> str:
        if v not in NETWORKS:
            raise ValueError(f"unknown network {v!r}; one of {', '.join(NETWORKS)}")
        return v


class CrisisConfig(_Strict):
    """`[crisis]`: spike detection and crisis mode (docs/crisis.md)."""

    detect: bool = True  # false: incidents only by hand (/veille crisis start)
    keywords: list[str] = []  # watched on every account, besides accounts[].crisis_keywords
    windows: list[int] = [60, 600]  # seconds: the short windows compared with normal
    ratio: float = Field(default=3.0, ge=1.5, le=100)
    p_value: float = Field(default=1e-6, gt=0, le=0.01)
    min_count: int = Field(default=20, ge=3)
    floor_per_hour: float = Field(default=30.0, ge=1)
    weeks: int = Field(default=6, ge=2, le=26)
    calm_minutes: int = Field(default=30, ge=1, le=24 * 60)  # normal this long: the incident ends
    sla_policy: str | None = None  # the SLA policy of conversations created during an incident
    page: bool = True  # DM the on-call member and trigger PagerDuty (severity critical)

    @field_validator("windows")
    @classmethod
    def _windows(cls, v: list[int]) -> list[int]:
        if not v or any(w < 10 or w > 3600 or w % 10 for w in v):
            raise ValueError("each window is a multiple of 10 seconds between 10 and 3600, e.g. [60, 600]")
        return sorted(set(v))


class ReportsConfig(_Strict):
    """`[reports]`: the monthly report posted by itself (docs/reports.md)."""

    channel: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]{2,}$")  # unset: no scheduled report
    day: Literal["first_working_day"] | int = "first_working_day"  # or a day of the month, 1..28
    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # in the team's time zone
    language: Literal["en", "fr"] = "en"
    holidays_country: str | None = None  # e.g. "FR": its public holidays are not working days

    @field_validator("day")
    @classmethod
    def _day(cls, v):
        if isinstance(v, int) and not 1 <= v <= 28:
            raise ValueError("a day of the month between 1 and 28, or \"first_working_day\"")
        return v


class VeilleConfig(_Strict):
    team: TeamConfig = TeamConfig()
    accounts: list[AccountConfig] = []
    sla: dict[str, Any] = {}
    oncall: dict[str, Any] = {}
    approval: ApprovalPolicy = ApprovalPolicy()
    pagerduty: dict[str, Any] = {}
    crisis: CrisisConfig = CrisisConfig()
    reports: ReportsConfig = ReportsConfig()

    @field_validator("accounts")
    @classmethod
    def _unique_keys(cls, v: list[AccountConfig]) -> list[AccountConfig]:
        seen: set[str] = set()
        for a in v:
            if a.key in seen:
                raise ValueError(f"account key {a.key!r} is used twice")
            seen.add(a.key)
        return v

    @model_validator(mode="after")
    def _crisis_policy(self) -> VeilleConfig:
        name = self.crisis.sla_policy
        if name is not None:
            known = [p.get("name") for p in (self.sla or {}).get("policies", []) if isinstance(p, dict)]
            if any(k in self.sla for k in ("first_response", "next_response", "resolution")) or not known:
                known.append("default")
            if name not in known:
                raise ValueError(f"crisis.sla_policy: no SLA policy named {name!r} (known: {', '.join(known)})")
        return self

    def account(self, key: str) -> AccountConfig | None:
        return next((a for a in self.accounts if a.key == key), None)


def load_config(path: str | os.PathLike[str]) -> VeilleConfig:
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: file not found (set VEILLE_CONFIG or copy veille.example.toml)")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML: {e}") from None
    return parse_config(data, source=str(p))


def parse_config(data: dict[str, Any], source: str = "veille.toml") -> VeilleConfig:
    try:
        return VeilleConfig.model_validate(data)
    except ValidationError as e:
        lines = [f"{source}: {_key_path(err['loc'])}: {_problem(err)}" for err in e.errors()]
        raise ConfigError("\n".join(lines)) from None


def load_settings() -> Settings:
    """The environment contract (and `.env`), with a ConfigError in our words, not pydantic's."""
    try:
        return Settings()
    except ValidationError as e:
        lines = [f"environment: {_key_path(err['loc'])}: {_problem(err)}" for err in e.errors()]
        raise ConfigError("\n".join(lines)) from None


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


# What a key of this name must look like, said the way a person fixes it (the patterns above).
_SHAPES = {
    "channel": "is not a Slack channel id like C0123ABCD (channel details → copy the channel ID)",
    "key": "must be lowercase letters, digits, _ or - (like acme_x), at most 63 characters",
    "group": "is not a Slack user group id like S0123ABCD",
}


def _problem(err: dict[str, Any]) -> str:
    """Our wording for a validation error: never the library's ("String should match pattern")."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    field = next((p for p in reversed(err["loc"]) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        return unknown_key_problem(str(err["loc"][-1]), _known_keys(err["loc"][:-1]))
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r} {_SHAPES.get(field, 'does not have the expected form')}"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {value!r}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}, not {value!r}"
    if kind in ("string_type", "string_sub_type"):
        return f"must be a string in quotes, not {value!r}"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, not {value!r}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list like [\"...\"], not {value!r}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a table, not {value!r}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {value!r}"
    return f"{value!r} is not accepted here"


def unknown_key_problem(key: str, known: list[str]) -> str:
    """ "unknown key; did you mean next_response? (valid keys: ...)" """
    import difflib

    if not known:
        return "unknown key"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown key; {hint}(valid keys: {', '.join(known)})"


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the table at `loc` accepts, found by walking the models."""
    model: Any = VeilleConfig
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        model = _model_in(info.annotation)
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):  # list[X], X | None
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _check_tz(v: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {v!r} (use an IANA name like Europe/Paris)") from None
    return v



def _check_language(v: Any) -> str:
    if not isinstance(v, str) or v.strip().lower() not in LANGUAGES:
        raise ValueError(f"unknown language {v!r}: use one of {', '.join(repr(x) for x in LANGUAGES)}")
    return v.strip().lower()
