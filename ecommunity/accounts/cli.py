"""Account commands for operators: `flask --app ecommunity users ...`."""

import click

from ecommunity.accounts.models import AccountStatus, Role, User, email_key
from ecommunity.accounts.passwords import hash_password
from ecommunity.database import utcnow
from ecommunity.extensions import db


@click.group("users")
def users_group():
    """Manage accounts from the command line."""


@users_group.command("create-admin")
@click.argument("email")
@click.option("--name", prompt=True, help="Full name.")
@click.option("--country", default="DE", show_default=True, help="ISO country code.")
@click.password_option()
def create_admin_command(email: str, name: str, country: str, password: str):
    """Create an active administrator account (for the first login on a new site)."""
    email = email_key(email)
    if db.session.scalar(db.select(User).where(User.email == email)):
        raise click.ClickException(f"An account with {email} already exists.")
    now = utcnow()
    db.session.add(User(
        email=email, full_name=name, country=country.upper(), region="europe",
        role=Role.ADMIN, status=AccountStatus.ACTIVE, password_hash=hash_password(password),
        email_verified_at=now, decided_at=now,
    ))
    db.session.commit()
    click.echo(f"Administrator {email} created.")
