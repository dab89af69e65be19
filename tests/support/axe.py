"""axe-core in the page under test: WCAG 2.0 and 2.1, levels A and AA."""

from dataclasses import dataclass

from tests.support.tools import AXE_JS

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    rule: v.id,
    impact: v.impact || 'unknown',
    help: v.help,
    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' ')),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]


def install_axe(context) -> None:
    """Load axe-core into every page the context opens (cheaper than injecting it page by page)."""
    context.add_init_script(path=str(AXE_JS))


def axe_violations(page) -> list[Violation]:
    """Run the WCAG A/AA rules in the loaded page, injecting axe-core first if `install_axe` did not."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))  # needs a context with bypass_csp: the site allows no inline script
    return [Violation(**found) for found in page.evaluate(_RUN, WCAG_TAGS)]
