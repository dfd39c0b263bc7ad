"""Text helpers: slugs for addresses."""

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# C0 and C1 control characters but tab, line feed and carriage return (which multi-line text keeps).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(text: str) -> str:
    """Text as a person could have typed it: NUL bytes and other invisible control characters removed."""
    return _CONTROL_CHARACTERS.sub("", text)


def slugify(text: str, *, max_length: int = 80) -> str:
    """`Koperasi Produsen Tunas Sukowati Jaya` → `koperasi-produsen-tunas-sukowati-jaya`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def unique_slug(column, text: str, *, max_length: int = 80, alternative: str | None = None) -> str:
    """A slug of `text` not yet used in `column` (`Model.slug`): `name`, then `name-<alternative>`, `name-2`…"""
    import sqlalchemy as sa

    from marketplace.extensions import db

    base = slugify(text, max_length=max_length)
    candidates = [base] + ([f"{base}-{alternative}"] if alternative else [])
    suffix = 2
    while True:
        for candidate in candidates:
            if db.session.scalar(sa.select(column).where(column == candidate).limit(1)) is None:
                return candidate
        candidates, suffix = [f"{base}-{suffix}"], suffix + 1
