"""Sales reports for the cooperative's staff and supervisors: by member, product or month, with a chart drawn on
the server and a CSV."""

from flask import Response, render_template, request, stream_with_context
from flask_login import login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.query_args import QueryArgs
from marketplace.ledger import bp
from marketplace.ledger.services import reports

CHART_BARS = 12
PAGE_ROWS = 200


def _filters():
    read = QueryArgs(request.args)
    return (read.choice("by", reports.GROUPINGS, "member") or "member", read.date("since"), read.date("until"))


@bp.route("/manage/<slug>/reports/sales")
@login_required
def sales_report(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    by, since, until = _filters()
    rows = reports.sales_rows(cooperative, by, since=since, until=until, limit=PAGE_ROWS)
    chart = rows if by == "month" else rows[:CHART_BARS]
    return render_template("ledger/sales_report.html", cooperative=cooperative, by=by, since=since, until=until,
                           rows=rows, chart=chart, largest=max((row.amount for row in chart), default=0),
                           truncated=len(rows) == PAGE_ROWS)


@bp.route("/manage/<slug>/reports/sales.csv")
@login_required
def sales_report_csv(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    by, since, until = _filters()
    response = Response(stream_with_context(reports.sales_csv_lines(cooperative, by, since=since, until=until)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="sales-{cooperative.slug}-{by}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
