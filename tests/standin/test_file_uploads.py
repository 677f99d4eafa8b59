"""Slack's current upload flow in the stand-in, through the real slack_sdk client:
files.getUploadURLExternal, the bytes POSTed to upload_url, files.completeUploadExternal."""

from __future__ import annotations

import urllib.request

import pytest
from slack_sdk.errors import SlackApiError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def _error(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_files_upload_v2_shares_the_bytes_alt_text_and_comment_in_the_channel(client, standin):
    resp = client.files_upload_v2(channel="C0SOCIAL", content=PNG, filename="chart.png", title="Volume",
                                  alt_txt="Messages per day", initial_comment="Charts for November")
    assert resp["ok"] and resp["file"]["title"] == "Volume"
    [f] = standin.files("C0SOCIAL")
    assert f["bytes"] == PNG and f["alt_txt"] == "Messages per day" and f["initial_comment"] == "Charts for November"
    shared = standin.messages("C0SOCIAL")[-1]
    assert shared["text"] == "Charts for November" and shared["files"][0]["id"] == f["id"]
    methods = [c.method for c in standin.calls]
    assert methods.index("files.getUploadURLExternal") < methods.index("files.completeUploadExternal")


def test_without_a_channel_the_file_stays_private(client, standin):
    client.files_upload_v2(content=PNG, filename="chart.png")
    [f] = standin.files()
    assert f["channels"] == [] and standin.messages("C0SOCIAL") == []


def test_filename_and_length_are_required_and_alt_text_is_limited_to_1000_characters(client):
    assert _error(lambda: client.api_call("files.getUploadURLExternal", params={"filename": "a.png"})) \
        == "invalid_arguments"
    assert _error(lambda: client.files_getUploadURLExternal(filename="a.png", length=0)) == "invalid_arguments"
    assert _error(lambda: client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1001)) \
        == "alt_txt_too_large"
    assert client.files_getUploadURLExternal(filename="a.png", length=10, alt_txt="x" * 1000)["ok"]


def test_completing_a_file_whose_bytes_never_arrived_or_twice_is_file_not_found(client):
    got = client.files_getUploadURLExternal(filename="a.png", length=len(PNG))
    assert _error(lambda: client.files_completeUploadExternal(files=[{"id": got["file_id"]}])) == "file_not_found"
    with urllib.request.urlopen(urllib.request.Request(got["upload_url"], data=PNG, method="POST")) as r:
        assert r.status == 200 and r.read().decode() == f"OK - {len(PNG)}"
    assert client.files_completeUploadExternal(files=[{"id": got["file_id"]}])["ok"]
    assert _error(lambda: client.files_completeUploadExternal(files=[{"id": got["file_id"]}])) == "file_not_found"
    assert _error(lambda: client.files_completeUploadExternal(files=[{"id": "F0NOPE"}])) == "file_not_found"


def test_an_unknown_channel_is_refused_and_the_upload_can_still_be_completed(client, standin):
    got = client.files_getUploadURLExternal(filename="a.png", length=len(PNG))
    urllib.request.urlopen(urllib.request.Request(got["upload_url"], data=PNG, method="POST")).close()
    assert _error(lambda: client.files_completeUploadExternal(files=[{"id": got["file_id"]}], channel_id="C0NOPE")) \
        == "channel_not_found"
    assert client.files_completeUploadExternal(files=[{"id": got["file_id"]}], channel_id="C0SOCIAL")["ok"]
