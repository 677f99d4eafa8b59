"""`veille run | demo | db upgrade | check-config`."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import ConfigError, Settings, load_config
from storage.db import StorageError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="veille", description="Social-media mentions, SLAs and approved replies, in Slack.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start Veille: Slack (Socket Mode or HTTP), the outbox and the SLA detector")
    demo = sub.add_parser("demo", help="an offline demo with a local Slack stand-in (no workspace needed)")
    demo.add_argument("--quiet", action="store_true", help="only print the final channel view")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("check-config", help="validate veille.toml and the environment, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.cmd == "demo" else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if args.cmd == "demo":
            from bot.demo import run_demo

            return run_demo(quiet=args.quiet)
        settings = Settings()
        if args.cmd == "db":
            from storage.db import Database

            Database(settings.database_url).migrate()
            print("database is up to date")
            return 0
        cfg = load_config(settings.veille_config)
        if args.cmd == "check-config":
            print(f"{settings.veille_config}: {len(cfg.accounts)} account(s), configuration is valid")
            return 0
        from bot.serve import serve

        return serve(settings, cfg)
    except (ConfigError, StorageError) as e:
        print(f"veille: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
