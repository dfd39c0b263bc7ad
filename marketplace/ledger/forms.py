from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from marketplace.core.forms import PercentField, RupiahField, enum_choices, strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.ledger.models import PayoutMethod
from marketplace.ledger.services.journal import PayoutDetails


class PayoutForm(FlaskForm):
    amount = RupiahField(_l("Amount"), validators=[InputRequired(_l("Enter the amount paid."))])
    method = SelectField(_l("Paid by"), choices=enum_choices(PayoutMethod), validators=[DataRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the date of payment."))])
    reference = StringField(_l("Reference (receipt or transfer number)"), filters=[strip_whitespace],
                            validators=[Length(max=80)])

    def details(self, member_id: int) -> PayoutDetails:
        return PayoutDetails(member_id=member_id, amount=self.amount.data, method=PayoutMethod(self.method.data),
                             paid_on=self.paid_on.data, reference=self.reference.data or "")


class MarginForm(FlaskForm):
    margin = PercentField(_l("Cooperative's margin on each sale"),
                          validators=[InputRequired(_l("Enter a percentage between 0 and 100, like 10."))])


class AllocationForm(FlaskForm):
    """Rows of (member, quantity) come as lists in the request; the service checks them."""


class PayAllForm(FlaskForm):
    method = SelectField(_l("Paid by"), choices=enum_choices(PayoutMethod), validators=[DataRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the date of payment."))])
    reference = StringField(_l("Reference (receipt or transfer number)"), filters=[strip_whitespace],
                            validators=[Length(max=80)])


class SavingsSettingsForm(FlaskForm):
    pokok = RupiahField(_l("Simpanan pokok (once, on joining)"), validators=[InputRequired(_l("Enter an amount."))])
    wajib_monthly = RupiahField(_l("Simpanan wajib per month"), validators=[InputRequired(_l("Enter an amount."))])
    counted_from = DateField(_l("Count simpanan wajib from (month)"), validators=[Optional()])


class SavingsForm(FlaskForm):
    member = SelectField(_l("Member"), coerce=int, validate_choice=False,
                         validators=[InputRequired(_l("Choose the member."))])
    account = SelectField(_l("Kind"), validators=[DataRequired()])
    direction = RadioField(_l("Movement"), choices=[SelectChoice("deposit", _l("Deposit")),
                                                    SelectChoice("withdrawal", _l("Withdrawal"))],
                           default="deposit", validators=[DataRequired()])
    amount = RupiahField(_l("Amount"), validators=[InputRequired(_l("Enter the amount."))])
    on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    month = StringField(_l("Month paid for (simpanan wajib), like 2026-11"), filters=[strip_whitespace],
                        validators=[Optional(), Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
                                                       message=_l("Write the month like 2026-11."))])
    reference = StringField(_l("Note"), filters=[strip_whitespace], validators=[Length(max=80)])


class SavingsImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (CSV)"), validators=[FileRequired(_l("Choose a CSV file."))])


class ProductRuleForm(FlaskForm):
    product = SelectField(_l("Product"), coerce=int, validate_choice=False,
                          validators=[InputRequired(_l("Choose the product."))])
    margin = PercentField(_l("Its own margin (%)"), validators=[Optional()])
    member_price = RupiahField(_l("Or a fixed price per unit for the member"), validators=[Optional()])
