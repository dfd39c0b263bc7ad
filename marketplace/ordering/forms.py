from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.catalog.services.products import MAX_QUANTITY
from marketplace.core.forms import IndonesianPhone, Parsed, RupiahField, empty_to_none, enum_choices, strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.identifiers import parse_postal_code
from marketplace.ordering.models import DeliveryMethod, PaymentMethod
from marketplace.ordering.services.checkout import Address, SupplierChoice
from marketplace.ordering.services.delivery import DeliveryDetails, DeliveryOption

_QUANTITY_MESSAGE = _l("Enter a quantity between 1 and 1.000.000.")


def _quantity_field():
    return IntegerField(_l("Quantity"), validators=[InputRequired(_QUANTITY_MESSAGE),
                                           NumberRange(min=1, max=MAX_QUANTITY, message=_QUANTITY_MESSAGE)],
                        render_kw={"inputmode": "numeric", "min": 1})


class AddToCartForm(FlaskForm):
    product = HiddenField(validators=[DataRequired()])
    quantity = _quantity_field()


class CartQuantityForm(FlaskForm):
    quantity = _quantity_field()


class CheckoutForm(FlaskForm):
    """The delivery address and payment, plus per cooperative (added by `checkout_form`) a delivery choice and a
    note. The review step adds what the buyer saw (`fingerprint`) and the key that makes placing it once only."""

    recipient_name = StringField(_l("Recipient"), filters=[strip_whitespace],
                                 validators=[DataRequired(_l("Enter who receives the goods.")), Length(max=120)])
    phone = StringField(_l("Recipient's phone"), filters=[strip_whitespace],
                        validators=[DataRequired(_l("Enter a phone number.")), IndonesianPhone()])
    province_code = SelectField(_l("Province"), validate_choice=False,
                                validators=[DataRequired(_l("Choose the province."))])
    regency_code = SelectField(_l("Regency or city"), validate_choice=False,
                               validators=[DataRequired(_l("Choose the regency or city."))])
    street_address = TextAreaField(_l("Full address"), filters=[strip_whitespace], validators=[
        DataRequired(_l("Enter the street, number, village and district.")), Length(max=255)])
    postal_code = StringField(_l("Postal code"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_postal_code, _l("A postal code has 5 digits."))])
    payment_method = RadioField(_l("How you pay"), choices=enum_choices(PaymentMethod),
                                default=PaymentMethod.BANK_TRANSFER.value,
                                validators=[InputRequired(_l("Choose how you pay."))])
    fingerprint = HiddenField()
    idempotency_key = HiddenField()
    review = SubmitField(_l("Review order"))
    place = SubmitField(_l("Place order"))

    cooperative_ids: list[int] = []

    def address(self) -> Address:
        return Address(recipient_name=self.recipient_name.data, phone=self.phone.data,
                       province_code=self.province_code.data, regency_code=self.regency_code.data,
                       street_address=self.street_address.data, postal_code=self.postal_code.data)

    def payment(self) -> PaymentMethod:
        return PaymentMethod(self.payment_method.data)

    def choices(self) -> dict[int, SupplierChoice]:
        chosen = {}
        for cooperative_id in self.cooperative_ids:
            method = self[f"delivery_{cooperative_id}"].data
            if method in {item.value for item in DeliveryMethod}:
                chosen[cooperative_id] = SupplierChoice(DeliveryMethod(method),
                                                        self[f"note_{cooperative_id}"].data or "")
        return chosen

    def set_region_choices(self, province_choices, regency_choices) -> None:
        self.province_code.choices = [SelectChoice("", _l("— choose —")), *province_choices]
        self.regency_code.choices = [SelectChoice("", _l("— choose —")), *regency_choices]

    def supplier_fields(self, cooperative_id: int):
        return self[f"delivery_{cooperative_id}"], self[f"note_{cooperative_id}"]


def checkout_form(options: dict[int, list[DeliveryOption]], *, card_payments: bool = False,
                  invoice_terms_days: int | None = None, **kwargs) -> CheckoutForm:
    """A checkout form with a delivery choice and a note for each cooperative in the cart."""

    class CartCheckoutForm(CheckoutForm):
        pass

    for cooperative_id, offered in options.items():
        setattr(CartCheckoutForm, f"delivery_{cooperative_id}", RadioField(
            _l("Delivery"), choices=[SelectChoice(option.method.value, option.method.label) for option in offered],
            default=offered[0].method.value, validators=[InputRequired(_l("Choose how the goods reach you."))]))
        setattr(CartCheckoutForm, f"note_{cooperative_id}", TextAreaField(
            _l("Note to the cooperative (optional)"), filters=[strip_whitespace], validators=[Length(max=1000)]))
    form = CartCheckoutForm(**kwargs)
    form.cooperative_ids = list(options)
    # Card only where the card processor is configured; on invoice only for a buyer with agreed terms.
    methods = [method for method in PaymentMethod
               if (method != PaymentMethod.CARD or card_payments)
               and (method != PaymentMethod.ON_INVOICE or invoice_terms_days is not None)]
    form.payment_method.choices = enum_choices(PaymentMethod, methods)
    if invoice_terms_days is not None:
        form.payment_method.choices = [
            SelectChoice(choice.value, _l("On invoice: pay within %(days)d days of receipt", days=invoice_terms_days))
            if choice.value == PaymentMethod.ON_INVOICE.value else choice for choice in form.payment_method.choices]
    return form


class TransitionForm(FlaskForm):
    note = TextAreaField(_l("Note to the buyer"), filters=[strip_whitespace], validators=[Length(max=500)])
    carrier = StringField(_l("Courier"), filters=[strip_whitespace], validators=[Length(max=80)])
    tracking_number = StringField(_l("Tracking number"), filters=[strip_whitespace], validators=[Length(max=80)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note to the buyer"), filters=[strip_whitespace], validators=[
        DataRequired(_l("Write the note.")), Length(max=1000)])


class RatingForm(FlaskForm):
    rating = RadioField(_l("Your rating"), choices=[SelectChoice(str(stars), "★" * stars) for stars in range(5, 0, -1)],
                        validators=[InputRequired(_l("Choose 1 to 5 stars."))])
    comment = TextAreaField(_l("Comment (optional)"), filters=[strip_whitespace], validators=[Length(max=1000)])


class DeliverySettingsForm(FlaskForm):
    offers_pickup = BooleanField(_l("Buyers may pick up at the cooperative"))
    offers_arranged = BooleanField(_l("Delivery may be arranged with the buyer"))
    pickup_instructions = TextAreaField(_l("Pickup instructions"), filters=[strip_whitespace],
                                        validators=[Length(max=500)])

    province_codes: list[str] = []

    def details(self) -> DeliveryDetails:
        rates = {code: self[f"rate_{code}"].data for code in self.province_codes
                 if self[f"rate_{code}"].data is not None}
        return DeliveryDetails(offers_pickup=self.offers_pickup.data, offers_arranged=self.offers_arranged.data,
                               pickup_instructions=self.pickup_instructions.data or "", rates=rates)


def delivery_settings_form(provinces, **kwargs) -> DeliverySettingsForm:
    """The settings with one courier fee field per province (empty: no courier there)."""

    class ProvinceRatesForm(DeliverySettingsForm):
        pass

    for province in provinces:
        setattr(ProvinceRatesForm, f"rate_{province.code}", RupiahField(province.name, validators=[Optional()]))
    form = ProvinceRatesForm(**kwargs)
    form.province_codes = [province.code for province in provinces]
    return form
