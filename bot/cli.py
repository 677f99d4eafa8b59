"""`veille run | demo | db upgrade | check-config`."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, Settings, load_settings
from storage.db import StorageError

RUN_ENVIRONMENT = """\
environment (also read from .env):
  SLACK_BOT_TOKEN        bot token (xoxb-...); required
  SLACK_SIGNING_SECRET   verifies Slack's requests; required in HTTP mode
  SLACK_APP_TOKEN        app-level token (xapp-...): set, Socket Mode; unset, HTTP mode on PORT
  SLACK_API_URL          Slack Web API base URL (default https://slack.com/api/)
  DATABASE_URL           sqlite:///veille.db (default) or postgresql+psycopg://user@host/db
  VEILLE_CONFIG          the team's config file (default veille.toml; --config overrides)
  PORT                   HTTP port: Slack in HTTP mode, /ingest/webhook, /healthz, /metrics
                         (default 3000; --port overrides)
  VEILLE_INGEST_SECRET   HMAC secret of POST /ingest/webhook
  LOG_FORMAT             "json" for one JSON object per log line (default: plain text)
  and each secret a connector's *_env option names in veille.toml.

`veille check-config` runs the same validation without starting."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("veille")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veille", description="Social-media mentions, SLAs and approved replies, in Slack.")
    parser.add_argument("--version", action="version", version=f"veille {_version()}")
    sub = parser.add_subparsers(dest="cmd", metavar="{run,demo,db,check-config,triage,report}")
    run = sub.add_parser(
        "run", help="start Veille: Slack (Socket Mode or HTTP), the outbox and the SLA detector",
        description="Start Veille in one process: Bolt (Socket Mode or HTTP), the HTTP endpoints, the outbox "
                    "workers, the SLA detector and the connector pollers.",
        epilog=RUN_ENVIRONMENT, formatter_class=argparse.RawDescriptionHelpFormatter)
    _config_flag(run)
    run.add_argument("--port", type=int, metavar="N", help="HTTP port (overrides PORT; default 3000)")
    demo = sub.add_parser("demo", help="an offline demo with a local Slack stand-in (no workspace needed)",
                          description="Run an offline demo against a local Slack stand-in (no workspace needed).")
    demo.add_argument("--quiet", action="store_true", help="only print the final channel view")
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance (DATABASE_URL).")
    db_sub = db.add_subparsers(dest="action", metavar="{upgrade}", required=True)
    db_sub.add_parser(
        "upgrade", help="create the schema or migrate it to this version",
        description="Create the database schema, or migrate it to this version of Veille, at DATABASE_URL "
                    "(default sqlite:///veille.db). Safe to run again: an up-to-date database is left as it is. "
                    "`veille run` also does it at start-up.")
    check = sub.add_parser(
        "check-config", help="validate veille.toml and the environment, then exit",
        description="Validate veille.toml (accounts, connectors and their *_env secrets, SLA, on-call, "
                    "PagerDuty) and the environment (Slack tokens, DATABASE_URL) exactly as `veille run` does, "
                    "list every problem, then exit: 0 if valid, 2 if not.")
    _config_flag(check)
    triage = sub.add_parser(
        "triage", help="read JSON lines (webhook messages) on stdin, print language, sentiment, bot score, priority",
        description="Read one JSON message per line on standard input (the webhook's shape: {\"text\": ..., "
                    "\"author\": {...}}, optionally account, network, kind) and print one JSON line each with "
                    "language, sentiment {label, score}, bot {score, reasons}, and the priority and SLA policy "
                    "Veille would give it under the config (--config or VEILLE_CONFIG, if the file exists). "
                    "Exit 1 if a line could not be read (it gets an {\"error\": ...} line).")
    _config_flag(triage)

    from bot.reports.cli import add_parser as add_report_parser

    add_report_parser(sub)
    return parser


def _config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", help="the team's config file (overrides VEILLE_CONFIG; "
                                                         "default veille.toml)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmd is None:
        parser.print_help()
        return 0
    from bot.logs import setup_logging

    if args.cmd == "demo":
        from bot.demo import run_demo

        setup_logging(quiet=True)
        return run_demo(quiet=args.quiet)
    if args.cmd == "triage":
        return _triage(args)
    try:
        settings = _settings(args)
        setup_logging(settings)
        if args.cmd == "db":
            return _db_upgrade(settings)
        if args.cmd == "report":
            from bot.reports.cli import run as run_report

            return run_report(args, settings)
        from bot.config_check import check_config
        from bot.domain.reasons import as_text

        checked = check_config(settings)
        if args.cmd == "check-config":
            for notice in checked.notices:
                print(f"note: {as_text(notice)}")
            print(f"{settings.veille_config}: {len(checked.cfg.accounts)} account(s), configuration is valid")
            return 0
        from bot.serve import serve

        return serve(settings, checked.cfg)
    except (ConfigError, StorageError) as e:
        print(f"veille: {e}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    update = {}
    if getattr(args, "config", None):
        update["veille_config"] = args.config
    if getattr(args, "port", None) is not None:
        update["port"] = args.port
    return settings.model_copy(update=update) if update else settings


def _triage(args: argparse.Namespace) -> int:
    import os

    from bot.triage_cli import main as triage_main

    path = args.config or os.environ.get("VEILLE_CONFIG") or "veille.toml"
    if not os.path.exists(path):
        if args.config:
            print(f"veille: no config file at {path}", file=sys.stderr)
            return 2
        path = None  # no config: triage only, priority "normal", no SLA policy
    try:
        return triage_main(path)
    except ConfigError as e:
        print(f"veille: {e}", file=sys.stderr)
        return 2


def _db_upgrade(settings: Settings) -> int:
    from bot.config_check import database_problem
    from storage.db import Database

    problem = database_problem(settings.database_url)
    if problem:
        raise ConfigError(problem)
    Database(settings.database_url).migrate()
    print("database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
