"""manifest.yml is what a workspace admin installs: it must grant what the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())

# The scope each Web API method we call needs (https://api.slack.com/methods).
SCOPES = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_postEphemeral": "chat:write",
    "chat_delete": "chat:write", "chat_getPermalink": None, "chat_scheduleMessage": "chat:write",
    "conversations_open": "im:write", "conversations_history": "channels:history",
    "conversations_replies": "channels:history", "conversations_info": "channels:read",
    "conversations_members": "channels:read",  # groups:read too, for a private account channel
    "users_info": "users:read", "usergroups_users_list": "usergroups:read", "views_open": None,
    "views_update": None, "views_push": None, "views_publish": None, "auth_test": None,
}
CALL = re.compile(r"\b(?:client|slack|_client|self\.slack|svc\.slack)\.([a-z]+_[A-Za-z]+)\(")


def _calls_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            if "standin" in path.parts or path.name == "demo.py":  # the demo plays Slack
                continue
            found.update(CALL.findall(path.read_text()))
    return found


def test_every_web_api_method_the_code_calls_has_its_scope_in_the_manifest():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    calls = _calls_in_code()
    assert "chat_postMessage" in calls  # the scan works
    unknown = calls - SCOPES.keys()
    assert not unknown, f"add these methods' scopes to SCOPES: {unknown}"
    missing = {f"{m} needs {SCOPES[m]}" for m in calls if SCOPES[m] and SCOPES[m] not in scopes}
    assert not missing


def test_the_manifest_registers_the_slash_command_events_and_socket_mode():
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/veille"]
    assert MANIFEST["features"]["slash_commands"][0]["should_escape"] is True  # <@U123> for members
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "app_home_opened", "member_joined_channel"} <= events
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_the_manifest_does_not_ask_slack_for_every_channel_message():
    # No listener needs channel traffic; subscribing makes Slack send all of it to Veille.
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert not {"message.channels", "message.groups"} & events


def test_channels_read_stays_for_member_joined_channel_and_channel_members():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert "member_joined_channel" in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert {"channels:read", "groups:read"} <= scopes
