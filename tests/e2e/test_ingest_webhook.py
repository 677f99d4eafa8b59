"""The signed generic webhook: how any listening tool feeds Veille. Bad input gets a clear
error and nothing is stored."""

from __future__ import annotations

import json

from bot.signing import signed_headers
from tests.support.harness import INGEST_SECRET


def _msg(**over):
    m = {"id": "w-1", "network": "x", "account": "acme", "kind": "mention",
         "author": {"id": "u-1", "handle": "@jeanne", "name": "Jeanne"}, "text": "Hello",
         "url": "https://x.example/w-1", "created_at": "2026-11-23T08:59:00Z"}
    m.update(over)
    return m


def test_a_valid_message_is_accepted_with_its_stored_id(veille):
    r = veille.post_webhook(_msg())
    assert r.status_code == 202 and r.json()["stored"] == ["x:w-1"]


def test_a_batch_of_500_is_stored_and_resending_it_stores_nothing_more(veille):
    batch = [_msg(id=f"w-{i}", author={"id": f"u-{i}", "handle": f"@p{i}", "name": ""}) for i in range(500)]
    assert len(veille.post_webhook(batch).json()["stored"]) == 500
    again = veille.post_webhook(batch).json()
    assert again["stored"] == [] and len(again["duplicates"]) == 500


def test_more_than_500_messages_is_refused(veille):
    r = veille.post_webhook([_msg(id=f"w-{i}") for i in range(501)])
    assert r.status_code == 400 and "at most 500" in r.text


def test_a_forged_signature_is_refused_and_stores_nothing(veille):
    r = veille.post_webhook(_msg(), secret="not-the-secret")
    assert r.status_code == 401
    assert veille.post_webhook(_msg()).json()["stored"] == ["x:w-1"]  # it was not stored before


def test_a_missing_signature_is_refused(veille):
    r = veille.http.post("/ingest/webhook", content=json.dumps(_msg()).encode())
    assert r.status_code == 401


def test_a_stale_timestamp_is_refused(veille):
    body = json.dumps(_msg()).encode()
    r = veille.http.post("/ingest/webhook", content=body,
                         headers=signed_headers(INGEST_SECRET, body, veille.clock.now() - 301))
    assert r.status_code == 401


def test_a_tampered_body_is_refused(veille):
    body = json.dumps(_msg()).encode()
    h = signed_headers(INGEST_SECRET, body, veille.clock.now())
    r = veille.http.post("/ingest/webhook", content=body.replace(b"Hello", b"Hullo"), headers=h)
    assert r.status_code == 401


def test_bad_json_is_a_400(veille):
    r = veille.post_webhook(None, raw=b"{not json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["errors"][0]


def test_every_bad_field_is_listed_and_nothing_is_stored(veille):
    bad = _msg(id="", kind="shout", account="nope", created_at="yesterday", url="javascript:alert(1)",
               author={"handle": 3})
    r = veille.post_webhook([_msg(id="ok-1"), bad])
    assert r.status_code == 400
    errors = r.json()["errors"]
    for expected in ("[1].id: required", "[1].kind: must be one of", "[1].account: unknown account 'nope'",
                     "[1].created_at: not an ISO 8601", "[1].url: must be an http(s) URL", "[1].author.id: required",
                     "[1].author.handle: must be a string"):
        assert any(e.startswith(expected) for e in errors), (expected, errors)
    assert veille.post_webhook(_msg(id="ok-1")).json()["stored"] == ["x:ok-1"]  # the valid one was not kept


def test_a_date_without_timezone_is_refused(veille):
    r = veille.post_webhook(_msg(created_at="2026-11-23T08:59:00"))
    assert r.status_code == 400 and "needs a timezone" in r.text


def test_a_body_over_one_mebibyte_is_a_413(veille):
    r = veille.post_webhook(_msg(text="x" * (1024 * 1024)))
    assert r.status_code == 413


def test_health_reports_the_database(veille):
    r = veille.http.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "reachable"


def test_health_is_503_when_the_database_is_unreachable(veille):
    from storage.db import Database

    veille.svc.db = Database("postgresql+psycopg://veille@127.0.0.1:1/none?connect_timeout=1")
    r = veille.http.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unreachable"
