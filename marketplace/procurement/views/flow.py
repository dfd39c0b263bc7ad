"""How the purchase-order pages run what a person asked: one unit of work; a refusal of single fields drawn beside
them, a refusal of the whole action flashed, success flashed."""

from flask import flash

from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal
from marketplace.procurement.forms import ConfirmForm


def form_action(form, action, *, done: str, back, again):
    """Run `action` for a valid form in one unit of work. A refusal of single fields shows beside them on the page
    drawn again by `again` (422); a refusal of the whole action is flashed on `back`, as is success."""
    if form.validate_on_submit():
        try:
            with unit_of_work():
                action()
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
            return back()
        else:
            flash(done, "success")
            return back()
    return again()


def button_action(action, *, done, back, then=None):
    """A button that changes something: `action` in one unit of work; a refusal is flashed on `back`. `done` is the
    message, or a function giving it from what the action left (a number given on commit); `then` is where to go
    after success, `back` by default."""
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return back()
    try:
        with unit_of_work():
            action()
    except DomainError as error:
        flash_refusal(error)
        return back()
    flash(done() if callable(done) else done, "success")
    return (then or back)()
