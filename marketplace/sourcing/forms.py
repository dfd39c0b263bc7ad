from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from marketplace.core.forms import strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l


class ShortlistForm(FlaskForm):
    name = StringField(_l("Name of the shortlist"), filters=[strip_whitespace], validators=[
        DataRequired(message=_l("Give the shortlist a name.")), Length(max=120)])


class AddToShortlistForm(FlaskForm):
    """Posted from a product page or the supplier directory; an empty shortlist means a new one."""

    shortlist_id = HiddenField()
    new_name = StringField(_l("Or a new shortlist named"), filters=[strip_whitespace], validators=[
        Optional(), Length(max=120)])
    product_id = HiddenField()
    cooperative_id = HiddenField()


class ItemForm(FlaskForm):
    note = StringField(_l("Note"), filters=[strip_whitespace], validators=[Length(max=500)])
    wanted_quantity = IntegerField(_l("Quantity wanted"), validators=[
        Optional(), NumberRange(min=1, max=10_000_000, message=_l("Enter a quantity of 1 or more."))])
