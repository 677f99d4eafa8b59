"""The v1 signature Veille uses both ways: webhooks that feed it, and the webhook publishing
target it calls. `v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + raw body)>`."""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_SKEW_SECONDS = 300
# Unix seconds as ASCII digits only: int() alone also takes "+1795424400", " 17_95 ", Arabic digits...
_TIMESTAMP = re.compile(r"[1-9][0-9]{0,11}")  # and no leading zero: what is signed is what was sent


def sign_v1(secret: str, timestamp: int | str, body: bytes) -> str:
    base = b"v1:" + str(timestamp).encode() + b":" + body
    return "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_v1(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str | None:
    """None when valid, else the reason (for logs; the caller answers a bare 401)."""
    if not secret:
        return "no ingest secret configured"
    if not timestamp or not signature:
        return "missing X-Veille-Timestamp or X-Veille-Signature"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "timestamp is not unix seconds"
    ts = int(timestamp)
    if abs(now - ts) > MAX_SKEW_SECONDS:
        return "timestamp more than 5 minutes from now"
    if not hmac.compare_digest(sign_v1(secret, ts, body), signature):
        return "signature mismatch"
    return None


def signed_headers(secret: str, body: bytes, now: float) -> dict[str, str]:
    ts = int(now)
    return {
        "Content-Type": "application/json",
        "X-Veille-Timestamp": str(ts),
        "X-Veille-Signature": sign_v1(secret, ts, body),
    }
