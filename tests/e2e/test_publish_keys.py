"""The publish idempotency key a bridge sees is unique to this installation and to the draft's
content: two installations, or one restored from a backup, never send a key already answered."""

from __future__ import annotations

from bot.ids import Action
from bot.slack.standin import SlackStandIn
from storage.models import Draft
from tests.conftest import USERS
from tests.support.harness import APPROVER, Veille


def _publish_one(v: Veille, text: str) -> None:
    _, card = v.draft_reply(text)
    v.slack.click(APPROVER, "C0ACME", card["ts"], Action.APPROVE)
    v.settle()


def test_two_installations_sharing_a_bridge_both_get_their_reply_published(db_url, tmp_path, clock, standin,
                                                                           target):
    first = Veille(db_url, clock, standin, target)
    other_slack = SlackStandIn(clock=clock, channels=["C0ACME", "C0ACMEFR", "C0SOCIAL"], users=USERS,
                               usergroups={"S0APPROVERS": ["U0CAROL"]}).start()
    second = Veille(f"sqlite:///{tmp_path / 'other.db'}", clock, other_slack, target)
    try:
        _publish_one(first, "Merci, on regarde !")
        _publish_one(second, "Bonjour, votre colis arrive demain.")  # also draft r1 v1, elsewhere
        assert sorted(p["text"] for p in target.published.values()) == \
            ["Bonjour, votre colis arrive demain.", "Merci, on regarde !"]
        [k1, k2] = list(target.published)
        assert k1.split("-")[1] != k2.split("-")[1]  # each installation's own id
    finally:
        first.close()
        second.close()
        other_slack.stop()


def test_a_restored_database_gives_a_reused_draft_id_a_new_key():
    from bot.domain.approvals import content_hash, publish_key

    before = Draft(id=5, version=1, conversation_id=3, content_hash=content_hash("Merci"), created_at=1_795_424_400)
    after_restore = Draft(id=5, version=1, conversation_id=9, content_hash=content_hash("Désolé"),
                          created_at=1_795_500_000)
    assert publish_key(before, "a1b2c3") == publish_key(before, "a1b2c3")  # stable across retries
    assert publish_key(before, "a1b2c3") != publish_key(after_restore, "a1b2c3")
    assert publish_key(before, "a1b2c3").startswith("veille-a1b2c3-5-v1-")
