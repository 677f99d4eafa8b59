"""What the stand-in's Web API methods share: the error they raise, reading parameters the way
Slack reads them (form strings or JSON values), and the checks every message goes through."""

from __future__ import annotations

import copy
import json
from typing import Any

from .blocks_validation import validate_message_blocks

MAX_TEXT = 40_000

# Parameters Slack accepts as JSON-encoded strings in a form body.
JSON_PARAMS = ("blocks", "attachments", "metadata", "view", "unfurls", "user_auth_blocks", "files")


class ApiError(Exception):
    """A Slack error answer: {"ok": false, "error": ...} plus any extra fields."""

    def __init__(self, error: str, status: int = 200, **extra: Any):
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


def invalid(error: str, messages: list[str]) -> ApiError:
    """An error carrying Slack's "[ERROR] ..." lines in response_metadata.messages."""
    return ApiError(error, errors=messages, response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})


def decode_json_params(params: dict[str, Any]) -> dict[str, Any]:
    """Form bodies carry blocks/attachments/metadata/view as JSON strings: decode them (a string
    that is not JSON stays a string, and the method reports it as Slack would)."""
    decoded = dict(params)
    for key in JSON_PARAMS:
        value = decoded.get(key)
        if isinstance(value, str) and value.strip():
            try:
                decoded[key] = json.loads(value)
            except ValueError:
                pass
    return decoded


def flag(params: dict[str, Any], key: str, default: bool = False) -> bool:
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def integer(params: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(params.get(key, default))
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None


def check_content(text: Any, blocks: Any, attachments: Any = None) -> None:
    """no_text, msg_too_long, invalid_blocks_format and invalid_blocks, as chat.postMessage has them."""
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if text is not None and len(str(text)) > MAX_TEXT:
        raise ApiError("msg_too_long")
    if blocks:
        errors = validate_message_blocks(blocks)
        if errors:
            raise invalid("invalid_blocks", errors)


def check_metadata(metadata: Any) -> dict[str, Any] | None:
    if metadata in (None, ""):
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload", {}), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata.get("event_payload", {})}


def public_message(message: dict[str, Any], include_metadata: bool = True) -> dict[str, Any]:
    """A stored message as the API returns it (metadata only when asked for)."""
    shown = copy.deepcopy(message)
    if not include_metadata:
        shown.pop("metadata", None)
    return shown
