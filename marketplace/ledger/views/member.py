"""What a member producer sees of their own earnings, through the member login: theirs, and nobody else's."""

from flask import render_template
from flask_login import current_user, login_required

from marketplace.cooperatives.services.members import members_of_user
from marketplace.ledger import bp
from marketplace.ledger.services import journal


@bp.route("/my/earnings")
@login_required
def my_earnings():
    accounts = [(member, journal.member_balance(member.id), journal.recent_lines_of(member))
                for member in members_of_user(current_user)]
    return render_template("ledger/my_earnings.html", accounts=accounts)
