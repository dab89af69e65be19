"""Links from a topic to a page of another feature: an event, or a section of the NFP manual.

A topic stores the kind and an identifier (`link_kind`, `link_ref`): the event's id, or the
section's path inside the manual. People paste the page's address; `parse_link` keeps what
identifies the page and drops the host, so a stored link can never lead off the site. The
event and manual pages list the topics that point to them with
`services.topics_linking_to(kind, ref, viewer)` and the `forums/_linked_topics.html` partial.
"""

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from ecommunity.forums.models import LinkKind

# kind: (path prefix on this site, pattern of the identifier after it, label)
LINK_TARGETS = {
    LinkKind.EVENT: ("/events/", re.compile(r"^(\d{1,12})(?:/.*)?$"), _l("Event")),
    LinkKind.MANUAL: ("/manual/", re.compile(r"^([a-z0-9][a-z0-9/_-]{0,190})/?$"), _l("Manual section")),
}


class LinkError(ValueError):
    """The address is not an event or manual page of this site."""


def parse_link(value: str) -> tuple[str, str] | None:
    """`(kind, ref)` for the address of an event or manual page; None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("", "http", "https"):
        raise LinkError(value)
    path = parts.path
    for kind, (prefix, pattern, _label) in LINK_TARGETS.items():
        if path.startswith(prefix):
            match = pattern.match(path[len(prefix):])
            if match:
                return str(kind), match.group(1).rstrip("/")
    raise LinkError(value)


def link_path(kind: str, ref: str) -> str:
    """The site path of a link target."""
    prefix = LINK_TARGETS[LinkKind(kind)][0]
    return f"{prefix}{ref}"


def link_label(kind: str) -> str:
    return str(LINK_TARGETS[LinkKind(kind)][2])
