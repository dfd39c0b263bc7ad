"""The SHU calculator for the RAT: a page that computes as the staff type (nothing is written), and the same
working as a CSV and as a PDF appendix."""

import io

from flask import Response, render_template, request
from flask_login import login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.core.errors import InvalidDetails
from marketplace.core.money import parse_percent
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.views import private_download
from marketplace.ledger import bp
from marketplace.ledger.services import shu as shu_services
from marketplace.ledger.services.shu_documents import shu_pdf

# A common AD/ART split, offered until the staff enter their own.
EXAMPLE_PERCENTAGES = {"reserve": 2500, "jasa_usaha": 3000, "jasa_modal": 2000, "board": 1000, "employees": 500,
                       "education": 500, "social": 500}


def _request(cooperative):
    read = QueryArgs(request.args)
    this_year = local_today(cooperative.time_zone).year
    year = read.number("year", minimum=2000, maximum=this_year) or this_year - 1
    shu = read.number("shu", maximum=10**13)
    if shu is None and "shu" not in request.args:
        shu = shu_services.shu_decided(cooperative, year)
    percentages = {}
    for name, _label in shu_services.FUNDS:
        text = request.args.get(name)
        try:
            # Left out of the address: the example; sent empty: nothing for that fund.
            percentages[name] = parse_percent(text) if text else (0 if name in request.args else
                                                                  EXAMPLE_PERCENTAGES[name])
        except ValueError:
            percentages[name] = -1  # refused by the service with the reason
    return year, shu, percentages


def _distribution(cooperative):
    year, shu, percentages = _request(cooperative)
    try:
        return year, shu, percentages, shu_services.distribute(cooperative, year, shu, percentages), None
    except InvalidDetails as error:
        return year, shu, percentages, None, error


@bp.route("/manage/<slug>/shu")
@login_required
def shu(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    year, amount, percentages, distribution, error = _distribution(cooperative)
    return render_template("ledger/shu.html", cooperative=cooperative, year=year, amount=amount,
                           percentages=percentages, distribution=distribution, error=error, funds=shu_services.FUNDS,
                           decided=shu_services.shu_decided(cooperative, year)), 422 if error else 200


@bp.route("/manage/<slug>/shu.csv")
@login_required
def shu_csv(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    _year, _amount, _percentages, distribution, error = _distribution(cooperative)
    if error is not None:
        return Response(error.message, status=422, mimetype="text/plain")
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK + csv_line(["nomor_anggota", "nama", "transaksi", "modal", "shu_jasa_usaha",
                                             "shu_jasa_modal", "shu_jumlah"]))
    for share in distribution.members:
        buffer.write(csv_line([share.member.member_number, share.member.full_name, share.transactions,
                               share.capital, share.jasa_usaha, share.jasa_modal, share.total]))
    return private_download(buffer.getvalue(), f"shu-{cooperative.slug}-{distribution.book_year}.csv", "text/csv")


@bp.route("/manage/<slug>/shu.pdf")
@login_required
def shu_appendix(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    _year, _amount, _percentages, distribution, error = _distribution(cooperative)
    if error is not None:
        return Response(error.message, status=422, mimetype="text/plain")
    return private_download(shu_pdf(cooperative, distribution), f"shu-{cooperative.slug}-{distribution.book_year}.pdf",
                            "application/pdf", inline=True)
