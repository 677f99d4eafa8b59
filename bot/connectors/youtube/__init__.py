"""YouTube channel connector (YouTube Data API v3): comments on the channel's videos, and replies.

fetch lists `commentThreads` related to the channel, newest first, and stops at the watermark
(newest publishedAt seen). Top-level comments and replies become kind "comment"; replies carry
in_reply_to (their parentId); our own channel's comments are from_brand (native replies).

The API has a daily quota (10,000 units by default, reset at midnight America/Los_Angeles): a
list costs 1 unit, a reply (comments.insert) 50. The connector counts what it spends per Pacific
day on the injected clock, stops polling when what is left must be kept for replies
(`reply_reserve` replies), and reports the headroom in `health()`. A `quotaExceeded` 403 means
RateLimited until the Pacific midnight reset. The count lives in memory: after a restart it starts
from zero, and a `quotaExceeded` answer corrects it.

Options (`[accounts.connector]` in veille.toml):
- `channel_id`: our channel id (UC...), required.
- OAuth: `client_id_env`, `client_secret_env`, `refresh_token_env` (names of environment variables;
  access tokens are refreshed as they expire), or `token_env` for a ready access token.
  Scope: https://www.googleapis.com/auth/youtube.force-ssl (read and write comments).
- `api_url` (https://www.googleapis.com), `token_url` (https://oauth2.googleapis.com/token).
- `daily_quota` (10000), `reply_reserve` (20 replies = 1,000 units kept for replies).
- `page_size` (100 threads a page), `max_pages` (5 a fetch), `backfill_seconds` (86400: how far
  back the first fetch looks), `timeout` (10 s a call).
Budget: one page a poll every minute is about 1,440 units a day; replies cost 50 each.
publish_post is not supported (YouTube posts are video uploads).
"""

from bot.connectors.youtube.connector import YouTubeConnector, build
from bot.connectors.youtube.quota import PACIFIC, QuotaBudget

__all__ = ["PACIFIC", "QuotaBudget", "YouTubeConnector", "build"]
