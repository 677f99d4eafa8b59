"""Facebook Page and Instagram professional account connector (Meta Graph API).

One account is either a Facebook Page or an Instagram account linked to a Page, acting with a
Page access token. Webhooks are the primary path (the lead mounts `verify_subscription`,
`verify_signature` and `parse_webhook` on HTTP routes); `fetch` is the polling fallback.

Options (`[accounts.connector]` in veille.toml):
- `network`: "facebook" or "instagram": the account's network (the registry passes it to
  `build`); `options.network` is a fallback, else "instagram" when `ig_user_id` is set.
- `page_id`: the Facebook Page id. Required for Facebook; for Instagram, needed for direct messages
  (they are sent and read through the Page).
- `ig_user_id`: the Instagram professional account id (required for Instagram).
- `token_env`: name of the environment variable holding the Page access token (required; the
  token itself is never logged).
- `app_secret_env`: name of the variable holding the app secret. When set, every call carries
  `appsecret_proof` (needed when the app enables "Require App Secret"); the lead also uses the
  secret to check X-Hub-Signature-256 on webhooks.
- `graph_url` (default https://graph.facebook.com), `api_version` (default v21.0).
- `poll`: sources read by `fetch`: "feed", "messages" (Facebook default) or "media", "messages"
  (Instagram default; "messages" only with a page_id).
- `posts_window` (25): how many recent posts/media the polling fallback looks at.
- `backfill_seconds` (86400): how far back the very first fetch looks.
- `timeout` (10): seconds per HTTP call.

Permissions the token needs:
- Facebook: `pages_show_list`, `pages_read_engagement` (read feed and comments),
  `pages_manage_engagement` (reply to comments), `pages_messaging` (read and answer Messenger),
  `pages_manage_posts` (publish Page posts), `pages_manage_metadata` (webhook subscriptions).
- Instagram: `instagram_basic`, `instagram_manage_comments` (read, reply, mentions),
  `instagram_manage_messages` (Direct), plus `pages_show_list` and `pages_read_engagement` on the
  linked Page.
Webhook fields to subscribe: Page `feed`, `mention`, `messages`, `message_echoes`; Instagram
`comments`, `mentions`, `messages`.
"""

from bot.connectors.meta.connector import MetaConnector, build
from bot.connectors.meta.webhook import parse_webhook, verify_signature, verify_subscription

__all__ = ["MetaConnector", "build", "parse_webhook", "verify_signature", "verify_subscription"]
