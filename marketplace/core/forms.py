"""Field validators and filters every domain's forms share."""

from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.money import format_percent, parse_percent, parse_rupiah
from marketplace.core.validators import normalize_indonesian_phone

# Language names are written in their own language, so nobody needs to read a foreign one to switch.
LANGUAGE_CHOICES = [SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")]


def enum_choices(enum_class, members=None) -> list[SelectChoice]:
    """A select's options from a labelled enumeration (all of it, or the `members` given, in that order)."""
    return [SelectChoice(member.value, member.lazy_label) for member in (members or enum_class)]


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


class IndonesianPhone:
    """Accepts 08…, 62… or +62… and leaves the field's data as +62…; empty passes (use DataRequired)."""

    def __init__(self, message=None):
        self.message = message or _l("Enter an Indonesian phone number, for example 0812 3456 7890.")

    def __call__(self, form, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = normalize_indonesian_phone(field.data)
        except ValueError:
            raise ValidationError(str(self.message)) from None


class Parsed:
    """Runs one of `core.identifiers`' parsers; the field's data becomes the stored form (digits only)."""

    def __init__(self, parser, message):
        self.parser = parser
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            field.data = None
            return
        try:
            field.data = self.parser(field.data)
        except ValueError:
            raise ValidationError(str(self.message)) from None


def empty_to_none(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes; the form macro draws it as a fieldset of labelled boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RupiahField(StringField):
    """Whole rupiah typed the Indonesian way: `125.000`, `Rp 1.250.000` or `125000` → 125000."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0].strip() if valuelist else ""
        if not self.raw_text:
            self.data = None
            return
        try:
            self.data = parse_rupiah(self.raw_text)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter an amount in whole rupiah, like 125.000."))) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""


class PercentField(StringField):
    """A percentage typed the Indonesian way (`43,56` or `43.56`, with or without `%`) → basis points (4356)."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = parse_percent(text)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a percentage between 0 and 100, like 43,56."))) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_percent(self.data).rstrip("%") if isinstance(self.data, int) else ""


def optional_int(value):
    """Coerce for a select whose first option is an empty "— choose —"."""
    if value in (None, ""):
        return None
    return int(value)
