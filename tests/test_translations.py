"""Every string a person reads is translated to Indonesian, and the compiled catalog is current."""

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "translations/id/LC_MESSAGES/messages.po"
MO_FILE = ROOT / "translations/id/LC_MESSAGES/messages.mo"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def source_messages() -> set[tuple[str, str | None]]:
    """(message, context) for every translatable string; a context tells apart words spelt alike ("Order")."""
    found = set()
    methods = [
        ("marketplace/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map=methods, keywords=KEYWORDS
    ):
        found.add((message if isinstance(message, str) else message[0], context))
    return found


def indonesian_catalog():
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="id")


def test_every_message_in_the_code_has_an_indonesian_translation():
    catalog = indonesian_catalog()
    untranslated = sorted(
        f"{context}|{message}" if context else message for message, context in source_messages()
        if not (entry := catalog.get(message, context=context)) or entry.fuzzy
        or not (all(entry.string) if isinstance(entry.string, tuple) else entry.string)
    )
    assert untranslated == [], "run `make translations` and translate these in messages.po"


def test_translations_keep_their_placeholders():
    for entry in indonesian_catalog():
        if not entry.id or not entry.string:
            continue
        source = " ".join(entry.id) if isinstance(entry.id, tuple) else entry.id
        translated = " ".join(entry.string) if isinstance(entry.string, tuple) else entry.string
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(translated)), entry.id


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_compiled_catalog_matches_the_source():
    with MO_FILE.open("rb") as mo:
        compiled = {_key(entry.id): _key(entry.string) for entry in read_mo(io.BufferedReader(mo)) if entry.id}
    source = {_key(entry.id): _key(entry.string) for entry in indonesian_catalog() if entry.id and entry.string}
    assert compiled == source, "run `make translations` to compile messages.mo"
