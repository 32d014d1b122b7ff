"""Rich text a trainer types (question text, choices, feedback) reduced to a safe subset of HTML.

nh3 (the Ammonia sanitiser) removes scripts, event handlers, styles and any URL scheme other
than http, https and mailto, so ``javascript:`` links never reach a page. Plain text with line
breaks is kept readable: a text without tags has its newlines turned into ``<br>``.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "img",
    "span",
    "sub",
    "sup",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "span": {"lang"},
    "p": {"lang"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
TAG_RE = re.compile(r"<[a-zA-Z/!]")


def sanitise_html(text: str) -> str:
    """Safe HTML from what a trainer typed (HTML or plain text)."""
    text = (text or "").strip()
    if not text:
        return ""
    if not TAG_RE.search(text):
        # Plain text: escape it and keep the line breaks a trainer typed.
        return "<br>".join(html.escape(line, quote=False) for line in text.splitlines())
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(markup: str) -> str:
    """The words of a sanitised fragment (for titles, exports and read-aloud)."""
    return " ".join(html.unescape(nh3.clean(markup or "", tags=set())).split())
