"""The `veille` command line as a new user meets it: help, version, and what each command does."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _veille(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)})


def test_veille_version_prints_the_installed_version():
    r = _veille("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"veille {version('veille')}"


def test_a_bare_veille_prints_the_help():
    r = _veille()
    assert r.returncode == 0
    assert r.stdout.startswith("usage: veille")
    for command in ("run", "demo", "db", "check-config"):
        assert command in r.stdout


def test_veille_run_help_lists_the_environment_and_the_config_and_port_flags():
    r = _veille("run", "--help")
    assert r.returncode == 0
    for flag in ("--config PATH", "--port N"):
        assert flag in r.stdout
    for variable in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
                     "VEILLE_CONFIG", "PORT", "VEILLE_INGEST_SECRET", "LOG_FORMAT"):
        assert f"\n  {variable} " in r.stdout, variable


def test_veille_db_upgrade_help_describes_itself():
    r = _veille("db", "upgrade", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: veille db upgrade")
    assert "Create the database schema, or migrate it" in " ".join(r.stdout.split())


def test_veille_check_config_help_says_it_checks_what_run_checks():
    r = _veille("check-config", "--help")
    assert r.returncode == 0 and "--config PATH" in r.stdout
    assert "exactly as `veille run` does" in " ".join(r.stdout.split())
