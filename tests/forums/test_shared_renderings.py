"""Posts, topic rows and the site header are rendered once and shared between readers who see them
alike (forums/rendering.py, core/templating.py): what one reader may do never shows to another,
and a change shows at once."""

import re

from ecommunity.accounts.models import User
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Category
from tests.conftest import csrf_token_from, submit
from tests.forums.conftest import sign_in


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def actions_of(html: str, number: int) -> set[str]:
    """The action links and buttons under post `number`."""
    article = re.search(rf'<article[^>]*id="p{number}".*?</article>', html, re.S).group(0)
    return set(re.findall(r'/(edit|delete|report|history|moderate)"', article)) | (
        {"quote"} if "?quote=" in article else set())


def test_each_reader_sees_only_their_own_actions(client, categories, member, other, moderator, make_topic):
    topic = make_topic(categories["open"], member, replies=1, repliers=[other])
    path = f"/forums/t/{topic.id}/"
    sign_in(client, member)
    first_look = page(client, path)
    assert actions_of(first_look, 1) == {"quote", "edit", "delete"}
    assert actions_of(first_look, 2) == {"quote", "report"}

    sign_in(client, other)  # the same posts, now from the cache: the other reader's actions
    html = page(client, path)
    assert actions_of(html, 1) == {"quote", "report"}
    assert actions_of(html, 2) == {"quote", "edit", "delete"}

    sign_in(client, moderator)
    html = page(client, path)
    assert actions_of(html, 2) == {"quote", "edit", "report", "moderate"}
    assert f'value="{csrf_token_from(html)}"' in re.search(r'<article[^>]*id="p2".*?</article>', html, re.S).group(0)


def test_what_is_new_to_a_reader_is_marked_for_that_reader_only(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=2, repliers=[other])
    path = f"/forums/t/{topic.id}/"
    sign_in(client, other)  # wrote the two replies: read up to the end
    assert "post-unread" not in page(client, path)
    sign_in(client, member)  # wrote the first post: the two replies are new
    assert page(client, path).count("post-unread") == 2
    assert "post-unread" not in page(client, path)  # read now


def test_an_edit_a_removal_and_a_rename_show_at_once(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member, replies=1, repliers=[other], body="Before the edit")
    path = f"/forums/t/{topic.id}/"
    sign_in(client, other)
    assert "Before the edit" in page(client, path)

    sign_in(client, member)
    post = services.post_by_number(topic, 1)
    edit = {"title": topic.title, "body": "After the edit"}
    assert submit(client, f"/forums/p/{post.id}/edit", edit).status_code == 302
    sign_in(client, other)
    html = page(client, path)
    assert "After the edit" in html and "Before the edit" not in html

    reply = services.post_by_number(topic, 2)
    assert submit(client, f"/forums/p/{reply.id}/delete").status_code == 302
    assert "This post was deleted by its author." in page(client, path)

    db.session.get(User, member.id).full_name = "Wanjiru Kamau-Otieno"
    db.session.commit()
    assert "Wanjiru Kamau-Otieno" in page(client, path)
    assert "Wanjiru Kamau-Otieno" in page(client, f"/forums/c/{categories['open'].slug}/")


def test_a_reply_moves_the_topic_row_and_the_counts(client, categories, member, other, make_topic):
    topic = make_topic(categories["open"], member)
    listing = f"/forums/c/{categories['open'].slug}/"
    sign_in(client, member)
    assert "1 post" in page(client, listing)
    services.reply(topic=topic, author=other, body="A new reply", notify=False)
    db.session.commit()
    html = page(client, listing)
    assert "2 posts" in html and "Moussa Ndiaye" in html and "badge-new" in html


def test_the_language_of_a_shared_rendering_is_the_readers(client, categories, member, make_user, make_topic):
    french = make_user(full_name="Awa Diop", language="fr")
    topic = make_topic(categories["open"], member, replies=1)
    sign_in(client, member)
    assert ">Quote<" in page(client, f"/forums/t/{topic.id}/")
    sign_in(client, french)
    html = page(client, f"/forums/t/{topic.id}/")
    assert ">Citer<" in html and ">Quote<" not in html
    assert 'lang="fr"' in html and "Se déconnecter" in html


def test_the_header_carries_this_request_s_form_token_and_address(client, categories, member):
    sign_in(client, member)
    html = page(client, "/forums/?page=1")
    header = re.search(r"<header class=\"site-header\">.*?</header>", html, re.S).group(0)
    assert 'name="next" value="/forums/?page=1"' in header
    assert f'name="csrf_token" value="{csrf_token_from(html)}"' in header
    assert "Slot" not in html


def test_rerendering_posts_reaches_pages_already_rendered(client, categories, member, other, make_topic, runner):
    """`flask forums rerender` is the fix after a sanitiser change: its output must show at once."""
    topic = make_topic(categories["open"], member, body="Hello **there**")
    post = services.post_by_number(topic, 1)
    post.body_html = "<p>OLD RENDERING</p>"  # what an earlier sanitiser wrote
    db.session.commit()
    sign_in(client, other)
    assert "OLD RENDERING" in page(client, f"/forums/t/{topic.id}/")

    result = runner.invoke(args=["forums", "rerender"])

    assert "posts rendered: 1, changed: 1" in result.output
    html = page(client, f"/forums/t/{topic.id}/")
    assert "OLD RENDERING" not in html
    assert "<strong>there</strong>" in html
    assert "posts rendered: 1, changed: 0" in runner.invoke(args=["forums", "rerender"]).output


def test_a_new_category_address_shows_on_the_forum_index_at_once(client, categories, member):
    sign_in(client, member)
    assert 'href="/forums/c/national-reporting/"' in page(client, "/forums/")
    db.session.get(Category, categories["open"].id).slug = "reporting"
    db.session.commit()

    html = page(client, "/forums/")

    assert 'href="/forums/c/reporting/"' in html
    assert 'href="/forums/c/national-reporting/"' not in html
