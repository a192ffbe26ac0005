"""Markdown rendered to HTML, then sanitized with an allow-list (nh3 / ammonia)."""

from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


IMAGE_ATTRIBUTES = {"src", "alt", "title"}


def _image_src_filter(element: str, attribute: str, value: str) -> str | None:
    # Images come from absolute http(s) URLs only: no data:, no relative paths.
    if element == "img" and attribute == "src":
        return value if value.lower().startswith(("https://", "http://")) else None
    return value


def render_markdown(text: str, *, images: bool = False) -> str:
    """Sanitized HTML. With `images`, `![alt](https://...)` becomes an <img> (http(s) only);
    otherwise images are dropped."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    tags = ALLOWED_TAGS | {"img"} if images else ALLOWED_TAGS
    attributes = {**ALLOWED_ATTRIBUTES, "img": IMAGE_ATTRIBUTES} if images else ALLOWED_ATTRIBUTES
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_image_src_filter if images else None,
    )
