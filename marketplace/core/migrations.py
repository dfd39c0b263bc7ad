"""How our own column types are written into Alembic revisions, so revisions import nothing of ours."""

from marketplace.core.timeutil import UTCDateTime


def render_migration_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # Alembic's default rendering
