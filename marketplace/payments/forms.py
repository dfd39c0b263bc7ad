from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.core.forms import RupiahField, strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l


class TransferForm(FlaskForm):
    amount = RupiahField(_l("Amount that arrived"), validators=[InputRequired(_l("Enter the amount that arrived."))])
    received_on = DateField(_l("Arrived on"), validators=[InputRequired(_l("Enter the day the money arrived."))])


class InvoicePaymentForm(FlaskForm):
    amount = RupiahField(_l("Amount paid"), validators=[InputRequired(_l("Enter the amount paid."))])
    paid_on = DateField(_l("Arrived on"), validators=[InputRequired(_l("Enter the day the money arrived."))])
    reference = StringField(_l("Reference (for a government office: the SP2D number)"), filters=[strip_whitespace],
                            validators=[Length(max=60)])
    reference_date = DateField(_l("SP2D date"), validators=[Optional()])


class RefundForm(FlaskForm):
    amount = RupiahField(_l("Amount to refund"), validators=[InputRequired(_l("Enter the amount to refund."))])
    reason = TextAreaField(_l("Reason (the buyer reads it)"), filters=[strip_whitespace],
                           validators=[InputRequired(_l("Say why the money goes back: the buyer reads it.")),
                                       Length(max=500)])
    reference = StringField(_l("Reference of the transfer back"), filters=[strip_whitespace],
                            validators=[Length(max=120)])
    refunded_on = DateField(_l("Transferred back on"), validators=[Optional()])


class SettlementForm(FlaskForm):
    amount = RupiahField(_l("Amount paid out"), validators=[InputRequired(_l("Enter the amount paid out."))])
    paid_on = DateField(_l("Transferred on"), validators=[InputRequired(_l("Enter the day of the transfer."))])
    reference = StringField(_l("Transfer reference"), filters=[strip_whitespace],
                            validators=[InputRequired(_l("Enter the transfer's reference.")), Length(max=120)])


class PercentField(DecimalField):
    """A percentage typed the Indonesian way (`2,5`) or with a point (`2.5`)."""

    def process_formdata(self, valuelist):
        super().process_formdata([value.replace(",", ".").strip() for value in valuelist])


class FeeRateForm(FlaskForm):
    percent = PercentField(_l("Fee, in percent of card payments"), places=2, validators=[
        InputRequired(_l("Enter the fee in percent, for example 2.5.")),
        NumberRange(min=0, max=20, message=_l("The fee is between 0%% and 20%%."))])
    valid_from = DateField(_l("From"), validators=[InputRequired(_l("Enter the day the fee starts."))])

    @property
    def basis_points(self) -> int | None:
        return int(self.percent.data * 100) if self.percent.data is not None else None


class InvoiceTermsForm(FlaskForm):
    email = EmailField(_l("Buyer's email address"), filters=[strip_whitespace],
                       validators=[InputRequired(_l("Enter the buyer's email address.")), Length(max=254)])
    institution = StringField(_l("Institution that pays"), filters=[strip_whitespace],
                              validators=[InputRequired(_l("Enter the institution that pays the invoices.")),
                                          Length(max=200)])
    days = IntegerField(_l("Days to pay after receipt"), default=30, validators=[
        InputRequired(_l("Enter the number of days.")),
        NumberRange(min=1, max=90, message=_l("Payment terms are between 1 and 90 days."))])
