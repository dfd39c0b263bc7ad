"""Spreadsheet files people upload and download: reading them forgivingly, writing them for Excel."""

import csv
import io
from dataclasses import dataclass, field

from marketplace.core.i18n import gettext as _
from marketplace.core.text import without_control_characters

# The byte-order mark makes Excel read UTF-8 names (Siti Aminah, Café…) correctly.
BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet: `=HYPERLINK(…)` in a product name would run
# in a procurement officer's Excel. Exports put an apostrophe before it (shown as text, not computed).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_GUARD = "'"


def spreadsheet_safe(value):
    """A cell as text a spreadsheet shows and never computes."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _FORMULA_GUARD + value
    return value


def from_spreadsheet(cell: str) -> str:
    """An imported cell as it was before `spreadsheet_safe`: exports re-import unchanged."""
    if cell.startswith(_FORMULA_GUARD) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def csv_line(values: list) -> str:
    """One line of an export; every text cell is made spreadsheet-safe here, in the one place all exports
    write through."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([spreadsheet_safe(value) for value in values])
    return buffer.getvalue()


def read_table(text: str, *, known: list[str] | tuple[str, ...], required: tuple[str, ...],
               aliases: dict[str, str] | None = None, max_rows: int,
               too_many: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows as {column: cell}, or the problems with the file as a whole (then no rows).

    Commas, semicolons (Excel in Indonesian settings) and tabs are all understood; empty lines are skipped;
    header names are compared in lower case, and `aliases` map other names (English ones) to known columns.
    """
    aliases = aliases or {}
    text = text.lstrip(BYTE_ORDER_MARK)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return [], [_("The file is empty.")]
    except csv.Error:
        return [], [_("The file is not a readable CSV file. Save it again as CSV and retry.")]
    columns = [aliases.get(name.strip().lower(), name.strip().lower()) for name in header]
    problems = []
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append(_("These columns appear more than once: %(columns)s. Keep one of each.",
                          columns=", ".join(repeated)))
    missing = [name for name in required if name not in columns]
    unknown = [name for name in columns if name not in known]
    if missing:
        problems.append(_("Required columns are missing: %(columns)s.", columns=", ".join(missing)))
    if unknown:
        problems.append(_("Unknown columns: %(columns)s. Download the template to see the expected ones.",
                          columns=", ".join(unknown)))
    if problems:
        return [], problems
    rows = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if any(without_control_characters(cell) != cell for cell in record):
                return [], [_("Line %(line)d holds invisible control characters (such as NUL). Save the file "
                              "again as CSV (UTF-8) and retry.", line=reader.line_num)]
            if len(record) > len(columns) and any(cell.strip() for cell in record[len(columns):]):
                return [], [_("Line %(line)d has more cells than the header has columns. Check for a stray "
                              "comma or semicolon.", line=reader.line_num)]
            rows.append(dict(zip(columns, (from_spreadsheet(cell) for cell in record), strict=False)))
            if len(rows) > max_rows:
                return [], [too_many]
    except csv.Error:
        return [], [_("Line %(line)d of the file cannot be read as CSV.", line=reader.line_num)]
    return rows, []


@dataclass
class ImportPreview:
    """An uploaded file checked line by line; rows have `line` and `errors`. Nothing is written unless valid."""

    rows: list
    file_errors: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for row in self.rows if row.errors)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and self.error_count == 0


def decode_upload(raw: bytes) -> str | None:
    """An uploaded file as text: UTF-8 (with or without a byte-order mark) or Excel's Windows-1252; None if
    neither — and None for UTF-16 ("Unicode text" from Excel), whose NUL bytes Windows-1252 would let through."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
