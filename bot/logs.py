"""Logging for `veille`: plain lines, or one JSON object per line with `LOG_FORMAT=json` (for log
shippers). Either way secrets are redacted before anything is written: the Slack tokens and
secrets, every environment variable named like a secret, and anything shaped like a Slack token
or a bearer credential."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import IO

from pythonjsonlogger.json import JsonFormatter

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSPHRASE|API_KEY|_KEY)$", re.IGNORECASE)
_SECRET_SHAPES = re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+|(?<=Bearer )[A-Za-z0-9._~+/=-]+")
_MIN_SECRET = 6  # shorter values would redact ordinary words


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and traceback) with every secret replaced by [redacted]."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        values = sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, values))) if values else None

    def redact(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        return _SECRET_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print exc_text when exc_info is gone: the redacted traceback, not the raw one.
            record.exc_text, record.exc_info = self.redact(record.exc_text), None
        return True


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """Values of the variables named like secrets (SLACK_BOT_TOKEN, ACME_PUBLISH_SECRET, ...)."""
    return [v for k, v in env.items() if _SECRET_NAME.search(k)]


def setup_logging(settings=None, *, quiet: bool = False, env: Mapping[str, str] | None = None,
                  stream: IO[str] | None = None) -> logging.Handler:
    """Configure the root logger once for the process; returns its handler."""
    env = os.environ if env is None else env
    secrets = secrets_in(env)
    if settings is not None:
        secrets += [s.get_secret_value() for s in (settings.slack_bot_token, settings.slack_signing_secret,
                                                   settings.slack_app_token, settings.veille_ingest_secret) if s]
    handler = logging.StreamHandler(stream or sys.stderr)
    if env.get("LOG_FORMAT", "").strip().lower() == "json":
        handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="time",
                                           rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(PLAIN))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
