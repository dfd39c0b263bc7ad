"""What the ledger prints and exports: a payout slip, and the bank's bulk-transfer file of what members are owed."""

import io
from collections.abc import Iterator

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from marketplace.cooperatives.models import Cooperative
from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.pdf import paragraph_text
from marketplace.core.timeutil import format_date_local
from marketplace.ledger.models import Payout
from marketplace.ledger.services.journal import members_with_balance

_STYLES = getSampleStyleSheet()



def payout_slip_pdf(payout: Payout, cooperative: Cooperative) -> bytes:
    """The slip a member signs or keeps: who paid whom, how much, when, how, for what."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A5), leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, author="Pasar Koperasi",
                                 title=_("Payout slip %(number)s", number=payout.id))
    member = payout.member
    lines = [
        _("Payout slip no. %(number)s", number=payout.id),
        cooperative.name,
        _("Paid to: %(name)s (member no. %(number)s)", name=member.full_name, number=member.member_number),
        _("Amount: %(amount)s", amount=format_rupiah(payout.amount)),
        _("Paid on %(date)s by %(method)s", date=format_date_local(payout.paid_on), method=payout.method.label),
        _("Reference: %(reference)s", reference=payout.reference or "—"),
        _("For goods the member made and the cooperative sold through Pasar Koperasi."),
        _("Recorded by: %(name)s", name=payout.paid_by.name if payout.paid_by else "—"),
    ]
    story = [Paragraph(paragraph_text(lines[0]), _STYLES["Title"])]
    for text in lines[1:]:
        story += [Paragraph(paragraph_text(text), _STYLES["BodyText"]), Spacer(1, 2 * mm)]
    story += [Spacer(1, 12 * mm), Paragraph(paragraph_text(_("Received by the member: ______________________")),
                                            _STYLES["BodyText"])]
    document.build(story)
    return buffer.getvalue()


def bank_batch_csv_lines(cooperative: Cooperative) -> Iterator[str]:
    """One row per member owed money, with the account to pay into: the file a bank's bulk transfer takes."""
    # Column names are Indonesian whatever the interface language, like the member and product files.
    yield BYTE_ORDER_MARK + csv_line(["nomor_anggota", "nama", "metode_pembayaran", "bank_atau_dompet",
                                      "nomor_rekening", "nama_pemilik_rekening", "jumlah"])
    for member, balance in members_with_balance(cooperative):
        yield csv_line([member.member_number, member.full_name, member.payout_method.value,
                        member.payout_provider or "", member.payout_account_number or "",
                        member.payout_account_holder or member.full_name, balance])


def statement_pdf(member, cooperative: Cooperative, rows, totals, *, since, until) -> bytes:
    """A member's statement for a period: what they made and earned, were paid and saved, and what stands."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Table, TableStyle

    small = _STYLES["BodyText"].clone("statement_small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                 bottomMargin=15 * mm, author="Pasar Koperasi",
                                 title=_("Statement of %(name)s", name=member.full_name))
    period = (f"{format_date_local(since) if since else '…'} – {format_date_local(until) if until else '…'}")
    table_rows = [[_("Date"), _("What"), _("Units"), _("Account"), _("In"), _("Out")]]
    for line, entry, units in rows:
        table_rows.append([format_date_local(entry.booked_on), f"{entry.kind.label} · {entry.memo}", units or "",
                           line.account.label, format_rupiah(-line.amount) if line.amount < 0 else "",
                           format_rupiah(line.amount) if line.amount > 0 else ""])
    table = Table([[Paragraph(paragraph_text(cell), small) for cell in row] for row in table_rows],
                  colWidths=[20 * mm, 70 * mm, 12 * mm, 32 * mm, 23 * mm, 23 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f3ec")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    summary = [_("%(account)s: %(opening)s at the start, %(closing)s at the end",
                 account=account.label, opening=format_rupiah(totals.opening[account]),
                 closing=format_rupiah(totals.closing[account])) for account in totals.closing]
    story = [Paragraph(paragraph_text(_("Statement of %(name)s", name=member.full_name)), _STYLES["Title"]),
             Paragraph(paragraph_text(f"{cooperative.name} · {member.member_number} · {period}"), _STYLES["BodyText"]),
             Spacer(1, 3 * mm)]
    story += [Paragraph(paragraph_text(text), small) for text in summary]
    story += [Spacer(1, 4 * mm), table]
    document.build(story)
    return buffer.getvalue()
