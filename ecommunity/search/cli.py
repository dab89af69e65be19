"""`flask --app ecommunity search ...`: rebuild the index, show its state, keep it current.

The commands hang on the search blueprint's CLI group (see views.py), named "search".
"""

import time

import click

from ecommunity.extensions import db


@click.command("reindex")
def reindex_command():
    """Rebuild the index from the database into a new folder, check it, then swap it in."""
    from ecommunity.search.engine import IndexBusy
    from ecommunity.search.indexer import rebuild

    try:
        result = rebuild()
    except IndexBusy:
        raise click.ClickException("another rebuild is running on this index folder") from None
    click.echo(
        f"indexed {result['documents']} documents in {result['seconds']:.1f} s "
        f"({result['bytes'] / 1e6:.1f} MB, {result['generation']})"
    )


@click.command("status")
def status_command():
    """Show the index's documents, the last change applied and how far behind it is."""
    from ecommunity.search.indexer import status

    for name, value in status().items():
        click.echo(f"{name}: {value}")


@click.command("catch-up")
@click.option("--loop", is_flag=True, help="Keep running: apply changes as they are logged.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between passes with --loop.")
def catch_up_command(loop: bool, interval: float):
    """Apply logged changes to this host's index (rebuilding it when missing)."""
    from ecommunity.search.indexer import catch_up, prune

    pruned_at = 0.0
    while True:
        done = catch_up(timeout=0 if loop else 30)
        if not loop or done["applied"] or done["rebuilt"]:
            click.echo(f"applied {done['applied']} changes" + (" (index rebuilt)" if done["rebuilt"] else "")
                       + (" (another process is indexing)" if done["busy"] else ""))
        if not loop:
            return
        if time.monotonic() - pruned_at > 3600:
            pruned_at = time.monotonic()
            prune()
        db.session.remove()
        time.sleep(interval)


COMMANDS = (reindex_command, status_command, catch_up_command)
