"""The Slack Web API client, built one way everywhere: the configured base URL (the real Slack or
the local stand-in) and no automatic retries, because slack_sdk's connection-error retry can post
the same message twice: the outbox retries, after reconciling."""

from __future__ import annotations

from slack_sdk import WebClient


def make_web_client(token: str, api_url: str = "https://slack.com/api/", timeout: int = 10) -> WebClient:
    if not api_url.endswith("/"):
        api_url += "/"
    client = WebClient(token=token, base_url=api_url, timeout=timeout)
    client.retry_handlers.clear()
    return client
