"""A shortlist as CSV (for spreadsheets) and as a PDF an officer can attach to a procurement file."""

import io
from collections.abc import Iterator
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.pdf import paragraph_text
from marketplace.core.timeutil import format_date_local, format_datetime_local, local_today, utcnow
from marketplace.sourcing.models import Shortlist
from marketplace.sourcing.services.shortlists import ComparedOffer, compare


def _rows(shortlist: Shortlist, today: date) -> list[ComparedOffer]:
    return [offer for start in range(0, len(shortlist.items), 4)
            for offer in compare(shortlist, [item.id for item in shortlist.items[start:start + 4]], today)]


def _headers() -> list[str]:
    return [_("Item"), _("Cooperative"), _("Region"), _("Quantity"), _("Unit price"), _("Total"),
            _("Minimum order"), _("Availability"), _("Certifications"), _("Note")]


def _cells(offer: ComparedOffer, *, money) -> list:
    cooperative = offer.cooperative
    return [offer.title, cooperative.name, f"{cooperative.regency.name}, {cooperative.province.name}",
            offer.quantity or "", money(offer.unit_price) if offer.unit_price else "",
            money(offer.total) if offer.total else "", offer.min_order_quantity or "", offer.availability,
            "; ".join(offer.certificates or []), offer.item.note]


def shortlist_csv_lines(shortlist: Shortlist, today: date | None = None) -> Iterator[str]:
    today = today or local_today()
    yield BYTE_ORDER_MARK + csv_line(_headers())
    for offer in _rows(shortlist, today):
        yield csv_line(_cells(offer, money=lambda amount: amount))  # plain numbers for spreadsheets


def shortlist_pdf(shortlist: Shortlist, owner_name: str, today: date | None = None) -> bytes:
    today = today or local_today()
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=shortlist.name,
                                 author="Pasar Koperasi")
    rows = [[Paragraph(f"<b>{header}</b>", small) for header in _headers()]]
    for offer in _rows(shortlist, today):
        rows.append([Paragraph(paragraph_text(str(cell)), small) for cell in _cells(offer, money=format_rupiah)])
    table = Table(rows, repeatRows=1, colWidths=[40 * mm, 35 * mm, 30 * mm, 15 * mm, 22 * mm, 24 * mm, 15 * mm,
                                                 32 * mm, 30 * mm, 30 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f3ec")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [
        Paragraph(paragraph_text(_("Shortlist: %(name)s", name=shortlist.name)), styles["Title"]),
        Paragraph(paragraph_text(_("Prepared by %(name)s on %(date)s with Pasar Koperasi.", name=owner_name,
                            date=format_datetime_local(utcnow()))), styles["BodyText"]),
        Paragraph(paragraph_text(_("Prices are those listed on %(date)s, at the quantity noted for each item, before "
                            "taxes and delivery.", date=format_date_local(today))), small),
        Spacer(1, 4 * mm), table,
    ]
    document.build(story)
    return buffer.getvalue()

