"""The editorial calendar (`/veille calendar`, the App Home tab), rescheduling, cancelling and the
audit trail of a post."""

from __future__ import annotations

from bot.domain import posts
from bot.ids import Action, Block, Input
from tests.e2e.posts_support import (
    ERIN,
    FRANK,
    advance_to,
    approve,
    card,
    click,
    command,
    draft_row,
    posts_published,
    schedule,
    utc,
)
from tests.support.harness import APPROVER, AUTHOR, all_text

CAROL = "U0CAROL"


def _menu_value(message: dict, pid: str, what: str) -> str:
    for b in message["blocks"]:
        acc = b.get("accessory") or {}
        if acc.get("action_id") == Action.POST_MENU and f"`{pid}`" in b["text"]["text"]:
            return next(o["value"] for o in acc["options"] if o["value"].startswith(what + ":"))
    raise AssertionError(f"no {what} for {pid}")


def test_calendar_lists_posts_by_day_with_state_and_who_they_wait_for(wf):
    [p1] = schedule(wf, AUTHOR, '@acme "demain 9h" Mardi')
    [p2] = schedule(wf, AUTHOR, '@acme_fr "jeudi 14h" Jeudi')
    [p3] = schedule(wf, AUTHOR, '@acme "dans 10 jours" Plus tard')
    approve(wf, APPROVER, p1)

    week = all_text(command(wf, AUTHOR, "calendar"))
    assert "Tuesday, November 24" in week and "Thursday, November 26" in week
    assert "`p1` *acme* · :hourglass_flowing_sand: waiting for approval (Step 2/2 Legal: all of <!subteam^S0LEGAL>)" \
        in week
    assert "`p2` *acme_fr* · :white_check_mark: approved" in week
    assert f"`{p3}`" not in week  # beyond the week
    assert week.index("Tuesday, November 24") < week.index("Thursday, November 26")

    month = all_text(command(wf, CAROL, "calendar month @acme"))
    assert "Mardi 24 novembre" in month and f"`{p3}`" in month and f"`{p2}`" not in month


def test_overdue_approvals_come_first(wf):
    [late] = schedule(wf, AUTHOR, '@acme "dans 1 heure" En retard')
    [later] = schedule(wf, AUTHOR, '@acme "demain 9h" Demain')
    advance_to(wf, wf.clock.now() + 3600)

    text = all_text(command(wf, AUTHOR, "calendar"))
    attention = text.index("Needs attention")
    assert attention < text.index(f"`{late}`") < text.index(f"`{later}`")
    assert "expired (not approved in time)" in text


def test_move_reads_the_new_time_and_asks_for_a_click_then_the_post_goes_out_then(wf):
    [pid] = schedule(wf, CAROL, '@acme_fr "demain 9h" Déplacée')  # Carol's own post: she may move it
    answer = command(wf, CAROL, f'move {pid} "jeudi 14h"')
    assert "Déplacer `p1` au *jeudi 26 novembre 2026 à 14:00 (Europe/Paris) · 13:00 UTC* ?" in all_text(answer)
    assert draft_row(wf, pid).scheduled_at == utc(2026, 11, 24, 8, 0)  # not before the click
    click(wf, CAROL, answer, Action.POST_MOVE_CONFIRM)
    assert draft_row(wf, pid).scheduled_at == utc(2026, 11, 26, 13, 0)

    advance_to(wf, utc(2026, 11, 24, 8, 0))
    assert posts_published(wf) == []  # not at the old time
    advance_to(wf, utc(2026, 11, 26, 13, 0))
    assert [p["text"] for p in posts_published(wf)] == ["Déplacée"]


def test_move_refuses_a_past_time(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" X')
    assert "already passed" in all_text(command(wf, AUTHOR, f'move {pid} "yesterday 2pm"'))


def test_reschedule_from_the_calendar_menu_with_its_confirmation_page(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Menu')
    cal = command(wf, AUTHOR, "calendar")
    click(wf, AUTHOR, cal, Action.POST_MENU, value=_menu_value(cal, pid, "move"))
    [modal] = wf.standin.views(AUTHOR)
    r = wf.slack.submit_view(AUTHOR, modal["id"], values={Block.POST_WHEN: {Input.TEXT: "friday 11am"}})
    assert r.json()["response_action"] == "update"
    assert "Friday, November 27, 2026 at 11:00 AM (Europe/Paris) · 10:00 UTC" in all_text(wf.standin.view(modal["id"]))
    wf.slack.submit_view(AUTHOR, modal["id"])
    wf.settle()
    assert draft_row(wf, pid).scheduled_at == utc(2026, 11, 27, 10, 0)


def test_an_expired_post_rescheduled_resumes_where_its_approvals_left_off(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Deuxième chance')
    approve(wf, CAROL, pid)
    advance_to(wf, utc(2026, 11, 24, 8, 0))
    assert draft_row(wf, pid).state == "expired"

    click(wf, AUTHOR, command(wf, AUTHOR, f'move {pid} "jeudi 9h"'), Action.POST_MOVE_CONFIRM)
    d = draft_row(wf, pid)
    assert (d.state, d.workflow_step) == ("pending_approval", 2)  # Carol's step-1 approval of v1 still counts
    for who in (ERIN, FRANK):
        approve(wf, who, pid)
    advance_to(wf, utc(2026, 11, 26, 8, 0))
    assert [p["text"] for p in posts_published(wf)] == ["Deuxième chance"]


def test_cancel_from_the_card_stops_an_approved_post(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Annulée')
    click(wf, AUTHOR, card(wf, pid, "C0ACMEFR"), Action.POST_CANCEL, channel="C0ACMEFR")
    assert "Cancelled" in all_text(card(wf, pid, "C0ACMEFR"))
    advance_to(wf, utc(2026, 11, 24, 8, 0))
    assert posts_published(wf) == []
    assert "can no longer change" in all_text(command(wf, AUTHOR, f"cancel {pid}"))


def test_the_audit_trail_shows_every_step_in_order(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Tracée')
    approve(wf, CAROL, pid)
    click(wf, AUTHOR, command(wf, AUTHOR, f'move {pid} "demain 11h"'), Action.POST_MOVE_CONFIRM)
    for who in (ERIN, FRANK):
        approve(wf, who, pid)
    advance_to(wf, utc(2026, 11, 24, 10, 0))

    trail = all_text(command(wf, AUTHOR, f"audit {pid}"))
    expected = ["wrote it", "submitted it", "approved", "rescheduled", "approved", "approved", "publish attempt",
                "published"]
    cursor = 0
    for word in expected:  # each after the one before
        found = trail.find(f"*{word}*", cursor)
        assert found != -1, f"{word!r} missing after position {cursor} in:\n{trail}"
        cursor = found + 1
    assert "<@U0CAROL> · *approved* · v1 · step 1" in trail and "https://social.example/post-1" in trail
    assert "publié" in all_text(command(wf, CAROL, f"audit {pid}"))  # in the member's language


def test_open_from_the_calendar_shows_the_card_and_its_history(wf):
    [pid] = schedule(wf, AUTHOR, '@acme "demain 9h" Ouverte')
    cal = command(wf, AUTHOR, "calendar")
    click(wf, AUTHOR, cal, Action.POST_MENU, value=_menu_value(cal, pid, "open"))
    [view] = wf.standin.views(AUTHOR)
    assert "Ouverte" in all_text(view) and "submitted it" in all_text(view)


# ---- the App Home tab ------------------------------------------------------------------------------------


def _many_posts(v, n: int) -> None:
    """n confirmed posts over the next three weeks (set up directly: the UI is what is tested)."""
    start = int(v.clock.now())
    with v.db.session() as s:
        for i in range(n):
            [d] = posts.create(s, v.clock.now(), v.cfg, AUTHOR, f"Post numéro {i}",
                               {"acme_fr" if i % 2 else "acme": start + 3600 + i * 9000}, v.svc.directory)
            posts.confirm(s, v.clock.now(), [(d.id, d.version)], AUTHOR, v.svc.directory)


def test_the_home_tab_pages_200_upcoming_posts_within_block_kits_limits(wf):
    _many_posts(wf, 200)
    wf.slack.app_home_opened(AUTHOR)
    wf.settle()

    seen: list[str] = []
    pages = 0
    while pages < 20:
        home = wf.standin.home(AUTHOR)
        pages += 1
        assert len(home["blocks"]) <= 100
        text = all_text(home)
        assert "Editorial calendar" in text
        seen += [w.strip("`") for w in text.split() if w.startswith("`p") and w.endswith("`")]
        nxt = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e.get("action_id") == Action.CALENDAR_PAGE and e["text"]["text"].startswith("Next page")]
        if not nxt:
            break
        wf.slack.click_home(AUTHOR, Action.CALENDAR_PAGE, value=nxt[0]["value"])
        wf.settle()
    in_month = {f"p{i}" for i in range(1, 201)}
    assert in_month <= set(seen) and pages >= 3


def test_cancel_from_the_home_tab_refreshes_it(wf):
    [pid] = schedule(wf, AUTHOR, '@acme_fr "demain 9h" Depuis la maison')
    wf.slack.app_home_opened(AUTHOR)
    wf.settle()
    home = wf.standin.home(AUTHOR)
    wf.slack.click_home(AUTHOR, Action.POST_MENU, value=_menu_value(home, pid, "cancel"))
    wf.settle()
    assert draft_row(wf, pid).state == "cancelled"
    assert f"`{pid}`" not in all_text(wf.standin.home(AUTHOR))  # a cancelled post leaves the calendar
