"""Slack's current file upload flow, as the stand-in answers it (the files.upload method it
replaces was retired by Slack):

1. files.getUploadURLExternal(filename, length[, alt_txt, snippet_type]) -> {upload_url, file_id}
2. POST the bytes to upload_url (raw or multipart): HTTP 200 "OK - <length>"
3. files.completeUploadExternal(files=[{id, title}], channel_id | channels, initial_comment |
   blocks, thread_ts) -> {files: [...]}; without a channel the file stays private.

Errors and limits as documented: filename and length required (`invalid_arguments`), alt text at
most 1000 characters (`alt_txt_too_large`), a file id never issued or whose bytes never arrived
(`file_not_found`), an unknown channel (`channel_not_found`), an archived one (`is_archived`),
`thread_ts` with several channels (`invalid_arguments`), a file completed twice (`file_not_found`).
Uploaded files are kept in `state.files` so tests can read their bytes and alt text."""

from __future__ import annotations

from typing import Any

from .api_chat import writable_channel
from .api_common import ApiError
from .state import StandInState

ALT_TXT_LIMIT = 1000
MAX_FILE_BYTES = 1024 ** 3  # Slack's 1 GB limit per file
MAX_FILES_PER_COMPLETE = 100  # files per completeUploadExternal call


def get_upload_url(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    filename = str(p.get("filename") or "").strip()
    try:
        length = int(p.get("length"))
    except (TypeError, ValueError):
        length = -1
    if not filename or length < 1 or length > MAX_FILE_BYTES:
        raise ApiError("invalid_arguments")
    alt = p.get("alt_txt")
    if alt is not None and len(str(alt)) > ALT_TXT_LIMIT:
        raise ApiError("alt_txt_too_large")
    file_id = state.new_id("F")
    state.files[file_id] = {"id": file_id, "name": filename, "title": filename, "length": length,
                            "alt_txt": alt, "bytes": None, "completed": False, "channels": [],
                            "initial_comment": None, "thread_ts": None, "created": int(state.now())}
    return {"ok": True, "upload_url": f"{state.upload_base}{file_id}", "file_id": file_id}


def receive_upload(state: StandInState, file_id: str, body: bytes, content_type: str) -> tuple[int, str]:
    """The upload_url endpoint (not a Web API method): HTTP status and plain-text body."""
    with state.lock:
        f = state.files.get(file_id)
        if f is None or f["completed"]:
            return 404, "not_found"
        data = _multipart_file(body, content_type) if content_type.startswith("multipart/form-data") else body
        f["bytes"] = data
        return 200, f"OK - {len(data)}"


def _multipart_file(body: bytes, content_type: str) -> bytes:
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    for part in msg.iter_parts():
        if part.get_filename() or part.get_param("name", header="content-disposition") in ("file", "filename"):
            return part.get_payload(decode=True) or b""
    return b""


def complete_upload(state: StandInState, p: dict[str, Any]) -> dict[str, Any]:
    files = p.get("files")
    if not isinstance(files, list) or not files or len(files) > MAX_FILES_PER_COMPLETE:
        raise ApiError("invalid_arguments")
    channels = [c.strip() for c in str(p.get("channels") or "").split(",") if c.strip()]
    if p.get("channel_id"):
        channels.insert(0, str(p["channel_id"]))
    if p.get("thread_ts") and len(channels) != 1:
        raise ApiError("invalid_arguments")
    targets = [writable_channel(state, c) for c in channels]
    picked = []
    for item in files:
        f = state.files.get(str((item or {}).get("id") or "")) if isinstance(item, dict) else None
        if f is None or f["bytes"] is None or f["completed"]:
            raise ApiError("file_not_found")
        picked.append((f, item))
    comment = p.get("initial_comment")
    out = []
    for f, item in picked:
        f.update(completed=True, title=str(item.get("title") or f["name"]), channels=[c["id"] for c in targets],
                 initial_comment=comment, thread_ts=p.get("thread_ts"))
        out.append(_file_object(f))
    for channel in targets:  # a message shares the files in each channel, as in Slack
        message = {"type": "message", "subtype": "file_share", "user": state.bot_user_id, "bot_id": state.bot_id,
                   "text": comment or "", "ts": state.next_ts(), "files": [_file_object(f) for f, _ in picked],
                   "upload": True}
        if p.get("thread_ts"):
            message["thread_ts"] = str(p["thread_ts"])
        state.store_message(channel["id"], message)
    return {"ok": True, "files": out}


def _file_object(f: dict[str, Any]) -> dict[str, Any]:
    return {"id": f["id"], "name": f["name"], "title": f["title"], "size": len(f["bytes"] or b""),
            "alt_txt": f["alt_txt"], "channels": list(f["channels"]), "is_public": bool(f["channels"]),
            "created": f["created"]}
