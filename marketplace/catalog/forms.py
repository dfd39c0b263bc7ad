from datetime import date

from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.catalog.models import (
    AdjustmentReason,
    Availability,
    CertificationKind,
    ProductStatus,
    Unit,
)
from marketplace.catalog.services.products import MAX_QUANTITY, ProductDetails
from marketplace.core.forms import (
    PercentField,
    RupiahField,
    empty_to_none,
    enum_choices,
    optional_int,
    strip_whitespace,
)
from marketplace.core.i18n import gettext as _
from marketplace.core.i18n import lazy_gettext as _l

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]
TIER_ROWS = 5


def _quantity(message):
    return [Optional(), NumberRange(min=1, max=MAX_QUANTITY, message=message)]


class TierForm(Form):
    min_quantity = IntegerField(_l("From quantity"), validators=_quantity(_l("Enter a quantity of 2 or more.")))
    unit_price = RupiahField(_l("Unit price"))


class ProductForm(FlaskForm):
    name = StringField(_l("Product name"), filters=[strip_whitespace],
                       validators=[DataRequired(message=_l("Enter the product's name.")), Length(max=160)])
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False,
                              validators=[DataRequired(message=_l("Choose a category from the list."))])
    sku = StringField(_l("SKU (your own product code)"), filters=[strip_whitespace],
                      validators=[DataRequired(message=_l("Enter a product code.")), Length(max=40)])
    unit = SelectField(_l("Sold per"), choices=enum_choices(Unit))
    base_price = RupiahField(_l("Price per unit (Rp)"), validators=[InputRequired(message=_l("Enter the price."))])
    min_order_quantity = IntegerField(_l("Minimum order"), default=1, validators=[
        DataRequired(message=_l("Enter the minimum order (1 or more).")),
        NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter the minimum order (1 or more)."))])
    tiers = FieldList(FormField(TierForm), min_entries=TIER_ROWS, max_entries=TIER_ROWS)
    availability = RadioField(_l("Availability"), default=Availability.READY_STOCK.value, choices=[
        SelectChoice(Availability.READY_STOCK.value, _l("Ready stock: sold from the stock members hand in")),
        SelectChoice(Availability.MADE_TO_ORDER.value, _l("Made to order: produced after the order"))])
    lead_time_days = IntegerField(_l("Lead time (days)"), validators=[
        Optional(), NumberRange(min=0, max=365, message=_l("Enter between 0 and 365 days."))])
    weekly_capacity = IntegerField(_l("Production capacity per week"), validators=_quantity(
        _l("Enter how many units the members can make in a week.")))
    weight_grams = IntegerField(_l("Weight per unit (grams)"), validators=_quantity(_l("Enter a weight in grams.")))
    local_content = BooleanField(_l("Domestic product (produk dalam negeri)"))
    tkdn_basis_points = PercentField(_l("TKDN (%) where certified"))
    tkdn_certificate_number = StringField(_l("TKDN certificate number"), filters=[empty_to_none],
                                          validators=[Optional(), Length(max=60)])
    description = TextAreaField(_l("Description"), filters=[strip_whitespace], validators=[Length(max=5000)])
    producer_ids = SelectMultipleField(_l("Made by (members)"), coerce=optional_int, validate_choice=False)

    halal_number = StringField(_l("Halal certificate number"), filters=[empty_to_none],
                               validators=[Optional(), Length(max=60)])
    halal_expires_on = DateField(_l("Halal certificate valid until"), validators=[Optional()])
    pirt_number = StringField(_l("P-IRT number"), filters=[empty_to_none], validators=[Optional(), Length(max=60)])
    pirt_expires_on = DateField(_l("P-IRT valid until"), validators=[Optional()])
    bpom_md_number = StringField(_l("BPOM MD number"), filters=[empty_to_none],
                                 validators=[Optional(), Length(max=60)])
    bpom_md_expires_on = DateField(_l("BPOM MD valid until"), validators=[Optional()])
    sni_number = StringField(_l("SNI product certificate (SPPT-SNI) number"), filters=[empty_to_none],
                             validators=[Optional(), Length(max=60)])
    sni_expires_on = DateField(_l("SNI certificate valid until"), validators=[Optional()])

    def __init__(self, *args, category_choices=(), member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [SelectChoice("", _l("— choose —")), *category_choices]
        self.producer_ids.choices = list(member_choices)

    def validate_tiers(self, field):
        for entry in field.entries:
            quantity, price = entry.form.min_quantity.data, entry.form.unit_price.data
            if (quantity is None) != (price is None):
                raise ValidationError(_("Each wholesale tier needs both a quantity and a price."))

    def fill_from(self, details: ProductDetails) -> None:
        for name in ("name", "category_id", "sku", "base_price", "min_order_quantity", "lead_time_days",
                     "weekly_capacity", "weight_grams", "local_content", "description", "producer_ids",
                     "tkdn_basis_points", "tkdn_certificate_number"):
            self[name].data = getattr(details, name)
        self.unit.data, self.availability.data = details.unit.value, details.availability.value
        for entry, (quantity, price) in zip(self.tiers.entries, details.tiers, strict=False):
            entry.form.min_quantity.data, entry.form.unit_price.data = quantity, price
        for kind, (number, expires_on) in details.certifications.items():
            self[f"{kind.value}_number"].data, self[f"{kind.value}_expires_on"].data = number, expires_on

    def details(self) -> ProductDetails:
        return ProductDetails(
            name=self.name.data, category_id=self.category_id.data, unit=Unit(self.unit.data),
            base_price=self.base_price.data, sku=self.sku.data, availability=Availability(self.availability.data),
            min_order_quantity=self.min_order_quantity.data, description=self.description.data or "",
            weight_grams=self.weight_grams.data, lead_time_days=self.lead_time_days.data,
            weekly_capacity=self.weekly_capacity.data, local_content=self.local_content.data,
            tkdn_basis_points=self.tkdn_basis_points.data, tkdn_certificate_number=self.tkdn_certificate_number.data,
            tiers=[(entry.form.min_quantity.data, entry.form.unit_price.data) for entry in self.tiers.entries
                   if entry.form.min_quantity.data is not None],
            certifications={kind: (self[f"{kind.value}_number"].data, self[f"{kind.value}_expires_on"].data)
                            for kind in CertificationKind if self[f"{kind.value}_number"].data},
            producer_ids=list(self.producer_ids.data or []),
        )


class ProductStatusForm(FlaskForm):
    status = HiddenField()

    def validate_status(self, field):
        if field.data not in {status.value for status in ProductStatus}:
            raise ValidationError(_l("Choose an action."))


class ReceiveStockForm(FlaskForm):
    member_id = SelectField(_l("From member"), coerce=optional_int, validate_choice=False,
                            validators=[DataRequired(message=_l("Choose the member who handed in the goods."))])
    quantity = IntegerField(_l("Quantity received"), validators=[
        DataRequired(message=_l("Enter how many units were received.")),
        NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter between 1 and 1.000.000 units."))])
    received_on = DateField(_l("Date received"), default=date.today,
                            validators=[DataRequired(message=_l("Enter the date."))])
    note = StringField(_l("Note (optional)"), filters=[empty_to_none], validators=[Optional(), Length(max=255)])

    def __init__(self, *args, member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.member_id.choices = [SelectChoice("", _l("— choose —")), *member_choices]


class AdjustStockForm(FlaskForm):
    lot_id = HiddenField(validators=[DataRequired()])
    quantity_change = IntegerField(_l("Change (use a minus sign to lower)"), validators=[
        DataRequired(message=_l("Enter how many units change, for example -2.")),
        NumberRange(min=-MAX_QUANTITY, max=MAX_QUANTITY)])
    reason = SelectField(_l("Reason"), choices=enum_choices(AdjustmentReason))
    note = StringField(_l("Note (optional)"), filters=[empty_to_none], validators=[Optional(), Length(max=255)])


class ProductImageForm(FlaskForm):
    photo = FileField(_l("Photo"), validators=[
        FileRequired(_l("Choose a picture file.")),
        FileAllowed(IMAGE_TYPES, _l("Only JPEG, PNG or WebP pictures are accepted."))])
    alt_text = StringField(_l("What the photo shows (for people who cannot see it)"), filters=[strip_whitespace],
                           validators=[Length(max=200)])


class AltTextForm(FlaskForm):
    alt_text = StringField(_l("Description"), filters=[strip_whitespace],
                           validators=[DataRequired(message=_l("Describe the photo.")), Length(max=200)])


class ProductImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file.")),
                                                FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])


class ProductImportConfirmForm(FlaskForm):
    content = HiddenField(validators=[DataRequired(message=_l("The file to import is missing. Upload it again."))])


class CategoryForm(FlaskForm):
    name_id = StringField(_l("Name in Indonesian"), filters=[strip_whitespace],
                          validators=[DataRequired(message=_l("Enter the name.")), Length(max=80)])
    name_en = StringField(_l("Name in English"), filters=[strip_whitespace],
                          validators=[DataRequired(message=_l("Enter the name.")), Length(max=80)])
    parent_id = SelectField(_l("Under"), coerce=optional_int, validate_choice=False)
    position = IntegerField(lazy_pgettext("position in a list", "Order"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=999)])
    is_active = BooleanField(_l("Shown to buyers"), default=True)

    def __init__(self, *args, parent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [SelectChoice("", _l("— top level —")), *parent_choices]
