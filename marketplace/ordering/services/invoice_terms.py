"""Payment on invoice: an institution's buyer orders now and pays within agreed days after the goods arrive.
Terms are granted by a platform administrator who checked the institution; nobody grants them to themselves."""

import sqlalchemy as sa

from marketplace.accounts.models import AccountKind, User
from marketplace.accounts.services import find_user_by_email
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db
from marketplace.ordering.models import InvoiceTerms, OrderAudit

COMMON_TERMS_DAYS = (14, 30)
MAX_TERMS_DAYS = 90


def terms_of(buyer: User) -> InvoiceTerms | None:
    if not getattr(buyer, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(InvoiceTerms).where(InvoiceTerms.buyer_id == buyer.id))


def terms_query() -> sa.Select:
    return sa.select(InvoiceTerms).order_by(InvoiceTerms.institution, InvoiceTerms.id)


def grant_terms(admin: User, *, email: str, institution: str, days: int | None) -> InvoiceTerms:
    """Grant (or change) a buyer's terms."""
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators grant payment on invoice."))
    errors = {}
    buyer = find_user_by_email(email or "")
    if buyer is None:
        errors["email"] = _("No account has this email address.")
    elif not buyer.has_kind(AccountKind.BUYER, AccountKind.GOVERNMENT_OFFICER):
        errors["email"] = _("Only buyers and procurement officers pay on invoice.")
    if not (institution or "").strip():
        errors["institution"] = _("Enter the institution that pays the invoices.")
    if days is None or not 1 <= days <= MAX_TERMS_DAYS:
        errors["days"] = _("Payment terms are between 1 and %(max)d days.", max=MAX_TERMS_DAYS)
    if errors:
        raise InvalidDetails(errors, code="terms_invalid")
    assert buyer is not None and days is not None
    terms = terms_of(buyer) or InvoiceTerms(buyer_id=buyer.id)
    terms.institution, terms.days, terms.granted_by_id = institution.strip()[:200], days, admin.id
    db.session.add(terms)
    db.session.flush()
    record_audit(OrderAudit.INVOICE_TERMS_GRANTED, actor=admin, target=buyer, institution=terms.institution,
                 days=days)
    return terms


def withdraw_terms(admin: User, terms_id: int) -> None:
    """Orders already placed on invoice keep their terms; new ones must be paid another way."""
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators grant payment on invoice."))
    terms = db.session.get(InvoiceTerms, terms_id)
    if terms is None:
        raise NotFound(_("These payment terms do not exist."))
    record_audit(OrderAudit.INVOICE_TERMS_WITHDRAWN, actor=admin, target=terms.buyer, institution=terms.institution)
    db.session.delete(terms)
