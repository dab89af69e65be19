"""A breadth-first crawl of one site's HTML pages, following GET links the way a reader could."""

from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

# Not pages: assets, leaving the session, and machine formats (feeds, calendars, exports).
SKIPPED_PREFIXES = ("/static/",)
SKIPPED_PATHS = {"/logout"}
SKIPPED_SUFFIXES = (".ics", ".csv", ".xml", ".rss", ".atom", ".json", ".pdf", ".zip", ".txt", ".svg", ".png")
SKIPPED_SEGMENTS = {"feed", "feeds", "feed.atom", "feed.xml", "export"}
# Elements that make the browser fetch something while showing a page.
ASSET_ATTRIBUTES = {"link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src",
                    "audio": "src", "video": "src"}


@dataclass
class Fetched:
    """A page as the server sent it: the URL after redirects, the status and the body."""

    url: str
    status: int
    html: str


@dataclass
class CrawledPage:
    requested: str
    found_on: str | None
    fetched: Fetched


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self.assets: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.anchors.append((attributes["href"], attributes.get("rel") or ""))
        name = ASSET_ATTRIBUTES.get(tag)
        if name and attributes.get(name):
            self.assets.append((tag, attributes[name]))


def parse_links(html: str) -> _Links:
    """The anchors (href, rel) and the asset references (tag, url) of a page."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def path_of(url: str) -> str:
    """The path and query of a URL, for reports (the port of a live server changes every run)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def origin(url: str) -> str:
    """scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_to_follow(base: str, href: str, rel: str) -> str | None:
    """The absolute URL (without fragment) of a link the crawl should visit, or None."""
    if "nofollow" in rel.lower().split():
        return None
    url, _fragment = urldefrag(urljoin(base, href.strip()))
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or origin(url) != origin(base):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path.rstrip("/") in SKIPPED_PATHS:
        return None
    if path.lower().endswith(SKIPPED_SUFFIXES) or SKIPPED_SEGMENTS & set(path.lower().split("/")):
        return None
    return url


def foreign_assets(base: str, html: str) -> list[str]:
    """Asset URLs in `html` (link, script, img...) that point at another host."""
    found = []
    for tag, value in parse_links(html).assets:
        url = urljoin(base, value.strip())
        if urlsplit(url).scheme in {"http", "https"} and origin(url) != origin(base):
            found.append(f"<{tag}> {url}")
    return found


def shape(url: str) -> str:
    """The URL with numbers in its path and the values of its query abstracted: /events/<n>?page."""
    parts = urlsplit(url)
    path = "/".join("<n>" if segment.isdigit() else segment for segment in parts.path.split("/"))
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(
    start: str, fetch: Callable[[str], Fetched | None], limit: int, per_shape: int = 2
) -> Iterator[CrawledPage]:
    """Visit pages breadth-first from `start`, at most `limit` distinct HTML pages.

    At most `per_shape` URLs of one shape (see `shape`) are visited, so the budget goes to different
    pages rather than to the twentieth event. `fetch` loads a URL and returns what came back, or None
    when it is not an HTML page. Each page is yielded right after it was fetched (so a browser still
    shows it) and before the next fetch.
    """
    queue: deque[tuple[str, str | None]] = deque([(start, None)])
    seen = {start}
    shapes = Counter([shape(start)])
    pages_seen: set[str] = set()
    count = 0
    while queue and count < limit:
        url, found_on = queue.popleft()
        fetched = fetch(url)
        if fetched is None:
            continue
        final, _fragment = urldefrag(fetched.url)
        if final in pages_seen:  # a redirect to a page already audited
            continue
        pages_seen.add(final)
        seen.add(final)
        count += 1
        yield CrawledPage(requested=url, found_on=found_on, fetched=fetched)
        for href, rel in parse_links(fetched.html).anchors:
            target = page_to_follow(final, href, rel)
            if target and target not in seen and shapes[shape(target)] < per_shape:
                seen.add(target)
                shapes[shape(target)] += 1
                queue.append((target, final))
