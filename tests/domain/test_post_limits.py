"""Will a post fit? Each network counts the way it really does: weights on X, graphemes on Bluesky
and Mastodon, JavaScript characters elsewhere."""

from __future__ import annotations

import pytest

from bot.domain.post_limits import check_length, find_urls, grapheme_count, x_weighted_length

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: one emoji
FLAG_FR = "\U0001f1eb\U0001f1f7"
THUMB_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone
KEYCAP_ONE = "1\ufe0f\u20e3"
HEART_EMOJI = "\u2764\ufe0f"  # heart + emoji presentation selector
E_COMBINING = "e\u0301"  # é written as e + combining acute accent
LONG_URL = "https://example.com/" + "very-long-path/" * 20 + "?utm_source=newsletter"


# ------------------------------------------------------------------ X


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("café", 4),
        (f"caf{E_COMBINING}", 4),  # normalised to NFC first
        ("Привет", 6),  # Cyrillic weighs 1
        ("日本語", 6),  # CJK weighs 2
        ("한국어", 6),
        ("€", 2),  # outside the light ranges
        ("…", 2),
        ("— ’", 3),  # em dash, space, curly quote: light
        ("👍", 2),
        (FAMILY, 2),  # a whole emoji sequence weighs 2
        (FLAG_FR, 2),
        (THUMB_MEDIUM, 2),
        (KEYCAP_ONE, 2),
        (HEART_EMOJI, 2),
        (LONG_URL, 23),
        ("see https://example.com.", 4 + 23 + 1),  # the full stop is not part of the link
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", 1 + 23 + 1),
        ("www.example.fr", 23),
        ("example.com/page", 23),
        ("example.fr", 10),  # one label and a country TLD, no path: not a link on X
        ("mail me at team@example.com", 27),  # an address is not a link
        ("https://", 8),
    ],
)
def test_x_weights_text_like_twitter_text(text, weight):
    assert x_weighted_length(text) == weight


def test_x_allows_280_weighted_characters():
    assert check_length("x", "a" * 280).ok
    over = check_length("x", "a" * 281)
    assert (over.ok, over.length, over.limit, over.over, over.unit) == (
        False,
        281,
        280,
        1,
        "weighted characters",
    )


def test_x_counts_chinese_twice_and_links_as_23():
    assert check_length("x", "中" * 140).ok
    assert not check_length("x", "中" * 141).ok
    assert check_length("x", "a" * 256 + " " + LONG_URL).length == 280
    assert not check_length("x", "a" * 257 + " " + LONG_URL).ok


def test_x_counts_an_emoji_sequence_once():
    assert check_length("x", FAMILY * 140).ok
    assert not check_length("x", FAMILY * 141).ok


def test_twitter_is_another_name_for_x():
    assert check_length("Twitter", "中" * 141).length == 282


def test_the_x_message_explains_how_it_counts():
    check = check_length("x", "中" * 150)
    assert check.message("fr") == (
        "Trop long pour X : 300 / 280 caractères pondérés, 20 de trop "
        "(les liens comptent pour 23, les emoji et les caractères chinois, japonais ou coréens pour 2)."
    )
    assert check.message("en") == (
        "Too long for X: 300 / 280 weighted characters, 20 over "
        "(links count as 23, emoji and Chinese, Japanese or Korean characters as 2)."
    )
    assert check_length("x", "ok").message("fr") == "2 / 280 caractères pondérés sur X."


# ------------------------------------------------------------------ Bluesky


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("hello", 5),
        (E_COMBINING * 3, 3),
        (FAMILY, 1),
        (FLAG_FR + "\U0001f1e7\U0001f1ea", 2),  # two flags, not one run of four
        (THUMB_MEDIUM, 1),
        (KEYCAP_ONE, 1),
        (HEART_EMOJI, 1),
        ("日本語", 3),
        ("\u0928\u092e\u0938\u094d\u0924\u0947", 3),  # Devanagari with a conjunct
    ],
)
def test_graphemes_are_what_a_reader_sees_as_one_character(text, graphemes):
    assert grapheme_count(text) == graphemes


def test_bluesky_allows_300_graphemes():
    assert check_length("bluesky", E_COMBINING * 300).ok  # 600 code points, 300 graphemes
    over = check_length("bluesky", "a" * 301)
    assert (over.ok, over.length, over.limit, over.over, over.unit) == (False, 301, 300, 1, "graphemes")


def test_bluesky_counts_links_in_full():
    text = "read " + LONG_URL
    assert check_length("bluesky", text).length == len(text)


def test_bluesky_also_refuses_more_than_3000_bytes():
    check = check_length("bluesky", FAMILY * 300)  # 300 graphemes, 18 bytes each
    assert (check.ok, check.length, check.byte_length) == (False, 300, 5400)
    assert "5400 / 3000 octets" in check.message("fr")
    assert "5400 / 3000 bytes" in check.message("en")


# ------------------------------------------------------------------ Mastodon


def test_mastodon_allows_500_and_counts_a_link_as_23():
    assert check_length("mastodon", "x" * 500).ok
    assert not check_length("mastodon", "x" * 501).ok
    assert check_length("mastodon", "a" * 476 + " " + LONG_URL).length == 500


def test_mastodon_counts_a_bare_domain_as_written_and_a_remote_mention_by_its_username():
    assert check_length("mastodon", "example.com").length == 11
    assert check_length("mastodon", "hi @alice@mastodon.social").length == len("hi @alice")


def test_mastodon_counts_graphemes():
    assert check_length("mastodon", FAMILY * 500).ok
    assert check_length("mastodon", "é" * 500 + FLAG_FR).length == 501


def test_an_instance_may_allow_more():
    assert check_length("mastodon", "x" * 600, limit=1000).ok


# ------------------------------------------------------------------ JavaScript-counted networks


@pytest.mark.parametrize(
    ("network", "limit"),
    [("facebook", 63_206), ("instagram", 2_200), ("youtube", 10_000), ("linkedin", 3_000)],
)
def test_character_networks_count_like_javascript(network, limit):
    assert check_length(network, "a" * limit).ok
    assert not check_length(network, "a" * (limit + 1)).ok
    assert check_length(network, "é" * limit).ok  # an accented letter is one
    assert check_length(network, "😀" * (limit // 2)).ok  # an emoji is two
    over = check_length(network, "😀" * (limit // 2 + 1))
    assert (over.ok, over.length, over.unit) == (False, limit + 2 - limit % 2, "characters")


def test_a_link_is_not_shortened_on_instagram():
    assert check_length("instagram", LONG_URL).length == len(LONG_URL)


def test_the_instagram_message():
    check = check_length("instagram", "a" * 2_202)
    assert check.message("fr") == "Trop long pour Instagram : 2202 / 2200 caractères, 2 de trop."
    assert check.message("en") == "Too long for Instagram: 2202 / 2200 characters, 2 over."


# ------------------------------------------------------------------ webhook, unknown


def test_a_webhook_has_no_limit():
    check = check_length("webhook", "x" * 1_000_000)
    assert (check.ok, check.limit, check.over) == (True, None, 0)
    assert check.message("en") == "No length limit for webhook."


def test_an_unknown_network_is_a_programming_error():
    with pytest.raises(KeyError):
        check_length("myspace", "hello")


def test_find_urls_gives_spans_without_trailing_punctuation():
    text = "Voir https://example.com/a, puis www.example.org."
    assert [text[s:e] for s, e in find_urls(text)] == ["https://example.com/a", "www.example.org"]
