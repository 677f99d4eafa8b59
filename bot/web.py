"""The HTTP surface: Slack's requests, the signed ingest webhook, a health check and metrics."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.domain.ingest import ingest
from bot.domain.webhook_payload import PayloadError, parse_webhook_body
from bot.group_commit import GroupCommitter
from bot.health import health
from bot.http_body import error_response, read_capped
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import render as render_metrics
from bot.network_webhooks import network_webhook_routes
from bot.services import Services
from bot.signing import verify_v1
from bot.slack.client import Reachability

log = logging.getLogger("veille.web")


def build_web(app: App, svc: Services) -> Starlette:
    # Concurrent webhook requests share transactions (bot/group_commit.py); now is the injected clock's.
    committer = GroupCommitter(lambda messages: ingest(svc.db, svc.cfg, svc.rules, svc.now(), messages))

    async def slack_events(request: Request) -> Response:
        body = await read_capped(request)
        if body is None:
            return error_response(413, "body larger than 1 MiB")
        bolt_req = BoltRequest(body=body.decode("utf-8", errors="replace"), query=request.query_params,
                               headers=dict(request.headers))
        resp = await run_in_threadpool(app.dispatch, bolt_req)
        return Response(status_code=resp.status, content=resp.body, headers=resp.first_headers_without_set_cookie())

    async def ingest_webhook(request: Request) -> Response:
        body = await read_capped(request)
        if body is None:
            return error_response(413, "body larger than 1 MiB")
        why = verify_v1(svc.settings.veille_ingest_secret.get_secret_value(), request.headers.get("x-veille-timestamp"),
                        request.headers.get("x-veille-signature"), body, svc.now())
        if why:
            log.warning("ingest webhook refused: %s", why)
            return error_response(401, "invalid signature")
        try:
            messages = parse_webhook_body(body, {a.key: a.network for a in svc.cfg.accounts}, svc.now())
        except PayloadError as e:
            return JSONResponse({"error": "invalid payload", "errors": e.errors}, status_code=400)
        result = await committer.submit(messages)  # answered once its rows are committed
        svc.poke()
        return JSONResponse({"stored": result.stored, "duplicates": result.duplicates, "ignored": result.ignored},
                            status_code=202)

    async def healthz(request: Request) -> Response:
        code, doc = await run_in_threadpool(health, svc.db, _slack_reachability(svc), _account_keys(svc))
        return JSONResponse(doc, status_code=code)

    async def metrics(request: Request) -> Response:
        try:
            body = await run_in_threadpool(render_metrics, svc.db, svc.now(), getattr(svc.slack, "stats", None),
                                           _account_keys(svc))
        except Exception:  # the database is unreachable: say so, /healthz says which part
            log.warning("GET /metrics failed", exc_info=True)
            return error_response(503, "metrics unavailable: the database is unreachable")
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    # In Socket Mode Slack's requests come over the websocket and no signing secret is set, so
    # this path would only ever serve forged requests: it does not exist (404).
    slack_routes = [] if svc.settings.socket_mode else [Route("/slack/events", slack_events, methods=["POST"])]
    web = Starlette(routes=[
        *slack_routes,
        Route("/ingest/webhook", ingest_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *network_webhook_routes(svc),  # X Account Activity, Meta: bot/network_webhooks.py
    ])
    web.state.committer = committer  # its counters: how well requests are grouped (bench/ingest.py)
    return web


def _slack_reachability(svc: Services) -> Reachability:
    stats = getattr(svc.slack, "stats", None)
    return stats.reachability if stats is not None else Reachability.UNKNOWN


def _account_keys(svc: Services) -> list[str]:
    return [a.key for a in svc.cfg.accounts]
