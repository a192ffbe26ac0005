"""Network connectors. `get(network)` gives the connector of a network."""

from __future__ import annotations

import importlib

from portevoix.publishing.connectors.base import Connector

_MODULES = {
    "linkedin": ("portevoix.publishing.connectors.linkedin", "LinkedInConnector"),
    "x": ("portevoix.publishing.connectors.x", "XConnector"),
    "mastodon": ("portevoix.publishing.connectors.mastodon", "MastodonConnector"),
    "bluesky": ("portevoix.publishing.connectors.bluesky", "BlueskyConnector"),
    "threads": ("portevoix.publishing.connectors.threads", "ThreadsConnector"),
    "facebook": ("portevoix.publishing.connectors.facebook", "FacebookConnector"),
}


def get(network: str) -> Connector:
    try:
        module_name, class_name = _MODULES[network]
    except KeyError as exc:
        raise LookupError(f"no connector for {network!r}") from exc
    module = importlib.import_module(module_name)
    connector: Connector = getattr(module, class_name)()
    return connector
