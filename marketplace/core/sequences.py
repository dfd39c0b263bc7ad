"""Numbers without gaps (order numbers, Surat Pesanan numbers): a counter row per scope and year, counted under
its row lock inside the caller's transaction, so a rolled-back action hands its number back."""

from sqlalchemy.dialects import postgresql, sqlite

from marketplace.extensions import db


def next_in_sequence(counter_model, **scope) -> int:
    """Add one to the counter row of `scope` (its primary key columns, the year among them) and return it.

    One statement: the first number of a scope inserts the row, every later one adds one to it; the row stays
    locked by the update until the transaction ends. `counter_model` has the scope's columns as its primary key
    and a `last_number` column."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    first_number = insert(counter_model).values(**scope, last_number=1)
    counted = first_number.on_conflict_do_update(
        index_elements=[getattr(counter_model, column) for column in scope],
        set_={"last_number": counter_model.last_number + 1}).returning(counter_model.last_number)
    return db.session.execute(counted).scalar_one()
