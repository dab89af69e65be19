"""Every page each role can reach, checked by axe-core (WCAG 2.1 A/AA) and the Nu HTML checker."""

import gzip
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ecommunity.config import PROJECT_ROOT
from ecommunity.demo import DEMO_PASSWORD
from tests.conftest import login
from tests.support.axe import Violation, axe_violations, install_axe
from tests.support.browser import Browsing, log_in
from tests.support.crawl import CrawledPage, Fetched, crawl, foreign_assets, path_of
from tests.support.tools import require
from tests.support.vnu import HtmlError, html_errors

pytestmark = pytest.mark.audit

ROLES = {
    "anonymous": None,
    "member": "nfp.kenya@example.org",
    "secretariat": "secretariat@example.org",
    "admin": "admin@example.org",
}
MIN_PAGES = {"anonymous": 3, "member": 5, "secretariat": 5, "admin": 5}
PAGE_LIMIT = 60
UNKNOWN_URL = "/no-such-page-for-the-audit"
# Forms submitted empty by an anonymous reader, so their error states are audited too.
EMPTY_SUBMITS = [("/login", "Log in"), ("/signup", "Request an account")]
MAX_TARGETS = 5
EXTRACT_CHARS = 160
STATIC_BUDGET = 30 * 1024


@dataclass
class AuditedPage:
    role: str
    path: str
    status: int
    file: Path
    violations: list[Violation]
    label: str = ""

    @property
    def where(self) -> str:
        return f"[{self.role}] {self.path}" + (f" ({self.label})" if self.label else "")


@dataclass
class SiteAudit:
    """Crawls the live site role by role in Chromium, running axe on each page and saving its HTML."""

    browsing: Browsing
    html_dir: Path
    pages: list[AuditedPage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    crawled: Counter = field(default_factory=Counter)

    def audit_role(self, role: str, email: str | None) -> None:
        """Log in (unless anonymous), crawl from /, then audit the 404 page and the forms' error states."""
        context = self.browsing.new_context(bypass_csp=True)
        install_axe(context)
        page = context.new_page()
        if email and (failure := log_in(page, email, DEMO_PASSWORD)):
            self.problems.append(f"[{role}] {failure}")
            return
        for found in crawl(self.browsing.base_url + "/", lambda url: self.fetch(page, url), PAGE_LIMIT):
            self.crawled[role] += 1
            self.check_crawled(role, found)
            self.record(role, page, found.fetched)
        if self.crawled[role] < MIN_PAGES[role]:
            self.problems.append(
                f"[{role}] only {self.crawled[role]} pages crawled, at least {MIN_PAGES[role]} expected"
            )
        unknown = self.fetch(page, self.browsing.base_url + UNKNOWN_URL)
        if unknown is None or unknown.status != 404:
            self.problems.append(f"[{role}] {UNKNOWN_URL} did not answer with an HTML 404 page")
        else:
            self.record(role, page, unknown, "unknown URL")
        if email is None:
            for path, button in EMPTY_SUBMITS:
                self.submit_empty(role, page, path, button)

    def fetch(self, page, url: str) -> Fetched | None:
        """Load `url` in the tab; None when it is not an HTML page (a download, a feed...)."""
        from playwright.sync_api import Error as PlaywrightError  # here: without playwright the test skips

        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in error.message:
                return None
            raise
        if response is None or not (response.header_value("content-type") or "").startswith("text/html"):
            return None
        return Fetched(url=page.url, status=response.status, html=response.text())

    def submit_empty(self, role: str, page, path: str, button_name: str) -> None:
        """Submit a form with its fields empty (bypassing the browser's own checks) and audit the answer."""
        self.fetch(page, self.browsing.base_url + path)
        button = page.locator("main").get_by_role("button", name=button_name, exact=True)
        if button.count() != 1:
            self.problems.append(f"[{role}] {path} has no {button_name!r} button in its main content")
            return
        button.evaluate("b => { if (b.form) b.form.noValidate = true; }")
        with page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        answer = Fetched(url=page.url, status=response.status, html=response.text())
        if path_of(answer.url) != path or answer.status >= 500 or 'aria-invalid="true"' not in answer.html:
            self.problems.append(
                f"[{role}] an empty {path} form led to {path_of(answer.url)} (HTTP {answer.status}), "
                "not to the form with its fields marked invalid"
            )
        self.record(role, page, answer, "after submitting the form empty")

    def check_crawled(self, role: str, found: CrawledPage) -> None:
        """A link that leads to an error is a broken link."""
        status = found.fetched.status
        if status >= 400:
            origin = path_of(found.found_on) if found.found_on else "the start"
            self.problems.append(
                f"[{role}] {path_of(found.requested)} answered HTTP {status} (linked from {origin})"
            )

    def record(self, role: str, page, fetched: Fetched, label: str = "") -> None:
        """Save the page as sent, for the HTML checker, and run axe on it as the tab shows it."""
        file = self.html_dir / f"{len(self.pages):03d}-{role}.html"
        file.write_text(fetched.html, encoding="utf-8")
        self.pages.append(AuditedPage(role, path_of(fetched.url), fetched.status, file, axe_violations(page), label))

    def report(self, errors: list[HtmlError]) -> str:
        """Everything found, readable in a terminal: crawl problems, axe violations, HTML errors."""
        lines = [f"Pages crawled per role: {dict(self.crawled)}; pages audited in all: {len(self.pages)}"]
        for role in ROLES:
            lines.append(f"  {role}: " + " ".join(page.path for page in self.pages if page.role == role))
        if self.browsing.blocked:
            lines.append("Requests to other hosts (blocked):")
            lines += [f"  - {url}" for url in sorted(set(self.browsing.blocked))]
        if self.problems:
            lines.append("Crawl problems:")
            lines += [f"  - {problem}" for problem in self.problems]
        by_rule = defaultdict(list)
        for page in self.pages:
            for violation in page.violations:
                by_rule[violation.rule, violation.impact, violation.help].append((page, violation))
        if by_rule:
            lines.append(f"axe-core WCAG 2.1 A/AA violations: {len(by_rule)} rules")
        for (rule, impact, help_text), found in sorted(by_rule.items(), key=lambda item: -len(item[1])):
            lines.append(f"  {rule} ({impact}): {help_text} -- on {len(found)} pages")
            for page, violation in found:
                targets = violation.targets[:MAX_TARGETS]
                more = len(violation.targets) - len(targets)
                lines.append(f"    {page.where}: " + " | ".join(targets) + (f" (and {more} more)" if more else ""))
        if errors:
            by_file = {page.file: page for page in self.pages}
            by_message = defaultdict(list)
            for error in errors:
                by_message[error.message].append(error)
            lines.append(f"Nu HTML checker errors: {len(errors)} in {len({e.file for e in errors})} pages")
            for message, found in sorted(by_message.items(), key=lambda item: -len(item[1])):
                lines.append(f"  {message} -- {len(found)} times")
                for error in sorted(found, key=lambda e: e.file):
                    page = by_file.get(error.file)
                    where = f"{page.where} ({error.file.name})" if page else str(error.file)
                    lines.append(f"    {where} line {error.line}: {error.extract[:EXTRACT_CHARS]}")
        return "\n".join(lines)


def test_every_page_meets_wcag_aa_and_is_valid_html(browsing, tmp_path):
    require("axe", "vnu", "java")
    audit = SiteAudit(browsing, tmp_path)
    for role, email in ROLES.items():
        audit.audit_role(role, email)
    errors = html_errors([page.file for page in audit.pages])
    if audit.problems or browsing.blocked or errors or any(page.violations for page in audit.pages):
        pytest.fail(audit.report(errors), pytrace=False)


def test_static_css_and_js_fit_in_30_kb_gzipped():
    static = PROJECT_ROOT / "static"
    files = sorted([*static.rglob("*.css"), *static.rglob("*.js")])
    assert files, f"no CSS or JS under {static}"
    sizes = {f.relative_to(static).as_posix(): len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in files}
    assert sum(sizes.values()) < STATIC_BUDGET, f"gzipped sizes in bytes: {sizes}"


def test_no_page_loads_assets_from_another_host(app, demo_data):
    base = "http://localhost"
    foreign = []
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            response = login(client, email, DEMO_PASSWORD)
            assert response.status_code == 302, f"{role} could not log in: {response.get_data(as_text=True)[:300]}"

        def fetch(url, client=client):
            response = client.get(url, follow_redirects=True)
            if response.mimetype != "text/html":
                return None
            return Fetched(url=response.request.url, status=response.status_code, html=response.get_data(as_text=True))

        pages = list(crawl(base + "/", fetch, PAGE_LIMIT))
        assert len(pages) >= MIN_PAGES[role], f"{role}: only {len(pages)} pages crawled"
        for page in pages:
            where = f"[{role}] {path_of(page.fetched.url)}"
            foreign += [f"{where}: {asset}" for asset in foreign_assets(base, page.fetched.html)]
    assert not foreign, "\n".join(foreign)
