"""`/veille report ...` end to end: a signed slash command, the outbox worker, the summary in
Block Kit and four charts uploaded through Slack's upload flow to the stand-in; privately or in
a channel, in the member's language."""

from __future__ import annotations

from bot.slack.standin.state import dm_channel_id
from tests.e2e.posts_support import command
from tests.support.harness import APPROVER, AUTHOR, OUTSIDER, _all_text

CAROL = "U0CAROL"  # French locale
CHARTS = {"response_time_histogram.png", "volume_per_day.png", "sla_per_week.png", "hours_of_week.png"}


def _with_a_conversation(veille):
    veille.mention("r-1", "Colis perdu")
    veille.settle()
    veille.advance(600)


def test_a_member_gets_the_report_privately_with_four_charts_uploaded_through_the_new_flow(veille):
    _with_a_conversation(veille)
    answer = command(veille, AUTHOR, "report week")
    assert "on its way" in _all_text(answer)
    dm = dm_channel_id(AUTHOR)
    summary = next(m for m in veille.standin.messages(dm) if m.get("blocks"))
    text = _all_text(summary)
    assert "Report 2026-11-23" in text and "1 conversations" in text
    files = veille.standin.files(dm)
    assert {f["name"] for f in files} == CHARTS
    assert all(f["bytes"][:4] == b"\x89PNG" and f["alt_txt"] for f in files)
    methods = [c.method for c in veille.standin.calls]
    assert methods.count("files.getUploadURLExternal") == 4 and methods.count("files.completeUploadExternal") == 1
    assert methods.index("chat.postMessage") < methods.index("files.completeUploadExternal")
    assert veille.standin.messages("C0SOCIAL") == []  # nothing in a channel


def test_an_approver_posts_last_month_s_report_in_a_channel(veille):
    _with_a_conversation(veille)
    answer = command(veille, APPROVER, "report last month in <#C0SOCIAL|social>")
    assert "<#C0SOCIAL>" in _all_text(answer)
    posted = veille.standin.messages("C0SOCIAL")
    assert "Report 2026-10-01 – 2026-10-31" in _all_text(posted[0])
    assert {f["name"] for f in veille.standin.files("C0SOCIAL")} == CHARTS


def test_a_member_who_is_not_an_approver_cannot_post_a_report_in_a_channel(veille):
    answer = command(veille, OUTSIDER, "report month in <#C0SOCIAL|social>")
    assert "Only approvers and admins" in _all_text(answer)
    assert veille.standin.messages("C0SOCIAL") == [] and veille.standin.files() == []


def test_the_report_speaks_french_to_a_french_member(veille):
    _with_a_conversation(veille)
    answer = command(veille, CAROL, "report from 2026-11-01 to 2026-11-30 @acme")
    assert "arrive" in _all_text(answer)
    dm = dm_channel_id(CAROL)
    summary = next(m for m in veille.standin.messages(dm) if m.get("blocks"))
    assert "Rapport du 2026-11-01 au 2026-11-30 · acme" in _all_text(summary)
    alts = {f["name"]: f["alt_txt"] for f in veille.standin.files(dm)}
    assert alts["volume_per_day.png"].startswith("Messages reçus par jour")


def test_a_period_it_cannot_read_or_an_unknown_account_gets_a_clear_answer(veille):
    assert "can't read that period" in _all_text(command(veille, AUTHOR, "report yesterday-ish"))
    assert "No account or network `nope`" in _all_text(command(veille, AUTHOR, "report week @nope"))
    assert "at most 366 days" in _all_text(command(veille, AUTHOR, "report from 2024-01-01 to 2026-01-01"))
    assert veille.standin.files() == []


def test_the_app_home_shows_this_week_per_account_open_breached_and_median_first_response(veille):
    veille.mention("r-1", "Colis perdu")
    veille.mention("r-2", "Toujours rien", author="u-2", handle="@paul")
    veille.settle()
    veille.advance(2 * 3600)  # the 1 h first-response target is missed on both
    veille.slack.app_home_opened(AUTHOR)
    veille.settle()
    text = _all_text(veille.standin.home(AUTHOR))
    assert "This week" in text
    assert "*acme*: 2 open · 2 breached · first response n/a" in text
    assert "*acme_fr*: 0 open · 0 breached" in text
