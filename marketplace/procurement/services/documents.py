"""A government order's papers as PDFs — the Surat Pesanan, each handover record (BAST), the invoice with its tax
lines and the receipt (kuitansi): numbered, with the
agency, the cooperative's legal identity, the people and dates of each step, the lines, signature blocks, and a
code anyone holding the paper can check against the document's current status. Drawn from the stored rows only,
so the same order prints the same paper."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import format_npwp
from marketplace.core.money import format_number, format_percent, format_rupiah, rupiah_in_words
from marketplace.core.pdf import BOLD, RIGHT, SMALL, TITLE, a4_document, grid_table, para
from marketplace.core.timeutil import format_date_local, format_datetime_local
from marketplace.ordering.services.documents import cooperative_block
from marketplace.procurement.models import (
    HandoverRecord,
    OfferAnswer,
    ProcurementInvoice,
    PurchaseOrder,
    WithheldTax,
)
from marketplace.procurement.services.receipts import accepted_so_far


def _agency_block(po: PurchaseOrder) -> str:
    unit = po.spending_unit
    return "\n".join([po.agency.name, unit.name, _("Satker code %(code)s", code=unit.satker_code),
                      _("Treasurer's NPWP %(npwp)s", npwp=format_npwp(unit.treasurer_npwp)), unit.street_address])


def _signatures(*blocks: tuple[str, str, str]) -> Table:
    """Signature blocks side by side — (role, name, date) each — with the roles on one row and the names on the
    next, so the names line up however the roles wrap; the space between is where people sign."""
    return _side_by_side([para(role, SMALL) for role, _name, _when in blocks],
                         [[Spacer(1, 14 * mm), para(name), para(when, SMALL)] for _role, name, when in blocks],
                         widths=[180 * mm / len(blocks)] * len(blocks))


def _side_by_side(*rows: list, widths: list) -> Table:
    table = Table(list(rows), colWidths=widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _parties(po: PurchaseOrder, agency_role: str, cooperative_role: str) -> Table:
    return _side_by_side([para(agency_role + "\n" + _agency_block(po)),
                          para(cooperative_role + "\n" + cooperative_block(po.cooperative))], widths=[90 * mm, 90 * mm])


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
    signatures = _signatures(
        (_("Prepared by the procurement official (PP)"), po.prepared_by.name,
         format_datetime_local(po.submitted_at) if po.submitted_at else ""),
        (_("Approved by the commitment official (PPK)"), decided,
         format_datetime_local(po.decided_at or po.sent_at) if po.sent_at else ""),
        (_("Received by the cooperative"), po.cooperative.name, ""))
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
        *([para(_("Photos kept with this record: %(count)s.", count=len(record.photos)), SMALL)]
          if record.photos else []),
        Spacer(1, 8 * mm),
        _signatures((_("Handed over by the cooperative"), po.cooperative.name, ""),
                    (_("Received by the receiver of goods"), record.received_by.name,
                     format_datetime_local(record.created_at))),
        *_check_line(verify_url, record.verification_code),
    ]
    document.build(story)
    return buffer.getvalue()


def _withheld_label(invoice: ProcurementInvoice) -> str:
    if invoice.withheld == WithheldTax.SMALL_BUSINESS_FINAL:
        return _("Final tax PP 55/2022 %(rate)s, withheld by the treasurer", rate=format_percent(invoice.withheld_rate))
    if invoice.withheld == WithheldTax.INCOME_TAX:
        return _("PPh 22 %(rate)s, withheld by the treasurer", rate=format_percent(invoice.withheld_rate))
    return _("Nothing withheld (a purchase of at most the PPh 22 threshold)")


def tax_rows(invoice: ProcurementInvoice) -> list[tuple[str, int]]:
    """The invoice's tax lines as label and amount, in the order an invoice prints them (the page shows them
    the same way)."""
    rows = [(_("Price before VAT"), invoice.price)]
    if invoice.vat_statutory_rate:
        rows += [(_("VAT base (DPP, 11/12 of the price)"), invoice.vat_base),
                 (_("PPN %(rate)s of the DPP", rate=format_percent(invoice.vat_statutory_rate)), invoice.vat)]
    else:
        rows.append((_("PPN: none, the cooperative is not VAT-registered (PKP)"), 0))
    rows += [(_("Invoice total"), invoice.total), (_withheld_label(invoice), -invoice.withheld_amount),
             (_("Net payable to the cooperative"), invoice.net_payable)]
    return rows


def _handovers_text(po: PurchaseOrder) -> str:
    return ", ".join(f"{record.number} ({format_date_local(record.received_on)})" for record in po.handovers)


def invoice_pdf(invoice: ProcurementInvoice, verify_url: str) -> bytes:
    """The cooperative's invoice for what was received: the lines accepted, the tax lines of its day, the account
    to pay into."""
    po = invoice.purchase_order
    buffer, document = a4_document(_("Invoice %(number)s", number=invoice.number))
    accepted = accepted_so_far(po)
    rows = [[para(_("Product"), SMALL), para(_("Quantity received"), SMALL), para(_("Unit price"), SMALL),
             para(_("Total"), SMALL)]]
    for line in po.lines:
        quantity = accepted.get(line.id, 0)
        rows.append([para(line.product_name), para(f"{format_number(quantity)} {line.unit}"),
                     para(format_rupiah(line.unit_price), RIGHT),
                     para(format_rupiah(quantity * line.unit_price), RIGHT)])
    taxes = [[para(label), para(format_rupiah(amount), RIGHT)] for label, amount in tax_rows(invoice)]
    tax_table = Table(taxes, colWidths=[130 * mm, 50 * mm])
    tax_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.6, "black")]))
    story = [
        para(_("Invoice"), TITLE),
        para(_("Number: %(number)s · Date: %(date)s", number=invoice.number,
               date=format_date_local(invoice.issued_on))),
        para(_("For Surat Pesanan %(po)s of %(date)s · order %(order)s", po=po.number,
               date=format_date_local(po.sent_at), order=po.order.number if po.order else "—")),
        para(_("Goods received with %(records)s", records=_handovers_text(po))),
        Spacer(1, 4 * mm), _parties(po, _("Billed to"), _("From")), Spacer(1, 4 * mm),
        grid_table(rows, [85 * mm, 35 * mm, 30 * mm, 30 * mm]), Spacer(1, 4 * mm), tax_table, Spacer(1, 4 * mm),
        para(_("Pay %(amount)s into %(bank)s account %(account)s in the name of %(holder)s.",
               amount=format_rupiah(invoice.net_payable), bank=invoice.bank_name,
               account=invoice.bank_account_number, holder=invoice.bank_account_holder)),
        para(_("Budget code %(budget)s · RUP %(rup)s · fiscal year %(year)s · %(mechanism)s", budget=po.budget_code,
               rup=po.rup_code, year=po.fiscal_year, mechanism=po.payment_mechanism.label), SMALL),
        Spacer(1, 8 * mm),
        _signatures((_("Issued by the cooperative"), invoice.issued_by.name, format_date_local(invoice.issued_on)),
                    ("", "", "")),
        *_check_line(verify_url, invoice.verification_code),
    ]
    document.build(story)
    return buffer.getvalue()


def receipt_pdf(invoice: ProcurementInvoice, verify_url: str, language: str) -> bytes:
    """The kuitansi: the cooperative acknowledges the invoice's amount from the satker's treasurer, written out in
    words, with the tax the treasurer withheld and — once paid — the SP2D or payment reference."""
    po = invoice.purchase_order
    unit = po.spending_unit
    buffer, document = a4_document(_("Receipt %(number)s", number=invoice.receipt_number))
    facts = [
        (_("Received from"), _("The spending treasurer of %(unit)s, %(agency)s", unit=unit.name,
                                agency=po.agency.name)),
        (_("Amount"), format_rupiah(invoice.total)),
        (_("In words"), rupiah_in_words(invoice.total, language)),
        (_("For"), _("Payment of invoice %(invoice)s for the goods of Surat Pesanan %(po)s, received with %(records)s",
                     invoice=invoice.number, po=po.number, records=_handovers_text(po))),
        (_("Tax withheld"), f"{_withheld_label(invoice)}: {format_rupiah(invoice.withheld_amount)}"),
        (_("Net received"), format_rupiah(invoice.net_payable)),
    ]
    if invoice.paid_on is not None:
        facts.append((_("Paid"), _("%(date)s, reference %(reference)s", date=format_date_local(invoice.paid_on),
                                  reference=invoice.payment_reference)))
    fact_table = Table([[para(label, SMALL), para(value)] for label, value in facts], colWidths=[40 * mm, 140 * mm])
    fact_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        para(_("Receipt (kuitansi)"), TITLE),
        para(_("Number: %(number)s · Date: %(date)s", number=invoice.receipt_number,
               date=format_date_local(invoice.paid_on or invoice.issued_on))),
        Spacer(1, 4 * mm), fact_table, Spacer(1, 4 * mm),
        para(cooperative_block(po.cooperative), SMALL), Spacer(1, 8 * mm),
        _signatures((_("Approved for payment by the commitment official (PPK)"),
                     po.decided_by.name if po.decided_by else "", ""),
                    (_("Paid by the treasurer"), invoice.paid_recorded_by.name if invoice.paid_recorded_by else "",
                     ""),
                    (_("Received by the cooperative"), po.cooperative.name, "")),
        *_check_line(verify_url, invoice.verification_code),
    ]
    document.build(story)
    return buffer.getvalue()


def counter_offers_pdf(po: PurchaseOrder, verify_url: str) -> bytes:
    """Every version the cooperative proposed, as proposed, with the PP's answer: the record of the negotiation
    an auditor reads beside the Surat Pesanan."""
    title = _("Counter-offers to Surat Pesanan %(number)s", number=po.number)
    buffer, document = a4_document(title)
    story: list = [para(_("Counter-offer summary"), TITLE),
                   para(_("Surat Pesanan %(number)s of %(date)s", number=po.number,
                          date=format_date_local(po.sent_at))),
                   Spacer(1, 4 * mm), _parties(po, _("Ordering agency"), _("Supplier"))]
    for offer in po.offers:
        rows = [[para(_("Product"), SMALL), para(_("Quantity"), SMALL), para(_("Unit price"), SMALL),
                 para(_("Total"), SMALL)]]
        for entry in offer.lines:
            quantity = f"{format_number(entry['quantity'])} {entry.get('unit', '')}"
            rows.append([para(entry["product_name"]), para(quantity),
                         para(format_rupiah(entry["unit_price"]), RIGHT),
                         para(format_rupiah(entry["quantity"] * entry["unit_price"]), RIGHT)])
        rows.append(["", "", para(_("Total before tax"), RIGHT), para(format_rupiah(offer.total), RIGHT)])
        if offer.answer is None:
            answer = _("Not answered yet.")
        else:
            answer = _("%(answer)s by %(name)s on %(date)s. %(note)s", answer=offer.answer.label,
                       name=offer.answered_by.name if offer.answered_by else "",
                       date=format_datetime_local(offer.answered_at) if offer.answered_at else "",
                       note=offer.answer_note)
        story += [
            Spacer(1, 6 * mm),
            para(_("Version %(version)s · %(date)s · %(name)s", version=offer.version,
                   date=format_datetime_local(offer.offered_at), name=offer.offered_by.name), BOLD),
            para(offer.note),
            para(_("Deliver by %(date)s", date=format_date_local(offer.deliver_by)) if offer.deliver_by else ""),
            grid_table(rows, [95 * mm, 30 * mm, 27 * mm, 28 * mm], total_rows=1),
            para(answer),
        ]
    story += _check_line(verify_url, po.verification_code)
    document.build(story)
    return buffer.getvalue()
