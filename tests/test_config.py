"""A bad veille.toml stops start-up with a message that names the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_example_config_is_valid():
    cfg = load_config(ROOT / "veille.example.toml")
    assert [a.key for a in cfg.accounts] == ["acme_x", "acme_fr"]
    assert cfg.account("acme_x").connector.options()["url"].startswith("https://")


@pytest.mark.parametrize("data, message", [
    ({"accounts": [{"key": "a", "network": "myspace", "handle": "@a", "channel": "C1234"}]},
     "accounts[0].network: unknown network 'myspace'"),
    ({"accounts": [{"key": "a", "network": "x", "handle": "@a"}]}, "accounts[0].channel: required key is missing"),
    ({"accounts": [{"key": "a", "network": "x", "handle": "@a", "channel": "#general"}]}, "accounts[0].channel:"),
    ({"team": {"timezone": "Paris"}}, "team.timezone: unknown timezone 'Paris'"),
    ({"team": {"approver": ["U1"]}}, "team.approver: unknown key"),
    ({"accounts": [{"key": "a", "network": "x", "handle": "@a", "channel": "C1234"},
                   {"key": "a", "network": "x", "handle": "@b", "channel": "C1234"}]}, "account key 'a' is used twice"),
])
def test_config_errors_name_the_key(data, message):
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    assert message in str(e.value)


def test_veille_refuses_to_start_on_a_bad_config_and_says_why(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "veille.toml"
    bad.write_text('[team]\ntimezone = "Mars/Olympus"\n')
    monkeypatch.setenv("VEILLE_CONFIG", str(bad))
    assert main(["check-config"]) == 2
    assert "team.timezone: unknown timezone 'Mars/Olympus'" in capsys.readouterr().err


def test_a_missing_config_file_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VEILLE_CONFIG", str(tmp_path / "nope.toml"))
    assert main(["check-config"]) == 2
    assert "nope.toml: file not found" in capsys.readouterr().err


def test_not_toml_is_reported(tmp_path):
    p = tmp_path / "veille.toml"
    p.write_text("[team\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p)
