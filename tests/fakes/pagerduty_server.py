"""The PagerDuty Events API stand-in lives in the package (bot/pagerduty_standin.py) since the
offline demo uses it too; tests import it from here as before."""

from bot.pagerduty_standin import PagerDutyServer

__all__ = ["PagerDutyServer"]
