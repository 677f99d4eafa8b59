"""`veille report --from 2026-11-01 --to 2026-11-30 [--account K] [--network N] --format json|csv|png
--out DIR`: the same figures as in Slack, as files."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, VeilleConfig, load_config
from bot.reports.export import Format

MAX_DAYS = 366


def add_parser(sub) -> None:
    p = sub.add_parser(
        "report", help="write a report (JSON, CSV or PNG charts) for a period",
        description="Write the report for a period, from the database at DATABASE_URL: report.json (keys "
                    "documented in docs/reports.md), CSV tables, or the charts as PNG with their alt text.")
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="first day, included")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="last day, included")
    p.add_argument("--account", metavar="KEY", help="only this account (its key in veille.toml)")
    p.add_argument("--network", metavar="NAME", help="only this network (x, bluesky, mastodon, ...)")
    p.add_argument("--format", choices=[f.value for f in Format], default="json")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="directory to write into (created)")
    p.add_argument("--lang", choices=["en", "fr"], default="en", help="language of chart titles and alt text")
    p.add_argument("--config", metavar="PATH", help="the team's config file (time zone, accounts); optional")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.domain import reports
    from bot.reports.export import write
    from storage.db import Database

    if args.end < args.start:
        raise ConfigError("--to is before --from")
    if (args.end - args.start).days >= MAX_DAYS:
        raise ConfigError(f"a report covers at most {MAX_DAYS} days")
    path = Path(settings.veille_config)
    cfg = load_config(path) if path.exists() else VeilleConfig()
    nets = {a.key: a.network for a in cfg.accounts}
    if cfg.accounts and args.account and args.account not in nets:
        raise ConfigError(f"no account {args.account!r} in {path} (accounts: {', '.join(nets)})")
    period = reports.Period.days(args.start, args.end, cfg.team.timezone)
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            report = reports.compute(s, period, reports.Scope(args.account, args.network), account_networks=nets)
    finally:
        db.dispose()
    for written in write(report, Format(args.format), args.out, args.lang):
        print(written)
    return 0

