"""Which Whoosh, and where: one distribution at the pinned version, imported by one module only."""

import ast
import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path

from ecommunity.search import engine
from ecommunity.search.documents import SearchDocument

ROOT = Path(__file__).resolve().parents[2]


def _top_level(dist) -> set[str]:
    text = dist.read_text("top_level.txt")
    if text:
        return set(text.split())
    return {Path(str(f)).parts[0] for f in dist.files or () if str(f).endswith(".py")}


def test_exactly_one_distribution_provides_whoosh_at_the_pinned_version():
    providers = [d for d in importlib.metadata.distributions() if "whoosh" in _top_level(d)]
    assert [(d.metadata["Name"].lower(), d.version) for d in providers] == [("whoosh-reloaded", "2.7.5")]


def test_only_the_engine_module_imports_whoosh():
    offenders = []
    for path in [*(ROOT / "ecommunity").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "whoosh" or name.startswith("whoosh.") for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert set(offenders) == {"ecommunity/search/engine.py"}


def test_accents_are_folded_before_stemming():
    assert engine.analyse("espèces frontières", "fr") == engine.analyse("especes frontieres", "fr")
    assert engine.analyse("migración", "es") == engine.analyse("migracion", "es")
    assert engine.analyse("How do I submit the national reports?", "en") == ["submit", "nation", "report"]
    assert "les" not in engine.analyse("les espèces", "fr")


def test_the_query_is_bounded_and_stripped_of_expansions():
    cleaned = engine.clean_query('co* goverment~2 title:x "open ((((a)))) ^3 ' + "word " * 500)
    assert "*" not in cleaned and "~" not in cleaned and ":" not in cleaned and "(" not in cleaned
    assert cleaned.count('"') % 2 == 0
    assert len(cleaned) <= engine.MAX_QUERY_CHARS
    parsed, _ = engine.parse("co* AND goverment~2", "en")
    kinds = {type(q).__name__ for q in parsed.leaves()}
    assert kinds <= {"Term", "Phrase"}, kinds


def test_index_terms_are_the_analysers_terms():
    from ecommunity.manual.loader import CONTENT_DIR

    for language in engine.LANGUAGES:
        paths = sorted((Path(CONTENT_DIR) / language).rglob("*.md"))
        assert paths
        for path in paths[:6]:
            text = path.read_text()
            assert engine.index_terms(text, language) == engine.analyse(text, language), path


def test_a_phrase_is_searched_as_pairs_of_terms():
    parsed, simplified = engine.parse('"range of states" deadline', "en", ("en",))
    assert not simplified
    assert ("body_pairs_en", "rang state") in {(f, engine._text(t)) for f, t in parsed.iter_all_terms()}
    assert not [q for q in parsed.leaves() if type(q).__name__ == "Phrase"]
    assert engine.pairs_of(["rang", "state", "convent"]) == ["rang state", "state convent"]


def _library(i: int, body: str, audience: str) -> SearchDocument:
    return SearchDocument(key=f"library:{i}", kind="library", language="en", title=f"Document {i}", body=body,
                          url_path=f"/library/{i}", updated_at=datetime.now(UTC), audience=audience,
                          instruments=("aewa",) if i % 4 == 0 else ())


def test_scores_totals_and_filter_counts_read_from_the_postings_match_the_documents(tmp_path, monkeypatch):
    bodies = ["National reports are due before the deadline.", "Migratory species cross borders.",
              "The national focal point submits the report."]
    docs = [_library(i, bodies[i % 3], "public" if i % 2 else "members") for i in range(120)]
    store = engine.Store(tmp_path)
    store.rebuild(docs, {"applied": 0, "gaps": {}})
    with store.writing() as writing:  # replaced documents stay in their segment, marked deleted
        writing.apply({f"library:{i}": [_library(i, "Bycatch of albatrosses.", "public")] for i in range(0, 120, 5)},
                      {"applied": 1, "gaps": {}})
    live = {d.key: d for d in docs} | {f"library:{i}": _library(i, "Bycatch of albatrosses.", "public")
                                       for i in range(0, 120, 5)}
    searcher = engine.Searcher(tmp_path)
    for text, words in [("report", ("report",)), ("national migratory", ("national", "migratory")),
                        ('"focal point"', ("focal point",))]:
        for audiences in [("public",), None]:
            expected = [d for d in live.values() if any(w in d.body.lower() for w in words)
                        and (audiences is None or d.audience in audiences)]
            found = [searcher.search(engine.Query(text=text, audiences=audiences, page=page)) for page in (1, 2)]
            assert found[0].total == len(expected), (text, audiences)
            assert found[0].facets["instrument"].get("aewa", 0) == sum(1 for d in expected if d.instruments)
            assert len({hit.key for result in found for hit in result.hits}) == min(20, len(expected))
            monkeypatch.setattr(engine, "_union_terms", lambda parsed: None)  # Whoosh's matchers agree
            matchers = [searcher.search(engine.Query(text=text, audiences=audiences, page=page)) for page in (1, 2)]
            monkeypatch.undo()
            assert matchers[0].facets == found[0].facets
            for ours, whoosh in zip(found, matchers, strict=True):
                assert [(h.key, round(h.score, 9)) for h in ours.hits] == [
                    (h.key, round(h.score, 9)) for h in whoosh.hits], (text, audiences)
    searcher.close()


def test_counts_through_the_matchers_stop_at_the_cap(tmp_path, monkeypatch):
    # The matchers look at the cap every 1,024 matches.
    docs = [_library(i, "The national focal point submits the report.", "public") for i in range(1100)]
    store = engine.Store(tmp_path)
    store.rebuild(docs, {"applied": 0, "gaps": {}})
    searcher = engine.Searcher(tmp_path)
    monkeypatch.setattr(engine, "_union_terms", lambda parsed: None)
    monkeypatch.setattr(engine, "COUNT_LIMIT", 10)
    capped = searcher.search(engine.Query(text="report", audiences=None))
    searcher.close()
    assert capped.counts_partial and 10 <= capped.total < 1100
    assert sum(capped.facets["kind"].values()) == capped.total


def test_the_postings_cache_stays_within_its_budget_and_changes_no_result(tmp_path):
    words = ["report", "deadline", "species", "borders", "albatross", "bycatch"]
    docs = [_library(i, " ".join(words[j] for j in range(6) if (i >> j) & 1 or j == 0), "public")
            for i in range(600)]
    engine.Store(tmp_path).rebuild(docs, {"applied": 0, "gaps": {}})
    queries = ["report", "deadline species", "borders albatross bycatch"]
    uncached = engine.Searcher(tmp_path, cache_bytes=0)
    expected = [[(h.key, h.score) for h in uncached.search(engine.Query(text=t)).hits] for t in queries]
    budget = 6_000  # room for two of the six lists of 300-600 postings (8 bytes each)
    cached = engine.Searcher(tmp_path, cache_bytes=budget)
    for _ in range(2):
        assert [[(h.key, h.score) for h in cached.search(engine.Query(text=t)).hits] for t in queries] == expected
        assert 0 < cached._postings.used <= budget
    assert uncached._postings.used == 0
    uncached.close()
    cached.close()


def test_the_cache_setting_applies_to_a_searcher_the_health_check_opened_first(tmp_path):
    docs = [_library(i, "The national report", "public") for i in range(300)]
    engine.Store(tmp_path).rebuild(docs, {"applied": 0, "gaps": {}})
    try:
        engine.index_state(str(tmp_path))  # /healthz opens this thread's searcher with no setting
        searcher = engine.searcher_for(str(tmp_path), cache_bytes=0)
        searcher.search(engine.Query(text="report"))
        assert searcher._postings.used == 0
        searcher = engine.searcher_for(str(tmp_path), cache_bytes=1 << 20)
        searcher.search(engine.Query(text="report"))
        assert searcher._postings.used > 0
        assert engine.searcher_for(str(tmp_path)) is searcher and searcher._postings.budget == 1 << 20
    finally:
        engine.close_searchers()
