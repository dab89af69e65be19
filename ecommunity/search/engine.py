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

import bisect
import collections
import contextlib
import io
import itertools
import json
import logging
import os
import pickle
import re
import shutil
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import fields, formats, index, qparser, query, scoring
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.codec.whoosh3 import W3Codec
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.stopwords import stoplists
from whoosh.reading import TermNotFound
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


_TOKENS = RegexTokenizer().expression  # the language analyser's tokenizer: the same words, in one pass
_TERMS_CACHE_SIZE = 200_000
_terms_of_word: dict[str, dict[str, str | None]] = {language: {} for language in LANGUAGES}


def index_terms(text: str, language: str) -> list[str]:
    """The terms `language_analyser(language)` makes of `text`, in order, much faster.

    A word's term depends on that word alone, so each distinct word is analysed once and remembered
    (None: a stop word). Indexing hands these lists to Whoosh, which then analyses nothing again.
    """
    known = _terms_of_word[language]
    if len(known) > _TERMS_CACHE_SIZE:
        known.clear()
    analyser = _ANALYSERS[language]
    out = []
    for match in _TOKENS.finditer(text):
        word = match.group()
        term = known.get(word, _UNSEEN)
        if term is _UNSEEN:
            found = [token.text for token in analyser(word)]
            term = known[word] = found[0] if found else None
        if term is not None:
            out.append(term)
    return out


_UNSEEN = object()


def pairs_of(terms: list[str]) -> list[str]:
    """Each term with the next, "rang state": a two-word phrase becomes one term lookup."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def _word_analyser():
    """Whole words of titles and headings, kept as written: the "did you mean" vocabulary."""
    return RegexTokenizer(r"[^\W\d_]{4,}") | LowercaseFilter()


# BM25's parameters, and the pivot lengths: short titles weigh much more than long ones. (Whoosh's
# BM25F averaged each language's field over every document, about 1 title term and 100 body terms
# here; these keep the rankings the quality table was tuned on.)
K1 = 1.2
B = 0.75
AVERAGE_LENGTH = {"title": 1, "body": 100}


class Impact(formats.Frequency):
    """Postings whose weight is BM25's term-frequency part, normalised by the field's length when indexed.

    A document's score for a term is then its posting weight times the term's idf (see ImpactWeighting),
    so the highest weight of a block of postings is exactly the best score in it: the top-ten search
    skips every block that cannot enter the top ten without reading it. (With lengths applied at
    search time, Whoosh can only bound a block by its highest frequency and shortest length taken
    separately, which for common words skipped nothing.)
    """

    def __init__(self, average_length: float, field_boost: float = 1.0):
        super().__init__(field_boost)
        self.average_length = float(average_length)

    def word_values(self, value, analyzer, **kwargs):
        freqs: dict[str, int] = {}
        for token in formats.tokens(value, analyzer, kwargs):
            freqs[token.text] = freqs.get(token.text, 0) + 1
        norm = K1 * ((1 - B) + B * sum(freqs.values()) / self.average_length)
        fb = self.field_boost
        return [(text, tf, fb * tf * (K1 + 1) / (tf + norm), formats.pack_uint(tf)) for text, tf in freqs.items()]


class _ImpactScorer(scoring.BaseScorer):
    def __init__(self, idf: float, max_weight: float):
        self.idf, self.max_weight = idf, max_weight

    def supports_block_quality(self):
        return True

    def score(self, matcher):
        return matcher.weight() * self.idf

    def max_quality(self):
        return self.max_weight * self.idf

    def block_quality(self, matcher):
        return matcher.block_max_weight() * self.idf


class ImpactWeighting(scoring.WeightingModel):
    """BM25 over Impact postings: idf (Whoosh's, as BM25F used) times the stored weight."""

    def supports_block_quality(self):
        return True

    def scorer(self, searcher, fieldname, text, qf=1):
        parent = searcher.get_parent()
        return _ImpactScorer(parent.idf(fieldname, text), searcher.term_info(fieldname, text).max_weight())


WEIGHTING = ImpactWeighting()


def _impact_text(analyser, part: str) -> fields.TEXT:
    field = fields.TEXT(analyzer=analyser, phrase=False)
    field.format = Impact(AVERAGE_LENGTH[part])
    # Scorable, though the lengths are in the weights: without a length column, Whoosh looks for it on
    # disk once for every posting it writes.
    return field


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
        body=fields.STORED(),
        url=fields.STORED(),
        context=fields.STORED(),
        updated=fields.STORED(),
        meta=fields.STORED(),
        words=fields.TEXT(analyzer=_word_analyser(), phrase=False),
    )
    for language in LANGUAGES:
        analyser = language_analyser(language)
        for part in ("title", "body"):
            # Indexed from index_terms() lists; the analyser is the one that reads queries.
            schema.add(f"{part}_{language}", _impact_text(analyser, part))
            # Adjacent terms as one: phrases are searched without positions (see _pairs).
            schema.add(f"{part}_pairs_{language}", _impact_text(analyser, part))
    return schema


SCHEMA = _schema()
_ANALYSERS = {language: language_analyser(language) for language in LANGUAGES}
FACETS = ("kind", "language", "instrument", "topic")
# Smaller posting blocks than Whoosh's 128: each block's best possible score is closer to its
# documents' real ones, so the top-ten search skips more blocks of common words unread.
CODEC_BLOCK = 32


def _codec() -> W3Codec:
    return W3Codec(blocklimit=CODEC_BLOCK)


def _layout(schema) -> set[tuple]:
    """What an index must share with this module to be searched by it: fields, formats, index-time weights."""
    return {(name, type(schema[name].format).__name__, getattr(schema[name].format, "average_length", None))
            for name in schema.names()}


_LAYOUT = _layout(SCHEMA)


def _fields_of(doc: SearchDocument) -> dict:
    language = doc.language if doc.language in LANGUAGES else "en"
    headings = " ".join(h[-1] if isinstance(h, (list, tuple)) else str(h) for h in doc.extra.get("headings", ()))
    title_terms, body_terms = index_terms(doc.title, language), index_terms(doc.body, language)
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
        "body": doc.body,
        "url": doc.url_path,
        "context": doc.context,
        "updated": doc.updated_at.isoformat() if doc.updated_at else "",
        "words": f"{doc.title} {headings}",
        f"title_{language}": title_terms,
        f"title_pairs_{language}": pairs_of(title_terms),
        f"body_{language}": body_terms,
        f"body_pairs_{language}": pairs_of(body_terms),
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
            ix = index.open_dir(str(path))
        except Exception as error:  # noqa: BLE001 - any damage means a rebuild
            raise IndexUnavailable("unreadable") from error
        if _layout(ix.schema) != _LAYOUT:
            raise IndexUnavailable("outdated")  # built by an older version of this module: rebuild
        return ix

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
            writer = ix.writer(limitmb=256, compound=False, codec=_codec())
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
        writer = self.ix.writer(_lk=False, compound=False, codec=_codec())
        try:
            for ref, docs in replacements.items():
                writer.delete_by_term("ref", ref)
                for doc in docs:
                    if doc.indexable:
                        writer.add_document(**_fields_of(doc))
            writer.update_document(key=STATE_KEY, audience=HIDDEN_AUDIENCE, meta=json.dumps(state))
            if merge:
                writer.commit(mergetype=_merge_small_segments)
            else:
                writer.commit(merge=False)
        except BaseException:
            writer.cancel()
            raise
        self.state = state

    def __exit__(self, *exc) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None


SMALL_SEGMENT = 5_000  # documents: segments below this are merged together when the indexer merges


def _merge_small_segments(writer, segments) -> list:
    """Merge every small segment into one and keep the big ones: a search pays for each segment.

    (Whoosh's MERGE_SMALL merges about five at a time, fewer than an edit a commit adds, so the
    segments grew without end: 46 after 60 edits, each costing every query its matcher set-up.)
    """
    from whoosh.reading import SegmentReader

    small = [seg for seg in segments if seg.doc_count_all() < SMALL_SEGMENT]
    if len(small) < 2:
        return list(segments)
    for seg in small:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, seg))
    return [seg for seg in segments if seg.doc_count_all() >= SMALL_SEGMENT]


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
        group=qparser.OrGroup,
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
            return parsed.accept(_pairs), False
        if parsed is not None and not terms and not _only_stop_words(cleaned):
            raise ValueError("nothing to search")
    except Exception:  # noqa: BLE001 - any parser failure: search the plain words instead
        log.info("query %r could not be parsed; searching its words", cleaned[:80])
    return words_query(cleaned, language, languages), True


def _pairs(node: query.Query) -> query.Query:
    """A phrase as its adjacent pairs of terms in the pairs field: one posting list per pair, no positions.

    The pairs are made from the same terms as the phrase, so "range of states" finds exactly what the
    phrase finds (two words); a longer phrase needs all its pairs, nearly always the phrase itself.
    """
    if not isinstance(node, query.Phrase) or len(node.words) < 2:
        return node
    part, _, language = node.fieldname.partition("_")
    name = f"{part}_pairs_{language}"
    if name not in SCHEMA:
        return node
    terms = [query.Term(name, pair, boost=node.boost) for pair in dict.fromkeys(pairs_of(list(node.words)))]
    return terms[0] if len(terms) == 1 else query.And(terms)


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
    return query.Or(clauses) if clauses else None


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
COUNT_LIMIT = 5_000  # matches counted for the total and the filters; past this, "more than"


def _text(term) -> str:
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)


def _terms_by_field(parsed) -> dict[str, set[str]]:
    """field -> the terms searched in it; a pair counts as its two terms in the plain field."""
    found: dict[str, set[str]] = {}
    for fieldname, term in parsed.iter_all_terms(phrases=True):
        part, _, rest = fieldname.partition("_pairs_")
        if rest:
            found.setdefault(f"{part}_{rest}", set()).update(_text(term).split(" "))
        else:
            found.setdefault(fieldname, set()).add(_text(term))
    return found


def _searched_terms(parsed) -> list[str]:
    return sorted({t for terms in _terms_by_field(parsed).values() for t in terms})


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
SNIPPET_WORDS = 32
SNIPPET_SCAN_CHARS = 20_000


_SNIPPET_TERMS: dict[str, dict[str, str | None]] = {language: {} for language in LANGUAGES}


def _known_terms(words: set[str], language: str) -> dict[str, str | None]:
    """word -> its term (None: a stop word) for every one of `words`, each analysed once per process."""
    known = _SNIPPET_TERMS[language]
    if len(known) > _TERMS_CACHE_SIZE:
        known = _SNIPPET_TERMS[language] = {}  # a new one: another thread may be reading the old
    for word in words.difference(known):
        tokens = list(_ANALYSERS[language](word))
        known[word] = tokens[0].text if tokens else None
    return known


def snippet(text: str, terms: set[str], language: str) -> str:
    """About SNIPPET_WORDS words around the densest run of matches, escaped, matches in <mark>.

    Each word is analysed alone (and remembered), so a match here is exactly a match in the index.
    """
    if not text:
        return ""
    scan = text[:SNIPPET_SCAN_CHARS]
    language = language if language in _ANALYSERS else "en"
    words = list(map(str.lower, _TOKEN.findall(scan)))
    distinct = set(words)
    known = _known_terms(distinct, language)
    hits = {word for word in distinct if known[word] in terms} if terms else set()
    matched = list(itertools.compress(itertools.count(), map(hits.__contains__, words)))
    if not matched:
        words = list(itertools.islice(_TOKEN.finditer(scan), SNIPPET_WORDS))
        end = words[-1].end() if words else 0
        return _escape(text[:end]) + (" …" if end < len(text) else "")
    best, best_score = matched[0], (0, 0)
    width = SNIPPET_WORDS - 8
    for n, start in enumerate(matched):
        inside = matched[n:bisect.bisect_left(matched, start + width, n)]
        score = (len({known[words[i]] for i in inside}), len(inside))
        if score > best_score:
            best, best_score = start, score
    first = max(0, best - 8)
    last = min(len(words), first + SNIPPET_WORDS) - 1
    words = list(itertools.islice(_TOKEN.finditer(scan), first, last + 1))
    marked = set(matched)
    pieces, cursor = [], words[0].start()
    for i, m in enumerate(words, first):
        if i in marked:
            pieces.append(_escape(text[cursor:m.start()]))
            pieces.append(f"<mark>{_escape(m.group())}</mark>")
            cursor = m.end()
    pieces.append(_escape(text[cursor:words[-1].end()]))
    return ("… " if first > 0 else "") + "".join(pieces) + (" …" if words[-1].end() < len(text) else "")


class _Bounded(TimeLimitCollector):
    """A time limit and the documents the reader may see (a bit set per segment) in one wrapper.

    (Whoosh's own filter lives in FilterCollector.collect_matches, which TimeLimitCollector skips.)
    """

    def __init__(self, child, timelimit: float, allowed_in):
        super().__init__(child, timelimit=timelimit, use_alarm=False)
        self.allowed_in = allowed_in  # segment reader -> bytearray bit set, or None (everything)
        self.bits = None

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        self.bits = self.allowed_in(subsearcher)

    def collect_matches(self):
        child, bits = self.child, self.bits
        collect = child.collect
        for docnum in child.matches():
            if self.timedout:
                raise TimeLimit
            if bits is None or bits[docnum >> 3] & (1 << (docnum & 7)):
                collect(docnum)


def _count_matches(leaf, parsed, allowed, size: int, limit: int, started: float) -> tuple[int, int, bool]:
    """(bit set of the allowed matches, their number, stopped early) through Whoosh's matchers."""
    found = bytearray((size + 7) // 8)
    seen, partial = 0, False
    for docnum in parsed.docs(leaf):
        if allowed is None or allowed[docnum >> 3] & (1 << (docnum & 7)):
            found[docnum >> 3] |= 1 << (docnum & 7)
            seen += 1
            if not seen & 1023 and (seen >= limit or time.monotonic() - started > FACET_TIME_LIMIT):
                partial = True
                break
    return int.from_bytes(found, "little"), seen, partial


def _union_terms(parsed) -> dict[tuple[str, str], float] | None:
    """(field, term) -> boost for a query that is one term or an OR of terms (nearly every search), else None.

    Such a query scores a document with the sum, over its terms, of boost x idf x posting weight, and
    matches exactly the union of the terms' postings: `Searcher._run_union` computes both from the
    postings lists directly instead of walking Whoosh's matcher tree document by document.
    """
    if isinstance(parsed, query.Term):
        leaves = [parsed]
    elif type(parsed) is query.Or and all(type(sub) is query.Term for sub in parsed.subqueries):
        leaves = parsed.subqueries
    else:
        return None
    boosts: dict[tuple[str, str], float] = {}
    for leaf in leaves:  # a repeated term counts as often as Whoosh's Or would score it
        key = (leaf.fieldname, _text(leaf.text))
        boosts[key] = boosts.get(key, 0.0) + leaf.boost
    return boosts


_BLOCK_LENGTH = struct.Struct("!i")
_POSTINGS_MAGIC = b"W3Bl"


def _posting_blocks(reader, fieldname: str, text: str):
    """A term's postings as (document numbers, weights), one block at a time, read from the file.

    The postings format of Whoosh 2.7's W3 codec: a magic, then blocks of (length, pickled info,
    pickled data, zlib-compressed when the info says so), the data being (delta-encoded ids,
    weights: None for all 1.0, one float for all alike, or one each, values).
    """
    try:
        info = reader.term_info(fieldname, text)
    except TermNotFound:
        return
    if info.is_inlined():
        ids, weights, _values = info.inlined_postings()
        yield list(ids), list(weights)
        return
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length  # Whoosh 2.7 reads it as a 1-tuple
    data = reader._terms._postfile.get(offset, length)
    if data[:4] != _POSTINGS_MAGIC:
        raise ValueError(f"unexpected postings for {fieldname}:{text!r}")
    stream = io.BytesIO(data)
    position, end = 4, len(data)
    while position < end:
        size = abs(_BLOCK_LENGTH.unpack_from(data, position)[0])
        stream.seek(position + 4)
        # Pickles of our own index, which Whoosh itself reads with pickle.
        compression = pickle.Unpickler(stream).load()[3]  # noqa: S301
        block = data[stream.tell():position + 4 + size]
        deltas, weights, _values = pickle.loads(zlib.decompress(block) if compression else block)  # noqa: S301
        if weights is None or isinstance(weights, float):
            weights = [1.0 if weights is None else weights] * len(deltas)
        yield list(itertools.accumulate(deltas)), weights
        position += 4 + size


def _term_postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights in one segment (deleted documents included)."""
    ids: list[int] = []
    weights: list[float] = []
    for block_ids, block_weights in _posting_blocks(reader, fieldname, text):
        ids.extend(block_ids)
        weights.extend(block_weights)
    # The weights were written as 32-bit floats: float32 keeps them exactly.
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


POSTINGS_CACHE_BYTES = 64 * 1024 * 1024  # per searcher, that is per worker thread (the SEARCH_CACHE_MB setting)
CACHED_POSTINGS_MIN = 256  # shorter lists are read again each time: a fraction of a millisecond


class _PostingsCache:
    """The decoded postings of long lists, least recently used first out, for as long as their segment lives.

    Decoding is most of the cost of a common word (tens of thousands of postings, a block of 32 at a
    time); scoring decoded postings with numpy takes a millisecond.
    """

    def __init__(self, budget: int = POSTINGS_CACHE_BYTES):
        self.budget, self.used = budget, 0
        self.entries: collections.OrderedDict = collections.OrderedDict()

    def get(self, segment_key: str, reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (segment_key, fieldname, text)
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            return found
        found = _term_postings(reader, fieldname, text)
        size = found[0].nbytes + found[1].nbytes
        if len(found[0]) >= CACHED_POSTINGS_MIN and size <= self.budget:
            self.entries[key] = found
            self.used += size
            self.resize(self.budget)
        return found

    def resize(self, budget: int) -> None:
        self.budget = budget
        while self.used > self.budget:
            _key, (ids, weights) = self.entries.popitem(last=False)
            self.used -= ids.nbytes + weights.nbytes

    def clear(self) -> None:
        self.keep_only(set())

    def keep_only(self, segment_keys: set[str]) -> None:
        for key in [k for k in self.entries if k[0] not in segment_keys]:
            ids, weights = self.entries.pop(key)
            self.used -= ids.nbytes + weights.nbytes


def _best(scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The k best candidates, best first; equal scores in document order, as Whoosh's collector ranks them."""
    if len(candidates) > k:
        values = scores[candidates]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        above = candidates[values > kth]
        candidates = np.concatenate([above, candidates[values == kth][:k - len(above)]])
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def _visible(allowed: bytearray | None, reader, size: int) -> np.ndarray | None:
    """The documents of a segment the reader may see and that are not deleted, as a boolean array."""
    mask = None
    if allowed is not None:
        mask = np.unpackbits(np.frombuffer(allowed, dtype=np.uint8), count=size, bitorder="little").view(bool)
    if reader.has_deletions():
        if mask is None:
            mask = np.ones(size, dtype=bool)
        mask[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
    return mask


def _ordered_counts(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {name: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for name, c in counts.items()}


def _tally(counts: dict[str, dict[str, int]], facets: dict[str, dict[str, int]], matched: int) -> None:
    """Add a segment's matches (an int used as a bit set) to the counts of each filter value."""
    for name, values in facets.items():
        tally = counts[name]
        for value, docs in values.items():
            n = (matched & docs).bit_count()
            if n:
                tally[value] = tally.get(value, 0) + n


def _bits(docnums: Iterable[int], size: int) -> bytearray:
    bits = bytearray((size + 7) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return bits


class _Segment:
    """What is kept about one segment while it is in the index: segments never change, except for
    deletions, and a deleted document is never matched, so these stay true for the segment's life."""

    def __init__(self, searcher):
        self.size = searcher.doc_count_all()
        self.allowed: dict = {}  # (audiences, filters) -> bit set of the documents allowed
        self._facets: dict[str, dict[str, int]] | None = None

    def allowed_bits(self, searcher, key, restrictions) -> bytearray:
        found = self.allowed.get(key)
        if found is None:
            if len(self.allowed) >= 16:
                self.allowed.clear()
            found = self.allowed[key] = _bits(restrictions.docs(searcher), self.size)
        return found

    def facets(self, searcher) -> dict[str, dict[str, int]]:
        """facet -> value -> the segment's documents with that value, as an int used as a bit set."""
        if self._facets is None:
            reader = searcher.reader()
            facets = {}
            for name in FACETS:
                column = _FACET_FIELDS.get(name, name)
                if not reader.has_column(column):
                    continue
                docs: dict[str, list[int]] = {}
                for docnum, value in enumerate(reader.column_reader(column)):
                    value = _text(value)
                    for part in (value.split() if name == "instrument" else [value]):
                        if part:
                            docs.setdefault(part, []).append(docnum)
                facets[name] = {v: int.from_bytes(_bits(d, self.size), "little") for v, d in docs.items()}
            self._facets = facets
        return self._facets


class Searcher:
    """One per worker thread: reuses its Whoosh searcher and refreshes it for each search."""

    def __init__(self, root: str | os.PathLike, cache_bytes: int = POSTINGS_CACHE_BYTES):
        self.store = Store(root)
        self._searcher = None
        self._ix = None
        self._stamp = None
        self._segments: dict[str, _Segment] = {}
        self._postings = _PostingsCache(cache_bytes)

    def _current(self):
        stamp = self.store.pointer_stamp()
        if self._searcher is not None and stamp == self._stamp:
            try:
                if self._searcher.up_to_date():
                    return self._searcher
                # Not Whoosh's refresh(): its reused segment readers keep their old deletions.
                fresh = self._ix.searcher(weighting=WEIGHTING)
                self.close()
                self._searcher = fresh
                self._forget_old_segments(fresh)
                return fresh
            except Exception:  # noqa: BLE001 - a damaged or removed generation: open again
                self.close()
        self.close()
        self._segments = {}
        self._postings.clear()
        ix = self._ix = self.store.open()
        try:
            self._searcher = ix.searcher(weighting=WEIGHTING)
        except Exception as error:  # noqa: BLE001
            raise IndexUnavailable("unreadable") from error
        self._stamp = stamp
        return self._searcher

    def _forget_old_segments(self, searcher) -> None:
        live = {_segment_id(leaf) for leaf, _ in searcher.leaf_searchers()}
        self._segments = {k: v for k, v in self._segments.items() if k in live}
        self._postings.keep_only(live)

    def _segment(self, leaf) -> _Segment:
        key = _segment_id(leaf)
        found = self._segments.get(key)
        if found is None:
            found = self._segments[key] = _Segment(leaf)
        return found

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
        out.terms = _searched_terms(parsed)
        if suggest and out.total < q.suggest_below:
            out.suggestion = self._suggest(searcher, q.text)
        return out

    def _run(self, searcher, parsed, q: Query, page: int) -> Results:
        """The top hits and, when asked, the total and the filter counts of the allowed matches."""
        terms = _union_terms(parsed)
        if terms is not None:
            try:
                return self._run_union(searcher, terms, _terms_by_field(parsed), q, page)
            except Exception:  # noqa: BLE001 - postings not as expected: Whoosh's matchers read them
                log.warning("scoring from the postings failed; using the matchers", exc_info=True)
        return self._run_matchers(searcher, parsed, q, page)

    def _run_union(self, searcher, terms: dict[tuple[str, str], float], shown: dict[str, set[str]], q: Query,
                   page: int) -> Results:
        """An OR of terms, scored term by term over whole postings lists: Whoosh's scores, exact counts.

        Each term adds boost x idf x weight to its documents' scores (numpy over the decoded postings,
        see _PostingsCache); the matches are the allowed documents with any term. For common words this
        is ten times faster than Whoosh's matchers, whose block-max skipping skips next to nothing when
        every block of postings holds a good document. Past TIME_LIMIT of reading, the remaining terms
        are left out and the results marked partial.
        """
        started = time.monotonic()
        limit = page * q.per_page
        allowed_in = self._allowed_in(q)
        idf = {key: searcher.idf(*key) for key in terms}
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        found_docs, found_scores = [], []
        total, partial = 0, False
        for leaf, offset in searcher.leaf_searchers():
            segment, reader = self._segment(leaf), leaf.reader()
            segment_key = _segment_id(leaf)
            scores = np.zeros(segment.size)
            matched = np.zeros(segment.size, dtype=bool)
            for (fieldname, text), boost in terms.items():
                if time.monotonic() - started > TIME_LIMIT:
                    partial = True
                    break
                ids, weights = self._postings.get(segment_key, reader, fieldname, text)
                if len(ids):
                    # Whoosh's order of operations: (weight x idf) x boost.
                    contribution = weights.astype(np.float64) * idf[fieldname, text] * boost
                    scores += np.bincount(ids, weights=contribution, minlength=segment.size)
                    matched[ids] = True
            visible = _visible(allowed_in(leaf), reader, segment.size)
            if visible is not None:
                matched &= visible
            docs = np.flatnonzero(matched)
            total += len(docs)
            if len(docs):
                best = _best(scores, docs, limit)
                found_docs.append(best + offset)
                found_scores.append(scores[best])
                if q.facets:
                    bits = int.from_bytes(np.packbits(matched, bitorder="little").tobytes(), "little")
                    _tally(counts, segment.facets(leaf), bits)
        hits = []
        if found_docs:
            docs, scores = np.concatenate(found_docs), np.concatenate(found_scores)
            order = np.lexsort((docs, -scores))[(page - 1) * q.per_page:limit]
            hits = [self._hit(searcher.stored_fields(int(docs[i])), float(scores[i]), shown) for i in order]
        facets = _ordered_counts(counts) if q.facets else {}
        return Results(hits, total, page, q.per_page, facets, partial, counts_partial=partial)

    def _run_matchers(self, searcher, parsed, q: Query, page: int) -> Results:
        """Any other query: the top hits through Whoosh's matchers with block-max skipping; then, unscored,
        the total and the counts."""
        allowed_in = self._allowed_in(q)
        collector = searcher.collector(limit=page * q.per_page)
        partial = self._collect(searcher, parsed, collector, allowed_in)
        results = collector.results()
        facets: dict[str, dict[str, int]] = {}
        counts_partial = False
        if q.facets:
            total, facets, counts_partial = self._count(searcher, parsed, allowed_in)
        else:
            total = results.scored_length()  # a lower bound: the exact count would match everything again
        terms = _terms_by_field(parsed)
        hits = [self._hit(item.fields(), item.score or 0.0, terms)
                for item in results[(page - 1) * q.per_page: page * q.per_page]]
        return Results(hits, max(total, results.scored_length()), page, q.per_page, facets, partial,
                       counts_partial=counts_partial)

    @staticmethod
    def _collect(searcher, parsed, collector, allowed_in, limit: float = TIME_LIMIT) -> bool:
        """Collect the allowed matches for at most `limit` seconds; True when stopped by the time limit."""
        timed = _Bounded(collector, limit, allowed_in)
        try:
            searcher.search_with_collector(parsed, timed)
        except TimeLimit:
            return True
        return False

    def _count(self, searcher, parsed, allowed_in) -> tuple[int, dict[str, dict[str, int]], bool]:
        """(total, facet -> value -> count, partial) of the allowed matches, unscored, through the matchers.

        The matches of each segment become a bit set, counted against the segment's bit set of each
        filter value. Past COUNT_LIMIT matches (or FACET_TIME_LIMIT), the counts are of those seen so far.
        """
        started = time.monotonic()
        total, partial = 0, False
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for leaf, _offset in searcher.leaf_searchers():
            if partial:
                break
            segment = self._segment(leaf)
            matched, seen, partial = _count_matches(leaf, parsed, allowed_in(leaf), segment.size,
                                                    COUNT_LIMIT - total, started)
            if seen:
                total += seen
                _tally(counts, segment.facets(leaf), matched)
        return total, _ordered_counts(counts), partial

    def _allowed_in(self, q: Query):
        """segment reader -> the bit set of the documents the reader may see there (None: all of them)."""
        filters = tuple(sorted((k, tuple(v)) for k, v in q.filters.items() if k in FACETS and v))
        if q.audiences is None and not filters:
            return lambda leaf: None  # the secretariat sees everything (the state document matches no words)
        key, restrictions = (q.audiences, filters), _restrictions(q)
        return lambda leaf: self._segment(leaf).allowed_bits(leaf, key, restrictions)

    @staticmethod
    def _hit(stored: dict, score: float, terms: dict[str, set[str]]) -> Hit:
        language = stored.get("language", "en")
        body = stored.get("body", "")
        return Hit(
            key=stored["key"], kind=stored.get("kind", ""), language=language, title=stored.get("title", ""),
            url=stored.get("url", ""), context=stored.get("context", ""), topic=stored.get("topic", ""),
            instruments=(stored.get("instrument") or "").split(),
            snippet=snippet(body, terms.get(f"body_{language}", set()), language), score=score,
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


def _segment_id(leaf) -> str:
    return leaf.reader().segment().segment_id()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_local = threading.local()


def searcher_for(root: str, cache_bytes: int | None = None) -> Searcher:
    """This thread's searcher on the index at `root` (kept between requests).

    `cache_bytes` sets its postings cache's budget; None keeps the one it has (the default for a new one).
    """
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    found = cache.get(str(root))
    if found is None:
        found = cache[str(root)] = Searcher(root, POSTINGS_CACHE_BYTES if cache_bytes is None else cache_bytes)
    elif cache_bytes is not None:
        found._postings.resize(cache_bytes)
    return found


def close_searchers() -> None:
    """Close this thread's searchers (tests, and processes about to end)."""
    for found in getattr(_local, "searchers", {}).values():
        found.close()
    _local.searchers = {}


def analyse(text: str, language: str) -> list[str]:
    """The terms a text becomes in a language's fields (for tests and the quality table)."""
    return [token.text for token in language_analyser(language)(text)]
