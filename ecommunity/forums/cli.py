"""`flask --app ecommunity forums ...`: the digest job and maintenance of rendered posts."""

import click

from ecommunity.database import utcnow
from ecommunity.extensions import db


@click.group("forums")
def forums_group():
    """The forums."""


@forums_group.command("digest")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default=None,
              help="Only this kind of digest (default: every digest that is due).")
def digest_command(frequency: str | None):
    """Queue the digests that are due (run it daily, e.g. from cron); safe to run more often."""
    from ecommunity.forums.notifications import send_digests

    count = send_digests(frequency)
    db.session.commit()
    click.echo(f"digests queued: {count}")


@forums_group.command("rerender")
def rerender_command():
    """Render every post's Markdown again (after a change to the renderer or the sanitiser)."""
    from ecommunity.forums.markdown import render
    from ecommunity.forums.models import Post
    from ecommunity.forums.services import _resolve_mentions

    count = changed = 0
    last_id = 0
    while True:
        posts = db.session.scalars(db.select(Post).where(Post.id > last_id).order_by(Post.id).limit(500)).all()
        if not posts:
            break
        for post in posts:
            html = render(post.body, _resolve_mentions(post.body))
            if html != post.body_html:
                # Workers keep a post's HTML by its change time: a new time makes them render it again.
                post.body_html, post.changed_at = html, utcnow()
                changed += 1
            count += 1
        last_id = posts[-1].id
        db.session.commit()
    click.echo(f"posts rendered: {count}, changed: {changed}")
