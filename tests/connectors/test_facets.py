"""Mentions and links in a Bluesky post are only clickable if their UTF-8 BYTE ranges are right."""

from __future__ import annotations

import pytest

from bot.connectors.facets import (
    build_facets,
    facet_text,
    find_links,
    find_mentions,
    grapheme_len,
)

DIDS = {"alice.bsky.social": "did:plc:alice", "acme.example": "did:plc:acme"}


def facets_of(text: str):
    return build_facets(text, DIDS.get)


def test_offsets_count_bytes_after_accents_and_emoji():
    text = "Désolé 😕 @alice.bsky.social, voir https://acme.example/aide"
    mention, link = facets_of(text)
    assert mention["index"] == {"byteStart": 14, "byteEnd": 32}  # é=2 bytes, 😕=4 bytes
    assert facet_text(text, mention) == "@alice.bsky.social"
    assert mention["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}]
    assert facet_text(text, link) == "https://acme.example/aide"
    assert link["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/aide"}]
    assert link["index"]["byteStart"] == text.encode().index(b"https")


def test_a_joined_emoji_and_a_combining_accent_before_a_mention():
    text = "👨‍👩‍👧 Cafe\u0301 @acme.example"  # one family emoji (18 bytes), é as e + U+0301
    (mention,) = facets_of(text)
    assert mention["index"]["byteStart"] == 18 + 1 + 6 + 1
    assert facet_text(text, mention) == "@acme.example"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Voir https://acme.example/a.", "https://acme.example/a"),
        ("(https://acme.example/a)", "https://acme.example/a"),
        ("https://fr.wikipedia.org/wiki/Caf%C3%A9_(boisson)!", "https://fr.wikipedia.org/wiki/Caf%C3%A9_(boisson)"),
        ("lien: http://acme.example/?q=1&r=2, merci", "http://acme.example/?q=1&r=2"),
        ("URL https://acme.example/été 🎉", "https://acme.example/été"),
    ],
)
def test_a_link_stops_before_the_sentence_punctuation(text, url):
    (span,) = find_links(text)
    assert span.value == url
    assert text.encode()[span.start : span.end].decode() == url


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("écrivez à support@acme.example", []),  # an email address is not a mention
        ("https://x.example/@alice.bsky.social", ["https://x.example/@alice.bsky.social"]),
        ("@nodot salut", []),
        ("@-bad-.example", []),
        ("https:// rien", []),
    ],
)
def test_things_that_are_not_mentions_or_links(text, found):
    assert [s.value for s in find_mentions(text) + find_links(text)] == found


def test_a_mention_at_the_end_of_a_sentence_keeps_its_dot_out():
    (span,) = find_mentions("Merci @alice.bsky.social.")
    assert span.value == "alice.bsky.social"
    assert span.end - span.start == len("@alice.bsky.social")


def test_an_unknown_handle_stays_plain_text():
    assert facets_of("Bonjour @nobody.example") == []


def test_facets_come_in_text_order():
    text = "https://acme.example puis @acme.example"
    assert [f["index"]["byteStart"] for f in facets_of(text)] == [0, 26]


def test_graphemes_are_what_a_reader_counts():
    assert grapheme_len("e\u0301" * 300) == 300
    assert grapheme_len("👨‍👩‍👧" * 2) == 2
    assert grapheme_len("🇫🇷é") == 2
