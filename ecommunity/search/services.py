"""Searching for a reader: who may see what, the filters, and a clear message instead of an error."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ecommunity.accounts.models import AccountStatus
from ecommunity.core.reference import INSTRUMENTS
from ecommunity.search import engine
from ecommunity.search.engine import FACETS, IndexUnavailable, Query, Results

PER_PAGE = 10
MAX_PAGE = 100
MAX_FILTER_VALUES = 10

KIND_LABELS = {
    "manual": _l("Manual"),
    "library": _l("Training library"),
    "forum-post": _l("Forum posts"),
    "event": _l("Events"),
}

UNAVAILABLE = _l("Search is being prepared. Please try again in a minute; every other page works as usual.")
NOTHING_TO_SEARCH = _l("Type one or more words to search for.")
ONLY_COMMON_WORDS = _l("Your search has only very common words. Add a more specific word.")
SHORTENED = _l("Your search was long: only its first %(n)s characters were used.", n=engine.MAX_QUERY_CHARS)
SIMPLIFIED = _l(
    "Your search could not be read as written (quotes, brackets or operators): its words were searched instead."
)
PARTIAL = _l("This search took too long: the results found so far are shown. A more specific search is faster.")


def audiences_for(user) -> tuple[str, ...] | None:
    """What a reader may see: visitors the public; members also members' and their region's; staff all."""
    if user is None or not getattr(user, "is_authenticated", False) or user.status != AccountStatus.ACTIVE:
        return ("public",)
    if user.is_secretariat:
        return None
    return ("public", "members", f"region:{user.region}")


def value_label(facet: str, value: str) -> str:
    """How a filter value reads on the page."""
    from ecommunity.core.i18n import LANGUAGE_NAMES
    from ecommunity.core.reference import instrument_name
    from ecommunity.events.models import EVENT_TYPES

    if facet == "kind":
        return KIND_LABELS.get(value, value)
    if facet == "language":
        return LANGUAGE_NAMES.get(value, value)
    if facet == "instrument":
        return instrument_name(value)
    return EVENT_TYPES.get(value) or value.replace("-", " ").capitalize()


def filters_from(args) -> dict[str, tuple[str, ...]]:
    """kind, language, instrument and topic from query arguments (each repeatable, bounded)."""
    found = {}
    for name in FACETS:
        values = sorted({v.strip()[:60] for v in args.getlist(name) if v.strip()})[:MAX_FILTER_VALUES]
        if values:
            found[name] = tuple(values)
    return found


@dataclass
class SearchPage:
    text: str
    results: Results | None = None
    messages: list = field(default_factory=list)
    unavailable: bool = False


_vocabulary_ready = False


def _vocabulary() -> None:
    """Instrument names in the three languages join the "did you mean" word list (once per process)."""
    global _vocabulary_ready
    if _vocabulary_ready:
        return
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            engine.add_vocabulary(str(name) for name in INSTRUMENTS.values())
    _vocabulary_ready = True


def search(text: str, user, language: str, filters: dict | None = None, page: int = 1,
           per_page: int = PER_PAGE) -> SearchPage:
    """Search what `user` may see; never raises for what a reader types."""
    text = text or ""
    out = SearchPage(text=text)
    if not engine.words_of(text):
        if text.strip():
            out.messages.append(NOTHING_TO_SEARCH)
        return out
    if len(" ".join(text.split())) > engine.MAX_QUERY_CHARS:
        out.messages.append(SHORTENED)
    _vocabulary()
    q = Query(text=text, language=language, audiences=audiences_for(user), filters=filters or {},
              page=min(max(page, 1), MAX_PAGE), per_page=per_page)
    searcher = engine.searcher_for(current_app.config["SEARCH_INDEX_DIR"],
                                   cache_bytes=current_app.config["SEARCH_CACHE_MB"] * 1024 * 1024)
    try:
        results = searcher.search(q)
    except IndexUnavailable:
        from ecommunity.search.indexer import request_rebuild

        searcher.close()
        request_rebuild(current_app._get_current_object())
        out.unavailable = True
        out.messages.append(UNAVAILABLE)
        return out
    if not results.terms and not results.hits:
        out.messages.append(ONLY_COMMON_WORDS)
    if results.simplified:
        out.messages.append(SIMPLIFIED)
    if results.partial:
        out.messages.append(PARTIAL)
    out.results = results
    return out
