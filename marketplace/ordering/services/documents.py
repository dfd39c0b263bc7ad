"""The order's printed documents: the invoice (with a code anyone holding the paper can check) and packing slips,
one or a day's worth in one file."""

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

from marketplace.catalog.models import Unit
from marketplace.cooperatives.models import Cooperative
from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import format_npwp
from marketplace.core.money import format_number, format_rupiah
from marketplace.core.pdf import RIGHT, SMALL, TITLE, a4_document, grid_table, para
from marketplace.core.timeutil import format_date_local, format_datetime_local
from marketplace.ordering.models import DeliveryMethod, Order, PaymentMethod


def _unit_label(value: str) -> str:
    try:
        return str(Unit(value).label)
    except ValueError:
        return value


def _address_block(order: Order) -> str:
    checkout = order.checkout
    lines = [checkout.recipient_name, checkout.street_address,
             f"{checkout.regency.name}, {checkout.province.name}" + (f" {checkout.postal_code}"
                                                                    if checkout.postal_code else ""),
             checkout.phone]
    return "\n".join(lines)

def cooperative_block(cooperative: Cooperative) -> str:
    """The cooperative's name, address and legal identity, as every document it issues shows them."""
    lines = [cooperative.name, cooperative.street_address, f"{cooperative.regency.name}, {cooperative.province.name}",
             cooperative.phone]
    identity = []
    if cooperative.npwp:
        identity.append(_("NPWP %(number)s", number=format_npwp(cooperative.npwp)))
    if cooperative.nib:
        identity.append(_("NIB %(number)s", number=cooperative.nib))
    if cooperative.nik_koperasi:
        identity.append(_("NIK koperasi %(number)s", number=cooperative.nik_koperasi))
    if cooperative.legal_decree_number:
        identity.append(_("Legal entity decree %(number)s", number=cooperative.legal_decree_number))
    return "\n".join(lines + identity)

def _delivery_text(order: Order) -> str:
    text = str(order.delivery_method.label)
    if order.carrier:
        text += f" · {order.carrier} {order.tracking_number or ''}".rstrip()
    return text

def invoice_number(order: Order) -> str:
    return f"INV/{order.number}"

def invoice_pdf(order: Order, verify_url: str) -> bytes:
    """The invoice of one supplier order (tax lines come with government purchase orders)."""
    buffer, document = a4_document(_("Invoice %(number)s", number=invoice_number(order)))
    rows = [[para(_("Product"), SMALL), para(_("SKU"), SMALL), para(_("Quantity"), SMALL),
             para(_("Unit price"), SMALL), para(_("Total"), SMALL)]]
    for line in order.lines:
        quantity = f"{format_number(line.quantity)} {_unit_label(line.unit)}"
        rows.append([para(line.product_name), para(line.sku), para(quantity),
                     para(format_rupiah(line.unit_price), RIGHT), para(format_rupiah(line.line_total), RIGHT)])
    totals = [(_("Subtotal"), order.subtotal), (_("Delivery: %(method)s", method=order.delivery_method.label),
                                                order.delivery_fee), (_("Total"), order.total)]
    for label, amount in totals:
        rows.append(["", "", "", para(label, RIGHT), para(format_rupiah(amount), RIGHT)])
    lines_table = grid_table(rows, [70 * mm, 25 * mm, 27 * mm, 28 * mm, 30 * mm], total_rows=len(totals))
    if order.paid_at:
        payment = _("Paid on %(date)s.", date=format_date_local(order.paid_at))
    elif order.payment_method == PaymentMethod.BANK_TRANSFER and order.cooperative.bank_account_number:
        cooperative = order.cooperative
        payment = _("Please transfer %(amount)s to %(bank)s account %(account)s in the name of %(holder)s, with "
                    "%(number)s as the reference.", amount=format_rupiah(order.total), bank=cooperative.bank_name or "",
                    account=cooperative.bank_account_number, holder=cooperative.bank_account_holder or cooperative.name,
                    number=order.number)
    else:
        payment = str(order.payment_method.label)
    parties = Table([[para(_("From") + "\n" + cooperative_block(order.cooperative)),
                      para(_("To") + "\n" + _address_block(order))]], colWidths=[90 * mm, 90 * mm])
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        para(_("Invoice"), TITLE),
        para(_("Number: %(number)s · Order %(order)s · Date: %(date)s", number=invoice_number(order),
             order=order.number, date=format_date_local(order.placed_at))),
        para(_("Buyer: %(name)s (%(email)s)", name=order.buyer.name, email=order.buyer.email)),
        Spacer(1, 4 * mm), parties, Spacer(1, 4 * mm), lines_table, Spacer(1, 4 * mm),
        para(_("Delivery: %(delivery)s", delivery=_delivery_text(order))),
        para(_("Payment: %(payment)s", payment=payment)),
        Spacer(1, 6 * mm),
        para(_("Check this document and the order's current status at %(url)s (code %(code)s).", url=verify_url,
             code=order.verification_code), SMALL),
    ]
    document.build(story)
    return buffer.getvalue()

def _packing_slip(order: Order) -> list:
    rows = [[para(_("Product"), SMALL), para(_("SKU"), SMALL), para(_("Quantity"), SMALL), para(_("Packed"), SMALL)]]
    for line in order.lines:
        rows.append([para(line.product_name), para(line.sku),
                     para(f"{format_number(line.quantity)} {_unit_label(line.unit)}"), ""])
    delivery = _delivery_text(order)
    if order.delivery_method == DeliveryMethod.PICKUP:
        delivery += " — " + _("the buyer collects at the cooperative")
    story = [
        para(_("Packing slip"), TITLE),
        para(_("Order %(number)s · placed %(date)s · ship by %(ship_by)s", number=order.number,
             date=format_datetime_local(order.placed_at), ship_by=format_date_local(order.ship_by))),
        Spacer(1, 3 * mm),
        para(_("Deliver to") + "\n" + _address_block(order)),
        para(_("Delivery: %(delivery)s", delivery=delivery)),
        Spacer(1, 3 * mm),
        grid_table(rows, [85 * mm, 30 * mm, 40 * mm, 25 * mm]),
    ]
    if order.buyer_note:
        story += [Spacer(1, 3 * mm), para(_("Buyer's note: %(note)s", note=order.buyer_note))]
    return [KeepTogether(story)]

def packing_slips_pdf(orders: list[Order], title: str) -> bytes:
    """One page per order, so a day's orders print in one go."""
    buffer, document = a4_document(title)
    story: list = []
    for index, order in enumerate(orders):
        if index:
            story.append(PageBreak())
        story += _packing_slip(order)
    if not story:
        story = [para(_("No orders to pack."))]
    document.build(story)
    return buffer.getvalue()
