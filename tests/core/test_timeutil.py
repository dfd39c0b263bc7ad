from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale

from marketplace.accounts.models import User
from marketplace.catalog.models import CertificationKind
from marketplace.catalog.services import stock
from marketplace.catalog.services.public import valid_certifications
from marketplace.core import timeutil
from marketplace.core.errors import DomainError
from marketplace.core.timeutil import format_date_local, format_datetime_local
from marketplace.extensions import db
from marketplace.search.services.query import SearchRequest, search_products
from tests.factories import create_member, create_product, create_user, owner_of


def test_times_are_shown_in_western_indonesia_time(app):
    moment = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
    with app.test_request_context(), force_locale("id"):
        assert format_datetime_local(moment) == "23 Nov 2026 19.05 WIB"
    with app.test_request_context(), force_locale("en"):
        assert format_datetime_local(moment) == "23 Nov 2026, 19:05 WIB"


def test_dates_read_in_the_page_language(app):
    moment = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("id"):
        assert format_date_local(moment, "full") == "Minggu, 22 November 2026"
    with app.test_request_context(), force_locale("en"):
        assert format_date_local(moment) == "November 22, 2026"


def test_a_stored_time_comes_back_as_aware_utc(app):
    user = create_user()
    jakarta_evening = datetime(2026, 11, 23, 19, 0, tzinfo=timezone(timedelta(hours=7)))
    user.last_login_at = jakarta_evening
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).last_login_at
    assert stored.tzinfo is not None
    assert stored == jakarta_evening
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused_rather_than_guessed(app):
    user = create_user()
    user.last_login_at = datetime(2026, 11, 23, 19, 0)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


# 1 March 2031, 01:00 WIB, while UTC (and the server) still says 28 February
ONE_IN_THE_MORNING_WIB = datetime(2031, 2, 28, 18, 0, tzinfo=UTC)


@pytest.fixture
def one_in_the_morning(monkeypatch):
    monkeypatch.setattr(timeutil, "utcnow", lambda: ONE_IN_THE_MORNING_WIB)


def test_today_is_the_date_where_people_are_not_the_servers_utc_date(one_in_the_morning):
    assert timeutil.local_today() == date(2031, 3, 1)
    assert timeutil.local_today(timeutil.zone_of_province("64")) == date(2031, 3, 1)  # Kaltim, WITA
    assert [timeutil.zone_of_province(code).key for code in ("33", "64.72", "91", None)] == [
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Jakarta"]


def test_at_one_in_the_morning_wib_a_delivery_received_today_is_accepted(app, one_in_the_morning):
    product = create_product()
    member = create_member(product.cooperative)
    lot = stock.receive_stock(owner_of(product.cooperative), product, member_id=member.id, quantity=4,
                              received_on=date(2031, 3, 1))
    assert lot.received_on == date(2031, 3, 1)
    with pytest.raises(DomainError):
        stock.receive_stock(owner_of(product.cooperative), product, member_id=member.id, quantity=4,
                            received_on=date(2031, 3, 2))


def test_at_one_in_the_morning_wib_a_certificate_that_ended_yesterday_no_longer_counts(app, one_in_the_morning):
    product = create_product(certifications={CertificationKind.PIRT: ("2063314010123-28", date(2031, 2, 28))})
    assert valid_certifications(product) == []
    assert search_products(SearchRequest(certificates=("pirt",))).total == 0


def test_no_code_asks_the_server_for_its_utc_date():
    package = Path(timeutil.__file__).resolve().parents[1]
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py") if "date.today()" in path.read_text()]
    assert offenders == []
