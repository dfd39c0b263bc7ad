"""Purchase orders: a PP drafts one per cooperative (from a shortlist), a PPK approves or rejects it — never the
person who prepared it — and an approved order goes to the cooperative as a numbered Surat Pesanan.

Every move goes through `_move`, which checks the move is one the state machine allows and writes the history
row in the same transaction. Orders above the direct-purchase ceiling are refused; orders that look like one
need split to stay under it are shown to the PPK, who must say they checked before approving."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.catalog.services.pricing import quote
from marketplace.catalog.services.public import public_products_query
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import AuditEvent, record_audit
from marketplace.core.errors import Conflict, InvalidDetails, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.money import format_rupiah
from marketplace.core.regions import is_regency_of
from marketplace.core.sequences import next_in_sequence
from marketplace.core.timeutil import local_today, utcnow
from marketplace.core.validators import normalize_indonesian_phone
from marketplace.extensions import db
from marketplace.ordering.services.cart import CartStore
from marketplace.ordering.services.checkout import Address, AgreedLine, place_agreed_order
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.ordering.services.numbers import random_code
from marketplace.procurement.models import (
    Agency,
    ApprovalPolicy,
    CounterOffer,
    OfferAnswer,
    Officer,
    OfficerRole,
    OfficerRoleGrant,
    PaymentMechanism,
    ProcurementAudit,
    PurchaseOrder,
    PurchaseOrderCounter,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    RuleKey,
    SpendingUnit,
)
from marketplace.procurement.services.agencies import officer_in, require_role
from marketplace.procurement.services.rules import rule_value
from marketplace.sourcing.models import Shortlist

S = PurchaseOrderStatus
SPLIT_WINDOW = timedelta(days=30)
MAX_LINE_QUANTITY = 1_000_000
# The moves the state machine allows, and the history row each writes.
MOVES: dict[tuple[PurchaseOrderStatus, PurchaseOrderStatus], ProcurementAudit] = {
    (S.DRAFT, S.SUBMITTED): ProcurementAudit.PURCHASE_ORDER_SUBMITTED,
    (S.DRAFT, S.SENT): ProcurementAudit.PURCHASE_ORDER_APPROVED_WITHIN_LIMIT,
    (S.SUBMITTED, S.SENT): ProcurementAudit.PURCHASE_ORDER_APPROVED,
    (S.SUBMITTED, S.REJECTED): ProcurementAudit.PURCHASE_ORDER_REJECTED,
    (S.SUBMITTED, S.DRAFT): ProcurementAudit.PURCHASE_ORDER_REOPENED,
    (S.REJECTED, S.DRAFT): ProcurementAudit.PURCHASE_ORDER_REOPENED,
    (S.DRAFT, S.CANCELLED): ProcurementAudit.PURCHASE_ORDER_CANCELLED,
    (S.SUBMITTED, S.CANCELLED): ProcurementAudit.PURCHASE_ORDER_CANCELLED,
    (S.REJECTED, S.CANCELLED): ProcurementAudit.PURCHASE_ORDER_CANCELLED,
    (S.SENT, S.ACCEPTED): ProcurementAudit.PURCHASE_ORDER_ACCEPTED,
    (S.SENT, S.DECLINED): ProcurementAudit.PURCHASE_ORDER_DECLINED,
    (S.SENT, S.COUNTER_OFFERED): ProcurementAudit.COUNTER_OFFERED,
    (S.COUNTER_OFFERED, S.ACCEPTED): ProcurementAudit.COUNTER_OFFER_TAKEN,
    (S.COUNTER_OFFERED, S.SENT): ProcurementAudit.COUNTER_OFFER_REFUSED,
    (S.COUNTER_OFFERED, S.CANCELLED): ProcurementAudit.PURCHASE_ORDER_CANCELLED,
    (S.ACCEPTED, S.RECEIVED): ProcurementAudit.PURCHASE_ORDER_RECEIVED,
    (S.RECEIVED, S.INVOICED): ProcurementAudit.PURCHASE_ORDER_INVOICED,
    (S.INVOICED, S.PAID): ProcurementAudit.PURCHASE_ORDER_PAID,
    (S.PAID, S.COMPLETED): ProcurementAudit.PURCHASE_ORDER_COMPLETED,
}
# Orders that count towards the ceiling once they have left the PP's hands.
COMMITTED = (S.SUBMITTED, S.SENT, S.COUNTER_OFFERED, S.ACCEPTED, S.RECEIVED, S.INVOICED, S.PAID, S.COMPLETED)
# A budget line a purchase is charged to, naming a spending account (belanja, 5…): a regional kode rekening
# (Permendagri 90/2019: 5.1.02.01.01.0024) or a central MAK ending in its six-digit account
# (program.kegiatan.KRO.RO.komponen.akun: 4471.QDC.001.051.A.525112, or the account alone).
BUDGET_CODE = re.compile(r"5(?:\.\d{1,4}){2,5}|(?:[0-9A-Z]{1,6}\.){0,6}5\d{5}")
# Versions a negotiation may go to before the cooperative must accept or decline the order as it stands.
MAX_COUNTER_OFFERS = 10
# Days the agency has to pay a cooperative's invoice after receiving the goods, shown on the order it becomes.
GOVERNMENT_PAYMENT_DAYS = 30


@dataclass(frozen=True)
class PurchaseOrderDetails:
    spending_unit_id: int | None
    rup_code: str
    budget_code: str
    fiscal_year: int | None
    delivery_province_code: str
    delivery_regency_code: str
    delivery_address: str
    deliver_by: date | None
    justification: str
    payment_mechanism: PaymentMechanism
    recipient_name: str = ""
    recipient_phone: str = ""


@dataclass(frozen=True)
class PriceChange:
    line: PurchaseOrderLine
    unit_price_now: int


def transition(po: PurchaseOrder, to: PurchaseOrderStatus, actor: User, **details) -> None:
    action = MOVES.get((po.status, to))
    if action is None:
        raise Conflict(_("A purchase order that is “%(status)s” cannot become “%(to)s”.", status=po.status.label,
                         to=to.label), code="move_not_allowed")
    record_audit(action, actor=actor, target=po, from_status=str(po.status), to_status=str(to), **details)
    po.status, po.status_changed_at = to, utcnow()


# Reading -------------------------------------------------------------------------------------------------------

def purchase_orders_query(agency: Agency, status: PurchaseOrderStatus | None = None) -> sa.Select:
    query = (sa.select(PurchaseOrder).where(PurchaseOrder.agency_id == agency.id)
             .order_by(PurchaseOrder.updated_at.desc(), PurchaseOrder.id.desc()))
    return query if status is None else query.where(PurchaseOrder.status == status)


def counts_by_status(agency: Agency) -> dict[PurchaseOrderStatus, int]:
    rows = db.session.execute(sa.select(PurchaseOrder.status, sa.func.count()).where(
        PurchaseOrder.agency_id == agency.id).group_by(PurchaseOrder.status))
    found = dict(rows.all())
    return {status: found.get(status, 0) for status in PurchaseOrderStatus}


def purchase_order_for(user: User, agency: Agency, purchase_order_id: int) -> PurchaseOrder:
    """A purchase order of the agency, for its officers and platform administrators; anyone else: not found."""
    po = db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.id == purchase_order_id,
                                                          PurchaseOrder.agency_id == agency.id))
    if po is None or not (user.is_admin or officer_in(user, agency) is not None):
        raise NotFound(_("This purchase order does not exist."))
    return po


def received_query(cooperative: Cooperative) -> sa.Select:
    """What a cooperative sees: the Surat Pesanan sent to it, never an agency's drafts or undecided orders."""
    return (sa.select(PurchaseOrder).where(PurchaseOrder.cooperative_id == cooperative.id,
                                           PurchaseOrder.sent_at.is_not(None))
            .order_by(PurchaseOrder.sent_at.desc(), PurchaseOrder.id.desc()))


def received_by(cooperative: Cooperative, purchase_order_id: int) -> PurchaseOrder:
    po = db.session.scalar(received_query(cooperative).where(PurchaseOrder.id == purchase_order_id))
    if po is None:
        raise NotFound(_("This purchase order does not exist."))
    return po


def paper_by_code(model, code: str, *conditions):
    """The record behind a printed paper (a Surat Pesanan, a BAST, an invoice), found by the verification code
    printed on it, for anyone holding the paper."""
    found = db.session.scalar(sa.select(model).where(model.verification_code == code, *conditions))
    if found is None:
        raise NotFound(_("No document has this code. Check the code on the paper."))
    return found


def purchase_order_by_verification_code(code: str) -> PurchaseOrder:
    """For anyone holding a printed Surat Pesanan: only orders that were sent have one."""
    return paper_by_code(PurchaseOrder, code, PurchaseOrder.number.is_not(None))


def history_of(po: PurchaseOrder) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.target_type == PurchaseOrder.__tablename__, AuditEvent.target_id == str(po.id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)))


def price_changes(po: PurchaseOrder) -> list[PriceChange]:
    """Lines whose wholesale price today differs from the one written on the draft."""
    changes = []
    for line in po.lines:
        now = quote(line.product, line.quantity).unit_price
        if now != line.unit_price:
            changes.append(PriceChange(line, now))
    return changes


def unavailable_lines(po: PurchaseOrder) -> list[PurchaseOrderLine]:
    """Lines whose product is no longer on sale (archived, or its cooperative no longer verified)."""
    on_sale = set(db.session.scalars(public_products_query().with_only_columns(Product.id).where(
        Product.id.in_([line.product_id for line in po.lines]))))
    return [line for line in po.lines if line.product_id not in on_sale]


def ceiling_for(agency: Agency, on: date | None = None) -> int:
    return rule_value(RuleKey.DIRECT_PURCHASE_CEILING, on or local_today(), agency)


# Drafting ------------------------------------------------------------------------------------------------------

def _require_preparer(user: User, po: PurchaseOrder) -> Officer:
    officer = require_role(user, po.agency, OfficerRole.PP)
    if po.prepared_by_id != user.id:
        raise NotPermitted(_("Only the PP who prepared this purchase order changes it."), code="not_the_preparer")
    return officer


def _require_draft(po: PurchaseOrder) -> None:
    if po.status != S.DRAFT:
        raise Conflict(_("Only a draft can be changed. This purchase order is “%(status)s”.",
                         status=po.status.label), code="not_a_draft")


def _write_line(po: PurchaseOrder, product: Product, quantity: int) -> None:
    priced = quote(product, quantity)
    line = next((line for line in po.lines if line.product_id == product.id), None)
    if line is None:
        line = PurchaseOrderLine(product_id=product.id, product=product, product_name=product.name[:200],
                                 sku=product.sku, unit=product.unit.label[:40])
        po.lines.append(line)
    line.quantity, line.unit_price, line.line_total = quantity, priced.unit_price, priced.total


def _add_up(po: PurchaseOrder) -> None:
    po.total = sum(line.line_total for line in po.lines)


def drafts_from_shortlist(user: User, agency: Agency, shortlist: Shortlist) -> list[PurchaseOrder]:
    """One draft per cooperative of the shortlist's products on sale, at the wanted quantities (raised to each
    product's minimum order). `shortlist` comes from sourcing's owner-scoped lookup."""
    require_role(user, agency, OfficerRole.PP)
    if shortlist.owner_id != user.id:
        raise NotFound(_("This shortlist does not exist."))
    wanted = {item.product_id: item.wanted_quantity for item in shortlist.items if item.product_id is not None}
    return _drafts(user, agency, wanted, purpose=shortlist.name, nothing=_(
        "This shortlist holds no product on sale to order. Add products to it first."), shortlist=shortlist.name)


def drafts_from_cart(user: User, agency: Agency, cart: CartStore) -> list[PurchaseOrder]:
    """The officer's cart as drafts, one per cooperative, at the cart's quantities; what became a draft leaves
    the cart (it is ordered through the purchase order now, not through a checkout)."""
    require_role(user, agency, OfficerRole.PP)
    wanted: dict[int, int | None] = {product_id: quantity for product_id, (quantity, _price) in cart.lines().items()}
    drafts = _drafts(user, agency, wanted, purpose="", nothing=_(
        "Your cart holds no product on sale to order. Add products to it first."), source="cart")
    cart.remove_all({line.product_id for po in drafts for line in po.lines})
    return drafts


def _drafts(user: User, agency: Agency, wanted: dict[int, int | None], *, purpose: str, nothing: str,
            **origin) -> list[PurchaseOrder]:
    products = list(db.session.scalars(public_products_query().where(Product.id.in_(wanted))
                                       .order_by(Product.cooperative_id, Product.id))) if wanted else []
    if not products:
        raise Conflict(nothing, code="nothing_to_order")
    unit = min(agency.spending_units, key=lambda spending_unit: spending_unit.id)
    drafts: dict[int, PurchaseOrder] = {}
    for product in products:
        po = drafts.get(product.cooperative_id)
        if po is None:
            po = PurchaseOrder(agency=agency, agency_id=agency.id, spending_unit_id=unit.id,
                               cooperative_id=product.cooperative_id, prepared_by_id=user.id,
                               status=S.DRAFT, fiscal_year=local_today().year,
                               delivery_province_code=agency.province_code,
                               delivery_regency_code=agency.regency_code, delivery_address=unit.street_address,
                               justification=purpose[:1000])
            db.session.add(po)
            drafts[product.cooperative_id] = po
        quantity = max(wanted[product.id] or 0, product.min_order_quantity, 1)
        _write_line(po, product, min(quantity, MAX_LINE_QUANTITY))
    for po in drafts.values():
        _add_up(po)
        record_audit(ProcurementAudit.PURCHASE_ORDER_DRAFTED, actor=user, target=po, total=po.total, **origin)
    return list(drafts.values())


def update_details(user: User, po: PurchaseOrder, details: PurchaseOrderDetails) -> None:
    """The draft's plan entry, budget code, delivery and justification. Gaps are allowed in a draft (submitting
    asks for them); what is written must be right."""
    _require_preparer(user, po)
    _require_draft(po)
    errors: dict[str, str] = {}
    unit = db.session.get(SpendingUnit, details.spending_unit_id) if details.spending_unit_id else None
    if unit is None or unit.agency_id != po.agency_id:
        errors["spending_unit_id"] = _("Choose one of the agency's spending units (satker).")
    today = local_today()
    if details.fiscal_year is not None and not today.year - 1 <= details.fiscal_year <= today.year + 1:
        errors["fiscal_year"] = _("The fiscal year is last year, this year or next year.")
    if details.delivery_regency_code and not is_regency_of(details.delivery_regency_code,
                                                           details.delivery_province_code):
        errors["delivery_regency_code"] = _("Choose a regency or city of the chosen province.")
    if details.deliver_by is not None and details.deliver_by < today:
        errors["deliver_by"] = _("The delivery deadline cannot be in the past.")
    budget_code = "".join(details.budget_code.split()).upper()
    if budget_code and not BUDGET_CODE.fullmatch(budget_code):
        errors["budget_code"] = _("Enter the budget code as the budget document writes it: a regional kode "
                                  "rekening such as 5.1.02.01.01.0024, or a MAK such as 4471.QDC.001.051.A.525112; "
                                  "either names a spending account (starting with 5).")
    phone = ""
    if details.recipient_phone.strip():
        try:
            phone = normalize_indonesian_phone(details.recipient_phone)
        except ValueError:
            errors["recipient_phone"] = _("Enter an Indonesian phone number, like 0812 3456 7890.")
    if errors or unit is None:
        raise InvalidDetails(errors, code="purchase_order_details_invalid")
    po.spending_unit_id = unit.id
    po.rup_code = details.rup_code.strip()[:40]
    po.budget_code = budget_code
    po.fiscal_year = details.fiscal_year or today.year
    po.delivery_province_code = details.delivery_province_code or None
    po.delivery_regency_code = details.delivery_regency_code or None
    po.delivery_address = details.delivery_address.strip()[:300]
    po.deliver_by = details.deliver_by
    po.recipient_name = " ".join(details.recipient_name.split())[:120]
    po.recipient_phone = phone
    po.justification = details.justification.strip()[:1000]
    po.payment_mechanism = details.payment_mechanism
    record_audit(ProcurementAudit.PURCHASE_ORDER_CHANGED, actor=user, target=po, what="details")


def change_quantities(user: User, po: PurchaseOrder, quantities: dict[int, int | None]) -> None:
    """New quantities by line id, at today's wholesale prices; zero removes a line. Every line keeps at least its
    product's minimum order, and a draft keeps at least one line."""
    _require_preparer(user, po)
    _require_draft(po)
    lines = {line.id: line for line in po.lines}
    errors: dict[str, str] = {}
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise NotFound(_("This line is not on the purchase order."))
        if quantity is None or not 0 <= quantity <= MAX_LINE_QUANTITY:
            errors[f"quantity-{line_id}"] = _("Enter a whole number of units from 0 to 1.000.000.")
        elif 0 < quantity < line.product.min_order_quantity:
            errors[f"quantity-{line_id}"] = _("%(product)s is sold from %(minimum)s units.",
                                              product=line.product_name, minimum=line.product.min_order_quantity)
    if errors:
        raise InvalidDetails(errors, code="quantities_invalid")
    if all(quantities.get(line.id, line.quantity) == 0 for line in po.lines):
        raise Conflict(_("A purchase order keeps at least one line. To drop the whole order, cancel it."),
                       code="last_line")
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if not quantity:
            po.lines.remove(line)
        else:
            _write_line(po, line.product, quantity)
    _add_up(po)
    record_audit(ProcurementAudit.PURCHASE_ORDER_CHANGED, actor=user, target=po, what="quantities",
                 total=po.total)


def update_prices(user: User, po: PurchaseOrder) -> None:
    """Write today's wholesale prices on a draft whose prices changed, so the PP submits what they now see."""
    _require_preparer(user, po)
    _require_draft(po)
    for line in po.lines:
        _write_line(po, line.product, line.quantity)
    _add_up(po)
    record_audit(ProcurementAudit.PURCHASE_ORDER_CHANGED, actor=user, target=po, what="prices", total=po.total)


# Submitting and deciding ---------------------------------------------------------------------------------------

def _missing_for_submission(po: PurchaseOrder) -> dict[str, str]:
    missing: dict[str, str] = {}
    if not po.rup_code:
        missing["rup_code"] = _("Enter the RUP code of the plan entry this purchase belongs to.")
    if not po.budget_code:
        missing["budget_code"] = _("Enter the budget code (kode rekening / MAK).")
    if not po.delivery_regency_code or not po.delivery_address:
        missing["delivery_address"] = _("Enter where the goods are delivered: regency or city and address.")
    if not po.recipient_name or not po.recipient_phone:
        missing["recipient_name"] = _("Enter who receives the goods there, and their phone number.")
    if po.deliver_by is None:
        missing["deliver_by"] = _("Enter the delivery deadline.")
    elif po.deliver_by < local_today():
        missing["deliver_by"] = _("The delivery deadline has passed. Choose a later date.")
    if not po.justification:
        missing["justification"] = _("Say what the goods are needed for.")
    return missing


def _refuse_above_ceiling(po: PurchaseOrder) -> int:
    ceiling = ceiling_for(po.agency)
    if po.total > ceiling:
        raise Conflict(_("%(total)s is above this agency's ceiling for a direct purchase, %(ceiling)s. A purchase "
                         "this large goes through a tender or the e-catalogue; splitting it into smaller orders to "
                         "stay under the ceiling is not allowed.",
                         total=format_rupiah(po.total), ceiling=format_rupiah(ceiling)), code="above_ceiling")
    return ceiling


def _possible_split_of(po: PurchaseOrder, ceiling: int) -> list[str]:
    """Orders of the last 30 days from the same agency to the same cooperative for any of the same products whose
    total, with this one, goes over the ceiling: what a need split to stay under it looks like."""
    since = utcnow() - SPLIT_WINDOW
    products = [line.product_id for line in po.lines]
    earlier = list(db.session.scalars(
        sa.select(PurchaseOrder).where(
            PurchaseOrder.agency_id == po.agency_id, PurchaseOrder.cooperative_id == po.cooperative_id,
            PurchaseOrder.id != po.id, PurchaseOrder.status.in_(COMMITTED), PurchaseOrder.submitted_at >= since,
            PurchaseOrder.id.in_(sa.select(PurchaseOrderLine.purchase_order_id)
                                 .where(PurchaseOrderLine.product_id.in_(products))))
        .order_by(PurchaseOrder.submitted_at)))
    if po.total + sum(other.total for other in earlier) <= ceiling:
        return []
    return [other.reference for other in earlier]


def submit(user: User, po: PurchaseOrder) -> None:
    """The PP submits a complete draft at the prices it shows. Within the PP's own limit, where the agency lets
    PPs commit alone and nothing looks split, it goes straight to the cooperative; otherwise to a PPK."""
    officer = _require_preparer(user, po)
    _require_draft(po)
    missing = _missing_for_submission(po)
    if missing:
        raise InvalidDetails(missing, code="purchase_order_incomplete")
    if unavailable_lines(po):
        raise Conflict(_("Some products are no longer on sale. Remove them, then submit."),
                       code="product_unavailable")
    if price_changes(po):
        raise Conflict(_("Prices have changed since this draft was written. Update the prices, check the total, "
                         "then submit."), code="prices_changed")
    ceiling = _refuse_above_ceiling(po)
    po.possible_split_of = _possible_split_of(po, ceiling)
    po.submitted_at = utcnow()
    within_limit = (po.agency.approval_policy == ApprovalPolicy.ABOVE_PP_LIMIT
                    and officer.spending_limit is not None and po.total <= officer.spending_limit)
    if within_limit and not po.possible_split_of:
        transition(po, S.SENT, user, total=po.total, spending_limit=officer.spending_limit)
        _send(po, user)
    else:
        transition(po, S.SUBMITTED, user, total=po.total, possible_split_of=po.possible_split_of or None)
        for ppk in officers_holding(po.agency, OfficerRole.PPK, besides=user):
            send_mail_after_commit(ppk.user.email, "purchase_order_to_approve", locale=ppk.user.preferred_locale,
                                   po=po)


def officers_holding(agency: Agency, role: OfficerRole, *, besides: User) -> list[Officer]:
    return list(db.session.scalars(sa.select(Officer).join(OfficerRoleGrant).where(
        Officer.agency_id == agency.id, OfficerRoleGrant.role == role, Officer.user_id != besides.id)))


def _require_deciding_ppk(user: User, po: PurchaseOrder) -> None:
    require_role(user, po.agency, OfficerRole.PPK)
    if po.prepared_by_id == user.id:
        raise NotPermitted(_("You prepared this purchase order, so another PPK approves or rejects it "
                             "(separation of duties)."), code="separation_of_duties")
    if po.status != S.SUBMITTED:
        raise Conflict(_("This purchase order is not waiting for a PPK. It is “%(status)s”.",
                         status=po.status.label), code="not_submitted")


def locked(po: PurchaseOrder) -> PurchaseOrder:
    """The order's row, locked and read again: two PPKs deciding at once take turns, and the second finds it
    already decided."""
    return db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.id == po.id)
                              .with_for_update(of=PurchaseOrder)
                              .execution_options(populate_existing=True)).one()


def approve(user: User, po: PurchaseOrder, *, split_checked: bool = False) -> None:
    po = locked(po)
    _require_deciding_ppk(user, po)
    if po.possible_split_of and not split_checked:
        raise InvalidDetails({"split_checked": _("Say that you checked %(orders)s: this order is a separate need, "
                                                 "not one purchase split to stay under the ceiling.",
                                                 orders=", ".join(po.possible_split_of))},
                             code="split_not_checked")
    _refuse_above_ceiling(po)  # the ceiling may have been lowered since it was submitted
    po.decided_by_id, po.decided_at = user.id, utcnow()
    transition(po, S.SENT, user, split_checked=bool(po.possible_split_of) or None)
    _send(po, user)
    send_mail_after_commit(po.prepared_by.email, "purchase_order_decided", locale=po.prepared_by.preferred_locale,
                           po=po)


def reject(user: User, po: PurchaseOrder, reason: str) -> None:
    po = locked(po)
    _require_deciding_ppk(user, po)
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise InvalidDetails({"reason": _("Say why, so the PP can put it right.")}, code="reason_required")
    po.decided_by_id, po.decided_at, po.rejection_reason = user.id, utcnow(), reason
    transition(po, S.REJECTED, user, reason=reason)
    send_mail_after_commit(po.prepared_by.email, "purchase_order_decided", locale=po.prepared_by.preferred_locale,
                           po=po)


def reopen(user: User, po: PurchaseOrder) -> None:
    """The PP takes a submitted order back, or a rejected one to put right, as a draft."""
    _require_preparer(user, po)
    po.decided_by_id = po.decided_at = None
    po.possible_split_of = []
    transition(po, S.DRAFT, user)


def cancel(user: User, po: PurchaseOrder) -> None:
    """The PP drops an order the cooperative has not accepted (a counter-offer they do not want, included)."""
    _require_preparer(user, po)
    po = locked(po)
    if po.open_offer is not None:
        _answer(po.open_offer, user, OfferAnswer.REFUSED, "")
    transition(po, S.CANCELLED, user)


def _send(po: PurchaseOrder, actor: User) -> None:
    """Number the Surat Pesanan (per satker and year, without gaps) and tell the cooperative."""
    now = utcnow()
    year = local_today().year
    sequence = next_in_sequence(PurchaseOrderCounter, spending_unit_id=po.spending_unit_id, year=year)
    po.number = f"SP-{po.spending_unit.satker_code}-{year}-{sequence:05d}"
    po.verification_code = random_code(16)
    po.sent_at = now
    record_audit(ProcurementAudit.PURCHASE_ORDER_SENT, actor=actor, target=po,
                 number=po.number)
    send_mail_after_commit(po.cooperative.email, "purchase_order_sent", po=po)


# The cooperative's answer -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposedLine:
    line_id: int
    quantity: int | None
    unit_price: int | None


def _require_cooperative_staff(user: User, po: PurchaseOrder, *, expected: PurchaseOrderStatus) -> PurchaseOrder:
    require_capability(user, po.cooperative, Capability.MANAGE_ORDERS)
    po = locked(po)
    if po.status != expected:
        raise Conflict(_("This purchase order is “%(status)s”: it cannot be answered now.",
                         status=po.status.label), code="not_waiting_for_the_cooperative")
    return po


def _place_order(po: PurchaseOrder, actor: User) -> None:
    """The purchase order becomes an ordinary order of the ordering domain, placed by the PP and accepted by the
    cooperative at once: stock, allocation to members, the ledger, delivery and payment all follow from it."""
    address = Address(recipient_name=po.recipient_name or po.spending_unit.name, phone=po.recipient_phone or "-",
                      province_code=po.delivery_province_code or "", regency_code=po.delivery_regency_code or "",
                      street_address=po.delivery_address)
    order = place_agreed_order(
        po.prepared_by, po.cooperative,
        [AgreedLine(line.product_id, line.quantity, line.unit_price) for line in po.lines], address,
        ship_by=po.deliver_by or local_today(), note=_("Surat Pesanan %(number)s", number=po.number),
        invoice_terms_days=GOVERNMENT_PAYMENT_DAYS, idempotency_key=f"purchase-order-{po.id}")
    po.order_id = order.id
    perform(order, OrderAction.ACCEPT, actor)


def accept_as_cooperative(user: User, po: PurchaseOrder) -> None:
    """The cooperative accepts the Surat Pesanan as it stands; ready stock is taken now, or the acceptance is
    refused with what is short (the cooperative can counter-offer a quantity or a date instead)."""
    po = _require_cooperative_staff(user, po, expected=S.SENT)
    transition(po, S.ACCEPTED, user)
    _place_order(po, user)
    send_mail_after_commit(po.prepared_by.email, "purchase_order_answered", locale=po.prepared_by.preferred_locale,
                           po=po)


def decline(user: User, po: PurchaseOrder, reason: str) -> None:
    po = _require_cooperative_staff(user, po, expected=S.SENT)
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise InvalidDetails({"reason": _("Say why, so the agency can look elsewhere or change its order.")},
                             code="reason_required")
    po.decline_reason = reason
    transition(po, S.DECLINED, user, reason=reason)
    send_mail_after_commit(po.prepared_by.email, "purchase_order_answered", locale=po.prepared_by.preferred_locale,
                           po=po)


def counter_offer(user: User, po: PurchaseOrder, proposed: list[ProposedLine], *, deliver_by: date | None,
                  note: str) -> CounterOffer:
    """A new version of prices, quantities or the date; the Surat Pesanan itself stays as it was until the PP
    accepts it."""
    po = _require_cooperative_staff(user, po, expected=S.SENT)
    if len(po.offers) >= MAX_COUNTER_OFFERS:
        raise Conflict(_("This Surat Pesanan has had %(count)s counter-offers: accept it as it stands or decline "
                         "it, and talk with the agency's PP.", count=MAX_COUNTER_OFFERS), code="too_many_offers")
    by_line = {line.id: line for line in po.lines}
    errors: dict[str, str] = {}
    written = []
    for change in proposed:
        line = by_line.get(change.line_id)
        if line is None:
            raise NotFound(_("This line is not on the purchase order."))
        if change.quantity is None or not 1 <= change.quantity <= MAX_LINE_QUANTITY:
            errors[f"quantity-{line.id}"] = _("Enter a whole number of units from 1 to 1.000.000.")
        if change.unit_price is None or not 0 < change.unit_price <= 10**12:
            errors[f"price-{line.id}"] = _("Enter a price in whole rupiah above zero.")
        written.append({"line_id": line.id, "product_name": line.product_name, "unit": line.unit,
                        "quantity": change.quantity, "unit_price": change.unit_price})
    if {change.line_id for change in proposed} != set(by_line):
        errors["lines"] = _("Give a quantity and a price for every line.")
    if deliver_by is not None and deliver_by < local_today():
        errors["deliver_by"] = _("The delivery deadline cannot be in the past.")
    note = " ".join((note or "").split())[:1000]
    if not note:
        errors["note"] = _("Say what you change and why, for the PP.")
    if errors:
        raise InvalidDetails(errors, code="counter_offer_invalid")
    unchanged = all(entry["quantity"] == by_line[entry["line_id"]].quantity
                    and entry["unit_price"] == by_line[entry["line_id"]].unit_price for entry in written)
    if unchanged and deliver_by in (None, po.deliver_by):
        raise Conflict(_("This offer changes nothing. To take the order as it is, accept it."),
                       code="offer_changes_nothing")
    offer = CounterOffer(purchase_order_id=po.id, version=len(po.offers) + 1, lines=written,
                         deliver_by=deliver_by or po.deliver_by, note=note, offered_by_id=user.id,
                         total=sum(entry["quantity"] * entry["unit_price"] for entry in written))
    po.offers.append(offer)
    transition(po, S.COUNTER_OFFERED, user, version=offer.version, total=offer.total)
    send_mail_after_commit(po.prepared_by.email, "purchase_order_answered", locale=po.prepared_by.preferred_locale,
                           po=po)
    return offer


def _answer(offer: CounterOffer, user: User, answer: OfferAnswer, note: str) -> None:
    offer.answer, offer.answer_note = answer, note
    offer.answered_by_id, offer.answered_at = user.id, utcnow()


def take_counter_offer(user: User, po: PurchaseOrder) -> None:
    """The PP accepts the cooperative's latest version: its prices, quantities and date become the order's, as
    long as the new total stays within the ceiling; the order is then placed with the cooperative."""
    _require_preparer(user, po)
    po = locked(po)
    offer = po.open_offer
    if po.status != S.COUNTER_OFFERED or offer is None:
        raise Conflict(_("There is no counter-offer to answer."), code="no_counter_offer")
    lines = {line.id: line for line in po.lines}
    for entry in offer.lines:
        line = lines[entry["line_id"]]
        line.quantity, line.unit_price = entry["quantity"], entry["unit_price"]
        line.line_total = line.quantity * line.unit_price
    po.deliver_by = offer.deliver_by
    _add_up(po)
    _refuse_above_ceiling(po)
    _answer(offer, user, OfferAnswer.TAKEN, "")
    transition(po, S.ACCEPTED, user, version=offer.version, total=po.total)
    _place_order(po, offer.offered_by)
    send_mail_after_commit(po.cooperative.email, "purchase_order_offer_answered", po=po, offer=offer)


def refuse_counter_offer(user: User, po: PurchaseOrder, note: str) -> None:
    """The PP keeps the Surat Pesanan as it was; the cooperative may accept it, decline it or offer again."""
    _require_preparer(user, po)
    po = locked(po)
    offer = po.open_offer
    if po.status != S.COUNTER_OFFERED or offer is None:
        raise Conflict(_("There is no counter-offer to answer."), code="no_counter_offer")
    note = " ".join((note or "").split())[:500]
    if not note:
        raise InvalidDetails({"note": _("Say why, so the cooperative can answer.")}, code="note_required")
    _answer(offer, user, OfferAnswer.REFUSED, note)
    transition(po, S.SENT, user, version=offer.version, note=note)
    send_mail_after_commit(po.cooperative.email, "purchase_order_offer_answered", po=po, offer=offer)
