"""Helpers that let a test read like the person's actions: `auth.login(user)`, `post_form(...)`."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from marketplace.core.errors import DomainError
from tests.factories import DEFAULT_PASSWORD

_CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(client, url: str = "/") -> str:
    """The session's CSRF token as a page gives it; the sign-in form (or, signed in, the sign-out button)
    carries one when the page itself has no form."""
    for candidate in (url, "/login", "/"):
        page = client.get(candidate)
        match = _CSRF_PATTERN.search(page.get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF token on {url} (status {page.status_code})")


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST like a browser would: with the CSRF token the form page gave."""
    token = csrf_token_from(client, token_from or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = DEFAULT_PASSWORD, **extra):
        email = getattr(user_or_email, "email", user_or_email)
        return post_form(self.client, "/login", {"email": email, "password": password, **extra})

    def logout(self):
        return post_form(self.client, "/logout", {}, token_from="/")


def page_text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user):
    """A browser of its own, signed in as `user`."""
    client = app.test_client()
    AuthActions(client).login(user)
    return client


@contextmanager
def refused(code: str, error_type: type[DomainError] = DomainError):
    """`with refused("not_enough_in_lot"): …`: the block is refused with that stable code (never an assertion on a
    translated phrase, which changes with the wording)."""
    with pytest.raises(error_type) as caught:
        yield caught
    assert caught.value.code == code, f"refused with {caught.value.code!r}: {caught.value.message}"


def at_the_same_moment(app, act, people_ids: list[int], *, success: str) -> list[str]:
    """Each person (by id) runs `act(person)` in a thread and a unit of work of their own, all let go at the same
    moment; returns the outcomes sorted: `success`, or the code of the refusal."""
    from marketplace.accounts.models import User
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.extensions import db

    start = threading.Barrier(len(people_ids))

    def run(user_id: int) -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                db.session.rollback()
                start.wait(timeout=30)
                with unit_of_work():
                    act(actor)
                return success
            except DomainError as error:
                return error.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(people_ids)) as pool:
        outcomes = sorted(pool.map(run, people_ids))
    db.session.rollback()  # the test's own session sees what the threads wrote
    return outcomes
