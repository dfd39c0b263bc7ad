from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import bp, services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from marketplace.accounts.models import AccountKind
from marketplace.core.errors import DomainError
from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.validators import is_safe_redirect_target
from marketplace.core.views import render_form
from marketplace.extensions import limiter


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _redirect_after_login():
    target = request.args.get("next")
    if is_safe_redirect_target(target):
        return redirect(target)
    return redirect(url_for("storefront.home"))


def _start_session(user, remember: bool = False) -> None:
    login_user(user, remember=remember)
    session[SESSION_LOCALE_KEY] = user.preferred_locale


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return _redirect_after_login()
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work():
            user = services.authenticate(form.email.data, form.password.data)
            if user is not None:
                services.record_login(user)
        if user is None:
            # One message for every failure, so the page does not tell who has an account.
            form.password.errors.append(_("The email or password is not correct."))
        else:
            _start_session(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return _redirect_after_login()
    return render_form("accounts/login.html", form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":
        # Signing out changes state, so it is a POST; a GET (an old bookmark) asks first.
        if not current_user.is_authenticated:
            return redirect(url_for("storefront.home"))
        return render_template("accounts/logout.html")
    if current_user.is_authenticated:
        with unit_of_work():
            services.sign_out(current_user)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("storefront.home"))


@bp.route("/account/verify/<token>", methods=["GET", "POST"])
def verify_email(token):
    """The link in the confirmation email. Opening it shows a button (a GET never writes); the button confirms."""
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.verify_email(token)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("accounts.account" if current_user.is_authenticated else "accounts.login"))
        flash(_("Your email address %(email)s is confirmed. Thank you.", email=user.email), "success")
        return redirect(url_for("accounts.account" if current_user.is_authenticated else "accounts.login"))
    return render_template("accounts/verify_email.html", form=form)


@bp.route("/account/verify", methods=["POST"])
@login_required
@limiter.limit(_reset_limit, methods=["POST"])
def resend_verification():
    with unit_of_work():
        services.request_email_verification(current_user, verify_url_for=_verify_url)
    flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """For a lost phone or a shared computer: every browser signed in to this account is signed out."""
    with unit_of_work():
        services.sign_out_everywhere(current_user)
    logout_user()
    flash(_("You have been signed out on every device. Sign in again here."), "info")
    return redirect(url_for("accounts.login"))


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _verify_url(token: str) -> str:
    return url_for("accounts.verify_email", token=token, _external=True)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("storefront.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.register_user(
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    kind=AccountKind(form.kind.data),
                    phone=form.phone.data,
                    locale=session.get(SESSION_LOCALE_KEY, current_app.config["BABEL_DEFAULT_LOCALE"]),
                )
                services.record_login(user)
                services.request_email_verification(user, verify_url_for=_verify_url)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Your account is ready. Welcome to Pasar Koperasi, %(name)s.", name=user.name),
                  "success")
            target = request.args.get("next")
            return redirect(target if is_safe_redirect_target(target) else url_for("accounts.account"))
    return render_form("accounts/register.html", form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        with unit_of_work():
            services.update_profile(current_user, name=form.name.data, phone=form.phone.data,
                                    locale=form.preferred_locale.data)
        session[SESSION_LOCALE_KEY] = current_user.preferred_locale
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_form("accounts/account.html", form)


@bp.route("/account/language/<locale>", methods=["POST"])
@login_required
def set_language(locale):
    """The language switch of a signed-in person: pages read in it, and emails are written in it."""
    if locale in current_app.config["LANGUAGES"]:
        with unit_of_work():
            services.set_preferred_locale(current_user, locale)
        session[SESSION_LOCALE_KEY] = locale
    target = request.args.get("next")
    return redirect(target if is_safe_redirect_target(target) else url_for("storefront.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(account_email=current_user.email)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.change_password(current_user, current_password=form.current_password.data,
                                         new_password=form.password.data)
        except DomainError as error:
            form.current_password.errors.append(error.message)
        else:
            # The session id includes the password's fingerprint; renew it so this device stays in.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been signed out."),
                  "success")
            return redirect(url_for("accounts.account"))
    return render_form("accounts/change_password.html", form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.request_password_reset(
                form.email.data,
                reset_url_for=lambda token: url_for("accounts.reset_password", token=token,
                                                    _external=True),
            )
        # The same answer whether or not the address has an account.
        flash(_("If an account uses this address, we have sent it a link to choose a new "
                "password. Check your inbox."), "info")
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token):
    try:
        user = services.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.reset_password(token, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            flash(_("Your new password is saved. Sign in with it now."), "success")
            return redirect(url_for("accounts.login"))
    return render_form("accounts/reset_password.html", form)
