from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from marketplace.cooperatives.models import (
    CooperativeStatus,
    CooperativeType,
    DocumentKind,
    Gender,
    LeavingReason,
    LegalForm,
    MembershipArea,
    MemberStatus,
    PayoutMethod,
    StaffRole,
)
from marketplace.cooperatives.services.members import MemberDetails
from marketplace.cooperatives.services.profile import CooperativeDetails
from marketplace.cooperatives.services.rat import RatDetails
from marketplace.core.forms import (
    IndonesianPhone,
    Parsed,
    RupiahField,
    empty_to_none,
    enum_choices,
    optional_int,
    strip_whitespace,
)
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.identifiers import (
    parse_bank_account_number,
    parse_legal_decree_number,
    parse_national_id,
    parse_nib,
    parse_nik_koperasi,
    parse_nitku,
    parse_npwp,
    parse_postal_code,
)

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]


def _optional_enum(value):
    return value or None


def _required(message):
    return DataRequired(message=message)


class CooperativeForm(FlaskForm):
    name = StringField(_l("Name of the cooperative"), filters=[strip_whitespace],
                       validators=[_required(_l("Enter the cooperative's name.")), Length(max=160)])
    legal_form = RadioField(_l("Legal form"), choices=enum_choices(LegalForm), default=LegalForm.COOPERATIVE.value)
    cooperative_type = SelectField(_l("Line of business (jenis koperasi)"), choices=enum_choices(CooperativeType))
    membership_area = SelectField(_l("Where members come from (wilayah keanggotaan)"), coerce=_optional_enum,
                                  choices=[SelectChoice("", _l("— choose —")), *enum_choices(MembershipArea)],
                                  validate_choice=False)
    is_syariah = BooleanField(_l("Runs on sharia principles (pola syariah)"))
    is_pesantren = BooleanField(_l("This is a pesantren cooperative (Kopontren)"))
    pesantren_name = StringField(_l("Name of the pesantren"), filters=[empty_to_none],
                                 validators=[Optional(), Length(max=160)])
    opop_participant = BooleanField(_l("Takes part in One Pesantren One Product (OPOP)"))
    opop_level = StringField(_l("OPOP level, as on the programme's certificate"), filters=[empty_to_none],
                             validators=[Optional(), Length(max=60)])

    nik_koperasi = StringField(_l("NIK koperasi (if the cooperative has one)"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_nik_koperasi, _l("The NIK koperasi has 16 digits."))])
    nik_valid_until = DateField(_l("NIK koperasi certificate valid until"), validators=[Optional()])
    legal_decree_number = StringField(
        _l("Legal entity decree number (badan hukum)"), filters=[empty_to_none],
        validators=[Optional(), Parsed(parse_legal_decree_number, _l(
            "Enter the decree number as printed, e.g. AHU-0001234.AH.01.26.TAHUN 2021."))])
    legal_decree_date = DateField(_l("Date of the decree"), validators=[Optional()])
    nib = StringField(_l("NIB"), filters=[empty_to_none],
                      validators=[Optional(), Parsed(parse_nib, _l("The NIB has 13 digits."))])
    npwp = StringField(_l("NPWP"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_npwp, _l("The NPWP has 15 digits (01.234.567.8-901.000) or 16 digits."))])
    nitku = StringField(_l("NITKU (if known)"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_nitku, _l("The NITKU has 22 digits: the 16-digit NPWP and 6 more."))])
    is_pkp = BooleanField(_l("Registered for VAT (PKP)"))
    pp55_certificate_number = StringField(_l("Surat Keterangan PP 55/2022 number"), filters=[empty_to_none],
                                          validators=[Optional(), Length(max=60)])
    pp55_valid_from = DateField(_l("Valid from"), validators=[Optional()])
    pp55_valid_until = DateField(_l("Valid until"), validators=[Optional()])

    street_address = StringField(_l("Street address"), filters=[strip_whitespace],
                                 validators=[_required(_l("Enter the address.")), Length(max=255)])
    province_code = SelectField(_l("Province"), validate_choice=False,
                                validators=[_required(_l("Choose the province."))])
    regency_code = SelectField(_l("Regency or city"), validate_choice=False,
                               validators=[_required(_l("Choose the regency or city."))])
    postal_code = StringField(_l("Postal code"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_postal_code, _l("A postal code has 5 digits."))])
    phone = StringField(_l("Phone"), filters=[strip_whitespace],
                        validators=[_required(_l("Enter a phone number.")), IndonesianPhone()])
    email = EmailField(_l("Email"), filters=[strip_whitespace], validators=[
        _required(_l("Enter an email address.")),
        Email(message=_l("Enter a valid email address, like nama@contoh.id."), check_deliverability=False)])

    bank_name = StringField(_l("Bank"), filters=[empty_to_none], validators=[Optional(), Length(max=80)])
    bank_account_number = StringField(_l("Account number"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_bank_account_number, _l("An account number has 6 to 20 digits."))])
    bank_account_holder = StringField(_l("Account holder"), filters=[empty_to_none],
                                      validators=[Optional(), Length(max=160)])

    description = TextAreaField(_l("About the cooperative"), filters=[strip_whitespace],
                                validators=[Length(max=5000)])
    founded_year = IntegerField(_l("Year founded"), validators=[
        Optional(), NumberRange(min=1896, max=2100, message=_l("Enter a year like 2019."))])
    member_count = IntegerField(_l("Number of members"), default=0, validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message=_l("Enter a number of members (0 or more)."))])

    def __init__(self, *args, province_choices=(), regency_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [SelectChoice("", _l("— choose —")), *province_choices]
        self.regency_code.choices = [SelectChoice("", _l("— choose —")), *regency_choices]

    def details(self) -> CooperativeDetails:
        values = {name: self[name].data for name in CooperativeDetails.__dataclass_fields__}
        values["cooperative_type"] = CooperativeType(values["cooperative_type"])
        values["legal_form"] = LegalForm(values["legal_form"])
        values["membership_area"] = MembershipArea(values["membership_area"]) if values["membership_area"] else None
        values["member_count"] = values["member_count"] or 0
        values["description"] = values["description"] or ""
        values["pesantren_name"] = values["pesantren_name"] if values["is_pesantren"] else None
        if not values["opop_participant"]:
            values["opop_level"] = None
        return CooperativeDetails(**values)


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo"), validators=[
        FileRequired(_l("Choose a picture file.")),
        FileAllowed(IMAGE_TYPES, _l("Only JPEG, PNG or WebP pictures are accepted."))])


class RatForm(FlaskForm):
    book_year = IntegerField(_l("Book year accounted for"), validators=[
        _required(_l("Enter the book year, like 2025.")),
        NumberRange(min=1900, max=2100, message=_l("Enter the book year as four digits, like 2025."))])
    held_on = DateField(_l("Date of the meeting"), validators=[_required(_l("Enter the date of the meeting."))])
    members_present = IntegerField(_l("Members present"), validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message=_l("Enter how many members attended (0 or more)."))])
    shu_decided = RupiahField(_l("SHU decided (optional)"))
    minutes_document_id = SelectField(_l("Minutes (berita acara), from the documents"), coerce=optional_int,
                                      validate_choice=False)

    def __init__(self, *args, minutes_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.minutes_document_id.choices = [SelectChoice("", _l("— upload them under Documents first —")),
                                            *minutes_choices]

    def details(self) -> RatDetails:
        return RatDetails(book_year=self.book_year.data, held_on=self.held_on.data,
                          members_present=self.members_present.data, shu_decided=self.shu_decided.data,
                          minutes_document_id=self.minutes_document_id.data)


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=enum_choices(DocumentKind))
    document = FileField(_l("File (PDF or photo)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["pdf", *IMAGE_TYPES], _l("Upload a PDF file or a JPEG, PNG or WebP photo."))])


class StaffInvitationForm(FlaskForm):
    email = EmailField(_l("Email of the person to invite"), filters=[strip_whitespace], validators=[
        _required(_l("Enter an email address.")),
        Email(message=_l("Enter a valid email address, like nama@contoh.id."), check_deliverability=False)])
    role = SelectField(_l("Role"), choices=enum_choices(StaffRole), default="staff")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=enum_choices(StaffRole))


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF-protected, no fields."""


class StatusChangeForm(FlaskForm):
    status = HiddenField(validators=[_required(_l("Choose an action."))])
    reason = TextAreaField(_l("Reason (shown to the cooperative)"), filters=[strip_whitespace],
                           validators=[Length(max=2000)])

    def validate_status(self, field):
        if field.data not in {status.value for status in CooperativeStatus}:
            raise ValidationError(_l("Choose an action."))


class MemberForm(FlaskForm):
    member_number = StringField(_l("Member number"), filters=[strip_whitespace],
                                validators=[_required(_l("Enter the member number.")), Length(max=30)])
    full_name = StringField(_l("Full name"), filters=[strip_whitespace],
                            validators=[_required(_l("Enter the member's full name.")), Length(max=160)])
    national_id = StringField(_l("NIK (KTP number)"), filters=[empty_to_none], validators=[
        Optional(), Parsed(parse_national_id, _l("The NIK has the 16 digits printed on the KTP."))])
    gender = SelectField(_l("Gender"), choices=[SelectChoice("", _l("— not stated —")),
                                                SelectChoice(Gender.FEMALE.value, _l("Female")),
                                                SelectChoice(Gender.MALE.value, _l("Male"))])
    village = StringField(_l("Village (desa/kelurahan)"), filters=[empty_to_none],
                          validators=[Optional(), Length(max=120)])
    district = StringField(_l("District (kecamatan)"), filters=[empty_to_none],
                           validators=[Optional(), Length(max=120)])
    skills = StringField(_l("Skills or craft"), filters=[empty_to_none], validators=[Optional(), Length(max=255)])
    phone = StringField(_l("Phone"), filters=[empty_to_none], validators=[Optional(), IndonesianPhone()])
    joined_on = DateField(_l("Joined on"), default=date.today,
                          validators=[_required(_l("Enter the date the member joined."))])
    status = SelectField(_l("Status"), choices=enum_choices(MemberStatus), default="active")
    left_on = DateField(_l("Left on"), validators=[Optional()])
    leaving_reason = SelectField(_l("Why the membership ended"), coerce=_optional_enum, validate_choice=False,
                                 choices=[SelectChoice("", _l("— only when the member left —")),
                                          *enum_choices(LeavingReason)])
    payout_method = SelectField(_l("How the member is paid"), choices=enum_choices(PayoutMethod),
                                default="cash")
    payout_provider = StringField(_l("Bank or e-wallet"), filters=[empty_to_none],
                                  validators=[Optional(), Length(max=80)])
    payout_account_number = StringField(_l("Account or e-wallet number"), filters=[empty_to_none],
                                        validators=[Optional(), Length(max=32)])
    payout_account_holder = StringField(_l("Account holder"), filters=[empty_to_none],
                                        validators=[Optional(), Length(max=160)])
    public_name_consent = BooleanField(_l("The member agrees to be named as producer on product pages"))

    def details(self) -> MemberDetails:
        values = {name: self[name].data for name in MemberDetails.__dataclass_fields__}
        values["gender"] = Gender(values["gender"]) if values["gender"] else None
        values["status"] = MemberStatus(values["status"])
        values["leaving_reason"] = LeavingReason(values["leaving_reason"]) if values["leaving_reason"] else None
        values["payout_method"] = PayoutMethod(values["payout_method"])
        return MemberDetails(**values)


class MemberAccountInvitationForm(FlaskForm):
    email = EmailField(_l("The member's email"), filters=[strip_whitespace], validators=[
        _required(_l("Enter an email address.")),
        Email(message=_l("Enter a valid email address, like nama@contoh.id."), check_deliverability=False)])


class MemberImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file.")),
                                                FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])


class MemberImportConfirmForm(FlaskForm):
    content = HiddenField(validators=[_required(_l("The file to import is missing. Upload it again."))])
