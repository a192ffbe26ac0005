"""Web pages of the content library, the approval workflow and the ambassador feed.

Views parse, authorize, call a service or a selector, and render. Every item is reached
through `selectors.item_for_editor`, so another organization's item is a 404.
"""

from .common import WORKFLOW_ACTIONS, CopyGroup, copy_groups
from .feed import feed
from .library import image_add, image_remove, item_edit, item_new, library
from .library_tools import (
    item_duplicate,
    item_from_template,
    library_bulk,
    library_import,
    library_import_sample,
)
from .previews import item_preview_refresh
from .taxonomy import campaigns, topics
from .workflow import item_action, item_detail

__all__ = [
    "WORKFLOW_ACTIONS",
    "CopyGroup",
    "campaigns",
    "copy_groups",
    "feed",
    "image_add",
    "image_remove",
    "item_action",
    "item_detail",
    "item_duplicate",
    "item_edit",
    "item_from_template",
    "item_new",
    "item_preview_refresh",
    "library",
    "library_bulk",
    "library_import",
    "library_import_sample",
    "topics",
]
