"""`veille run` as an operator starts it: one process serving Slack (over HTTP, or in Socket Mode),
the webhook and health."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from bot.clock import RealClock
from bot.slack.standin import SlackDriver, SlackStandIn
from bot.slack.standin.socket_mode import DisconnectReason
from tests.conftest import PG_URL

SECRET = "run-signing-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def run_env(tmp_path, db_url):
    standin = SlackStandIn(clock=RealClock(), channels=["C0ACME", "C0SOCIAL"]).start()
    cfg = tmp_path / "veille.toml"
    cfg.write_text('[team]\napprovers = ["U0BOB"]\n[[accounts]]\nkey = "acme"\nnetwork = "x"\nhandle = "@acme"\n'
                   'channel = "C0ACME"\n[accounts.connector]\ntype = "webhook"\nurl = "https://bridge.example.com/p"\n'
                   'secret_env = "ACME_PUBLISH_SECRET"\n')
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "VEILLE_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=standin.token, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=standin.api_url,
               DATABASE_URL=db_url, VEILLE_CONFIG=str(cfg), PORT=str(port), VEILLE_INGEST_SECRET="x",
               ACME_PUBLISH_SECRET="publish-secret")
    yield env, port, standin
    standin.stop()


def _wait_healthy(port: int, proc: subprocess.Popen, status: int = 200) -> httpx.Response:
    """The first /healthz answer with `status` (the process polls Slack before it is ready)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read())
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            if r.status_code == status:
                return r
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("veille run did not answer")


def test_veille_run_serves_health_and_slash_commands_over_http(run_env):
    env, port, standin = run_env
    proc = _start(env)
    try:
        assert _wait_healthy(port, proc).json() == {
            "ok": True, "status": "ok", "database": "reachable", "slack": "reachable", "dead_letters": 0,
            "blocked": [], "connectors_failing": []}
        driver = SlackDriver(standin, f"http://127.0.0.1:{port}/slack/events", SECRET)
        assert driver.command("U0BOB", "help").status_code == 200
        deadline = time.time() + 10
        while not standin.ephemerals("U0BOB") and time.time() < deadline:
            time.sleep(0.05)
        assert "/veille queue" in str(standin.ephemerals("U0BOB")[-1])
        driver.close()
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only: PostgreSQL takes several replicas")
def test_a_second_veille_run_on_the_same_sqlite_file_is_refused(run_env):
    env, port, standin = run_env
    first = _start(env)
    try:
        _wait_healthy(port, first)
        second = _start(dict(env, PORT=str(_free_port())))
        out, _ = second.communicate(timeout=30)
        assert second.returncode == 2
        assert "use PostgreSQL" in out
    finally:
        first.terminate()
        first.wait(10)


def test_a_refused_bot_token_stops_start_up_with_a_clear_message(run_env):
    env, port, standin = run_env
    proc = _start(dict(env, SLACK_BOT_TOKEN="xoxb-wrong"))
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "SLACK_BOT_TOKEN was refused by Slack: invalid_auth" in out


def _closed_port_url() -> str:
    port = _free_port()
    return f"http://127.0.0.1:{port}/api/"


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_slack_unreachable_at_start_up_is_one_clear_line_and_healthz_answers_503_meanwhile(run_env):
    env, port, standin = run_env
    proc = _start(dict(env, SLACK_API_URL=_closed_port_url()))
    try:
        r = _wait_healthy(port, proc, status=503)
        assert r.json()["slack"] == "unreachable" and r.json()["database"] == "reachable"
        assert proc.poll() is None  # still running, retrying
    finally:
        out = _stop(proc)
    assert "Traceback" not in out
    first = next(line for line in out.splitlines() if "Slack is unreachable" in line)
    assert "Connection refused" in first and "next try in 1s" in first


def test_run_takes_its_config_and_port_from_flags(run_env):
    env, _, standin = run_env
    config, port = env.pop("VEILLE_CONFIG"), _free_port()
    env.pop("PORT")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", config, "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_healthy(port, proc).json()["ok"] is True
    finally:
        _stop(proc)


def test_log_format_json_writes_one_json_object_per_line_and_never_a_secret(run_env):
    env, port, standin = run_env
    proc = _start(dict(env, LOG_FORMAT="json"))
    try:
        _wait_healthy(port, proc)
        httpx.get(f"http://127.0.0.1:{port}/healthz?token={standin.token}", timeout=5)  # an access log line
    finally:
        out = _stop(proc)
    lines = [line for line in out.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(r["message"].startswith("connected to Slack") for r in records)
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    assert any("/healthz" in r["message"] for r in records)
    for secret in (standin.token, SECRET, "publish-secret"):
        assert secret not in out


def _socket_env(env: dict, standin) -> dict:
    """Socket Mode as the README sets it up: the app-level token, no signing secret."""
    socket_env = {k: v for k, v in env.items() if k != "SLACK_SIGNING_SECRET"}
    return dict(socket_env, SLACK_APP_TOKEN=standin.app_token)


def _wait_ephemerals(standin, user: str, count: int) -> list:
    deadline = time.time() + 10
    while len(standin.ephemerals(user)) < count and time.time() < deadline:
        time.sleep(0.05)
    return standin.ephemerals(user)


def test_veille_run_in_socket_mode_answers_through_the_socket_and_survives_slacks_disconnects(run_env):
    env, port, standin = run_env
    proc = _start(_socket_env(env, standin))
    try:
        _wait_healthy(port, proc)
        assert standin.socket_mode.wait_connected(timeout=30)
        driver = SlackDriver.over_socket(standin)
        assert driver.command("U0BOB", "help").status_code == 200
        assert "/veille queue" in str(_wait_ephemerals(standin, "U0BOB", 1)[-1])

        assert standin.socket_mode.disconnect(DisconnectReason.REFRESH_REQUESTED, timeout=30)
        assert driver.command("U0BOB", "help").status_code == 200
        assert len(_wait_ephemerals(standin, "U0BOB", 2)) == 2

        assert httpx.post(f"http://127.0.0.1:{port}/slack/events", data={"command": "/veille"}).status_code == 404
        standin.socket_mode.disconnect(DisconnectReason.LINK_DISABLED)
        driver.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "Slack closed the Socket Mode connection (refresh_requested): reconnecting" in out
    assert "Slack turned Socket Mode off for this app (link_disabled)" in out


def test_a_refused_app_level_token_stops_start_up_with_a_clear_message(run_env):
    env, port, standin = run_env
    # Shaped like an app-level token (the config check passes it), but not this app's: Slack refuses it.
    proc = _start(dict(_socket_env(env, standin), SLACK_APP_TOKEN="xapp-1-A0OTHER-revoked"))
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "SLACK_APP_TOKEN was refused by Slack: invalid_auth" in out
    assert "Traceback" not in out
