"""The triage of one message (issue 9 items 2-4): language, sentiment and bot score, on the
team's labelled corpus (tests/data/triage_corpus.jsonl) and on the cases the issue names."""

from __future__ import annotations

import pytest

from bench.triage import CORPUS_NOW, TARGETS, evaluate, load_corpus, veille
from bot.triage import LIKELY_BOT, AuthorFacts, Sentiment, bot_score, fingerprint, language, sentiment, triage

DAY = 86400


@pytest.fixture(scope="module")
def scores():
    return evaluate(load_corpus(), veille)


def test_the_corpus_holds_at_least_300_french_and_300_english_posts_with_every_label():
    records = load_corpus()
    for lang in ("fr", "en"):
        mine = [r for r in records if r["id"].startswith(lang + "-")]
        assert len(mine) >= 300
        assert {r["sentiment"] for r in mine} == {"negative", "neutral", "positive"}
        assert any(r["is_bot"] for r in mine) and any(not r["is_bot"] for r in mine)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_language_is_right_on_at_least_97_percent_of_posts_of_20_characters_or_more(scores, lang):
    assert scores[lang].language_accuracy >= TARGETS["language_accuracy"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sentiment_macro_f1_is_at_least_0_70_in_each_language(scores, lang):
    assert scores[lang].sentiment_macro_f1 >= TARGETS["sentiment_macro_f1"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_likely_bots_are_right_at_least_95_percent_of_the_time(scores, lang):
    assert scores[lang].bot_precision >= TARGETS["bot_precision"]
    assert scores[lang].bot_recall > 0.3  # and it finds some


@pytest.mark.parametrize("text, expected", [
    ("jsuis trop déçu, votre appli plante tout le temps", "fr"),
    ("c nul tkt même pas la peine de répondre", "fr"),
    ("idk why my order is still not here lol", "en"),
    ("ok", "unknown"), ("mdr", "unknown"), ("👍👍", "unknown"), ("https://t.co/abc", "unknown"),
])
def test_french_and_english_are_told_apart_on_short_noisy_posts_and_tiny_ones_are_unknown(text, expected):
    assert language(text) == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("c'est nul", "fr", Sentiment.NEGATIVE),
    ("c'est pas nul du tout", "fr", Sentiment.POSITIVE),  # negation
    ("ce n'est pas top", "fr", Sentiment.NEGATIVE),  # ne ... pas
    ("nuuuuul", "fr", Sentiment.NEGATIVE),  # elongation
    ("c nul", "fr", Sentiment.NEGATIVE),  # chat spelling
    ("jsuis trop contente merci !!", "fr", Sentiment.POSITIVE),
    ("ma commande n'est toujours pas arrivée", "fr", Sentiment.NEGATIVE),
    ("Génial, encore une panne 🙃", "fr", Sentiment.NEGATIVE),  # sarcasm
    ("vous ouvrez à quelle heure ?", "fr", Sentiment.NEUTRAL),
    ("this is not good", "en", Sentiment.NEGATIVE),
    ("not bad at all", "en", Sentiment.POSITIVE),
    ("sooooo slow", "en", Sentiment.NEGATIVE),
    ("I love it 😍", "en", Sentiment.POSITIVE),
    ("😡😡", "en", Sentiment.NEGATIVE),  # emoji alone
    ("Great, another outage. Thanks a lot 🙃", "en", Sentiment.NEGATIVE),
    ("do you ship to Canada?", "en", Sentiment.NEUTRAL),
])
def test_sentiment_handles_negation_emoji_elongation_sarcasm_and_chat_spelling(text, lang, expected):
    assert sentiment(text, lang)[0] == expected


def test_all_caps_make_the_same_words_stronger():
    assert sentiment("C'EST NUL", "fr")[1] < sentiment("c'est nul", "fr")[1] < 0
    assert sentiment("I LOVE IT", "en")[1] > 0 and sentiment("I LOVE it", "en")[1] > sentiment("I love it", "en")[1]


def test_a_real_customer_with_a_new_account_and_a_link_is_not_a_likely_bot():
    facts = AuthorFacts(created_at=CORPUS_NOW - DAY // 2, followers=0, following=3, posts=1)
    score, reasons = bot_score(facts, "see how my parcel arrived https://pics.example/1", 0, CORPUS_NOW)
    assert score < LIKELY_BOT and "new_account" in reasons


def test_a_network_bot_label_alone_makes_a_likely_bot():
    score, reasons = bot_score(AuthorFacts(bot_label=True), "Daily update: 3 new posts", 0, CORPUS_NOW)
    assert score >= LIKELY_BOT and reasons == ["labelled_bot"]


def test_the_same_text_from_many_authors_plus_another_hint_makes_a_likely_bot():
    facts = AuthorFacts(created_at=CORPUS_NOW - 2 * DAY, followers=1, following=1500, posts=600)
    score, reasons = bot_score(facts, "Boycott @brand now!!", same_text_authors=12, now=CORPUS_NOW)
    assert score >= LIKELY_BOT
    assert {"same_text_many_authors", "new_account", "follow_ratio"} <= set(reasons)


def test_an_angry_customer_posting_often_is_not_a_likely_bot():
    facts = AuthorFacts(created_at=CORPUS_NOW - 400 * DAY, followers=90, following=700, posts=52000)
    assert not triage("Day 9 without a phone line, answer me", facts, 0, CORPUS_NOW).likely_bot


def test_the_fingerprint_ignores_links_handles_digits_and_case_but_not_words():
    a = fingerprint("@brand is the WORST, boycott them https://x.co/1 #2024")
    assert a == fingerprint("@other is the worst, boycott them https://y.co/2 #2025")
    assert a != fingerprint("@brand is the best, buy from them")
    assert fingerprint("ok") == ""  # too short to say two people copied each other


def test_author_facts_read_the_usual_network_field_names():
    facts = AuthorFacts.from_dict({"followers_count": 10, "follows_count": 20, "statuses_count": 5, "bot": True})
    assert (facts.followers, facts.following, facts.posts, facts.bot_label) == (10, 20, 5, True)
    assert AuthorFacts.from_dict({"bot": "yes", "followers": "many"}) == AuthorFacts()


def test_triage_as_dict_is_the_shape_veille_triage_prints():
    out = triage("c'est nul", None).as_dict()
    assert set(out) == {"language", "sentiment", "bot"}
    assert out["sentiment"]["label"] == "negative" and set(out["bot"]) == {"score", "reasons", "likely"}
