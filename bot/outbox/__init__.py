"""The outbox's operations: one class per kind of side effect (bot/outbox/registry.py)."""
