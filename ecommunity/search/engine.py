"""The one module that talks to Whoosh: schema, analysers, writer and searcher.

A change of search engine touches only this file. The rest of the site hands it
`SearchDocument`s and plain query strings, and gets back plain dataclasses.

Layout of the index folder (SEARCH_INDEX_DIR): one or more generations `ix-<id>/`, each a
complete Whoosh index, and a file `CURRENT` naming the one in use. A rebuild writes a new
generation, checks it, then replaces `CURRENT` atomically, so readers never see a half-built
index. Inside each generation, a state document (key `__state__`) records which change-log
entries it holds; it is committed with the changes, so the two never disagree.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, index, qparser, query, sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.idsets import BitSet
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map
from whoosh.support.levenshtein import distance

from ecommunity.search.documents import SearchDocument

log = logging.getLogger(__name__)

LANGUAGES = ("en", "fr", "es")
POINTER = "CURRENT"
STATE_KEY = "__state__"
HIDDEN_AUDIENCE = "__none__"  # the state document: in no one's audience

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
MAX_GROUP_DEPTH = 3
TIME_LIMIT = 0.5  # seconds of matching before the results found so far are shown
FACET_TIME_LIMIT = 0.15  # counting for the filters: past this, the counts are of the documents seen so far
TITLE_BOOST = 3.0
READER_LANGUAGE_BOOST = 1.5


class IndexUnavailable(Exception):
    """There is no usable index (never built, or damaged): the caller shows a message and rebuilds."""


class IndexBusy(Exception):
    """Another process holds the index's write lock: it is indexing, so this one need not."""


# --- analysis --------------------------------------------------------------------------------

_EXTRA_STOP_WORDS = {
    "en": {"how", "do", "does", "did", "what", "who", "whom", "which", "where", "why", "i", "my", "me",
           "should", "there", "their", "its", "about", "into", "than", "then", "so", "our", "has", "had",
           "was", "were", "been", "being", "would", "could", "any", "all", "some", "such", "these", "those"},
    "fr": {"les", "des", "aux", "du", "un", "une", "est", "sont", "quoi", "comment", "quel", "quelle",
           "quels", "quelles", "qui", "que", "qu", "dois", "doit", "faire", "je", "j", "l", "d", "c", "s", "n"},
    "es": {"como", "cómo", "qué", "que", "cual", "cuál", "debo", "debe", "hacer", "los", "las", "del", "una"},
}


def _fold(word: str) -> str:
    return word.translate(_ACCENTS)


_ACCENTS = str.maketrans({k: v for k, v in accent_map.items() if isinstance(v, str) and len(v) == 1})


def _stop_words(language: str) -> frozenset[str]:
    words = set(stoplists[language if language != "en" else "en"]) | _EXTRA_STOP_WORDS[language]
    return frozenset(words | {_fold(w) for w in words})


def language_analyser(language: str):
    """Tokens, lower case, stop words, accents folded, then the language's stemmer.

    Folding comes before stemming, so "espèces" and "especes" meet at the same stem.
    """
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=_stop_words(language), minsize=2)
        | CharsetFilter(accent_map)
        | StemFilter(lang=language, cachesize=50_000)
    )


def _word_analyser():
    """Whole words of titles and headings, kept as written: the "did you mean" vocabulary."""
    return RegexTokenizer(r"[^\W\d_]{4,}") | LowercaseFilter()


def _schema() -> fields.Schema:
    schema = fields.Schema(
        key=fields.ID(stored=True, unique=True),
        # "<kind>:<id>": all the documents of one object (its language versions), replaced together.
        ref=fields.ID(stored=True, sortable=True),
        kind=fields.ID(stored=True, sortable=True),
        language=fields.ID(stored=True, sortable=True),
        audience=fields.ID(sortable=True),
        instrument=fields.KEYWORD(stored=True, scorable=False),
        # The same codes as one sorted value: counted per combination, then split (see _facet_counts).
        instrument_set=fields.ID(sortable=True),
        topic=fields.ID(stored=True, sortable=True),
        title=fields.STORED(),
        url=fields.STORED(),
        context=fields.STORED(),
        updated=fields.STORED(),
        meta=fields.STORED(),
        words=fields.TEXT(analyzer=_word_analyser(), phrase=False),
    )
    for language in LANGUAGES:
        analyser = language_analyser(language)
        schema.add(f"title_{language}", fields.TEXT(analyzer=analyser, stored=True))
        schema.add(f"body_{language}", fields.TEXT(analyzer=analyser, stored=True))
    return schema


SCHEMA = _schema()
_ANALYSERS = {language: language_analyser(language) for language in LANGUAGES}
FACETS = ("kind", "language", "instrument", "topic")


def _fields_of(doc: SearchDocument) -> dict:
    language = doc.language if doc.language in LANGUAGES else "en"
    headings = " ".join(h[-1] if isinstance(h, (list, tuple)) else str(h) for h in doc.extra.get("headings", ()))
    return {
        "key": doc.key,
        "ref": ref_of(doc.key),
        "kind": doc.kind,
        "language": language,
        "audience": doc.audience,
        "instrument": " ".join(doc.instruments),
        "instrument_set": " ".join(sorted(set(doc.instruments))),
        "topic": doc.topic,
        "title": doc.title,
        "url": doc.url_path,
        "context": doc.context,
        "updated": doc.updated_at.isoformat() if doc.updated_at else "",
        "words": f"{doc.title} {headings}",
        f"title_{language}": doc.title,
        f"body_{language}": doc.body,
    }


def ref_of(key: str) -> str:
    """The object a document key belongs to: "manual:12:fr" -> "manual:12"."""
    kind, _, rest = key.partition(":")
    return f"{kind}:{rest.partition(':')[0]}"


# --- the folder: generations and the pointer -----------------------------------------------


class Store:
    """The index folder of this host: its current generation, rebuilding and swapping."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except OSError:
            return None
        return name if re.fullmatch(r"ix-[0-9a-z-]+", name) else None

    def pointer_stamp(self) -> tuple | None:
        """Changes when a rebuild swaps in a new generation (one stat call)."""
        try:
            st = (self.root / POINTER).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def open(self):
        """The current index, or IndexUnavailable."""
        name = self.current_name()
        path = self.root / name if name else None
        if path is None or not path.is_dir():
            raise IndexUnavailable("absent")
        try:
            return index.open_dir(str(path))
        except Exception as error:  # noqa: BLE001 - any damage means a rebuild
            raise IndexUnavailable("unreadable") from error

    def state(self) -> dict:
        """What the current generation holds: {"applied": id, "gaps": {...}, ...}."""
        with self.open().searcher() as searcher:
            return _read_state(searcher)

    def rebuild(self, documents: Iterable[SearchDocument], state: dict) -> dict:
        """Write every document into a new generation, check it, then make it current."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.root)).lock("REBUILD")
        if not lock.acquire(blocking=False):
            raise IndexBusy("a rebuild is already running")
        try:
            started = time.monotonic()
            name = f"ix-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
            path = self.root / name
            path.mkdir()
            ix = index.create_in(str(path), SCHEMA)
            writer = ix.writer(limitmb=128, compound=False)
            count = 0
            try:
                for doc in documents:
                    if doc.indexable:
                        writer.add_document(**_fields_of(doc))
                        count += 1
                writer.add_document(key=STATE_KEY, audience=HIDDEN_AUDIENCE, meta=json.dumps(state))
                writer.commit(optimize=True)
            except BaseException:
                writer.cancel()
                shutil.rmtree(path, ignore_errors=True)
                raise
            self._check(path, count)
            previous = self.current_name()
            tmp = self.root / f"{POINTER}.{uuid.uuid4().hex}"
            tmp.write_text(name)
            os.replace(tmp, self.root / POINTER)
            self._remove_old(keep={name, previous})
            return {"documents": count, "seconds": time.monotonic() - started, "generation": name,
                    "bytes": folder_size(path)}
        finally:
            lock.release()

    @staticmethod
    def _check(path: Path, count: int) -> None:
        with index.open_dir(str(path)).searcher() as searcher:
            if searcher.doc_count() != count + 1:
                raise RuntimeError(f"new index holds {searcher.doc_count() - 1} documents, expected {count}")
            _read_state(searcher)

    def _remove_old(self, keep: set) -> None:
        for child in self.root.glob("ix-*"):
            if child.name not in keep and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

    def writing(self, timeout: float = 0.0) -> IndexWriting:
        """Hold the index's write lock (IndexBusy when another process has it) and read the state."""
        return IndexWriting(self, timeout)


class IndexWriting:
    """`with store.writing() as w:` the state under the lock, then `w.apply(...)` once or more."""

    def __init__(self, store: Store, timeout: float):
        self.store = store
        self.timeout = timeout
        self.lock = None
        self.ix = None
        self.state: dict = {}

    def __enter__(self) -> IndexWriting:
        self.ix = self.store.open()
        lock = self.ix.lock("WRITELOCK")
        if not (lock.acquire(blocking=False) or (self.timeout > 0 and _try_for(lock.acquire, self.timeout))):
            raise IndexBusy("locked")
        self.lock = lock
        try:
            with self.ix.searcher() as searcher:
                self.state = _read_state(searcher)
        except BaseException:
            self.__exit__()
            raise
        return self

    def apply(self, replacements: dict[str, list[SearchDocument]], state: dict, merge: bool = False) -> None:
        """Replace every document of the given refs and write the new state, in one commit."""
        writer = self.ix.writer(_lk=False, compound=False)
        try:
            for ref, docs in replacements.items():
                writer.delete_by_term("ref", ref)
                for doc in docs:
                    if doc.indexable:
                        writer.add_document(**_fields_of(doc))
            writer.update_document(key=STATE_KEY, audience=HIDDEN_AUDIENCE, meta=json.dumps(state))
            writer.commit(merge=merge)
        except BaseException:
            writer.cancel()
            raise
        self.state = state

    def __exit__(self, *exc) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _try_for(acquire, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if acquire(blocking=False):
            return True
        time.sleep(0.05)
    return False


def _read_state(searcher) -> dict:
    stored = searcher.document(key=STATE_KEY)
    if stored is None:
        raise IndexUnavailable("no state")
    return json.loads(stored["meta"])


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def index_state(directory: str) -> str:
    """'ok' when an index opens, 'absent' when none was built yet, 'unreadable' otherwise."""
    try:
        # This thread's searcher, and no lookup in the postings: the health check is polled often.
        searcher_for(directory).count()
        return "ok"
    except IndexUnavailable as error:
        return "absent" if str(error) == "absent" else "unreadable"
    except Exception:  # noqa: BLE001 - any damage means the index must be rebuilt
        return "unreadable"


# --- searching -------------------------------------------------------------------------------


@dataclass
class Hit:
    key: str
    kind: str
    language: str
    title: str
    url: str
    context: str
    topic: str
    instruments: list[str]
    snippet: str  # HTML: escaped text with <mark> around matches
    score: float


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    partial: bool = False  # stopped by the time limit
    counts_partial: bool = False  # the counts (and the total) are of the matches seen within FACET_TIME_LIMIT
    simplified: bool = False  # the query could not be parsed: searched its words instead
    suggestion: str | None = None
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class Query:
    text: str
    language: str = "en"  # the reader's: its fields weigh more
    audiences: tuple[str, ...] | None = ("public",)  # None: everything (the secretariat)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> values (OR within)
    page: int = 1
    per_page: int = 10
    facets: bool = True
    suggest_below: int = 3  # propose a spelling when fewer hits than this


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def words_of(text: str) -> list[str]:
    """The words of a text, as a tokenizer sees them (no operators, no punctuation)."""
    return _WORD.findall(text)


def clean_query(text: str) -> str:
    """Bound the query: length, number of terms, nesting; drop the syntax we never support."""
    text = " ".join(text.split())[:MAX_QUERY_CHARS]
    # Wildcards, fuzziness, boosts, fields and ranges are not for the public search box.
    text = re.sub(r"[*?~^:\[\]{}\\/<>=+]", " ", text)
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    depth = deepest = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        deepest = max(deepest, depth)
    if deepest > MAX_GROUP_DEPTH or depth != 0:
        text = text.replace("(", " ").replace(")", " ")
    tokens = text.split()
    return " ".join(tokens[:MAX_QUERY_TERMS * 2])


def _text_fields(languages: tuple[str, ...] = LANGUAGES) -> list[str]:
    return [f"{part}_{language}" for language in languages for part in ("title", "body")]


def _boosts(language: str) -> dict[str, float]:
    boosts = {}
    for name in _text_fields():
        part, _, field_language = name.partition("_")
        boost = TITLE_BOOST if part == "title" else 1.0
        if field_language == language:
            boost *= READER_LANGUAGE_BOOST
        boosts[name] = boost
    return boosts


def _parser(language: str, languages: tuple[str, ...]) -> qparser.QueryParser:
    return qparser.QueryParser(
        None, SCHEMA,
        plugins=[
            qparser.PhrasePlugin(),
            qparser.GroupPlugin(),
            qparser.OperatorsPlugin(),
            qparser.MultifieldPlugin(_text_fields(languages), fieldboosts=_boosts(language)),
        ],
        group=qparser.OrGroup.factory(0.9),
    )


def parse(text: str, language: str, languages: tuple[str, ...] = LANGUAGES) -> tuple[query.Query | None, bool]:
    """(query, simplified): the restricted parse over the fields of `languages`, or an OR of the words."""
    cleaned = clean_query(text)
    if not words_of(cleaned):
        return None, False
    try:
        parsed = _parser(language, languages).parse(cleaned)
        terms = list(parsed.iter_all_terms()) if parsed is not None else []
        if parsed is not None and parsed is not query.NullQuery and terms and len(terms) <= 6 * MAX_QUERY_TERMS * 2:
            return parsed, False
        if parsed is not None and not terms and not _only_stop_words(cleaned):
            raise ValueError("nothing to search")
    except Exception:  # noqa: BLE001 - any parser failure: search the plain words instead
        log.info("query %r could not be parsed; searching its words", cleaned[:80])
    return words_query(cleaned, language, languages), True


def _only_stop_words(text: str) -> bool:
    return all(w.lower() in _stop_words("en") | _stop_words("fr") | _stop_words("es") for w in words_of(text))


def words_query(text: str, language: str, languages: tuple[str, ...] = LANGUAGES) -> query.Query | None:
    """An OR of the text's words over the fields of `languages`, each analysed by its field."""
    boosts = _boosts(language)
    clauses = []
    for word in words_of(text)[:MAX_QUERY_TERMS]:
        for name in _text_fields(languages):
            for token in SCHEMA[name].analyzer(word):
                clauses.append(query.Term(name, token.text, boost=boosts[name]))
    return query.Or(clauses, scale=0.9) if clauses else None


def _audience_filter(audiences: tuple[str, ...] | None):
    if audiences is None:
        return query.Not(query.Term("audience", HIDDEN_AUDIENCE))
    return query.Or([query.Term("audience", a) for a in audiences])


def _restrictions(q: Query):
    clauses = [_audience_filter(q.audiences)]
    for name, values in q.filters.items():
        if name in FACETS and values:
            clauses.append(query.Or([query.Term(name, v) for v in values]))
    return query.And(clauses)


_FACET_FIELDS = {"instrument": "instrument_set"}


def _text(term) -> str:
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)


def _terms_by_field(parsed) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for fieldname, term in parsed.iter_all_terms(phrases=True):
        found.setdefault(fieldname, set()).add(_text(term))
    return found


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
SNIPPET_WORDS = 32
SNIPPET_SCAN_CHARS = 20_000


@functools.lru_cache(maxsize=200_000)
def _term_of(word: str, language: str) -> str | None:
    tokens = list(_ANALYSERS[language](word))
    return tokens[0].text if tokens else None


def snippet(text: str, terms: set[str], language: str) -> str:
    """About SNIPPET_WORDS words around the densest run of matches, escaped, matches in <mark>.

    Each word is analysed alone (and remembered), so a match here is exactly a match in the index.
    """
    if not text:
        return ""
    words = list(_TOKEN.finditer(text[:SNIPPET_SCAN_CHARS]))
    language = language if language in _ANALYSERS else "en"
    matched = [i for i, m in enumerate(words) if terms and _term_of(m.group().lower(), language) in terms]
    if not matched:
        end = words[min(len(words), SNIPPET_WORDS) - 1].end() if words else 0
        return _escape(text[:end]) + (" …" if end < len(text) else "")
    best, best_score = matched[0], (0, 0)
    for start in matched:
        inside = [i for i in matched if start <= i < start + SNIPPET_WORDS - 8]
        score = (len({_term_of(words[i].group().lower(), language) for i in inside}), len(inside))
        if score > best_score:
            best, best_score = start, score
    first = max(0, best - 8)
    last = min(len(words), first + SNIPPET_WORDS) - 1
    marked = set(matched)
    pieces, cursor = [], words[first].start()
    for i in range(first, last + 1):
        m = words[i]
        if i in marked:
            pieces.append(_escape(text[cursor:m.start()]))
            pieces.append(f"<mark>{_escape(m.group())}</mark>")
            cursor = m.end()
    pieces.append(_escape(text[cursor:words[last].end()]))
    return ("… " if first > 0 else "") + "".join(pieces) + (" …" if words[last].end() < len(text) else "")


def _facet_counts(results, name: str) -> dict[str, int]:
    try:
        grouped = results.groups(name)
    except (KeyError, ValueError):
        return {}
    counts: dict[str, int] = {}
    for key, count in grouped.items():
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        for value in (str(key).split() if name == "instrument" else [key]):
            if value:
                counts[str(value)] = counts.get(str(value), 0) + count
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class _Bounded(TimeLimitCollector):
    """A time limit and a set of allowed documents in one wrapper.

    (Whoosh's own filter lives in FilterCollector.collect_matches, which TimeLimitCollector skips.)
    """

    def __init__(self, child, timelimit: float, allowed: BitSet | None):
        super().__init__(child, timelimit=timelimit, use_alarm=False)
        self.allowed = allowed

    def collect_matches(self):
        child, allowed = self.child, self.allowed
        for sub_docnum in child.matches():
            if self.timedout:
                raise TimeLimit
            if allowed is None or child.offset + sub_docnum in allowed:
                child.collect(sub_docnum)


class Searcher:
    """One per worker thread: reuses its Whoosh searcher and refreshes it for each search."""

    def __init__(self, root: str | os.PathLike):
        self.store = Store(root)
        self._searcher = None
        self._ix = None
        self._stamp = None
        self._filters: dict = {}
        self._filters_of = None

    def _current(self):
        stamp = self.store.pointer_stamp()
        if self._searcher is not None and stamp == self._stamp:
            try:
                if self._searcher.up_to_date():
                    return self._searcher
                # Not Whoosh's refresh(): its reused segment readers keep their old deletions.
                fresh = self._ix.searcher()
                self.close()
                self._searcher = fresh
                return fresh
            except Exception:  # noqa: BLE001 - a damaged or removed generation: open again
                self.close()
        self.close()
        ix = self._ix = self.store.open()
        try:
            self._searcher = ix.searcher()
        except Exception as error:  # noqa: BLE001
            raise IndexUnavailable("unreadable") from error
        self._stamp = stamp
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # closing what may already be gone
                self._searcher.close()
            self._searcher = None

    def state(self) -> dict:
        return _read_state(self._current())

    def count(self) -> int:
        return self._current().doc_count() - 1

    def search(self, q: Query) -> Results:
        """Run a user's query: never raises for bad input; IndexUnavailable when the index is broken.

        The fields of the reader's language are searched first (a third of the work); when they give
        fewer than a page of hits, every language is searched ("especes" typed in the English interface).
        """
        searcher = self._current()
        chosen = tuple(lang for lang in q.filters.get("language", ()) if lang in LANGUAGES)
        if chosen:
            return self._search(searcher, q, chosen)
        if q.language in LANGUAGES:
            first = self._search(searcher, q, (q.language,), suggest=False)
            if first.total >= q.per_page or first.partial:
                return first
        return self._search(searcher, q, LANGUAGES)

    def _search(self, searcher, q: Query, languages: tuple[str, ...], suggest: bool = True) -> Results:
        page = max(1, q.page)
        parsed, simplified = parse(q.text, q.language, languages)
        if parsed is None:
            return Results([], 0, page, q.per_page, terms=[])
        try:
            out = self._run(searcher, parsed, q, page)
        except IndexUnavailable:
            raise
        except Exception:  # noqa: BLE001 - an odd query the matchers choke on: its plain words
            log.info("query %r failed; retrying with its words", q.text[:80], exc_info=True)
            fallback = words_query(clean_query(q.text), q.language, languages)
            if fallback is None:
                return Results([], 0, page, q.per_page)
            try:
                out = self._run(searcher, fallback, q, page)
            except Exception as error:  # noqa: BLE001 - the words alone fail: the index is damaged
                raise IndexUnavailable("unreadable") from error
            parsed, simplified = fallback, True
        out.simplified = simplified
        out.terms = sorted({_text(t) for _, t in parsed.iter_all_terms()})
        if suggest and out.total < q.suggest_below:
            out.suggestion = self._suggest(searcher, q.text)
        return out

    def _run(self, searcher, parsed, q: Query, page: int) -> Results:
        """Two passes: the top hits, scored with Whoosh's block-max skipping; then, unscored, the counts."""
        allowed = self._allowed(searcher, q)
        if allowed is not None and not len(allowed):  # nothing this reader may see
            return Results([], 0, page, q.per_page, {name: {} for name in FACETS} if q.facets else {})
        collector = searcher.collector(limit=page * q.per_page)
        partial = self._collect(searcher, parsed, collector, allowed)
        results = collector.results()
        facets: dict[str, dict[str, int]] = {}
        counts_partial = False
        if q.facets:
            groupedby = {name: sorting.FieldFacet(_FACET_FIELDS.get(name, name), maptype=sorting.Count)
                         for name in FACETS}
            counting = searcher.collector(limit=None, scored=False, groupedby=groupedby)
            counts_partial = self._collect(searcher, parsed, counting, allowed, FACET_TIME_LIMIT)
            counted = counting.results()
            total = len(counted)
            facets = {name: _facet_counts(counted, name) for name in FACETS}
        else:
            total = results.scored_length()  # a lower bound: the exact count would match everything again
        terms = _terms_by_field(parsed)
        hits = [self._hit(item, terms) for item in results[(page - 1) * q.per_page: page * q.per_page]]
        return Results(hits, max(total, results.scored_length()), page, q.per_page, facets, partial,
                       counts_partial=counts_partial)

    @staticmethod
    def _collect(searcher, parsed, collector, allowed: BitSet | None, limit: float = TIME_LIMIT) -> bool:
        """Collect the allowed matches for at most `limit` seconds; True when stopped by the time limit."""
        timed = _Bounded(collector, limit, allowed)
        try:
            searcher.search_with_collector(parsed, timed)
        except TimeLimit:
            return True
        return False

    def _allowed(self, searcher, q: Query) -> BitSet | None:
        """The documents the reader may see under the chosen filters, kept until the index changes."""
        filters = tuple(sorted((k, tuple(v)) for k, v in q.filters.items() if k in FACETS and v))
        if q.audiences is None and not filters:
            return None  # the secretariat sees everything (the state document matches no words)
        if self._filters_of is not searcher:
            self._filters, self._filters_of = {}, searcher
        key = (q.audiences, filters)
        found = self._filters.get(key)
        if found is None:
            if len(self._filters) >= 16:
                self._filters.clear()
            # A bit set: 12 KB per 100,000 documents, however many it allows.
            found = self._filters[key] = BitSet(searcher.docs_for_query(_restrictions(q)),
                                                size=searcher.doc_count_all())
        return found

    @staticmethod
    def _hit(item, terms: dict[str, set[str]]) -> Hit:
        stored = item.fields()
        language = stored.get("language", "en")
        body = stored.get(f"body_{language}", "")
        return Hit(
            key=stored["key"], kind=stored.get("kind", ""), language=language, title=stored.get("title", ""),
            url=stored.get("url", ""), context=stored.get("context", ""), topic=stored.get("topic", ""),
            instruments=(stored.get("instrument") or "").split(),
            snippet=snippet(body, terms.get(f"body_{language}", set()), language), score=item.score or 0.0,
        )

    def _suggest(self, searcher, text: str) -> str | None:
        """A corrected query from the vocabulary of titles and headings, or None."""
        reader = searcher.reader()
        changed = False
        out = []
        for word in clean_query(text).split():
            lowered = word.lower()
            if len(lowered) < 4 or not lowered.isalpha() or self._known(reader, lowered):
                out.append(word)
                continue
            found = _closest(reader, lowered)
            if found and found != lowered:
                out.append(found)
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    @staticmethod
    def _known(reader, word: str) -> bool:
        if (("words", word) in reader) or word in _EXTRA_VOCABULARY:
            return True
        for language in LANGUAGES:
            for token in SCHEMA[f"body_{language}"].analyzer(word):
                if reader.doc_frequency(f"body_{language}", token.text):
                    return True
        return False


_EXTRA_VOCABULARY: set[str] = set()


def _closest(reader, word: str) -> str | None:
    """The vocabulary word nearest to `word` (1 edit, then 2), the most frequent among equals."""
    for maxdist in (1, 2):
        found: dict[str, tuple] = {}
        for candidate in reader.terms_within("words", word, maxdist, prefix=1):
            found[candidate] = (distance(candidate, word), -reader.doc_frequency("words", candidate))
        for candidate in _EXTRA_VOCABULARY:
            if candidate[:1] == word[:1] and abs(len(candidate) - len(word)) <= maxdist:
                d = distance(candidate, word, limit=maxdist + 1)
                if d <= maxdist:
                    found.setdefault(candidate, (d, 0))
        if found:
            return min(found, key=lambda w: (*found[w], w))
    return None


def add_vocabulary(words: Iterable[str]) -> None:
    """Words the corrector may propose besides titles and headings (instrument names...)."""
    for text in words:
        _EXTRA_VOCABULARY.update(w.lower() for w in _word_analyser_words(text))


def _word_analyser_words(text: str) -> list[str]:
    return [token.text for token in _word_analyser()(text)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_local = threading.local()


def searcher_for(root: str) -> Searcher:
    """This thread's searcher on the index at `root` (kept between requests)."""
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    found = cache.get(str(root))
    if found is None:
        found = cache[str(root)] = Searcher(root)
    return found


def close_searchers() -> None:
    """Close this thread's searchers (tests, and processes about to end)."""
    for found in getattr(_local, "searchers", {}).values():
        found.close()
    _local.searchers = {}


def analyse(text: str, language: str) -> list[str]:
    """The terms a text becomes in a language's fields (for tests and the quality table)."""
    return [token.text for token in language_analyser(language)(text)]
