"""Manual text is Markdown rendered safely, with anchors on h2/h3 and a table of contents."""

from html.parser import HTMLParser

import pytest

from ecommunity.forums.markdown import heading_slug, render_document
from ecommunity.manual.services import PAGE_IDS, render


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_headings_get_unique_anchors_and_make_the_toc():
    rendered = render_document("## Espèces migratrices\n\ntext\n\n### Detail\n\n## Espèces migratrices\n\n#### Deep")

    assert [(h.level, h.anchor, h.text) for h in rendered.toc] == [
        (2, "especes-migratrices", "Espèces migratrices"),
        (3, "detail", "Detail"),
        (2, "especes-migratrices-2", "Espèces migratrices"),
    ]
    ids = [attrs["id"] for _tag, attrs in elements(rendered.html) if "id" in attrs]
    assert ids == ["especes-migratrices", "detail", "especes-migratrices-2"]
    assert "<h4>Deep</h4>" in rendered.html


def test_a_first_level_heading_sits_under_the_page_title():
    assert '<h2 id="title">Title</h2>' in render_document("# Title").html


def test_anchors_avoid_the_ids_of_the_page_around():
    rendered = render("## Main\n\n## Manual toc h")

    assert [h.anchor for h in rendered.toc] == ["main-2", "manual-toc-h-2"]
    assert {"main", "manual-toc-h"} <= PAGE_IDS


def test_a_shifted_document_goes_one_level_down():
    rendered = render_document("## Part\n\n### Sub", shift=1)

    assert '<h3 id="part">' in rendered.html and '<h4 id="sub">' in rendered.html
    assert [h.level for h in rendered.toc] == [2, 3]


@pytest.mark.parametrize("text, slug", [("Appendix I", "appendix-i"), ("¿Qué es?", "que-es"), ("***", "section"),
                                         ("Œuvre “à” l'État", "uvre-a-l-etat")])
def test_heading_slugs(text, slug):
    assert heading_slug(text) == slug


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "## <img src=x onerror=alert(1)>",
    "![x](https://example.org/track.png)",
    '## Title {onclick="alert(1)"}',
])
def test_dangerous_markdown_comes_out_inert(source):
    for tag, attrs in elements(render(source).html):
        assert tag not in {"script", "img", "svg", "iframe", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", name
            if name == "href":
                assert value.startswith(("http://", "https://", "/", "mailto:", "#")), value


def test_links_inside_the_manual_carry_no_user_content_marks():
    html = render("See [Appendix I](/manual/convention/appendix-i) and https://www.cms.int").html

    assert '<a href="/manual/convention/appendix-i">Appendix I</a>' in html
    assert "nofollow" not in html and 'href="https://www.cms.int"' in html
