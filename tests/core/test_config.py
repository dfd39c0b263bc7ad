import pytest

from marketplace import create_app
from marketplace.config import ConfigurationError, DevelopmentConfig, ProductionConfig


def test_production_refuses_to_start_without_a_secret_key(database_url):
    config = type("NoKey", (ProductionConfig,),
                  {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": database_url})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_an_unknown_mail_delivery_mode_stops_the_application_at_start(database_url):
    config = type("Misconfigured", (DevelopmentConfig,),
                  {"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": database_url, "MAIL_DELIVERY": "later"})
    with pytest.raises(ConfigurationError, match="MAIL_DELIVERY"):
        create_app(config)


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path, monkeypatch, database_url):
    monkeypatch.setattr("marketplace.DEFAULT_INSTANCE_PATH", tmp_path)
    config = type("Dev", (DevelopmentConfig,),
                  {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": database_url})
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert len(first) >= 64
    assert first == second
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setattr("marketplace.DEFAULT_INSTANCE_PATH", tmp_path)
    config = type("Dev", (DevelopmentConfig,), {"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": None})
    app = create_app(config)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'pasar_koperasi.db'}"


def test_production_refuses_to_start_without_knowing_its_own_host_name(database_url):
    config = type("NoHosts", (ProductionConfig,), {"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": database_url,
                                                   "SERVER_NAME": None, "TRUSTED_HOSTS": None})
    with pytest.raises(ConfigurationError, match="TRUSTED_HOSTS"):
        create_app(config)
    trusted = type("Trusted", (config,), {"TRUSTED_HOSTS": ["pasarkoperasi.id"]})
    assert create_app(trusted).config["TRUSTED_HOSTS"] == ["pasarkoperasi.id"]


def test_prepared_statements_can_be_turned_off_for_a_pooler_on_postgresql():
    base = {"SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://pasar@db.invalid/pasar"}
    on = create_app(type("On", (DevelopmentConfig,), base))
    assert "connect_args" not in on.config["SQLALCHEMY_ENGINE_OPTIONS"]  # psycopg's own: prepared after five runs
    off = create_app(type("Off", (DevelopmentConfig,), {**base, "DATABASE_PREPARED_STATEMENTS": False}))
    assert off.config["SQLALCHEMY_ENGINE_OPTIONS"] == {**DevelopmentConfig.SQLALCHEMY_ENGINE_OPTIONS,
                                                        "connect_args": {"prepare_threshold": None}}
    assert "connect_args" not in DevelopmentConfig.SQLALCHEMY_ENGINE_OPTIONS  # the class's own is left alone
