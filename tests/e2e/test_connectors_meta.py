"""Facebook and Instagram, end to end through the Graph API webhook: the subscription handshake,
signed deliveries only, the approved reply on the comment, and the polling fallback finding the
same comment without a second alert."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from tests.fakes.meta_server import FakeGraph
from tests.support.connected import CHANNEL, ConnectedVeille, account, reply_and_approve
from tests.support.harness import APPROVER, all_text

PAGE, IG, TOKEN, APP_SECRET, VERIFY = "111", "178414", "PAGE-TOKEN-xyz", "meta-app-secret", "verify-me-123"
ENV = {"META_TOKEN": TOKEN, "META_APP_SECRET": APP_SECRET, "META_VERIFY_TOKEN": VERIFY}
JO = ("900", "Jo Client")


@pytest.fixture
def graph(clock):
    with FakeGraph(clock, app_secret=APP_SECRET) as g:
        g.add_page(PAGE, "Acme", TOKEN)
        g.add_ig_user(IG, "acme", PAGE)
        yield g


@pytest.fixture
def app(db_url, clock, standin, target, graph):
    common = {"page_id": PAGE, "token_env": "META_TOKEN", "app_secret_env": "META_APP_SECRET",
              "verify_token_env": "META_VERIFY_TOKEN", "graph_url": graph.base_url, "timeout": 0.5}
    accounts = [account("acme_fb", "facebook", "Acme", {"type": "facebook", **common}),
                account("acme_ig", "instagram", "acme", {"type": "instagram", "ig_user_id": IG, **common})]
    v = ConnectedVeille(db_url, clock, standin, target, accounts, ENV)
    v.settle()
    yield v
    v.close()


def _post(app, payload: dict, secret: str = APP_SECRET):
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return app.http.post("/webhooks/meta", content=body,
                         headers={"x-hub-signature-256": sig, "content-type": "application/json"})


def _comment_delivery(app, post_id: str, comment_id: str, text: str) -> dict:
    value = {"from": {"id": JO[0], "name": JO[1]}, "item": "comment", "verb": "add", "post_id": post_id,
             "comment_id": comment_id, "parent_id": post_id, "created_time": int(app.clock.now()), "message": text}
    return {"object": "page", "entry": [{"id": PAGE, "time": int(app.clock.now()),
                                         "changes": [{"field": "feed", "value": value}]}]}


def test_the_subscription_handshake_echoes_the_challenge_only_for_our_verify_token(app):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    r = app.http.get("/webhooks/meta", params=params)
    assert (r.status_code, r.text) == (200, "1158201444")
    assert app.http.get("/webhooks/meta", params={**params, "hub.verify_token": "guess"}).status_code == 403


def test_the_verify_token_never_reaches_the_access_log(app):
    import logging

    access = logging.getLogger("uvicorn.access")
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    keep, level = Keep(), access.level
    access.addHandler(keep)
    access.setLevel(logging.INFO)  # the test server runs quiet; production logs access at INFO
    try:
        params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "42"}
        assert app.http.get("/webhooks/meta", params=params).status_code == 200
    finally:
        access.removeHandler(keep)
        access.setLevel(level)
    [line] = [x for x in lines if "/webhooks/meta" in x]
    assert VERIFY not in line and "hub.verify_token=[redacted]" in line and "hub.challenge=42" in line


def test_a_page_comment_by_webhook_alerts_and_the_approved_reply_goes_on_the_comment(app, graph):
    post = graph.add_post(PAGE, "Launch day!")
    comment = graph.add_comment(post, "Where is my order?", author=JO)
    delivery = _comment_delivery(app, post, comment, "Where is my order?")

    assert _post(app, delivery, secret="not-the-app-secret").status_code == 401
    app.settle()
    assert app.alerts(CHANNEL) == []

    assert _post(app, delivery).status_code == 200
    app.settle()
    [alert] = app.alerts(CHANNEL)
    assert "Where is my order?" in all_text(alert) and "Facebook" in all_text(alert)

    reply_and_approve(app, alert, "It ships tomorrow, Jo!", APPROVER)
    [ours] = graph.comments_by(PAGE)
    assert ours.text == "It ships tomorrow, Jo!" and ours.parent == comment
    assert "First response met" in all_text(app.standin.message(CHANNEL, alert["ts"]))

    thread = app.thread(alert, CHANNEL)
    app.advance(60)  # the polling fallback reads the comment and our reply: both already known
    assert len(app.alerts(CHANNEL)) == 1 and app.thread(alert, CHANNEL) == thread


def test_an_instagram_comment_by_webhook_goes_to_the_instagram_account(app, graph):
    media = graph.add_ig_media(IG, "New collection")
    comment = graph.add_ig_comment(media, "Love it! Price?", author=("1790", "fan"))
    value = {"id": comment, "text": "Love it! Price?", "from": {"id": "1790", "username": "fan"},
             "media": {"id": media, "media_product_type": "FEED"}}
    delivery = {"object": "instagram", "entry": [{"id": IG, "time": int(app.clock.now()),
                                                  "changes": [{"field": "comments", "value": value}]}]}
    assert _post(app, delivery).status_code == 200
    app.settle()
    [alert] = app.alerts(CHANNEL)
    assert "Love it! Price?" in all_text(alert) and "acme_ig" in all_text(alert)


def test_bad_bodies_are_refused(app):
    r = app.http.post("/webhooks/meta", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 401
    body = b"[not json"
    sig = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert app.http.post("/webhooks/meta", content=body, headers={"x-hub-signature-256": sig}).status_code == 400


def test_an_instagram_account_is_not_offered_text_posts(app):
    from tests.support.harness import AUTHOR

    app.slack.command(AUTHOR, 'post @acme_ig "demain 9h" Bonjour')
    app.settle()
    assert "cannot publish a text post" in app.ephemeral_texts(AUTHOR)[-1]
    app.slack.command(AUTHOR, 'post @acme_fb "demain 9h" Bonjour')  # Facebook can
    app.settle()
    assert "cannot publish" not in app.ephemeral_texts(AUTHOR)[-1]
