"""Command-line tasks: `flask create-admin`, `flask seed-demo`."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from marketplace.core.errors import DomainError
from marketplace.core.unit_of_work import unit_of_work


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", prompt=True, help="The administrator's full name.")
@click.password_option(help="Asked for twice when not given.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a platform administrator account."""
    from marketplace.accounts import services

    try:
        with unit_of_work():
            user = services.create_admin(email=email, name=name, password=password)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Administrator {user.email} created.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo data. Safe to run again: what exists already is left as it is. Never in production."""
    from marketplace.demo import seed_demo

    if current_app.config["APP_ENV"] == "production":
        # The demo accounts, an administrator among them, share a published password.
        raise click.ClickException("seed-demo refuses to run with APP_ENV=production: its accounts (an "
                                   "administrator among them) have a published password.")
    with unit_of_work():
        report = seed_demo(password=current_app.config["DEMO_PASSWORD"])
    for line in report:
        click.echo(line)


@click.command("load-regions")
@with_appcontext
def load_regions_command() -> None:
    """Add new provinces and regencies from the shipped reference file, and refresh changed names."""
    from marketplace.core.regions import load_regions

    with unit_of_work():
        written = load_regions()
    click.echo(f"{written} regions added or renamed.")


@click.command("search-rebuild")
@with_appcontext
def search_rebuild_command() -> None:
    """Rebuild the search index from the products (after a restore or a bulk load)."""
    from marketplace.extensions import db
    from marketplace.search.services.indexer import rebuild_index

    with unit_of_work():
        count = rebuild_index(db.session())
    click.echo(f"{count} products are searchable.")


@click.command("seed-bench")
@click.option("--cooperatives", default=10_000, show_default=True)
@click.option("--products", default=100_000, show_default=True)
@with_appcontext
def seed_bench_command(cooperatives: int, products: int) -> None:
    """Load a large data set for speed measurements (marked bench-; never use on a real database)."""
    from marketplace.bench_data import seed_bench

    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("seed-bench refuses to run with APP_ENV=production.")
    click.echo(seed_bench(cooperatives=cooperatives, products=products))


@click.command("prune-sessions")
@with_appcontext
def prune_sessions_command() -> None:
    """Forget ended sign-in sessions and those older than any cookie lasts (safe to run from cron)."""
    from marketplace.accounts.services import prune_sign_in_sessions

    longest = max(current_app.config["REMEMBER_COOKIE_DURATION"], current_app.config["PERMANENT_SESSION_LIFETIME"])
    with unit_of_work():
        count = prune_sign_in_sessions(older_than=longest)
    click.echo(f"{count} sign-in sessions forgotten.")


@click.command("prune-search-changes")
@with_appcontext
def prune_search_changes_command() -> None:
    """Forget the search index's change log past the day every worker reads it within (safe to run from cron)."""
    from marketplace.extensions import db
    from marketplace.search.services.columns import CHANGES_KEPT
    from marketplace.search.services.indexer import prune_changes

    with unit_of_work():
        count = prune_changes(db.session(), older_than=CHANGES_KEPT)
    click.echo(f"{count} search index changes forgotten.")


@click.command("expire-orders")
@with_appcontext
def expire_orders_command() -> None:
    """The orders' daily round (safe from cron, and twice at once): unpaid orders past their time expire and give
    their stock back; shipped orders count as received after ORDER_RECEIPT_DAYS; delivered, paid orders complete.
    Each order is its own unit of work, so one refusal does not hold up the others."""
    from marketplace.ordering.services.lifecycle import (
        OrderAction,
        due_for_completion,
        due_for_expiry,
        due_for_receipt,
        perform_if_still_due,
    )

    rounds = [(OrderAction.EXPIRE, due_for_expiry()),
              (OrderAction.CONFIRM_RECEIPT, due_for_receipt(current_app.config["ORDER_RECEIPT_DAYS"]))]
    for action, order_ids in [*rounds, (OrderAction.COMPLETE, None)]:
        done = 0
        for order_id in order_ids if order_ids is not None else due_for_completion():
            with unit_of_work():
                done += perform_if_still_due(order_id, action)
        click.echo(f"{action}: {done} orders.")


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep delivering as messages are queued (a worker), instead of once.")
@click.option("--batch", default=50, show_default=True, help="Messages claimed at a time.")
@click.option("--pause", default=2.0, show_default=True, help="Seconds to wait, with --loop, when nothing is due.")
def send_mail_command(loop: bool, batch: int, pause: float) -> None:
    """Deliver the messages waiting in the outbox: what is due now, retries of failed ones included. Safe from cron
    and beside a running worker: each batch is claimed first, so no message goes out twice."""
    from marketplace.core.mail import claim_due_mail, deliver_and_record, waiting_mail_summary

    sent = failed = 0
    while True:
        with unit_of_work():
            claimed = claim_due_mail(batch)
        if claimed:
            batch_sent, batch_failed = deliver_and_record(claimed)
            sent, failed = sent + batch_sent, failed + batch_failed
        elif loop:
            time.sleep(pause)
        else:
            break
    waiting, failing = waiting_mail_summary()
    click.echo(f"{sent} messages sent, {failed} failed and put off; "
               f"{waiting} waiting, {failing} of them failed before.")


def register_cli(app) -> None:
    app.cli.add_command(send_mail_command)
    app.cli.add_command(expire_orders_command)
    app.cli.add_command(prune_sessions_command)
    app.cli.add_command(prune_search_changes_command)
    app.cli.add_command(seed_bench_command)
    app.cli.add_command(search_rebuild_command)
    app.cli.add_command(load_regions_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
