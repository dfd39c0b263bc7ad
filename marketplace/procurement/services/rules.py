"""Procurement rules and tax rates as dated data: what held on a given day, the platform's or an agency's own.

A rule is never rewritten: a new value starts on a date and the one before it ends the day before, so an invoice
made last year is worked out again with last year's rates."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, DomainError, InvalidDetails, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_percent, format_rupiah
from marketplace.extensions import db
from marketplace.procurement.models import Agency, ProcurementAudit, ProcurementRule, RuleKey

FULL_RATE = 10_000  # basis points

# The law as the platform starts with it; administrators add later values as the regulations change.
DEFAULT_RULES: tuple[tuple[RuleKey, int, date, date | None, str], ...] = (
    (RuleKey.DIRECT_PURCHASE_CEILING, 200_000_000, date(2018, 7, 1), None,
     "Perpres 16/2018 jo. 12/2021 jo. 46/2025"),
    (RuleKey.VAT_STATUTORY_RATE, 1_000, date(2010, 1, 1), date(2022, 3, 31), "UU 42/2009"),
    (RuleKey.VAT_EFFECTIVE_RATE, 1_000, date(2010, 1, 1), date(2022, 3, 31), "UU 42/2009"),
    (RuleKey.VAT_STATUTORY_RATE, 1_100, date(2022, 4, 1), date(2024, 12, 31), "UU 7/2021 (HPP)"),
    (RuleKey.VAT_EFFECTIVE_RATE, 1_100, date(2022, 4, 1), date(2024, 12, 31), "UU 7/2021 (HPP)"),
    (RuleKey.VAT_STATUTORY_RATE, 1_200, date(2025, 1, 1), None, "UU 7/2021 (HPP); PMK 131/2024"),
    (RuleKey.VAT_EFFECTIVE_RATE, 1_100, date(2025, 1, 1), None, "PMK 131/2024: DPP nilai lain 11/12"),
    (RuleKey.INCOME_TAX_WITHHELD_RATE, 150, date(2010, 1, 1), None, "PMK 34/2017"),
    (RuleKey.INCOME_TAX_EXEMPT_UP_TO, 2_000_000, date(2010, 1, 1), None, "PMK 34/2017"),
    (RuleKey.SMALL_BUSINESS_FINAL_TAX_RATE, 50, date(2018, 7, 1), None, "PP 23/2018; PP 55/2022"),
    (RuleKey.SMALL_BUSINESS_SHARE_TARGET, 4_000, date(2018, 7, 1), None, "Perpres 16/2018 art. 65"),
)


class RuleMissing(DomainError):
    """No value of a rule holds on the day asked: nothing is worked out with a rate outside its dates."""


def ensure_default_rules() -> int:
    """Add the platform's starting rules where none of that kind exist yet; returns how many were added."""
    present = set(db.session.scalars(sa.select(ProcurementRule.key).where(ProcurementRule.agency_id.is_(None))))
    added = [ProcurementRule(key=key, value=value, valid_from=start, valid_until=end, source=source)
             for key, value, start, end, source in DEFAULT_RULES if key not in present]
    db.session.add_all(added)
    return len(added)


def _owned_by(agency_id: int | None):
    return ProcurementRule.agency_id.is_(None) if agency_id is None else ProcurementRule.agency_id == agency_id


def _holding(key: RuleKey, on: date, agency_id: int | None):
    return (sa.select(ProcurementRule)
            .where(ProcurementRule.key == key, _owned_by(agency_id), ProcurementRule.valid_from <= on,
                   sa.or_(ProcurementRule.valid_until.is_(None), ProcurementRule.valid_until >= on))
            .order_by(ProcurementRule.valid_from.desc()).limit(1))


def rule_in_force(key: RuleKey, on: date, agency: Agency | None = None) -> ProcurementRule:
    """The agency's own value where it set one for that day, otherwise the platform's."""
    owners = ([agency.id] if agency is not None else []) + [None]
    for agency_id in owners:
        rule = db.session.scalar(_holding(key, on, agency_id))
        if rule is not None:
            return rule
    raise RuleMissing(_("No value of “%(rule)s” holds on %(date)s: a platform administrator must record it first.",
                        rule=key.label, date=on.strftime("%d-%m-%Y")), code="rule_missing")


def rule_value(key: RuleKey, on: date, agency: Agency | None = None) -> int:
    return rule_in_force(key, on, agency).value


@dataclass(frozen=True)
class RuleInForce:
    key: RuleKey
    rule: ProcurementRule | None
    agency_specific: bool

    @property
    def shown(self) -> str:
        if self.rule is None:
            return "—"
        return format_percent(self.rule.value) if self.key.is_rate else format_rupiah(self.rule.value)


def rules_in_force(on: date, agency: Agency | None = None) -> list[RuleInForce]:
    shown = []
    for key in RuleKey:
        try:
            rule = rule_in_force(key, on, agency)
        except RuleMissing:
            shown.append(RuleInForce(key, None, False))
        else:
            shown.append(RuleInForce(key, rule, rule.agency_id is not None))
    return shown


def rule_history(agency: Agency | None = None):
    """Every value ever set, newest first (a query, for the caller to paginate)."""
    owner = _owned_by(agency.id if agency is not None else None)
    return sa.select(ProcurementRule).where(owner).order_by(ProcurementRule.key, ProcurementRule.valid_from.desc())


def set_rule(actor: User, key: RuleKey, value: int, valid_from: date, *, agency: Agency | None = None,
             source: str = "") -> ProcurementRule:
    """Start a new value on `valid_from`; the value holding before it ends the day before.

    The platform's rules are set by platform administrators; an agency's own (a lower ceiling, say) by the
    caller, who has checked the person is that agency's administrator."""
    if agency is None and not actor.is_admin:
        raise NotPermitted(_("Only platform administrators set the platform's rules and tax rates."))
    if key.is_rate and not 0 <= value <= FULL_RATE:
        raise InvalidDetails({"value": _("Enter a rate between 0 and 100 percent.")}, code="rate_out_of_range")
    if value < 0:
        raise InvalidDetails({"value": _("Enter an amount of zero or more.")}, code="amount_negative")
    if agency is not None and key == RuleKey.DIRECT_PURCHASE_CEILING:
        national = rule_value(key, valid_from)
        if value > national:
            raise InvalidDetails({"value": _("An agency may set a lower ceiling, not one above the law's %(amount)s.",
                                             amount=format_rupiah(national))}, code="ceiling_above_law")
    owner = _owned_by(agency.id if agency is not None else None)
    later = db.session.scalar(sa.select(sa.func.count()).select_from(ProcurementRule).where(
        ProcurementRule.key == key, owner, ProcurementRule.valid_from >= valid_from))
    if later:
        raise Conflict(_("A value of this rule already starts on or after %(date)s; rules are not rewritten. "
                         "Choose a later start date.", date=valid_from.strftime("%d-%m-%Y")), code="rule_not_later")
    previous = db.session.scalar(sa.select(ProcurementRule).where(ProcurementRule.key == key, owner)
                                 .order_by(ProcurementRule.valid_from.desc()).limit(1).with_for_update())
    if previous is not None and (previous.valid_until is None or previous.valid_until >= valid_from):
        previous.valid_until = valid_from - timedelta(days=1)
    rule = ProcurementRule(key=key, value=value, valid_from=valid_from, source=source.strip()[:200],
                           agency_id=agency.id if agency is not None else None, recorded_by_id=actor.id)
    db.session.add(rule)
    record_audit(ProcurementAudit.RULE_SET, actor=actor, target=agency, rule=str(key), value=value,
                 valid_from=valid_from.isoformat())
    return rule
