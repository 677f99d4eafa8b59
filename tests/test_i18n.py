"""Every string a member or a channel sees exists in English and in French, and the French is
a translation, not a copy of the English (bar a short list of words that are the same)."""

from __future__ import annotations

import string

import pytest

from bot.blocks import sla as sla_blocks
from bot.config import ConfigError, parse_config
from bot.i18n import LANGS, MESSAGES, SAME_IN_BOTH, STATES, channel_lang
from handlers.commands_sla import STATUS_NAMES

# Other tables of member-facing words, by name: {lang: {key: text}} or {lang: (texts...)}.
TABLES = {
    "STATES": STATES,
    "sla.METRIC_LABELS": sla_blocks.METRIC_LABELS,
    "sla.DAY_NAMES": sla_blocks.DAY_NAMES,
    "sla.KIND_NAMES": sla_blocks.KIND_NAMES,
    "commands_sla.STATUS_NAMES": STATUS_NAMES,
}
SAME_WORDS = {"mentions", "articles"}  # KIND_NAMES: the same word in both languages


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_an_english_and_a_different_french_text_with_the_same_placeholders(key):
    table = MESSAGES[key]
    assert set(table) == set(LANGS), f"{key}: languages {sorted(table)}"
    assert all(table[lang].strip() for lang in LANGS), f"{key}: an empty text"
    if key not in SAME_IN_BOTH:
        assert table["en"] != table["fr"], f"{key}: the French is the English"
    assert _fields(table["en"]) == _fields(table["fr"]), f"{key}: placeholders differ"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_other_string_table_is_complete_in_both_languages(name):
    table = TABLES[name]
    assert set(table) == set(LANGS), f"{name}: languages {sorted(table)}"
    en, fr = table["en"], table["fr"]
    if isinstance(en, dict):
        assert set(en) == set(fr), f"{name}: keys differ: {sorted(set(en) ^ set(fr))}"
        pairs = [(en[k], fr[k]) for k in en]
    else:
        assert len(en) == len(fr), name
        pairs = list(zip(en, fr, strict=True))
    same = [e for e, f in pairs if e == f and e not in SAME_WORDS]
    assert not same, f"{name}: not translated: {same}"


def test_the_allowed_identical_strings_are_few_and_really_identical():
    assert len(SAME_IN_BOTH) <= 6
    assert all(MESSAGES[k]["en"] == MESSAGES[k]["fr"] for k in SAME_IN_BOTH)


def _cfg(team: dict | None = None, account: dict | None = None):
    return parse_config({
        "team": team or {},
        "accounts": [{"key": "acme", "network": "x", "handle": "@acme", "channel": "C0ACME", **(account or {})},
                     {"key": "other", "network": "x", "handle": "@other", "channel": "C0OTHER"}],
    })


def test_the_channel_language_is_the_accounts_then_the_teams_then_english():
    assert channel_lang(_cfg(), "acme") == "en"
    assert channel_lang(_cfg({"language": "fr"}), "acme") == "fr"
    assert channel_lang(_cfg({"language": "fr"}, {"language": "en"}), "acme") == "en"
    assert channel_lang(_cfg({"language": "fr"}, {"language": "en"}), "other") == "fr"
    assert channel_lang(_cfg(account={"language": "FR"}), "acme") == "fr"
    assert channel_lang(None, "acme") == "en"


@pytest.mark.parametrize("team, account, key", [
    ({"language": "de"}, None, "team.language"),
    (None, {"language": "français"}, "accounts[0].language"),
    ({"language": 1}, None, "team.language"),
])
def test_an_unknown_language_is_refused_naming_the_key_and_the_choices(team, account, key):
    with pytest.raises(ConfigError) as e:
        _cfg(team, account)
    assert f"{key}: unknown language" in str(e.value) and "'en', 'fr'" in str(e.value)
