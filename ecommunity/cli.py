"""Command-line commands, registered in one place: `flask --app ecommunity <command>`."""

import time

import click

from ecommunity.extensions import db


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo community (idempotent) and print the demo logins."""
    from ecommunity.demo import seed_demo

    logins = seed_demo()
    db.session.commit()
    click.echo("Demo data is in place. Demo logins (password for all: see below):")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<40} {password}")


@click.group("mail")
def mail_group():
    """The outbox of outgoing mail."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send mail as it is queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes with --loop.")
def mail_send_command(loop: bool, interval: float):
    """Deliver due mail from the outbox, retrying failures with backoff."""
    from ecommunity.mail.services import deliver_due

    while True:
        counts = deliver_due()
        if any(counts.values()) or not loop:
            click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


@mail_group.command("status")
def mail_status_command():
    """Count outbox messages by state."""
    from ecommunity.mail.models import OutboxMessage

    rows = db.session.execute(
        db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)
    ).all()
    for status, count in sorted(rows):
        click.echo(f"{status}: {count}")


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(mail_group)
    for command in feature_commands():
        app.cli.add_command(command)


def feature_commands() -> list:
    """Command groups that features contribute."""
    from ecommunity.accounts.cli import users_group
    from ecommunity.forums.cli import forums_group

    return [users_group, forums_group]

