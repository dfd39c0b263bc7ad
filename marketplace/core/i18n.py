"""Which language a page speaks: the signed-in person's choice, else this browser session's, else Indonesian; and
finding its phrases cheaply (`KeptTranslationsDomain`)."""

from babel import Locale
from flask import current_app, g, has_request_context, session
from flask_babel import Domain, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

SESSION_LOCALE_KEY = "locale"


def supported_locales() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user.is_authenticated and current_user.preferred_locale in supported_locales():
        return current_user.preferred_locale
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in supported_locales():
        return chosen
    return default


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_locale() -> Locale | None:
    """Flask-Babel's `get_locale`, reading the locale it already settled for this request directly (its own path is
    three context look-ups, about 20 µs, and a directory asks once per category name)."""
    try:
        state = g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:
        return None  # outside an application context, as Flask-Babel answers
    locale = state.__dict__.get("babel_locale") if state is not None else None
    return locale if locale is not None else get_locale()


class KeptTranslationsDomain(Domain):
    """Flask-Babel's message domain, keeping the catalogue it found beside the locale it belongs to.

    Flask-Babel finds the catalogue afresh for every phrase (about 25 µs: three context look-ups and the locale
    turned into a string), and a page asks for 100–300 phrases, in templates and through lazy labels. The
    catalogue is kept with the very locale object it was found for, so `force_locale` (an email in the
    recipient's language) and its end each get the right one; the answer is always Flask-Babel's own."""

    def get_translations(self):
        try:
            state = g._get_current_object().__dict__.get("_flask_babel")
        except RuntimeError:  # outside an application context: Flask-Babel's own answer (no translation)
            return super().get_translations()
        if state is not None:
            kept = state.__dict__.get("translations_of_locale")
            if kept is not None and kept[0] is self and kept[1] is state.__dict__.get("babel_locale"):
                return kept[2]
        translations = super().get_translations()  # settles the locale on the first call of the request
        state = g.__dict__["_flask_babel"]
        state.translations_of_locale = (self, state.babel_locale, translations)
        return translations


# One domain for every application (each keeps its catalogues apart in its own request state; the catalogues
# are cached by locale, and every application of this project reads the same translation folders).
TRANSLATIONS = KeptTranslationsDomain(domain="messages")


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext`, without finding the domain through three context look-ups for every phrase
    (a directory page asks for 50–60 phrases: badges, enumeration labels)."""
    translated = TRANSLATIONS.get_translations().ugettext(string)
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables) -> LazyString:
    """A phrase translated when read, in the reader's language (labels declared at import time)."""
    return LazyString(gettext, string, **variables)


def install_kept_translations(app, babel) -> None:
    """Every phrase — Python's `gettext`, lazy labels and templates — goes through one `KeptTranslationsDomain`.
    Templates call it directly: Jinja's own newstyle callables reach the catalogue through three context calls
    per phrase; these do the same (the translation marked safe where the template escapes, then the variables
    put in, escaped) in one."""
    if app.config.get("BABEL_DOMAIN", "messages") != TRANSLATIONS.domain[0]:
        raise RuntimeError("the application's phrases are in the `messages` domain")
    domain = TRANSLATIONS
    babel.__dict__["domain_instance"] = domain  # what Flask-Babel's cached property would hold

    @pass_eval_context
    def template_gettext(eval_context, string, **variables):
        return _fill(eval_context, domain.get_translations().ugettext(string), variables)

    @pass_eval_context
    def template_ngettext(eval_context, singular, plural, count, **variables):
        variables.setdefault("num", count)
        return _fill(eval_context, domain.get_translations().ungettext(singular, plural, count), variables)

    @pass_eval_context
    def template_pgettext(eval_context, context, string, **variables):
        variables.setdefault("context", context)
        return _fill(eval_context, domain.get_translations().upgettext(context, string), variables)

    @pass_eval_context
    def template_npgettext(eval_context, context, singular, plural, count, **variables):
        variables.setdefault("context", context)
        variables.setdefault("num", count)
        return _fill(eval_context, domain.get_translations().unpgettext(context, singular, plural, count),
                     variables)

    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext,
                                 pgettext=template_pgettext, npgettext=template_npgettext)


def _fill(eval_context, translated: str, variables: dict) -> str:
    if eval_context.autoescape:
        translated = Markup(translated)
    if not variables and "%" not in translated:
        return translated  # what `% {}` would give, without its cost
    return translated % variables
