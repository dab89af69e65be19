"""What every searchable feature hands to the search index: one plain-text document per page."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SearchDocument:
    key: str  # unique in the index: "<kind>:<id>" or "<kind>:<id>:<lang>"
    kind: str  # "manual", "library", "forum-post", "event"
    language: str  # the text's language ("en", "fr", "es"): chooses the analyser
    title: str
    body: str  # plain text, no markup
    url_path: str  # where the result links to, relative to the site
    updated_at: datetime
    # Who may see it: "public", "members", "secretariat" or "region:<region code>".
    audience: str = "public"
    instruments: tuple[str, ...] = ()  # instrument codes, for the filter
    topic: str = ""  # a filterable subject (library topic, forum category slug, event type, manual chapter)
    context: str = ""  # breadcrumb shown under the title ("Manual › Part › Chapter")
    indexable: bool = True  # False: remove it from the index
    extra: dict = field(default_factory=dict, compare=False)
