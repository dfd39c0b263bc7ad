from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from marketplace.core.forms import PercentField, RupiahField, enum_choices, strip_whitespace
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
