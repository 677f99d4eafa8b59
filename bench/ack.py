"""Ack latency of `/veille queue` and of an "Assign to me" click, through HTTP, with 10,000 open
conversations stored, against a bare Bolt app answering the same signed requests through the
same HTTP stack in the same run. Target: within 1.5x of bare Bolt.

    python bench/ack.py [--requests 400]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from slack_bolt import App  # noqa: E402

from bench.common import SIGNING, make_veille, percentiles, store_open_conversations  # noqa: E402
from bot.httpserve import ServedApp  # noqa: E402
from bot.web import build_web  # noqa: E402


def bare_bolt(standin) -> App:
    from bot.slack.client import make_web_client

    app = App(client=make_web_client(standin.token, standin.api_url), signing_secret=SIGNING,
              token_verification_enabled=False)

    @app.command("/veille")
    def command(ack):
        ack()

    @app.action("conversation_assign_me")
    def click(ack):
        ack()

    return app


def signed(body: bytes, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SIGNING.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": content_type}


def command_body(i: int, standin) -> bytes:
    return urlencode({"token": "t", "team_id": "T0VEILLE", "channel_id": "C0SOCIAL", "user_id": "U0BOB",
                      "user_name": "bob", "command": "/veille", "text": "queue", "api_app_id": "A0VEILLE",
                      "response_url": standin.new_response_url(user="U0BOB", channel="C0SOCIAL"),
                      "trigger_id": f"t{i}"}).encode()


def click_body(i: int, standin) -> bytes:
    payload = {"type": "block_actions", "user": {"id": "U0BOB", "username": "bob", "team_id": "T0VEILLE"},
               "api_app_id": "A0VEILLE", "token": "t", "trigger_id": f"t{i}", "team": {"id": "T0VEILLE"},
               "container": {"type": "message", "channel_id": "C0ACME", "message_ts": "1.0"},
               "channel": {"id": "C0ACME"}, "response_url": standin.new_response_url(user="U0BOB", channel="C0ACME"),
               "actions": [{"action_id": "conversation_assign_me", "block_id": "actions", "value": str(1 + i % 10000),
                            "type": "button", "action_ts": "1.0"}]}
    return urlencode({"payload": json.dumps(payload)}).encode()


def measure(url: str, make_body, content_type: str, n: int, standin) -> list[float]:
    out = []
    with httpx.Client(timeout=10) as http:
        for i in range(n + 20):
            body = make_body(i, standin)
            t0 = time.perf_counter()
            r = http.post(url, content=body, headers=signed(body, content_type))
            dt = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, r.text
            if i >= 20:  # warm-up
                out.append(dt)
            time.sleep(0.025)  # human pace: one request at a time; the listener's work after the ack runs between
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()
    svc, app, standin = make_veille()
    store_open_conversations(svc.db, 10_000, int(time.time()))
    ours = ServedApp(build_web(app, svc)).start()
    bare = ServedApp(build_web(bare_bolt(standin), svc)).start()
    form = "application/x-www-form-urlencoded"
    print(f"ack latency through HTTP, {args.requests} requests each, 10,000 open conversations stored")
    print(f"{'request':<22}{'bare Bolt p50/p99 ms':>24}{'Veille p50/p99 ms':>22}{'ratio p50/p99':>16}")
    for name, body in (("/veille queue", command_body), ("Assign to me click", click_body)):
        b = percentiles(measure(bare.url + "/slack/events", body, form, args.requests, standin))
        v = percentiles(measure(ours.url + "/slack/events", body, form, args.requests, standin))
        print(f"{name:<22}{b[0]:>11.2f} / {b[1]:<10.2f}{v[0]:>9.2f} / {v[1]:<10.2f}{v[0] / b[0]:>7.2f}x / {v[1] / b[1]:.2f}x")
    print("target: Veille within 1.5x of bare Bolt")
    ours.stop()
    bare.stop()
    standin.stop()


if __name__ == "__main__":
    main()
