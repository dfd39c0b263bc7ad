"""What a member producer sees of their own earnings, through the member login: theirs, and nobody else's."""

from flask import abort, render_template
from flask_login import current_user, login_required

from marketplace.cooperatives.services.members import members_of_user
from marketplace.ledger import bp
from marketplace.ledger.services import journal
from marketplace.ledger.services.savings import savings_balances


@bp.route("/my/earnings")
@login_required
def my_earnings():
    accounts = [(member, journal.member_balance(member.id), savings_balances(member.id),
                 journal.recent_lines_of(member)) for member in members_of_user(current_user)]
    return render_template("ledger/my_earnings.html", accounts=accounts)


@bp.route("/my/earnings/<int:member_id>/statement.pdf")
@login_required
def my_statement_pdf(member_id):
    from marketplace.ledger.views.manage import statement_pdf_response

    member = next((member for member in members_of_user(current_user) if member.id == member_id), None)
    if member is None:
        abort(404)  # another member's statement: not theirs to read
    return statement_pdf_response(member, member.cooperative)
