"""What anyone holding a printed document may check: the order it belongs to and its status now."""

from flask import render_template

from marketplace.ordering import bp
from marketplace.ordering.services.documents import invoice_number
from marketplace.ordering.services.queries import order_by_verification_code


@bp.route("/documents/verify/<code>")
def verify_document(code):
    order = order_by_verification_code(code[:24])
    return render_template("ordering/verify.html", order=order, invoice_number=invoice_number(order))
