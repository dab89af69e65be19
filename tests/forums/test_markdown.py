"""Posts are Markdown rendered to HTML that cannot run anything."""

from html.parser import HTMLParser

import pytest

from ecommunity.forums import markdown


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<iframe src='https://example.org'></iframe>",
    "![x](https://example.org/track.png)",
])
def test_dangerous_markdown_comes_out_inert(source):
    elements = Elements()
    elements.feed(markdown.render(source))
    for tag, attrs in elements.found:
        assert tag not in {"script", "img", "svg", "iframe", "style", "object"}, tag
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", name
            if name == "href":
                assert value.startswith(("http://", "https://", "/", "mailto:")), value


class Elements(HTMLParser):
    """The real elements and attributes of an HTML fragment (text that looks like tags is not one)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def test_raw_html_is_shown_as_text():
    assert markdown.render("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_links_are_marked_as_user_content():
    html = markdown.render("See [the manual](https://www.cms.int/manual) and https://www.cms.int")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_common_markdown_survives():
    html = markdown.render(
        "# Title\n\n**bold** *it* ~~old~~\n\n> quoted\n\n- one\n- two\n\n`code`\n\n|a|b|\n|-|-|\n|1|2|"
    )
    for tag in ("<h3>", "<strong>", "<em>", "<s>", "<blockquote>", "<ul>", "<code>", "<table>"):
        assert tag in html, tag
    assert "<h1" not in html  # post headings sit below the page's own


def test_mentions_of_known_members_are_highlighted_and_found():
    source = "Thanks @Wanjiru.Kamau and @maría_josé-andrade! Mail a@b.org, `@code` stays."
    assert markdown.find_mentions(source) == {"wanjiru kamau", "maria jose andrade"}
    html = markdown.render(source, {"wanjiru kamau": 1})
    assert '<span class="mention">@Wanjiru.Kamau</span>' in html
    assert "@maría_josé-andrade" in html and html.count("mention") == 1
    assert "<code>@code</code>" in html


def test_quote_and_excerpt():
    assert markdown.quote("line one\n\nline two", "Ana *B*") == "> **Ana B:**\n>\n> line one\n>\n> line two\n\n"
    text = markdown.excerpt(markdown.render("word " * 200), limit=50)
    assert len(text) <= 52 and text.endswith("…")
    assert markdown.plain_text(markdown.render("a &amp; <b>")) == "a & <b>"
