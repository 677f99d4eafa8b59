"""Report outputs (issue 10): figures come from bot/domain/reports.py; this package turns them
into files (JSON, CSV, PNG charts) and Slack messages."""
