from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from marketplace.core.forms import RupiahField


class TransferForm(FlaskForm):
    amount = RupiahField(_l("Amount that arrived"), validators=[InputRequired(_l("Enter the amount that arrived."))])
    received_on = DateField(_l("Arrived on"), validators=[InputRequired(_l("Enter the day the money arrived."))])
