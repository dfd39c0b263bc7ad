"""Sales reports for the cooperative's staff and supervisors: by member, product or month, with a chart drawn on
the server and a CSV."""

from flask import render_template, request
from flask_login import login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.query_args import QueryArgs
from marketplace.core.views import private_download
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
    return private_download(reports.sales_csv_lines(cooperative, by, since=since, until=until),
                            f"sales-{cooperative.slug}-{by}.csv", "text/csv")
