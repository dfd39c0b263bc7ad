from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from marketplace.accounts.models import User
from marketplace.core.timeutil import format_date_local, format_datetime_local
from marketplace.extensions import db
from tests.factories import create_user


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
