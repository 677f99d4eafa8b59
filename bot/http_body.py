"""Request bodies from the outside world: capped at 1 MiB (413 past it) before anything reads them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_BODY = 1024 * 1024


async def read_capped(request: Request) -> bytes | None:
    """The raw body, or None when it is (or declares itself) larger than MAX_BODY."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def error_response(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
