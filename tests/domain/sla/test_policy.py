"""Which policy a conversation gets: the first one that matches."""

from bot.domain.sla.policy import Match, Metric, Policy, Subject, Target, match_policy

TARGETS = {Metric.FIRST_RESPONSE: Target(3600)}


def policy(name: str, **match) -> Policy:
    return Policy(name, Match(**match), TARGETS)


def subject(text: str = "", **fields) -> Subject:
    base = {"account": "acme", "network": "bluesky", "kind": "mention"}
    return Subject(**(base | fields), text=text)


def test_first_matching_policy_wins_even_when_a_later_one_is_more_specific():
    everything, dms = policy("everything"), policy("dms", kinds={"dm"})
    assert match_policy([everything, dms], subject(kind="dm")) is everything
    assert match_policy([dms, everything], subject(kind="dm")) is dms
    assert match_policy([dms, everything], subject(kind="mention")) is everything


def test_no_policy_matches_means_no_sla():
    assert match_policy([policy("dms", kinds={"dm"})], subject(kind="comment")) is None
    assert match_policy([], subject()) is None


def test_vip_policy_only_takes_vip_authors():
    vip, rest = policy("vip", vip_only=True), policy("rest")
    assert match_policy([vip, rest], subject(vip=True)) is vip
    assert match_policy([vip, rest], subject(vip=False)) is rest


def test_every_condition_must_hold():
    strict = policy("strict", accounts={"acme"}, networks={"x"}, kinds={"dm"}, priorities={"high"})
    assert strict.match.accepts(subject(network="X", kind="dm", priority="High"))
    assert not strict.match.accepts(subject(network="x", kind="dm", priority="low"))
    assert not strict.match.accepts(subject(network="x", kind="dm"))
    assert not strict.match.accepts(subject(account="other", network="x", kind="dm", priority="high"))


def test_keywords_ignore_case_and_accents_on_whole_words():
    refunds = policy("refunds", keywords=("remboursement", "mot de passe", "sœur"))
    assert refunds.match.accepts(subject("Je veux un REMBOURSÉMENT !"))
    assert refunds.match.accepts(subject("j'ai oublié mon Mot\nde  Passe"))
    assert refunds.match.accepts(subject("ma soeur a commandé"))
    assert not refunds.match.accepts(subject("les remboursements sont lents"))
    assert not refunds.match.accepts(subject("aucun mot ici"))


def test_accented_keyword_matches_text_typed_without_accents():
    urgent = policy("urgent", keywords=("énervé", "#Panne"))
    assert urgent.match.accepts(subject("client tres ENERVE"))
    assert urgent.match.accepts(subject("encore une #panne."))
    assert not urgent.match.accepts(subject("#pannes"))
