"""What the ledger prints and exports: a payout slip, and the bank's bulk-transfer file of what members are owed."""

import io
from collections.abc import Iterator

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from marketplace.cooperatives.models import Cooperative
from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import format_date_local
from marketplace.ledger.models import Payout
from marketplace.ledger.services.journal import members_with_balance

_STYLES = getSampleStyleSheet()


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
    story = [Paragraph(_escape(lines[0]), _STYLES["Title"])]
    for text in lines[1:]:
        story += [Paragraph(_escape(text), _STYLES["BodyText"]), Spacer(1, 2 * mm)]
    story += [Spacer(1, 12 * mm), Paragraph(_escape(_("Received by the member: ______________________")),
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
