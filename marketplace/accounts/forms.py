from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from marketplace.accounts.models import SELF_REGISTERED_KINDS, AccountKind
from marketplace.accounts.services import password_problems
from marketplace.core.forms import LANGUAGE_CHOICES, IndonesianPhone, enum_choices, strip_whitespace
from marketplace.core.i18n import lazy_gettext as _l

EMAIL_VALIDATORS = [
    DataRequired(message=_l("Enter your email address.")),
    Length(max=254, message=_l("An email address has at most 254 characters.")),
    Email(message=_l("Enter a valid email address, like nama@contoh.id."),
          check_deliverability=False),
]


class PasswordStrength:
    """Runs the account rules on a new password, against the email in `email_field` when there is one."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field):
        email = None
        if self.email_field:
            email = form[self.email_field].data
        elif getattr(form, "account_email", None):
            email = form.account_email
        problems = list(password_problems(field.data or "", email).values())
        if problems:
            raise ValidationError(" ".join(problems))


def confirm_password_field():
    return PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip_whitespace], validators=EMAIL_VALIDATORS)
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter your name.")),
                    Length(max=120, message=_l("A name has at most 120 characters."))],
    )
    email = EmailField(_l("Email"), filters=[strip_whitespace], validators=EMAIL_VALIDATORS)
    phone = StringField(_l("Mobile phone (optional)"), filters=[strip_whitespace],
                        validators=[Optional(), IndonesianPhone()])
    kind = RadioField(
        _l("I am registering as"),
        choices=enum_choices(AccountKind, SELF_REGISTERED_KINDS),
        default=SELF_REGISTERED_KINDS[0].value,
        validators=[DataRequired(message=_l("Choose what you are registering as."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Choose a password.")), PasswordStrength("email")],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(message=_l("Repeat the password.")),
                    EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Enter your name.")),
                    Length(max=120, message=_l("A name has at most 120 characters."))],
    )
    phone = StringField(_l("Mobile phone (optional)"), filters=[strip_whitespace],
                        validators=[Optional(), IndonesianPhone()])
    preferred_locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Choose a new password.")), PasswordStrength()],
    )
    confirm = confirm_password_field()

    def __init__(self, *args, account_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip_whitespace], validators=EMAIL_VALIDATORS)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Choose a new password.")), PasswordStrength()],
    )
    confirm = confirm_password_field()

    def __init__(self, *args, account_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ConfirmEmailForm(FlaskForm):
    """Only the button of the confirmation page (and its CSRF token)."""
