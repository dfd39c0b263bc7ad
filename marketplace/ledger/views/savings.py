"""The cooperative's savings pages: the amounts its AD/ART sets, deposits and withdrawals, arrears, the import."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.services.members import member_register
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.csv_files import decode_upload
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate_rows
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, render_form
from marketplace.extensions import limit_uploads
from marketplace.ledger import bp
from marketplace.ledger.forms import SavingsForm, SavingsImportForm, SavingsSettingsForm
from marketplace.ledger.models import SAVINGS_ACCOUNTS, Account
from marketplace.ledger.services import savings


def _forms(cooperative):
    setting = savings.savings_setting(cooperative)
    settings_form = SavingsSettingsForm(prefix="settings")
    if request.method == "GET" or not settings_form.is_submitted():
        settings_form.pokok.data, settings_form.wajib_monthly.data = setting.pokok_amount, \
            setting.wajib_monthly_amount
        settings_form.counted_from.data = setting.wajib_counted_from
    movement_form = SavingsForm(prefix="movement")
    movement_form.member.choices = [SelectChoice(member.id, f"{member.full_name} ({member.member_number})")
                                    for member in member_register(current_user, cooperative, active_only=False)]
    movement_form.account.choices = [SelectChoice(account.value, account.label) for account in SAVINGS_ACCOUNTS]
    if not movement_form.on.data:
        movement_form.on.data = local_today(cooperative.time_zone)
    return setting, settings_form, movement_form


def _page(cooperative, setting, settings_form, movement_form, import_form=None):
    return render_form("ledger/savings.html", movement_form, cooperative=cooperative, setting=setting,
                       settings_form=settings_form, import_form=import_form or SavingsImportForm(prefix="import"),
                       arrears=savings.arrears(cooperative)[:100],
                       page=paginate_rows(savings.savings_overview(cooperative), per_page=30))


@bp.route("/manage/<slug>/savings", methods=["GET", "POST"])
@login_required
def savings_page(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    setting, settings_form, movement_form = _forms(cooperative)
    if movement_form.validate_on_submit():
        month = date.fromisoformat(f"{movement_form.month.data}-01") if movement_form.month.data else None
        sign = -1 if movement_form.direction.data == "withdrawal" else 1
        movement = savings.SavingsMovement(member_id=movement_form.member.data,
                                           account=Account(movement_form.account.data),
                                           amount=sign * (movement_form.amount.data or 0), on=movement_form.on.data,
                                           month=month, reference=movement_form.reference.data or "")
        try:
            with unit_of_work():
                savings.record_savings(current_user, cooperative, movement)
        except InvalidDetails as error:
            attach_field_errors(movement_form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Recorded."), "success")
            return redirect(url_for("ledger.savings_page", slug=slug))
    return _page(cooperative, setting, settings_form, movement_form)


@bp.route("/manage/<slug>/savings/settings", methods=["POST"])
@login_required
def savings_settings(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    settings_form = _forms(cooperative)[1]
    if settings_form.validate_on_submit():
        try:
            with unit_of_work():
                savings.set_savings_amounts(current_user, cooperative, pokok=settings_form.pokok.data,
                                            wajib_monthly=settings_form.wajib_monthly.data,
                                            counted_from=settings_form.counted_from.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The savings amounts have been saved."), "success")
    else:
        flash(errors_text(settings_form.pokok, settings_form.wajib_monthly, settings_form.counted_from), "error")
    return redirect(url_for("ledger.savings_page", slug=slug))


@bp.route("/manage/<slug>/savings/import", methods=["POST"])
@login_required
@limit_uploads
def import_savings(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    setting, settings_form, movement_form = _forms(cooperative)
    import_form = SavingsImportForm(prefix="import")
    if import_form.validate_on_submit():
        text = decode_upload(import_form.file.data.read())
        try:
            if text is None:
                raise InvalidDetails({"file": _("Save the spreadsheet as CSV (UTF-8) and try again.")},
                                     code="unreadable_file")
            with unit_of_work():
                count = savings.import_savings(current_user, cooperative, text)
        except InvalidDetails as error:
            attach_field_errors(import_form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("%(count)d savings movements imported.", count=count), "success")
            return redirect(url_for("ledger.savings_page", slug=slug))
    return _page(cooperative, setting, settings_form, movement_form, import_form)
