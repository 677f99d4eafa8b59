"""`veille report ... --format json|csv|png --out DIR`: the same figures as the domain computes,
as files a script or a spreadsheet can rely on."""

from __future__ import annotations

import csv
import json

from bot.cli import main
from tests.domain.test_reports import db, month, rules  # noqa: F401 - the hand-made month and its fixtures

CONFIG = """
[team]
timezone = "UTC"

[[accounts]]
key = "acme"
network = "x"
handle = "@acme"
channel = "C0ACME"

[[accounts]]
key = "acme_fr"
network = "bluesky"
handle = "acme-fr.bsky.social"
channel = "C0ACMEFR"
"""


def _report(monkeypatch, tmp_path, db_url, *args: str) -> int:
    cfg = tmp_path / "veille.toml"
    cfg.write_text(CONFIG)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("VEILLE_CONFIG", str(cfg))
    return main(["report", "--from", "2026-11-01", "--to", "2026-11-30", *args])


def test_the_json_export_has_the_documented_keys_and_the_domain_s_figures(monkeypatch, tmp_path, db_url, month):  # noqa: F811
    assert _report(monkeypatch, tmp_path, db_url, "--format", "json", "--out", str(tmp_path / "out")) == 0
    r = json.loads((tmp_path / "out" / "report.json").read_text())
    assert r["schema"] == 1 and r["period"] == {"from": "2026-11-01", "to": "2026-11-30", "start": 1793491200,
                                                 "end": 1796083200, "timezone": "UTC"}
    assert r["conversations"] == 6 and r["messages"]["in"] == 7
    assert (r["first_response"]["median_s"], r["first_response"]["p90_s"]) == (1800, 7200)
    assert (r["sla"]["met"], r["sla"]["breached"], r["sla"]["attainment"]) == (5, 2, round(5 / 7, 4))
    assert {a["account"] for a in r["by_account"]} == {"acme", "acme_fr"}
    assert {n["network"] for n in r["by_network"]} == {"x", "bluesky"}
    assert r["top_posts"][0]["url"] == "https://x.example/p1"


def test_an_account_filter_reaches_the_export(monkeypatch, tmp_path, db_url, month):  # noqa: F811
    assert _report(monkeypatch, tmp_path, db_url, "--account", "acme_fr", "--out", str(tmp_path)) == 0
    r = json.loads((tmp_path / "report.json").read_text())
    assert r["filter"]["account"] == "acme_fr" and r["conversations"] == 2


def test_the_csv_export_writes_a_summary_and_one_table_per_breakdown(monkeypatch, tmp_path, db_url, month):  # noqa: F811
    assert _report(monkeypatch, tmp_path, db_url, "--format", "csv", "--out", str(tmp_path / "csv")) == 0
    summary = dict(csv.reader((tmp_path / "csv" / "summary.csv").open()))
    assert summary["first_response.median_s"] == "1800" and summary["sla.breached"] == "2"
    days = list(csv.DictReader((tmp_path / "csv" / "volume_by_day.csv").open()))
    assert len(days) == 30 and days[1]["messages_in"] == "1"
    accounts = list(csv.DictReader((tmp_path / "csv" / "by_account.csv").open()))
    assert [a["account"] for a in accounts] == ["acme", "acme_fr"]


def test_the_png_export_writes_four_titled_charts_with_alt_text(monkeypatch, tmp_path, db_url, month):  # noqa: F811
    out = tmp_path / "png"
    assert _report(monkeypatch, tmp_path, db_url, "--format", "png", "--lang", "fr", "--out", str(out)) == 0
    meta = json.loads((out / "charts.json").read_text())
    assert set(meta) == {"response_time_histogram.png", "volume_per_day.png", "sla_per_week.png", "hours_of_week.png"}
    for name, m in meta.items():
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert m["title"] and m["alt"]
    assert "médiane 30m" in meta["response_time_histogram.png"]["alt"]


def test_an_unknown_account_or_a_reversed_period_is_a_clear_error(monkeypatch, tmp_path, db_url, capsys):
    assert _report(monkeypatch, tmp_path, db_url, "--account", "nope", "--out", str(tmp_path)) == 2
    assert "no account 'nope'" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["report", "--from", "2026-11-30", "--to", "2026-11-01", "--out", str(tmp_path)]) == 2
