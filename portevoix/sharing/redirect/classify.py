"""Classify a click at ingestion time (off the hot path): bot or person, referrer network."""

from __future__ import annotations

import functools
import re

from crawlerdetect import CrawlerDetect

# Link-preview fetchers ("unfurlers") and tools that crawlerdetect may not name.
_PREVIEWERS = re.compile(
    r"LinkedInBot|Twitterbot|facebookexternalhit|facebookcatalog|Facebot|meta-externalagent|"
    r"Slackbot|Slack-ImgProxy|Discordbot|WhatsApp|TelegramBot|SkypeUriPreview|MicrosoftPreview|"
    r"Teams/|Mastodon/|Bluesky|Cardyb|Iframely|Embedly|redditbot|Pinterestbot|Google-PageRenderer|"
    r"HeadlessChrome|python-requests|python-urllib|curl/|Wget/|Go-http-client|okhttp",
    re.IGNORECASE,
)
_detector = CrawlerDetect()

_REFERRERS = {
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "x.com": "x",
    "twitter.com": "x",
    "t.co": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    "bsky.social": "bluesky",
    "mastodon.social": "mastodon",
    "mastodon.online": "mastodon",
    "mstdn.social": "mastodon",
}


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Bots and link previews are redirected but never counted. No user agent: a bot."""
    if not user_agent.strip():
        return True
    if _PREVIEWERS.search(user_agent):
        return True
    return bool(_detector.isCrawler(user_agent))


def referrer_network(host: str) -> str:
    """The network a visitor came from, from the referrer's host ("" when unknown)."""
    host = host.lower().strip(".")
    while host:
        if host in _REFERRERS:
            return _REFERRERS[host]
        if "mastodon" in host.split(".")[0]:
            return "mastodon"
        _, _, host = host.partition(".")
    return ""
