"""Network connectors, one module per network (DESIGN.md `networks/`): `base.py` is the
contract; `get(network)` gives the connector of a network.

Connectors know HTTP and the network's API, never our models, views or templates: they take
and return plain data and raise typed errors (portevoix.networks.base). The publishing app
(`portevoix/publishing`) stores connections and posts and drives them.
"""

from __future__ import annotations

import importlib

from portevoix.networks.base import Connector

_MODULES = {
    "linkedin": ("portevoix.networks.linkedin", "LinkedInConnector"),
    "x": ("portevoix.networks.x", "XConnector"),
    "mastodon": ("portevoix.networks.mastodon", "MastodonConnector"),
    "bluesky": ("portevoix.networks.bluesky", "BlueskyConnector"),
    "threads": ("portevoix.networks.threads", "ThreadsConnector"),
    "facebook": ("portevoix.networks.facebook", "FacebookConnector"),
}


def get(network: str) -> Connector:
    try:
        module_name, class_name = _MODULES[network]
    except KeyError as exc:
        raise LookupError(f"no connector for {network!r}") from exc
    module = importlib.import_module(module_name)
    connector: Connector = getattr(module, class_name)()
    return connector
