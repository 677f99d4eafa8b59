"""`veille triage`: JSON lines in, one JSON line out each, with the priority and SLA policy Veille
would give under the team's config (issue 9 item 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """
[[accounts]]
key = "acme"
network = "x"
handle = "@acme"
channel = "C0ACME"

[sla]
vip_authors = ["@bigfan"]

[[sla.policies]]
name = "vip"
match = { vip = true }
first_response = { target = "15m" }

[[sla.policies]]
name = "default"
first_response = { target = "1h" }
"""


def _triage(stdin: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", "triage", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)})


def test_each_line_in_gets_one_json_line_out_with_language_sentiment_bot_and_priority(tmp_path):
    config = tmp_path / "veille.toml"
    config.write_text(CONFIG)
    lines = [
        {"id": "1", "text": "c nul, toujours pas reçu ma commande", "author": {"id": "u1", "handle": "@bigfan"}},
        {"id": "2", "text": "Thanks, the new app is great!", "author": {"id": "u2", "handle": "@someone"}},
        {"id": "3", "text": "Daily update: 3 new posts", "author": {"id": "u3", "handle": "@tracker", "bot": True}},
    ]
    r = _triage("\n".join(json.dumps(x) for x in lines) + "\n", "--config", str(config))
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1", "2", "3"]
    assert out[0]["language"] == "fr" and out[0]["sentiment"]["label"] == "negative" and out[0]["negative"]
    assert out[0]["sla_policy"] == "vip" and out[0]["vip"] and out[0]["priority"] == "urgent"  # negative + VIP
    assert out[1]["language"] == "en" and out[1]["sentiment"]["label"] == "positive" and out[1]["sla_policy"] == "default"
    assert out[1]["priority"] == "normal"
    assert out[2]["bot"]["likely"] and out[2]["bot"]["reasons"] == ["labelled_bot"]
    assert set(out[1]["bot"]) == {"score", "reasons", "likely"}


def test_a_bad_line_gets_an_error_line_in_its_place_and_exit_code_1(tmp_path):
    r = _triage('not json\n{"author": {}}\n{"text": "hello there, how are you"}\n', cwd=tmp_path)
    assert r.returncode == 1
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert out[0]["line"] == 1 and "error" in out[0]
    assert out[1]["line"] == 2 and '"text" string' in out[1]["error"]
    assert out[2]["language"] == "en" and out[2]["sla_policy"] is None  # no config here: triage only


def test_a_missing_config_file_named_with_config_is_exit_code_2(tmp_path):
    r = _triage("", "--config", str(tmp_path / "nope.toml"))
    assert r.returncode == 2 and "no config file" in r.stderr
