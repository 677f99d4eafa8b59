"""A bad veille.toml stops start-up with a message that names the key and the problem."""

from __future__ import annotations

import os
import subprocess
import sys
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


# ---- one validation for `veille check-config` and `veille run` ------------------------------------

ACCOUNT = ('[[accounts]]\nkey = "acme_x"\nnetwork = "x"\nhandle = "@Acme"\nchannel = "C0123ACME"\n'
           '[accounts.connector]\ntype = "{type}"\nurl = "https://bridge.example.com/p"\nsecret_env = "ACME_PUBLISH_SECRET"\n')
GOOD_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "signing", "ACME_PUBLISH_SECRET": "s3cret",
            "VEILLE_INGEST_SECRET": "ingest", "DATABASE_URL": "sqlite:///veille.db"}
PYDANTIC_WORDING = ("should match pattern", "Input should", "String should", "valid integer", "Value error")


def _veille(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The installed CLI, in a clean environment (nothing inherited but PATH)."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env})


def _check(tmp_path, monkeypatch, toml: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    cfg = tmp_path / "veille.toml"
    cfg.write_text(toml)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in [k for k in os.environ if k.startswith(("SLACK_", "VEILLE_", "DATABASE_URL", "ACME_", "PORT"))]:
        monkeypatch.delenv(name)
    for k, v in {**GOOD_ENV, **(env or {}), "VEILLE_CONFIG": str(cfg)}.items():
        monkeypatch.setenv(k, v)
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check-config"])
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("value, shown", [('"1 heure"', '"1 heure" is not a duration'),
                                          ('"-5m"', '"-5m" is not a duration'),
                                          ("60", 'must be a duration in quotes like "1h", not 60')])
def test_check_config_refuses_an_sla_duration_naming_the_users_own_key(tmp_path, monkeypatch, value, shown):
    code, out = _check(tmp_path, monkeypatch, ACCOUNT.format(type="webhook") + f"[sla]\nfirst_response = {value}\n")
    assert code == 2
    assert f"sla.first_response: {shown}" in out
    assert "policies" not in out and "configuration is valid" not in out


def test_a_misspelled_sla_key_is_refused_with_a_suggestion_and_the_valid_keys(tmp_path, monkeypatch):
    code, out = _check(tmp_path, monkeypatch, ACCOUNT.format(type="webhook") + '[sla]\nnext_responce = "2h"\n')
    assert code == 2
    assert "sla.next_responce: unknown key; did you mean next_response?" in out
    assert "valid keys: first_response, next_response, resolution," in out


def test_an_unknown_connector_type_is_refused_with_the_known_types(tmp_path, monkeypatch):
    code, out = _check(tmp_path, monkeypatch, ACCOUNT.format(type="carrier-pigeon"))
    assert code == 2
    assert "accounts[0].connector.type: unknown connector 'carrier-pigeon' (one of bluesky," in out


def test_an_account_without_a_connector_is_refused_before_its_first_publication(tmp_path, monkeypatch):
    toml = '[[accounts]]\nkey = "acme_x"\nnetwork = "x"\nhandle = "@Acme"\nchannel = "C0123ACME"\n'
    code, out = _check(tmp_path, monkeypatch, toml)
    assert code == 2 and "accounts[0].connector: missing" in out


def test_a_connector_option_its_module_refuses_is_reported(tmp_path, monkeypatch):
    toml = ACCOUNT.format(type="mastodon").replace('url = "https://bridge.example.com/p"', 'instance = "mastodon.social"')
    code, out = _check(tmp_path, monkeypatch, toml.replace("secret_env", "token_env"))
    assert code == 2 and "accounts[0].connector: option 'instance' must be the server URL" in out


def test_messages_never_use_the_validation_librarys_wording(tmp_path, monkeypatch):
    toml = ('[[accounts]]\nkey = "Acme X"\nnetwork = "x"\nhandle = "@Acme"\nchannel = "#general"\npoll_seconds = "often"\n'
            '[accounts.approval]\nsteps = [{ rule = "some", group = "approvers" }]\n')
    code, out = _check(tmp_path, monkeypatch, toml)
    assert code == 2
    assert "accounts[0].channel: '#general' is not a Slack channel id like C0123ABCD" in out
    assert "accounts[0].key: 'Acme X' must be lowercase letters" in out
    assert "accounts[0].poll_seconds: must be a whole number, not 'often'" in out
    assert "accounts[0].approval.steps[0].rule: must be 'any' or 'all', not 'some'" in out
    assert "accounts[0].approval.steps[0].group: 'approvers' is not a Slack user group id" in out
    assert not [w for w in PYDANTIC_WORDING if w in out], out


def test_an_unknown_key_lists_the_valid_keys_of_its_table(tmp_path, monkeypatch):
    code, out = _check(tmp_path, monkeypatch, ACCOUNT.format(type="webhook") + '[team]\napprover = ["U1"]\n')
    assert code == 2
    assert "team.approver: unknown key; did you mean approvers? (valid keys: timezone, approvers," in out


def test_an_empty_environment_is_refused_naming_each_missing_variable(tmp_path):
    (tmp_path / "veille.toml").write_text(ACCOUNT.format(type="webhook"))
    r = _veille(["check-config"], {}, tmp_path)
    assert r.returncode == 2, r.stdout
    assert "configuration is valid" not in r.stdout
    assert "SLACK_BOT_TOKEN is not set" in r.stderr
    assert "SLACK_SIGNING_SECRET is not set: HTTP mode needs it" in r.stderr
    assert "accounts[0].connector.secret_env: ACME_PUBLISH_SECRET is not set in the environment" in r.stderr


def test_run_refuses_exactly_what_check_config_refuses(tmp_path):
    (tmp_path / "veille.toml").write_text(ACCOUNT.format(type="carrier-pigeon") + '[sla]\nfirst_response = "1 heure"\n')
    env = dict(GOOD_ENV, DATABASE_URL=f"sqlite:///{tmp_path / 'v.db'}")
    check, run = _veille(["check-config"], env, tmp_path), _veille(["run"], env, tmp_path)
    assert check.returncode == run.returncode == 2
    assert check.stderr == run.stderr and "sla.first_response" in run.stderr and "carrier-pigeon" in run.stderr
    assert not (tmp_path / "v.db").exists()  # refused before touching anything


def test_a_valid_config_and_environment_pass_with_notes(tmp_path):
    (tmp_path / "veille.toml").write_text(ACCOUNT.format(type="webhook") + '[sla]\nfirst_response = "1h"\n')
    r = _veille(["check-config"], {k: v for k, v in GOOD_ENV.items() if k != "VEILLE_INGEST_SECRET"}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1 account(s), configuration is valid" in r.stdout
    assert "note: VEILLE_INGEST_SECRET is not set" in r.stdout


def test_a_bad_environment_value_is_named_in_our_words(tmp_path):
    (tmp_path / "veille.toml").write_text(ACCOUNT.format(type="webhook"))
    r = _veille(["check-config"], dict(GOOD_ENV, PORT="eighty"), tmp_path)
    assert r.returncode == 2 and "environment: PORT: must be a whole number, not 'eighty'" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_postgresql_url_without_the_driver_names_the_extra_to_install(tmp_path):
    # A psycopg that cannot be imported, as on an installation without the postgres extra.
    shadow = tmp_path / "shadow" / "psycopg"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no psycopg here')\n")
    (tmp_path / "veille.toml").write_text(ACCOUNT.format(type="webhook"))
    env = dict(GOOD_ENV, DATABASE_URL="postgresql+psycopg://127.0.0.1:5432/test")
    env_with_shadow = {**env, "PYTHONPATH": f"{tmp_path / 'shadow'}{os.pathsep}{ROOT}"}
    for args in (["run"], ["db", "upgrade"]):
        r = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60, env={"PATH": os.environ["PATH"], **env_with_shadow})
        assert r.returncode == 2, r.stderr
        assert "pip install 'veille[postgres]'" in r.stderr and "Traceback" not in r.stderr
