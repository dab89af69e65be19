"""Markdown for posts and documents: CommonMark with tables, strikethrough and bare links, sanitised by nh3.

Two locks on the door: markdown-it escapes raw HTML and refuses javascript:/data: links, and
nh3 (Ammonia) keeps only an allow-list of tags and attributes whatever came out. Headings are
shifted below the page's own (a post's `#` becomes an h3), and `@First.Last` mentions of real
members become a highlighted span.

Documents (the NFP manual) go through `render_document`: the same locks, headings kept at their
level under the page's h1, and an id on every h2 and h3 (a slug of its text, unique in the page)
with the table of contents built from them.
"""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ecommunity.accounts.models import name_key

# "@" then a name whose words are joined by dots, hyphens or underscores: @Wanjiru.Kamau
MENTION = re.compile(r"(?<![\w@.])@(\w[\w.'’-]*\w|\w)", re.UNICODE)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = {"http", "https", "mailto"}


def mention_key(handle: str) -> str:
    """How a handle is compared with member names: separators are spaces, case and accents ignored."""
    return " ".join(name_key(re.sub(r"[._-]+", " ", handle)).split())


def _shift_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"


def _mentions(state) -> None:
    """Split text outside links and code into text and mention tokens."""
    found = state.env.setdefault("found_mentions", set())
    known = state.env.get("mentions") or {}
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type != "text" or in_link or "@" not in token.content:
                children.append(token)
                continue
            position = 0
            for match in MENTION.finditer(token.content):
                key = mention_key(match.group(1))
                found.add(key)
                if key not in known:
                    continue
                if match.start() > position:
                    children.append(_text(token.content[position:match.start()]))
                mention = Token("mention", "span", 0)
                mention.content = match.group(0)
                children.append(mention)
                position = match.end()
            if position == 0:
                children.append(token)
            elif position < len(token.content):
                children.append(_text(token.content[position:]))
        block.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _render_mention(self, tokens, idx, options, env) -> str:
    return f'<span class="mention">{html.escape(tokens[idx].content)}</span>'


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    # Remote images would break the content policy and tell other hosts who reads what.
    md.disable("image")
    md.core.ruler.push("shift_headings", _shift_headings)
    md.core.ruler.push("mentions", _mentions)
    md.add_render_rule("mention", _render_mention)
    return md


def find_mentions(source: str) -> set[str]:
    """The mention keys (see `mention_key`) written in a post, code and links excluded."""
    env: dict = {"mentions": {}}
    _parser().parse(source, env)
    return env["found_mentions"]


def render(source: str, mentions: dict | None = None) -> str:
    """Markdown to safe HTML; `mentions` maps the mention keys of real members to anything."""
    raw = _parser().render(source, {"mentions": mentions or {}})
    return sanitise(raw)


def sanitise(fragment: str) -> str:
    """Keep only the allow-listed tags and attributes; links get rel="nofollow ugc noopener"."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=LINK_REL,
        url_schemes=URL_SCHEMES,
        allowed_classes={"span": {"mention"}},
    )


def plain_text(fragment: str) -> str:
    """The text of a rendered post, for mail excerpts, feeds and the search index."""
    text = nh3.clean(fragment.replace("</p>", "</p>\n").replace("<br>", "\n"), tags=set())
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def excerpt(fragment: str, limit: int = 400) -> str:
    """The start of a post as plain text, cut at a word boundary."""
    text = " ".join(plain_text(fragment).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def quote(source: str, author_name: str) -> str:
    """A post as a Markdown quote, to start a reply with."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in source.strip().splitlines())
    return f"> **{author_name.replace('*', '')}:**\n>\n{quoted}\n\n"


# --- documents --------------------------------------------------------------------------------

DOCUMENT_TAGS = ALLOWED_TAGS | {"h2"}
DOCUMENT_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
NON_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Heading:
    """An entry of a document's table of contents."""

    level: int  # 2 or 3
    anchor: str
    text: str


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    toc: list[Heading]


def heading_slug(text: str) -> str:
    """An anchor for a heading: ASCII letters, digits and hyphens, accents dropped ("Espèces" -> "especes")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = NON_SLUG.sub("-", ascii_text).strip("-")[:60].rstrip("-")
    return slug or "section"


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or () if child.type in ("text", "code_inline"))


def _anchor_headings(state) -> None:
    """Headings under the page's h1 (a `#` becomes an h2); ids on h2 and h3, collected as the TOC."""
    used: set[str] = set(state.env.get("reserved_ids") or ())
    toc: list[Heading] = state.env.setdefault("toc", [])
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        shift = state.env.get("shift", 0)
        level = min(6, max(2, int(token.tag[1])) + shift)
        token.tag = f"h{level}"
        if token.type == "heading_close" or level > 3 + shift:
            continue
        text = " ".join(_inline_text(tokens[index + 1]).split())
        base = anchor = heading_slug(text)
        number = 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        token.attrSet("id", anchor)
        toc.append(Heading(level - shift, anchor, text))


@cache
def _document_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.disable("image")
    md.core.ruler.push("anchor_headings", _anchor_headings)
    return md


def render_document(source: str, reserved_ids: frozenset[str] | set[str] = frozenset(),
                    shift: int = 0) -> RenderedDocument:
    """A document's Markdown as safe HTML with anchored headings, and its table of contents.

    `reserved_ids` are ids the page around the document already uses: anchors avoid them.
    `shift` 1 puts the document one level lower (h3 and h4 anchored), under a page's own h2.
    """
    env: dict = {"reserved_ids": reserved_ids, "shift": shift}
    raw = _document_parser().render(source, env)
    clean = nh3.clean(
        raw,
        tags=DOCUMENT_TAGS,
        clean_content_tags={"script", "style"},
        attributes=DOCUMENT_ATTRIBUTES,
        link_rel=None,
        url_schemes=URL_SCHEMES,
    )
    return RenderedDocument(clean, env["toc"])
