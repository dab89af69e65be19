"""Search at scale: build an index of section-sized documents, then time queries, edits and a rebuild.

    .venv/bin/python -m bench.search_bench                    # 100,000 documents, or what 9 minutes allow
    .venv/bin/python -m bench.search_bench --docs 20000 --budget 120
    .venv/bin/python -m bench.search_bench --keep /tmp/ix100k      # build once and keep it...
    .venv/bin/python -m bench.search_bench --keep /tmp/ix100k --reuse   # ...then time queries on it again

Documents are generated from the demo manual's own text (ecommunity/manual/content, three
languages) and the CMS vocabulary: each is a section of 25-45 sentences drawn from sections of
one language, with a heading-like title and instruments. Everything goes through
ecommunity/search/engine.py, as the site does (the same schema, analysers, writer and searcher).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ecommunity.search import engine
from ecommunity.search.documents import SearchDocument

CONTENT = Path(__file__).resolve().parent.parent / "ecommunity" / "manual" / "content"
INSTRUMENTS = ["cms", "aewa", "eurobats", "ascobans", "acap", "raptors", "dugong", "sharks", "iosea", "saiga"]
KINDS = [("manual", "public"), ("library", "public"), ("forum-post", "members"), ("event", "public"),
         ("library", "members"), ("forum-post", "region:africa"), ("forum-post", "secretariat")]
MEMBER = ("public", "members", "region:africa")


def corpus() -> dict[str, dict]:
    """Sentences, headings and content words of the manual, per language."""
    out = {}
    for language in ("en", "fr", "es"):
        sentences, headings, words = [], [], []
        for path in sorted((CONTENT / language).rglob("*.md")):
            for line in path.read_text().splitlines():
                line = line.strip()
                if line.startswith("#"):
                    headings.append(line.lstrip("# ").strip())
                elif line and not line.startswith("|"):
                    text = re.sub(r"[*_`\[\]]|\(/[^)]*\)", "", line.lstrip("-0123456789. "))
                    sentences += [s.strip() for s in re.split(r"(?<=[.;:!?])\s+", text) if len(s.split()) > 3]
        for sentence in sentences:
            words += [w.lower() for w in engine.words_of(sentence) if len(w) > 5]
        if sentences:
            out[language] = {"sentences": sentences, "headings": headings or ["Section"], "words": words}
    return out


def generate(n: int, seed: int = 6):
    """n SearchDocuments (70% English, 15% French, 15% Spanish), streamed."""
    rng = random.Random(seed)
    text = corpus()
    languages = [lang for lang in ("en", "fr", "es") if lang in text]
    weights = [70, 15, 15][:len(languages)]
    now = datetime.now(UTC)
    for i in range(n):
        language = rng.choices(languages, weights)[0]
        source = text[language]
        kind, audience = KINDS[i % len(KINDS)]
        body = " ".join(rng.choice(source["sentences"]) for _ in range(rng.randint(25, 45)))
        yield SearchDocument(
            key=f"{kind}:{i}:{language}" if kind == "manual" else f"{kind}:{i}",
            kind=kind, language=language, title=f"{rng.choice(source['headings'])} {i}", body=body,
            url_path=f"/bench/{i}", updated_at=now, audience=audience,
            instruments=tuple(rng.sample(INSTRUMENTS, rng.randint(0, 2))), topic=f"topic-{i % 12}",
            context="Bench",
        )


class Budget:
    """Stops the document stream once the time budget is spent."""

    def __init__(self, docs, seconds: float):
        self.docs, self.seconds, self.count = docs, seconds, 0
        self.started = time.monotonic()

    def __iter__(self):
        for doc in self.docs:
            if time.monotonic() - self.started > self.seconds:
                print(f"  time budget of {self.seconds:.0f} s spent: stopping at {self.count} documents")
                return
            self.count += 1
            if self.count % 10000 == 0:
                elapsed = time.monotonic() - self.started
                print(f"  {self.count} documents, {elapsed:.0f} s ({self.count / elapsed:.0f}/s)", flush=True)
            yield doc


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def queries(rng: random.Random, text: dict, count: int) -> dict[str, list[str]]:
    """Realistic queries: content words of the manual (1-3 words) and two-word phrases from its sentences."""
    words = text["en"]["words"]
    phrases = []
    while len(phrases) < count:
        sentence = engine.words_of(rng.choice(text["en"]["sentences"]))
        long_words = [i for i, w in enumerate(sentence[:-1]) if len(w) > 4 and len(sentence[i + 1]) > 4]
        if long_words:
            i = rng.choice(long_words)
            phrases.append(f'"{sentence[i]} {sentence[i + 1]}"')
    return {
        "1 word": [rng.choice(words) for _ in range(count)],
        "2 words": [" ".join(rng.sample(words, 2)) for _ in range(count)],
        "3 words": [" ".join(rng.sample(words, 3)) for _ in range(count)],
        "phrase": phrases,
    }


def time_queries(searcher: engine.Searcher, texts: list[str], facets: bool) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) of each search: on a shared machine the CPU time is the steadier figure."""
    timings, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.thread_time()
        searcher.search(engine.Query(text=text, language="en", audiences=MEMBER, facets=facets))
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=540, help="seconds allowed for building the index")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--keep", help="build into this folder and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: time the queries on the index built there before (its build is reprinted)")
    args = parser.parse_args()

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="search-bench-"))
    store = engine.Store(root)
    record = root / "bench-build.json"
    if args.reuse and args.keep:
        built = json.loads(record.read_text())
        print(f"reusing the index built in {root} (build measured when it was built)")
    else:
        print(f"building an index of up to {args.docs} documents in {root} (budget {args.budget:.0f} s)")
        stream = Budget(generate(args.docs), args.budget)
        built = store.rebuild(stream, {"applied": 0, "gaps": {}, "commits": 0})
        record.write_text(json.dumps(built))
    n = built["documents"]
    print(f"build: {n} documents in {built['seconds']:.1f} s ({n / built['seconds']:.0f} documents/s), "
          f"{built['bytes'] / 1e6:.0f} MB on disk")

    searcher = engine.Searcher(root)
    started = time.perf_counter()
    searcher.count()
    print(f"opening a searcher: {(time.perf_counter() - started) * 1000:.0f} ms")
    rng = random.Random(7)
    sets = queries(rng, corpus(), args.queries)
    time_queries(searcher, sets["1 word"][:20], True)  # warm the caches, as a running worker has them
    print(f"\nqueries as a member (audience filter), top 10 with highlighted snippets, {args.queries} each:")
    print(f"  {'query':<10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   {'+facets p50':>12} {'+facets p95':>12}"
          f"   {'CPU p95':>8} {'+facets':>8}")
    for name, texts in sets.items():
        plain, plain_cpu = time_queries(searcher, texts, facets=False)
        full, full_cpu = time_queries(searcher, texts, facets=True)
        print(f"  {name:<10} {statistics.median(plain):8.1f} {percentile(plain, 95):8.1f} {max(plain):8.1f}   "
              f"{statistics.median(full):12.1f} {percentile(full, 95):12.1f}   "
              f"{percentile(plain_cpu, 95):8.1f} {percentile(full_cpu, 95):8.1f}")

    print(f"\nedit to searchable ({args.edits} edits: replace a document, commit without merging, "
          "then a refreshed searcher finds it):")
    latencies = []
    for i in range(args.edits):
        marker = f"zq{rng.randrange(10**9):09d}x"
        doc = SearchDocument(key=f"event:{i}", kind="event", language="en", title=f"Edited {marker}",
                             body=f"Edited body {marker}", url_path="/bench", updated_at=datetime.now(UTC))
        started = time.perf_counter()
        with store.writing() as writing:
            state = dict(writing.state, commits=writing.state.get("commits", 0) + 1)
            writing.apply({"event:" + str(i): [doc]}, state, merge=state["commits"] % 20 == 0)
        found = searcher.search(engine.Query(text=marker, audiences=MEMBER, facets=False))
        latencies.append((time.perf_counter() - started) * 1000)
        assert found.total == 1, (marker, found.total)
    print(f"  p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
          f"max {max(latencies):.0f} ms")

    print(f"\nfull reindex: {n} documents in {built['seconds']:.1f} s into a new generation, checked and swapped "
          "(the same path as `flask search reindex`, without the database reads)")
    searcher.close()
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
