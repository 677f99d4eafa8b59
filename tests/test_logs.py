"""Logs: one JSON object per line with LOG_FORMAT=json, and never a secret, in either format."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.config import Settings
from bot.logs import setup_logging

ENV = {"ACME_PUBLISH_SECRET": "acme-publish-s3cret", "X_API_KEY": "x-consumer-key-123", "PORT": "3000"}


def _logged(fmt: str, emit) -> str:
    stream = io.StringIO()
    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-111-222-abc", SLACK_SIGNING_SECRET="signing-s3cret",
                        VEILLE_INGEST_SECRET="ingest-s3cret")
    handler = setup_logging(settings, env={**ENV, "LOG_FORMAT": fmt}, stream=stream)
    try:
        emit(logging.getLogger("veille.test"))
    finally:
        logging.getLogger().removeHandler(handler)
    return stream.getvalue()


def _leaky(log: logging.Logger) -> None:
    log.info("token %s, signing %s, ingest %s", "xoxb-111-222-abc", "signing-s3cret", "ingest-s3cret")
    log.warning("publish secret acme-publish-s3cret, key x-consumer-key-123, other xoxp-9-9-zzz, Bearer abc.def")
    try:
        raise RuntimeError("refused acme-publish-s3cret")
    except RuntimeError:
        log.exception("publishing failed")


def test_log_format_json_writes_one_object_per_line_with_time_level_logger_and_message():
    out = _logged("json", _leaky)
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR"]
    assert all(r["logger"] == "veille.test" and r["time"] for r in records)
    assert records[2]["message"] == "publishing failed" and "RuntimeError" in records[2]["exc_info"]


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_secrets_are_never_logged(fmt):
    out = _logged(fmt, _leaky)
    for secret in ("xoxb-111-222-abc", "signing-s3cret", "ingest-s3cret", "acme-publish-s3cret",
                   "x-consumer-key-123", "xoxp-9-9-zzz", "abc.def"):
        assert secret not in out
    assert "token [redacted], signing [redacted], ingest [redacted]" in out  # the rest of the line stays
