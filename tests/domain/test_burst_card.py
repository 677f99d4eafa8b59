"""The burst card builder: exact counts in, Block Kit within Slack's limits out, untrusted text
escaped (a post saying <!channel> pings nobody)."""

from __future__ import annotations

from bot.blocks.burst import burst_message
from bot.domain.bursts import BurstFacts, Sample, top_words
from storage.models import Burst


def _facts(**kw) -> BurstFacts:
    burst = Burst(id=7, account="acme", slack_channel="C0ACME", opened_at=1_795_424_400,
                  last_folded_at=1_795_424_500, closed_at=None, lang="en")
    evil = "<!channel> " + "x" * 5000
    f = BurstFacts(burst, total=1234, status={"open": 1200, "resolved": 30}, unfolded=4, assigned=200, at_risk=12,
                   breached=3, networks=[(f"net{i}", 100) for i in range(30)], kinds=[("mention", 1234)],
                   first_at=1_795_424_400, last_at=1_795_424_500, words=[("colis", 800), ("<b>", 3)],
                   samples=[Sample(i, "x", "@<!here>", evil, "https://x.example/1") for i in range(3)],
                   words_over=1000)
    for k, v in kw.items():
        setattr(f, k, v)
    return f


def test_the_card_stays_within_block_kit_limits_and_escapes_what_customers_wrote():
    text, blocks = burst_message(_facts())
    assert len(blocks) <= 50
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
    everything = str(blocks)
    assert "<!channel>" not in everything and "<!here>" not in everything and "<b>" not in everything
    assert "&lt;!channel&gt;" in everything


def test_the_card_counts_are_the_exact_figures_it_is_given():
    text, blocks = burst_message(_facts())
    shown = str(blocks)
    assert "Burst on acme: 1234 new conversations folded" in shown
    assert "*1000* waiting for someone · 200 assigned · 30 handled · 4 in their own thread" in shown
    assert "12 at risk" in shown and "3 breached" in shown
    assert "top words over the latest 1,000 conversations" in shown


def test_the_card_in_french():
    _, blocks = burst_message(_facts(), "fr")
    assert "Afflux sur acme : 1234 nouvelles conversations regroupées" in str(blocks)
    assert "Trier" in str(blocks)


def test_top_words_ignore_stop_words_mentions_links_and_count_each_text_once():
    words = top_words(["Le colis colis est perdu @acme https://t.co/x", "colis PERDU!", "où est mon colis ?"], 3)
    assert words[0] == ("colis", 3) and words[1] == ("perdu", 2)
    assert all(w not in ("le", "est", "@acme", "mon") for w, _ in words)
