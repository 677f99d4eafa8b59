"""What the post tests share: a Veille with approval workflows in its veille.toml, and the
gestures of a member (type `/veille post`, click Confirm) and of time (the scheduler's tick runs
with the clock, as the runner's scheduler loop does in production)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.ids import Action
from bot.jobs import scheduler
from tests.support.harness import Veille, all_text, team_config

LEGAL = "S0LEGAL"
ERIN, FRANK = "U0ERIN", "U0FRANK"  # legal reviewers


def utc(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def workflow_config(publish_url: str, **overrides) -> dict:
    """acme: two steps (Bob or Carol, then all of legal); acme_fr: no approval; slots on acme."""
    cfg = team_config(publish_url)
    acme, acme_fr = cfg["accounts"]
    acme["approval"] = {"steps": [{"name": "Community lead", "approvers": ["U0BOB", "U0CAROL"], "rule": "any"},
                                  {"name": "Legal", "group": LEGAL, "rule": "all"}]}
    acme["slots"] = ["mon-fri 09:30", "mon-fri 17:00"]
    acme_fr["approval"] = {"steps": []}
    for a in (acme, acme_fr):
        a["connector"]["timeout"] = 10
    cfg.update(overrides)
    return cfg


def workflow_veille(db_url, clock, standin, target, config: dict | None = None) -> Veille:
    standin.add_user(ERIN, "erin", real_name="Erin Legal", tz="Europe/Paris", locale="en-US")
    standin.add_user(FRANK, "frank", real_name="Frank Legal", tz="Europe/Paris", locale="fr-FR")
    standin.add_usergroup(LEGAL, "legal", [ERIN, FRANK])
    return Veille(db_url, clock, standin, target, config or workflow_config(target.url))


def command(veille, user: str, text: str) -> dict:
    """`/veille <text>`; returns the ephemeral answer (text and blocks) the member sees."""
    r = veille.slack.command(user, text)
    assert r.status_code == 200
    veille.settle()
    return veille.standin.ephemerals(user)[-1]


def approve(veille, user: str, ident: str) -> dict:
    """`/veille approve <ident>`, then the click on the version it shows (when it shows one);
    returns the member's last answer."""
    answer = command(veille, user, f"approve {ident}")
    if any(e.get("action_id") == Action.APPROVE_CONFIRM for b in answer.get("blocks") or []
           if b["type"] == "actions" for e in b["elements"]):
        click(veille, user, answer, Action.APPROVE_CONFIRM)
        return veille.standin.ephemerals(user)[-1]
    return answer


def click(veille, user: str, message: dict, action_id: str, channel: str = "C0SOCIAL", value=None):
    r = veille.slack.click(user, channel, message["ts"], action_id, value=value)
    assert r.status_code == 200
    veille.settle()


def schedule(veille, user: str, text: str) -> list[str]:
    """`/veille post ...` then Confirm; returns the ids shown (["p1", ...])."""
    answer = command(veille, user, f"post {text}")
    assert any(e.get("action_id") == Action.POST_CONFIRM for b in answer["blocks"] if b["type"] == "actions"
               for e in b["elements"]), all_text(answer)
    ids = ids_in(all_text(answer))
    click(veille, user, answer, Action.POST_CONFIRM)
    return ids


def ids_in(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"`(p\d+)`", text)))


def card(veille, pid: str, channel: str = "C0ACME") -> dict:
    found = [m for m in veille.alerts(channel) if f"`{pid}`" in all_text(m)]
    assert len(found) == 1, f"{len(found)} cards for {pid} in {channel}"
    return found[0]


def card_buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def tick(veille) -> None:
    scheduler.tick(veille.db, veille.clock.now())
    veille.settle()


def advance(veille, seconds: float) -> None:
    veille.clock.advance(seconds)
    tick(veille)


def advance_to(veille, epoch: float) -> None:
    veille.clock.set(epoch)
    tick(veille)


def draft_row(veille, pid: str):
    from storage.models import Draft

    with veille.db.session() as s:
        return s.get(Draft, int(pid[1:]))


def posts_published(veille) -> list[dict]:
    return [r for r in veille.target.published.values() if r["op"] == "post"]
