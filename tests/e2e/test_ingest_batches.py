"""A connector's batch holds customers' messages and our own replies in any order: ingest must
come to the same clocks and alerts as if they had arrived one by one."""

from __future__ import annotations

from sqlalchemy import select

from bot.connectors.base import Author, InboundMessage
from bot.domain.ingest import ingest
from storage.models import SlaClock
from tests.support.harness import all_text

T0 = 1_795_424_400


def _msg(mid, at, text="hi", from_brand=False, in_reply_to=None, thread="root"):
    who = Author("brand", "@acme") if from_brand else Author("u-1", "@jeanne", "Jeanne")
    return InboundMessage(id=mid, network="x", account="acme", kind="mention", author=who, text=text,
                          created_at=at, thread_id=thread, in_reply_to=in_reply_to, from_brand=from_brand)


def _clocks(veille):
    with veille.db.session() as s:
        return [(c.metric, c.cycle, c.state, c.start_at) for c in
                s.scalars(select(SlaClock).where(SlaClock.metric != "resolution").order_by(SlaClock.id))]


def test_a_question_our_native_reply_and_a_follow_up_in_one_batch_start_the_next_response_clock(veille):
    batch = [_msg("root", T0 - 300, "where is my order?"),
             _msg("c", T0 - 60, "still waiting for the tracking number", in_reply_to="b"),
             _msg("b", T0 - 200, "we are on it", from_brand=True, in_reply_to="root")]
    result = ingest(veille.db, veille.cfg, veille.svc.rules, veille.clock.now(), batch)

    assert sorted(result.stored) == ["x:b", "x:c", "x:root"]
    assert _clocks(veille) == [("first_response", 1, "met", T0 - 300), ("next_response", 1, "running", T0 - 60)]


def test_a_new_thread_and_its_follow_ups_in_one_batch_make_one_alert_with_the_rest_in_its_thread(veille):
    batch = [_msg("root", T0 - 300, "first"), _msg("r1", T0 - 200, "second", in_reply_to="root"),
             _msg("r2", T0 - 100, "third", in_reply_to="r1")]
    ingest(veille.db, veille.cfg, veille.svc.rules, veille.clock.now(), batch)
    veille.settle()

    [alert] = veille.alerts()
    assert "first" in all_text(alert) and "3 messages" in all_text(alert)
    assert [("second" in all_text(m), "third" in all_text(m)) for m in veille.thread(alert)] == [(True, False),
                                                                                                (False, True)]
    assert _clocks(veille) == [("first_response", 1, "running", T0 - 300)]  # one clock, oldest start
