from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from marketplace.core.forms import CheckboxesField, RupiahField, enum_choices, strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.money import parse_percent
from marketplace.procurement.models import AgencyLevel, ApprovalPolicy, OfficerRole, PaymentMechanism, RuleKey

INVITABLE_ROLES = [OfficerRole.PP, OfficerRole.PPK, OfficerRole.RECEIVER, OfficerRole.TREASURER,
                   OfficerRole.AGENCY_ADMIN]


def _nip_field():
    return StringField(_l("Your NIP"), filters=[strip_whitespace],
                       validators=[InputRequired(_l("Enter your NIP (18 digits).")), Length(max=30)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})


class AgencyRegistrationForm(FlaskForm):
    name = StringField(_l("Agency name"), filters=[strip_whitespace],
                       validators=[InputRequired(_l("Enter the agency's name.")), Length(max=200)])
    level = SelectField(_l("Level"), choices=enum_choices(AgencyLevel),
                        validators=[InputRequired(_l("Choose the agency's level."))])
    province_code = SelectField(_l("Province"), validate_choice=False)
    regency_code = SelectField(_l("Regency or city"), validate_choice=False)
    street_address = TextAreaField(_l("Agency address"), filters=[strip_whitespace],
                                   validators=[InputRequired(_l("Enter the agency's address.")), Length(max=300)])
    email_domain = StringField(_l("Official email domain"), filters=[strip_whitespace],
                               validators=[Optional(), Length(max=120)])
    unit_name = StringField(_l("Spending unit (satker) name"), filters=[strip_whitespace],
                            validators=[InputRequired(_l("Enter the name of the spending unit (satker).")),
                                        Length(max=200)])
    satker_code = StringField(_l("Satker code"), filters=[strip_whitespace],
                              validators=[InputRequired(_l("Enter the satker code (6 digits).")), Length(max=12)],
                              render_kw={"inputmode": "numeric"})
    treasurer_npwp = StringField(_l("Treasurer's NPWP"), filters=[strip_whitespace],
                                 validators=[InputRequired(_l("Enter the treasurer's NPWP.")), Length(max=30)])
    unit_address = TextAreaField(_l("Spending unit address"), filters=[strip_whitespace],
                                 validators=[InputRequired(_l("Enter the spending unit's address.")),
                                             Length(max=300)])
    nip = _nip_field()
    roles = CheckboxesField(_l("Your roles besides agency administrator"),
                       choices=enum_choices(OfficerRole, INVITABLE_ROLES[:-1]))


class InviteOfficerForm(FlaskForm):
    email = EmailField(_l("Official email address"), filters=[strip_whitespace],
                       validators=[InputRequired(_l("Enter the officer's email address.")),
                                   Email(_l("Enter a valid email address.")), Length(max=254)])
    roles = CheckboxesField(_l("Roles"), choices=enum_choices(OfficerRole, INVITABLE_ROLES))
    spending_limit = RupiahField(_l("Spending limit of a PP (optional)"))


class OfficerRolesForm(FlaskForm):
    roles = CheckboxesField(_l("Roles"), choices=enum_choices(OfficerRole, INVITABLE_ROLES))
    spending_limit = RupiahField(_l("Spending limit of a PP (optional)"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class AcceptOfficerInvitationForm(FlaskForm):
    nip = _nip_field()


class ApprovalPolicyForm(FlaskForm):
    approval_policy = SelectField(_l("PPK approval"), choices=enum_choices(ApprovalPolicy))


class AgencyCeilingForm(FlaskForm):
    ceiling = RupiahField(_l("This agency's ceiling for a direct purchase"),
                          validators=[InputRequired(_l("Enter the ceiling in rupiah."))])
    valid_from = DateField(_l("Holds from"), validators=[InputRequired(_l("Enter the first day it holds."))])


class RejectAgencyForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the agency reads it)"), filters=[strip_whitespace],
                           validators=[InputRequired(_l("Say why, so the agency can put it right.")),
                                       Length(max=500)])


class PlatformRuleForm(FlaskForm):
    key = SelectField(_l("Rule"), choices=enum_choices(RuleKey))
    value = StringField(_l("Value (a percentage like 1,5 or an amount like 200.000.000)"),
                        filters=[strip_whitespace], validators=[InputRequired(_l("Enter the value."))])
    valid_from = DateField(_l("Holds from"), validators=[InputRequired(_l("Enter the first day it holds."))])
    source = StringField(_l("Regulation"), filters=[strip_whitespace],
                         validators=[InputRequired(_l("Name the regulation it comes from.")), Length(max=200)])

    def validate_value(self, field):
        """A rate as a percentage, an amount in whole rupiah, depending on the rule chosen."""
        try:
            key = RuleKey(self.key.data)
        except ValueError:
            return
        text = (field.data or "").replace("Rp", "").replace(" ", "")
        if key.is_rate:
            try:
                self.parsed_value = parse_percent(text)
            except ValueError:
                raise ValidationError(_l("Enter a percentage between 0 and 100, like 1,5.")) from None
        else:
            digits = text.replace(".", "")
            if not digits.isdigit():
                raise ValidationError(_l("Enter an amount in whole rupiah, like 200.000.000."))
            self.parsed_value = int(digits)


class DraftFromShortlistForm(FlaskForm):
    shortlist_id = SelectField(_l("From the shortlist"), coerce=int, validate_choice=False,
                               validators=[InputRequired(_l("Choose one of your shortlists."))])


class PurchaseOrderDetailsForm(FlaskForm):
    spending_unit_id = SelectField(_l("Spending unit (satker)"), coerce=int, validate_choice=False)
    rup_code = StringField(_l("RUP code"), filters=[strip_whitespace], validators=[Length(max=40)])
    budget_code = StringField(_l("Budget code (kode rekening / MAK)"), filters=[strip_whitespace],
                              validators=[Length(max=80)])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[Optional()])
    delivery_province_code = SelectField(_l("Province"), validate_choice=False)
    delivery_regency_code = SelectField(_l("Regency or city"), validate_choice=False)
    delivery_address = TextAreaField(_l("Delivery address"), filters=[strip_whitespace],
                                     validators=[Length(max=300)])
    recipient_name = StringField(_l("Who receives the goods"), filters=[strip_whitespace],
                                 validators=[Length(max=120)])
    recipient_phone = StringField(_l("Their phone"), filters=[strip_whitespace], validators=[Length(max=32)])
    deliver_by = DateField(_l("Deliver by"), validators=[Optional()])
    justification = TextAreaField(_l("What the goods are needed for"), filters=[strip_whitespace],
                                  validators=[Length(max=1000)])
    payment_mechanism = SelectField(_l("Payment mechanism"), choices=enum_choices(PaymentMechanism))


class ApprovePurchaseOrderForm(FlaskForm):
    split_checked = BooleanField(_l("I checked: this order is a separate need, not one purchase split to stay "
                                    "under the ceiling"))


class RejectPurchaseOrderForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the PP reads it)"), filters=[strip_whitespace],
                           validators=[InputRequired(_l("Say why, so the PP can put it right.")), Length(max=500)])


class DeclinePurchaseOrderForm(FlaskForm):
    reason = TextAreaField(_l("Why the cooperative declines (the agency reads it)"), filters=[strip_whitespace],
                           validators=[InputRequired(_l("Say why, so the agency can look elsewhere or change its "
                                                        "order.")), Length(max=500)])


class CounterOfferForm(FlaskForm):
    """The quantity and price of each line come as `quantity-<line id>` and `price-<line id>`."""

    deliver_by = DateField(_l("Deliver by"), validators=[Optional()])
    # Required, but checked by the service with the lines, so every mistake is shown at once.
    note = TextAreaField(_l("What you change and why (the PP reads it)"), filters=[strip_whitespace],
                         validators=[Length(max=1000)])


class RefuseCounterOfferForm(FlaskForm):
    note = TextAreaField(_l("Why you keep the order as it was (the cooperative reads it)"),
                         filters=[strip_whitespace],
                         validators=[InputRequired(_l("Say why, so the cooperative can answer.")), Length(max=500)])


class HandoverForm(FlaskForm):
    """The units of each line come as `delivered-<line id>` and `accepted-<line id>`, checked by the service with
    the day and the condition, so every mistake is shown at once."""

    received_on = DateField(_l("Day the goods arrived"), validators=[Optional()])
    # How many BASTs the page showed: a form sent twice is refused rather than recording a delivery twice.
    records_seen = IntegerField(widget=HiddenInput(), validators=[Optional()])
    condition = TextAreaField(_l("Condition of the goods (say what was wrong with anything not accepted)"),
                              filters=[strip_whitespace], validators=[Length(max=1000)])


class PaymentForm(FlaskForm):
    """The treasurer's record of a payment; what each mechanism needs is checked by the service."""

    reference = StringField(_l("SP2D number (for petty cash or the card: the payment's reference)"),
                            filters=[strip_whitespace], validators=[Length(max=60)])
    paid_on = DateField(_l("Date of the SP2D or the payment"), validators=[Optional()])
    amount = RupiahField(_l("Amount paid to the cooperative"), validators=[Optional()])


class BudgetForm(FlaskForm):
    year = IntegerField(_l("Fiscal year"), validators=[Optional()])
    amount = RupiahField(_l("Budget for goods and services (belanja barang dan jasa)"), validators=[Optional()])
