"""Phrases come from the catalogue of the locale in force, however many a page asks for and whatever switches it."""

from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext

from marketplace.core.i18n import KeptTranslationsDomain


def test_every_way_of_asking_gives_the_phrase_in_the_locale_in_force_and_follows_force_locale(app):
    label = lazy_gettext("Products")
    template = "{{ _('Products') }}|{{ _('%(count)s per week', count=3) }}"
    with app.test_request_context("/"):
        assert (gettext("Products"), str(label), render_template_string(template)) == (
            "Produk", "Produk", "Produk|3 per minggu")
        with force_locale("en"):  # an email in the recipient's language, in the middle of a page
            assert (gettext("Products"), str(label), render_template_string(template)) == (
                "Products", "Products", "Products|3 per week")
        assert (gettext("Products"), str(label), render_template_string(template)) == (
            "Produk", "Produk", "Produk|3 per minggu")


def test_the_installed_domain_is_the_one_flask_babel_uses(app):
    from flask_babel import get_domain

    with app.test_request_context("/"):
        assert isinstance(get_domain(), KeptTranslationsDomain)


def test_variables_are_escaped_in_pages_and_left_as_written_in_text_mails(app):
    with app.test_request_context("/"):
        page = render_template_string("{{ _('%(count)s per week', count='<b>') }}")
        text = render_template_string(
            "{% autoescape false %}{{ _('%(count)s per week', count=\"<b>O'Brien</b>\") }}{% endautoescape %}")
    assert page == "&lt;b&gt; per minggu"
    assert text == "<b>O'Brien</b> per minggu"


def test_a_percent_sign_reads_the_same_with_or_without_variables(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ _('100%%') }}|{{ _('%(share)s%%', share=40) }}") == "100%|40%"
