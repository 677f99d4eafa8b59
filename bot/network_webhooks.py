"""The networks' own webhooks, mounted next to /ingest/webhook by `bot/web.py`:

- `GET|POST /webhooks/x/{account}`: X Account Activity API. GET answers the CRC challenge
  (`crc_token` -> `response_token`); POST must carry `x-twitter-webhooks-signature`, an HMAC of the
  raw body with the app's consumer secret (401 otherwise). One X app delivers every subscribed
  user's events to one URL: the delivery goes to whichever X account of that app it is `for_user_id`.
- `GET|POST /webhooks/meta`: Facebook Pages and Instagram (Graph API webhooks). GET echoes
  `hub.challenge` for our verify token (403 otherwise); POST must carry `X-Hub-Signature-256`, an
  HMAC of the raw body with the app secret (401 otherwise).

Secrets come from env vars named in each account's `[accounts.connector]`: X `consumer_secret_env`;
Meta `app_secret_env` and `verify_token_env`. Bodies over 1 MiB get 413, bodies that are not JSON
400; what a delivery carries is ingested like /ingest/webhook (duplicates dropped) and answered 200.
"""

from __future__ import annotations

import json
import logging
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.config import AccountConfig
from bot.connectors import meta as meta_webhook
from bot.connectors.base import ConnectorError
from bot.connectors.x import webhooks as x_webhook
from bot.domain.ingest import ingest
from bot.http_body import error_response, read_capped
from bot.services import Services

log = logging.getLogger("veille.web")
META_TYPES = ("facebook", "instagram", "meta")


class RedactVerifyToken(logging.Filter):
    """Meta's subscription check carries our verify token in the query string, which uvicorn's
    access log prints: the token is a secret, so the log line shows `hub.verify_token=[redacted]`."""

    _TOKEN = re.compile(r"(hub\.verify_token=)[^&\s\"]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(self._TOKEN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self._TOKEN.sub(r"\1[redacted]", record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter once on uvicorn's access logger (its dictConfig keeps logger filters)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactVerifyToken) for f in access.filters):
        access.addFilter(RedactVerifyToken())


def network_webhook_routes(svc: Services) -> list[Route]:
    redact_access_log()
    async def x_activity(request: Request) -> Response:
        account = svc.cfg.account(request.path_params["account"])
        if account is None or account.connector.type != "x":
            return error_response(404, "no X account with this key")
        secret = _secret(svc, account, "consumer_secret_env")
        if secret is None:
            return error_response(503, "this account has no consumer_secret_env set")
        if request.method == "GET":
            token = request.query_params.get("crc_token")
            if not token:
                return error_response(400, "crc_token is missing")
            return JSONResponse(x_webhook.crc_response(token, secret))
        body = await read_capped(request)
        if body is None:
            return error_response(413, "body larger than 1 MiB")
        if not x_webhook.verify_signature(body, request.headers.get("x-twitter-webhooks-signature"), secret):
            log.warning("X webhook for %s refused: bad signature", account.key)
            return error_response(401, "invalid signature")
        payload = _json(body)
        if payload is None:
            return error_response(400, "body is not a JSON object")
        try:
            messages = await run_in_threadpool(_x_messages, svc, payload, secret)
        except ConnectorError as e:
            log.warning("X webhook for %s: %s", account.key, e)
            return error_response(503, "cannot tell which account this delivery is for yet")
        return await _ingest(svc, messages)

    async def meta_verify(request: Request) -> Response:
        params = dict(request.query_params)
        for account in _meta_accounts(svc):
            token = _secret(svc, account, "verify_token_env")
            challenge = meta_webhook.verify_subscription(params, token or "")
            if challenge is not None:
                return PlainTextResponse(challenge)
        return error_response(403, "verify token does not match")

    async def meta_delivery(request: Request) -> Response:
        body = await read_capped(request)
        if body is None:
            return error_response(413, "body larger than 1 MiB")
        header = request.headers.get("x-hub-signature-256")
        signed_for = [a for a in _meta_accounts(svc)
                      if meta_webhook.verify_signature(body, header, _secret(svc, a, "app_secret_env") or "")]
        if not signed_for:
            log.warning("Meta webhook refused: bad signature")
            return error_response(401, "invalid signature")
        payload = _json(body)
        if payload is None:
            return error_response(400, "body is not a JSON object")
        # Only the accounts of the app that signed: another app's secret never vouches for them.
        messages = meta_webhook.parse_webhook(payload, _by_page_id(signed_for))
        return await _ingest(svc, messages)

    return [
        Route("/webhooks/x/{account}", x_activity, methods=["GET", "POST"]),
        Route("/webhooks/meta", meta_verify, methods=["GET"]),
        Route("/webhooks/meta", meta_delivery, methods=["POST"]),
    ]


def _x_messages(svc: Services, payload: dict, secret: str) -> list:
    """Every X account of the app that signed reads the delivery; only the one it is for finds
    anything in it (parse_account_activity checks for_user_id)."""
    messages = []
    for account in svc.cfg.accounts:
        if account.connector.type != "x" or _secret(svc, account, "consumer_secret_env") != secret:
            continue
        user_id = account.connector.options().get("user_id") or svc.connectors.get(account.key).user_id()
        messages += x_webhook.parse_account_activity(payload, account.key, str(user_id))
    return messages


def _meta_accounts(svc: Services) -> list[AccountConfig]:
    return [a for a in svc.cfg.accounts if a.connector.type in META_TYPES]


def _by_page_id(accounts: list[AccountConfig]) -> dict[str, str]:
    """Page id (Facebook) or Instagram account id -> our account key: the id Meta puts in entry.id."""
    out = {}
    for a in accounts:
        opts = a.connector.options()
        own = opts.get("ig_user_id") if a.network == "instagram" else opts.get("page_id")
        if own:
            out[str(own)] = a.key
    return out


def _secret(svc: Services, account: AccountConfig, option: str) -> str | None:
    try:
        return svc.connectors.secret(account, option)
    except ConnectorError:
        return None


async def _ingest(svc: Services, messages: list) -> Response:
    result = await run_in_threadpool(ingest, svc.db, svc.cfg, svc.rules, svc.now(), messages)
    if result.stored:
        svc.poke()
    return JSONResponse({"stored": result.stored, "duplicates": result.duplicates, "ignored": result.ignored})


def _json(body: bytes) -> dict | None:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
