"""What every PDF the application draws with reportlab shares: A4 pages with our margins, the body styles, and
ruled tables with a shaded header."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

_STYLES = getSampleStyleSheet()
BODY = _STYLES["BodyText"].clone("document_body", fontSize=9, leading=12)
SMALL = _STYLES["BodyText"].clone("document_small", fontSize=8, leading=10)
RIGHT = BODY.clone("document_right", alignment=2)
BOLD = BODY.clone("document_bold", fontName="Helvetica-Bold")
TITLE = _STYLES["Title"].clone("document_title", fontSize=16, leading=20, alignment=0)


def paragraph_text(text) -> str:
    """Text for a reportlab Paragraph, which reads a little markup: &, < and > are written as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text, style=BODY) -> Paragraph:
    """A paragraph of plain text; line breaks in it are kept."""
    return Paragraph(paragraph_text(text).replace("\n", "<br/>"), style)


def a4_document(title: str) -> tuple[io.BytesIO, SimpleDocTemplate]:
    """An A4 document; `invariant`: no creation time or random id in the file, so the same rows print the same
    bytes (a document can be compared with the one printed before)."""
    buffer = io.BytesIO()
    return buffer, SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                     topMargin=15 * mm, bottomMargin=15 * mm, title=title, author="Pasar Koperasi",
                                     invariant=True)


def grid_table(rows, widths, *, header_rows: int = 1, total_rows: int = 0) -> Table:
    """Ruled cells with a shaded header; the last `total_rows` rows (totals) stand without rules."""
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1 - total_rows), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e7f3ec")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
