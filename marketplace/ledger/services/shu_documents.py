"""The SHU appendix for the RAT: the funds, the members' shares and how they were worked out."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marketplace.cooperatives.models import Cooperative
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_percent, format_rupiah
from marketplace.core.pdf import paragraph_text
from marketplace.ledger.services.shu import FUNDS, ShuDistribution

_STYLES = getSampleStyleSheet()
_SMALL = _STYLES["BodyText"].clone("shu_small", fontSize=8, leading=10)



def _table(rows, widths) -> Table:
    table = Table([[Paragraph(paragraph_text(cell), _SMALL) for cell in row] for row in rows], colWidths=widths,
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f3ec")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def shu_pdf(cooperative: Cooperative, distribution: ShuDistribution) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, author="Pasar Koperasi",
                                 title=_("SHU for book year %(year)d", year=distribution.book_year))
    funds = [[_("Fund"), _("Share"), _("Amount")]] + [
        [str(label), format_percent(distribution.percentages.get(name, 0)), format_rupiah(distribution.funds[name])]
        for name, label in FUNDS]
    members = [[_("Member no."), _("Name"), _("Transactions"), _("Capital"), _("Jasa usaha"), _("Jasa modal"),
                _("SHU")]] + [
        [share.member.member_number, share.member.full_name, format_rupiah(share.transactions),
         format_rupiah(share.capital), format_rupiah(share.jasa_usaha), format_rupiah(share.jasa_modal),
         format_rupiah(share.total)] for share in distribution.members]
    story = [
        Paragraph(paragraph_text(_("Distribution of SHU, book year %(year)d", year=distribution.book_year)),
                  _STYLES["Title"]),
        Paragraph(paragraph_text(cooperative.name), _STYLES["BodyText"]),
        Paragraph(paragraph_text(_("SHU of the year: %(amount)s", amount=format_rupiah(distribution.shu))),
                  _STYLES["BodyText"]),
        Spacer(1, 4 * mm), _table(funds, [90 * mm, 30 * mm, 50 * mm]), Spacer(1, 4 * mm),
        Paragraph(paragraph_text(_("Each member's share = jasa usaha fund × the member's transactions ÷ all members' "
                            "transactions (%(transactions)s) + jasa modal fund × the member's simpanan pokok and "
                            "wajib ÷ all members' (%(capital)s); each fund is shared out to the rupiah by largest "
                            "remainder.", transactions=format_rupiah(distribution.total_transactions),
                            capital=format_rupiah(distribution.total_capital))), _SMALL),
        Spacer(1, 4 * mm), _table(members, [20 * mm, 42 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm]),
    ]
    document.build(story)
    return buffer.getvalue()
