"""A government order's papers — the Surat Pesanan, the counter-offer summary, each BAST with its photos, the
invoice and the receipt — for the agency's officers and the cooperative, and the public pages where anyone
holding one checks its current status."""

from flask import abort, render_template, url_for
from flask_babel import get_locale
from flask_login import login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.views import private_download, private_file
from marketplace.procurement import bp
from marketplace.procurement.services import invoicing, receipts
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.documents import (
    counter_offers_pdf,
    handover_pdf,
    invoice_pdf,
    receipt_pdf,
    surat_pesanan_pdf,
)
from marketplace.procurement.views.purchase_orders import purchase_order_seen


def _photo_response(po, sequence: int, photo_id: int):
    return private_file(receipts.photo_of(receipts.handover_of(po, sequence), photo_id))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/handovers/<int:sequence>/photos/"
          "<int:photo_id>")
@login_required
def handover_photo(agency_id, purchase_order_id, sequence, photo_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return _photo_response(po, sequence, photo_id)


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/handovers/<int:sequence>/photos/<int:photo_id>")
@login_required
def cooperative_handover_photo(slug, purchase_order_id, sequence, photo_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return _photo_response(orders.received_by(cooperative, purchase_order_id), sequence, photo_id)


@bp.route("/documents/handovers/<code>")
def verify_handover(code):
    record = receipts.handover_by_verification_code(code[:24])
    return render_template("procurement/verify.html", po=record.purchase_order, handover=record)


@bp.route("/documents/invoices/<code>")
def verify_invoice(code):
    invoice = invoicing.invoice_by_verification_code(code[:24])
    return render_template("procurement/verify.html", po=invoice.purchase_order, invoice=invoice)


def _paper(po, document: str, sequence: int | None = None):
    """One of a purchase order's papers as a PDF, carrying the address where anyone holding it checks it: the
    Surat Pesanan, a BAST (by its sequence), the invoice or the receipt (kuitansi)."""
    if document == "handover":
        record = receipts.handover_of(po, sequence or 0)
        verify_url = url_for("procurement.verify_handover", code=record.verification_code, _external=True)
        content, number = handover_pdf(record, verify_url), record.number
    elif document in ("surat-pesanan", "counter-offers"):
        if po.number is None or (document == "counter-offers" and not po.offers):
            abort(404)  # a draft or an undecided order has no Surat Pesanan yet, nor one never negotiated offers
        verify_url = url_for("procurement.verify_purchase_order", code=po.verification_code, _external=True)
        if document == "counter-offers":
            content, number = counter_offers_pdf(po, verify_url), f"{po.number}-penawaran"
        else:
            content, number = surat_pesanan_pdf(po, verify_url), po.number
    else:
        invoice = invoicing.invoice_of(po)
        verify_url = url_for("procurement.verify_invoice", code=invoice.verification_code, _external=True)
        if document == "receipt":
            content = receipt_pdf(invoice, verify_url, str(get_locale() or "id"))
            number = invoice.receipt_number
        else:
            content, number = invoice_pdf(invoice, verify_url), invoice.number
    return private_download(content, f"{number.replace('/', '-')}.pdf", "application/pdf", inline=True)


_PAPERS = "<any('surat-pesanan', 'counter-offers', invoice, receipt):document>.pdf"


@bp.route(f"/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/{_PAPERS}")
@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/handovers/<int:sequence>.pdf",
          defaults={"document": "handover"})
@login_required
def purchase_order_paper(agency_id, purchase_order_id, document, sequence=None):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return _paper(po, document, sequence)


@bp.route(f"/manage/<slug>/purchase-orders/<int:purchase_order_id>/{_PAPERS}")
@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/handovers/<int:sequence>.pdf",
          defaults={"document": "handover"})
@login_required
def cooperative_paper(slug, purchase_order_id, document, sequence=None):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return _paper(orders.received_by(cooperative, purchase_order_id), document, sequence)


@bp.route("/documents/purchase-orders/<code>")
def verify_purchase_order(code):
    return render_template("procurement/verify.html", po=orders.purchase_order_by_verification_code(code[:24]))
