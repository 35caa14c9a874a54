from pathlib import Path

import pytest

from core.kernel.settings import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_platform() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite:///./quntuan.db"
    assert settings.is_sqlite and settings.redis_url is None
    assert settings.should_auto_migrate
    assert settings.default_locale == "zh-Hans"


def test_values_are_parsed_by_type() -> None:
    settings = load_settings(
        {
            "QUNTUAN_DATABASE_URL": "postgresql://u@h/db",
            "QUNTUAN_REDIS_URL": "redis://localhost:6379/1",
            "QUNTUAN_PORT": "9000",
            "QUNTUAN_STRICT_PLUGINS": "yes",
            "QUNTUAN_DISABLED_PLUGINS": "women, scitech",
            "QUNTUAN_DEFAULT_LOCALE": "en",
            "QUNTUAN_TEST_DATABASE_URL": "ignored: belongs to the test suite",
        },
        env_file=None,
    )
    assert settings.port == 9000
    assert settings.strict_plugins is True
    assert settings.disabled_plugins == ("women", "scitech")
    assert not settings.is_sqlite and not settings.should_auto_migrate
    assert settings.default_locale == "en"


def test_every_wrong_value_is_named_with_what_was_expected() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(
            {
                "QUNTUAN_PORT": "eighty",
                "QUNTUAN_STRICT_PLUGINS": "maybe",
                "QUNTUAN_DEFAULT_LOCALE": "fr",
                "QUNTUAN_DATABASE_URL": "mysql://x",
                "QUNTUAN_DATABSE_URL": "typo",
                "QUNTUAN_WORKERS": "0",
                "QUNTUAN_TIMEZONE": "Mars/Olympus",
            },
            env_file=None,
        )
    text = "\n".join(info.value.problems)
    assert "QUNTUAN_PORT: expected an integer, got 'eighty'" in text
    assert "QUNTUAN_STRICT_PLUGINS: expected true or false" in text
    assert "QUNTUAN_DEFAULT_LOCALE: expected one of 'zh-Hans', 'zh-Hant', 'en'" in text
    assert "QUNTUAN_DATABASE_URL: expected sqlite:///path or postgresql://" in text
    assert "QUNTUAN_DATABSE_URL: unknown setting (did you mean QUNTUAN_DATABASE_URL?)" in text
    assert "QUNTUAN_WORKERS: expected a positive integer" in text
    assert "QUNTUAN_TIMEZONE" in text


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("QUNTUAN_PORT=7000\nQUNTUAN_HOST=0.0.0.0\n")
    settings = load_settings({"QUNTUAN_PORT": "7001"}, env_file=env_file)
    assert settings.port == 7001
    assert settings.host == "0.0.0.0"


def test_secret_key_is_generated_once_beside_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/q.db")
    first = settings.resolved_secret_key()
    assert len(first) >= 48
    assert settings.resolved_secret_key() == first
    assert (tmp_path / "q.db.secret").stat().st_mode & 0o077 == 0


def test_secret_key_is_required_on_postgresql() -> None:
    with pytest.raises(SettingsError, match="QUNTUAN_SECRET_KEY"):
        Settings(database_url="postgresql://u@h/db").resolved_secret_key()
