"""A burst through a bridge: many single-mention webhook requests at once. They are committed in
groups (one transaction for many requests), and each request is still answered on its own, only
once its rows are committed, with its own stored and duplicate ids."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.connectors.base import Author, InboundMessage
from bot.domain.ingest import ingest
from bot.group_commit import GroupCommitter
from storage.models import Conversation, Message, Outbox


def _body(i: int, **over) -> dict:
    body = {"id": f"g-{i}", "network": "x", "account": "acme", "kind": "mention",
            "author": {"id": f"u-{i}", "handle": f"@p{i}", "name": f"P {i}"}, "text": f"where is order {i}?",
            "url": f"https://x.example/p{i}/{i}", "created_at": "2026-11-23T08:59:00Z"}
    body.update(over)
    return body


def _msg(mid: str, author: str = "u-1", **meta) -> InboundMessage:
    return InboundMessage(id=mid, network="x", account="acme", kind="mention", author=Author(author, f"@{author}"),
                          text=f"hello {mid}", created_at=1_795_424_000, meta=meta)


def _count(veille, model, *where) -> int:
    with veille.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _committer(veille) -> GroupCommitter:
    return GroupCommitter(lambda msgs: ingest(veille.db, veille.cfg, veille.svc.rules, veille.clock.now(), msgs))


def _submit_all(committer: GroupCommitter, requests: list[list[InboundMessage]]) -> list:
    """Every request submitted in the same instant (before the first commit starts)."""
    async def burst():
        return await asyncio.gather(*(committer.submit(r) for r in requests), return_exceptions=True)
    return asyncio.run(burst())


def test_64_concurrent_single_mention_requests_are_each_answered_with_their_own_id_and_stored_once(veille):
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(lambda i: veille.post_webhook(_body(i)), range(64)))

    assert [(r.status_code, r.json()["stored"], r.json()["duplicates"]) for r in answers] == \
        [(202, [f"x:g-{i}"], []) for i in range(64)]
    assert _count(veille, Message) == 64
    assert _count(veille, Conversation) == 64
    # Each gets its alert, or is counted on the account's burst card once the channel's queue is long.
    assert _count(veille, Outbox, Outbox.op == "alert_post") + _count(veille, Conversation, Conversation.folded) == 64


def test_requests_arriving_together_share_one_transaction_and_each_gets_its_own_answer(veille):
    committer = _committer(veille)
    results = _submit_all(committer, [[_msg(f"m-{i}", author=f"u-{i}")] for i in range(64)])

    assert committer.groups == 1  # one transaction for the 64 requests
    assert [(r.stored, r.duplicates) for r in results] == [([f"x:m-{i}"], []) for i in range(64)]
    assert _count(veille, Message) == 64


def test_the_same_message_in_two_requests_of_one_group_is_stored_for_the_first_and_a_duplicate_for_the_second(veille):
    veille.post_webhook(_body(1, id="old"))
    committer = _committer(veille)
    first, second, third = _submit_all(committer, [[_msg("dup"), _msg("a", author="u-2")],
                                                   [_msg("dup"), _msg("b", author="u-3")],
                                                   [_msg("old")]])

    assert committer.groups == 1
    assert (sorted(first.stored), first.duplicates) == (["x:a", "x:dup"], [])
    assert (second.stored, second.duplicates) == (["x:b"], ["x:dup"])
    assert (third.stored, third.duplicates) == ([], ["x:old"])
    assert _count(veille, Message, Message.external_id == "dup") == 1


def test_a_request_the_database_step_fails_on_fails_alone_and_the_rest_of_its_group_is_stored(veille):
    committer = _committer(veille)
    good1, bad, good2 = _submit_all(committer, [[_msg("ok-1", author="u-1")],
                                                [_msg("boom", author="u-2", unserialisable=object())],
                                                [_msg("ok-2", author="u-3")]])

    assert isinstance(bad, TypeError)
    assert good1.stored == ["x:ok-1"] and good2.stored == ["x:ok-2"]
    assert _count(veille, Message) == 2 and _count(veille, Message, Message.external_id == "boom") == 0


def test_a_bad_request_among_concurrent_good_ones_gets_its_400_and_the_others_are_stored(veille):
    def send(i: int):
        if i == 7:
            return veille.post_webhook(_body(i, created_at="yesterday"))
        return veille.post_webhook(_body(i))

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(send, range(16)))

    assert answers[7].status_code == 400 and "created_at" in answers[7].text
    assert all(r.status_code == 202 for i, r in enumerate(answers) if i != 7)
    assert _count(veille, Message) == 15 and _count(veille, Message, Message.external_id == "g-7") == 0


def test_a_message_and_its_follow_up_sent_in_two_requests_at_once_make_one_conversation(veille):
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(veille.post_webhook, [
            _body(1, id="root", thread_id="root"),
            _body(2, id="reply", thread_id="root", in_reply_to="root", author={"id": "u-1", "handle": "@p1"},
                  created_at="2026-11-23T08:59:30Z")]))

    assert [r.status_code for r in answers] == [202, 202]
    assert _count(veille, Conversation) == 1 and _count(veille, Message) == 2


def test_a_text_with_a_nul_character_is_refused_with_a_400_on_every_database(veille):
    r = veille.post_webhook(_body(1, text="bad\x00text"))
    assert r.status_code == 400 and "text: contains a NUL character" in r.text
