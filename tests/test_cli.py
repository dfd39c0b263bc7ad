from marketplace.accounts.models import AccountKind, User
from marketplace.cooperatives.models import Cooperative, Member
from marketplace.extensions import db


def test_create_admin_makes_an_administrator(app):
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--email", "Admin@Dinas.go.id", "--name", "Rina",
        "--password", "koperasi-maju-2026",
    ])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(db.select(User))
    assert (admin.email, admin.kind) == ("admin@dinas.go.id", AccountKind.ADMIN)


def test_create_admin_refuses_a_weak_password_and_creates_nothing(app):
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--email", "admin@dinas.go.id", "--name", "Rina", "--password", "123",
    ])
    assert result.exit_code != 0
    assert "minimal 10" in result.output or "at least 10" in result.output
    assert db.session.query(User).count() == 0


def test_seed_demo_can_run_twice_without_duplicating(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.query(model).count() for model in (User, Cooperative, Member)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert [db.session.query(model).count() for model in (User, Cooperative, Member)] == counts
    assert counts[1] >= 6
    regencies = set(db.session.scalars(db.select(Cooperative.regency_code)))
    assert {"33.14", "35.76", "35.24", "36.03", "35.09"} <= regencies  # Sragen, Mojokerto, Lamongan, Tangerang, Jember
    assert db.session.scalar(db.select(Cooperative).where(Cooperative.status == "pending")) is not None
    kinds = set(db.session.scalars(db.select(User.kind)))
    assert kinds == set(AccountKind)


def test_load_regions_adds_nothing_when_the_table_is_current(app):
    result = app.test_cli_runner().invoke(args=["load-regions"])
    assert result.exit_code == 0
    assert result.output.startswith("0 regions")


def test_seed_demo_refuses_to_run_in_production(app):
    app.config["APP_ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["APP_ENV"] = "testing"
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.query(User).count() == 0


def test_prune_sessions_forgets_ended_and_expired_sign_ins_only(app):
    from datetime import timedelta

    from marketplace.accounts.models import SignInSession
    from marketplace.core.timeutil import utcnow
    from tests.factories import create_user

    user = create_user()
    now = utcnow()
    db.session.add_all([
        SignInSession(user_id=user.id, token_hash="a" * 64, started_at=now),
        SignInSession(user_id=user.id, token_hash="b" * 64, started_at=now, ended_at=now),
        SignInSession(user_id=user.id, token_hash="c" * 64, started_at=now - timedelta(days=90)),
    ])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["prune-sessions"])
    assert result.exit_code == 0 and "2 sign-in sessions" in result.output
    db.session.rollback()
    assert [row.token_hash[0] for row in db.session.scalars(db.select(SignInSession))] == ["a"]
