"""A government order's papers as PDFs — the Surat Pesanan and each handover record (BAST): numbered, with the
agency, the cooperative's legal identity, the people and dates of each step, the lines, signature blocks, and a
code anyone holding the paper can check against the document's current status. Drawn from the stored rows only,
so the same order prints the same paper."""

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from marketplace.core.identifiers import format_npwp
from marketplace.core.money import format_number, format_rupiah
from marketplace.core.pdf import RIGHT, SMALL, TITLE, a4_document, grid_table, para
from marketplace.core.timeutil import format_date_local, format_datetime_local
from marketplace.ordering.services.documents import cooperative_block
from marketplace.procurement.models import HandoverRecord, OfferAnswer, PurchaseOrder


def _agency_block(po: PurchaseOrder) -> str:
    unit = po.spending_unit
    return "\n".join([po.agency.name, unit.name, _("Satker code %(code)s", code=unit.satker_code),
                      _("Treasurer's NPWP %(npwp)s", npwp=format_npwp(unit.treasurer_npwp)), unit.street_address])


def _signature_block(role: str, name: str, when: str) -> list:
    return [para(role, SMALL), Spacer(1, 14 * mm), para(name), para(when, SMALL)]


def _parties(po: PurchaseOrder, agency_role: str, cooperative_role: str) -> Table:
    parties = Table([[para(agency_role + "\n" + _agency_block(po)),
                      para(cooperative_role + "\n" + cooperative_block(po.cooperative))]],
                    colWidths=[90 * mm, 90 * mm])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return parties


def _side_by_side(cells: list, widths: list) -> Table:
    table = Table([cells], colWidths=widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _check_line(verify_url: str, code: str | None) -> list:
    return [Spacer(1, 8 * mm), para(_("Check this document and its current status at %(url)s (code %(code)s).",
                                      url=verify_url, code=code), SMALL)]


def surat_pesanan_pdf(po: PurchaseOrder, verify_url: str) -> bytes:
    title = _("Surat Pesanan %(number)s", number=po.number)
    buffer, document = a4_document(title)
    rows = [[para(_("Product"), SMALL), para(_("SKU"), SMALL), para(_("Quantity"), SMALL),
             para(_("Unit price"), SMALL), para(_("Total"), SMALL)]]
    for line in po.lines:
        rows.append([para(line.product_name), para(line.sku), para(f"{format_number(line.quantity)} {line.unit}"),
                     para(format_rupiah(line.unit_price), RIGHT), para(format_rupiah(line.line_total), RIGHT)])
    rows.append(["", "", "", para(_("Total before tax"), RIGHT), para(format_rupiah(po.total), RIGHT)])
    parties = _parties(po, _("Ordering agency"), _("Supplier"))
    terms = [
        (_("RUP code"), po.rup_code), (_("Budget code"), po.budget_code), (_("Fiscal year"), str(po.fiscal_year)),
        (_("Payment mechanism"), str(po.payment_mechanism.label)),
        (_("Deliver by"), format_date_local(po.deliver_by) if po.deliver_by else "—"),
        (_("Deliver to"), f"{po.recipient_name} · {po.recipient_phone}\n{po.delivery_address}"),
        (_("What for"), po.justification),
    ]
    taken = next((offer for offer in po.offers if offer.answer == OfferAnswer.TAKEN), None)
    if taken is not None:
        terms.append((_("Counter-offer"), _("Version %(version)s of %(date)s, accepted by the PP: %(note)s",
                                           version=taken.version, date=format_date_local(taken.offered_at),
                                           note=taken.note)))
    terms_table = Table([[para(label, SMALL), para(value)] for label, value in terms], colWidths=[40 * mm, 140 * mm])
    terms_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    decided = po.decided_by.name if po.decided_by else _("%(name)s, within the PP's spending limit",
                                                          name=po.prepared_by.name)
    signatures = _side_by_side([
        _signature_block(_("Prepared by the procurement official (PP)"), po.prepared_by.name,
                         format_datetime_local(po.submitted_at) if po.submitted_at else ""),
        _signature_block(_("Approved by the commitment official (PPK)"), decided,
                         format_datetime_local(po.decided_at or po.sent_at) if po.sent_at else ""),
        _signature_block(_("Received by the cooperative"), po.cooperative.name, ""),
    ], [60 * mm, 60 * mm, 60 * mm])
    story = [
        para(_("Surat Pesanan (purchase order)"), TITLE),
        para(_("Number: %(number)s · Date: %(date)s", number=po.number, date=format_date_local(po.sent_at))),
        Spacer(1, 4 * mm), parties, Spacer(1, 4 * mm),
        grid_table(rows, [70 * mm, 25 * mm, 27 * mm, 28 * mm, 30 * mm], total_rows=1), Spacer(1, 4 * mm),
        terms_table, Spacer(1, 4 * mm),
        para(_("Taxes are worked out on the invoice, from what is received: PPN where the cooperative is a PKP, "
               "and PPh 22 or the PP 55/2022 final tax withheld by the treasurer.") , SMALL),
        Spacer(1, 8 * mm), signatures, *_check_line(verify_url, po.verification_code),
    ]
    document.build(story)
    return buffer.getvalue()


def handover_pdf(record: HandoverRecord, verify_url: str) -> bytes:
    """The BAST of one delivery: what was delivered and accepted per line, the condition of what was refused,
    signed by the agency's receiver of goods and by the cooperative that handed the goods over."""
    po = record.purchase_order
    title = _("Berita Acara Serah Terima %(number)s", number=record.number)
    buffer, document = a4_document(title)
    rows = [[para(_("Product"), SMALL), para(_("Delivered"), SMALL), para(_("Accepted"), SMALL),
             para(_("Unit price"), SMALL), para(_("Value accepted"), SMALL)]]
    for entry in record.lines:
        rows.append([para(entry["product_name"]), para(f"{format_number(entry['delivered'])} {entry['unit']}"),
                     para(f"{format_number(entry['accepted'])} {entry['unit']}"),
                     para(format_rupiah(entry["unit_price"]), RIGHT),
                     para(format_rupiah(entry["accepted"] * entry["unit_price"]), RIGHT)])
    rows.append(["", "", "", para(_("Total accepted"), RIGHT), para(format_rupiah(record.accepted_total), RIGHT)])
    story = [
        para(_("Berita Acara Serah Terima (handover record)"), TITLE),
        para(_("Number: %(number)s · Received on: %(date)s", number=record.number,
               date=format_date_local(record.received_on))),
        para(_("Delivery %(sequence)s for Surat Pesanan %(po)s of %(date)s", sequence=record.sequence, po=po.number,
               date=format_date_local(po.sent_at))),
        Spacer(1, 4 * mm), _parties(po, _("Receiving agency"), _("Handed over by")), Spacer(1, 4 * mm),
        grid_table(rows, [70 * mm, 27 * mm, 27 * mm, 26 * mm, 30 * mm], total_rows=1), Spacer(1, 4 * mm),
        para(_("Condition: %(condition)s", condition=record.condition) if record.condition
             else _("The goods accepted were received complete and in good condition.")),
        Spacer(1, 8 * mm),
        _side_by_side([
            _signature_block(_("Handed over by the cooperative"), po.cooperative.name, ""),
            _signature_block(_("Received by the receiver of goods"), record.received_by.name,
                             format_datetime_local(record.created_at)),
        ], [90 * mm, 90 * mm]),
        *_check_line(verify_url, record.verification_code),
    ]
    document.build(story)
    return buffer.getvalue()
