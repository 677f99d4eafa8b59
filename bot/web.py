"""The HTTP surface: Slack's requests, the signed ingest webhook, and a health check."""

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
from bot.http_body import error_response, read_capped
from bot.network_webhooks import network_webhook_routes
from bot.services import Services
from bot.signing import verify_v1

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
            messages = parse_webhook_body(body, {a.key for a in svc.cfg.accounts})
        except PayloadError as e:
            return JSONResponse({"error": "invalid payload", "errors": e.errors}, status_code=400)
        result = await committer.submit(messages)  # answered once its rows are committed
        svc.poke()
        return JSONResponse({"stored": result.stored, "duplicates": result.duplicates, "ignored": result.ignored},
                            status_code=202)

    async def healthz(request: Request) -> Response:
        ok = await run_in_threadpool(svc.db.ping)
        return JSONResponse({"ok": ok, "database": "reachable" if ok else "unreachable"}, status_code=200 if ok else 503)

    web = Starlette(routes=[
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/ingest/webhook", ingest_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        *network_webhook_routes(svc),  # X Account Activity, Meta: bot/network_webhooks.py
    ])
    web.state.committer = committer  # its counters: how well requests are grouped (bench/ingest.py)
    return web
