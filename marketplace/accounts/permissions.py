"""Permission helpers the views of every domain reuse.

Not signed in → the sign-in page (then back). Signed in but not allowed → a 403 page, never a
silent redirect elsewhere.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import AccountKind

__all__ = ["admin_required", "kind_required", "login_required", "require"]


def kind_required(*kinds: AccountKind):
    """The view is for these kinds of account (administrators always pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not (current_user.is_admin or current_user.has_kind(*kinds)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require(allowed: bool) -> None:
    """A scope check inside a view: `require(cooperative.has_staff(current_user))`."""
    if not allowed:
        abort(403)
