"""`veille triage`: one JSON line in (the webhook's message shape), one JSON line out, so a team
can check language, sentiment, bot score and priority on real posts before the rules go live."""

from __future__ import annotations

import json
import sys
import time
from typing import IO

from bot.triage import AuthorFacts, triage

DEFAULTS = {"account": "", "network": "webhook", "kind": "mention"}


def run(lines: IO[str], out: IO[str], rules=None, default_account: str = "", now: float | None = None) -> int:
    """Returns the number of lines that could not be read (each gets an {"error": ...} line)."""
    from bot.domain.triage_priority import would_give

    bad = 0
    now = time.time() if now is None else now
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line is a JSON object with a "text" string')
            author = item.get("author") or {}
            if not isinstance(author, dict):
                raise ValueError('"author" must be an object')
        except ValueError as e:  # json.JSONDecodeError is a ValueError
            bad += 1
            out.write(json.dumps({"line": n, "error": str(e)}) + "\n")
            continue
        facts = dict(author)
        if isinstance(facts.get("created_at"), str):
            facts["created_at"] = _epoch(facts["created_at"])
        t = triage(item["text"], AuthorFacts.from_dict(facts), int(item.get("same_text_authors") or 0), now)
        v = would_give(rules, str(item.get("account") or default_account), str(item.get("network") or "webhook"),
                       str(item.get("kind") or "mention"), str(author.get("id") or ""),
                       str(author.get("handle") or ""), item["text"], t)
        result = t.as_dict() | {"priority": v.priority, "sla_policy": v.sla_policy, "vip": v.vip,
                                "negative": v.negative}
        if "id" in item:
            result = {"id": item["id"]} | result
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return bad


def _epoch(value: str) -> int | None:
    from datetime import datetime

    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(dt.timestamp()) if dt.tzinfo else None


def main(config_path: str | None) -> int:
    rules, account = None, ""
    if config_path:
        from bot.config import load_config
        from bot.domain.sla_rules import build_rules

        cfg = load_config(config_path)
        rules = build_rules(cfg)
        account = cfg.accounts[0].key if len(cfg.accounts) == 1 else ""
    bad = run(sys.stdin, sys.stdout, rules, account)
    return 1 if bad else 0
