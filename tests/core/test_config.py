"""Settings: defaults for the demo, one clear line for anything wrong."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from core.config import Config, ConfigError

VALID = {
    "CARTPATH_SECRET_KEY": "s" * 40,
    "CARTPATH_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


def test_defaults_give_the_embedded_setup(tmp_path):
    config = Config.from_env(VALID, instance_path=tmp_path)

    assert config.database_url == f"sqlite:///{tmp_path / 'cartpath.db'}"
    assert config.redis_url is None
    assert config.shopify_api_base == "https://{shop}"
    assert config.shopify_base_for("a.myshopify.com") == "https://a.myshopify.com"
    assert config.bigcommerce_api_base == "https://api.bigcommerce.com"
    assert config.stripe_api_base == "https://api.stripe.com"


def test_shopifys_post_purchase_limits_are_the_defaults_and_may_only_be_lowered(tmp_path):
    default = Config.from_env(VALID, instance_path=tmp_path)
    lowered = Config.from_env(
        {**VALID, "CARTPATH_UPSELL_MAX_ACCEPTED": "1", "CARTPATH_POST_PURCHASE_HOLD": "900"},
        instance_path=tmp_path,
    )

    assert (default.upsell_max_accepted, default.post_purchase_hold) == (3, 3600.0)
    assert (lowered.upsell_max_accepted, lowered.post_purchase_hold) == (1, 900.0)


def test_postgres_urls_mean_psycopg_3(tmp_path):
    config = Config.from_env({**VALID, "DATABASE_URL": "postgres://u@h/db"}, instance_path=tmp_path)
    assert config.database_url == "postgresql+psycopg://u@h/db"


def test_rotation_keys_are_a_comma_separated_list(tmp_path):
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    config = Config.from_env(
        {**VALID, "CARTPATH_ENCRYPTION_KEY": " , ".join(keys)}, instance_path=tmp_path
    )
    assert config.encryption_keys == tuple(keys)


def test_secrets_never_appear_in_repr(tmp_path):
    config = Config.from_env(
        {**VALID, "SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "hush-secret"},
        instance_path=tmp_path,
    )
    text = repr(config)
    assert "hush-secret" not in text
    assert VALID["CARTPATH_ENCRYPTION_KEY"] not in text
    assert VALID["CARTPATH_SECRET_KEY"] not in text


def test_the_demo_generates_its_secrets_once(tmp_path):
    first = Config.from_env({}, instance_path=tmp_path, generate_secrets=True)
    second = Config.from_env({}, instance_path=tmp_path, generate_secrets=True)

    assert first.secret_key == second.secret_key
    assert first.encryption_keys == second.encryption_keys
    mode = stat.S_IMODE(os.stat(tmp_path / "secrets.json").st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"CARTPATH_SECRET_KEY": ""}, "CARTPATH_SECRET_KEY"),
        ({"CARTPATH_SECRET_KEY": "short"}, "CARTPATH_SECRET_KEY"),
        ({"CARTPATH_ENCRYPTION_KEY": ""}, "CARTPATH_ENCRYPTION_KEY"),
        ({"CARTPATH_ENCRYPTION_KEY": "not-a-key"}, "CARTPATH_ENCRYPTION_KEY"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"CARTPATH_BASE_URL": "ftp://x"}, "CARTPATH_BASE_URL"),
        ({"SHOPIFY_API_BASE": "https://shopify.example"}, "SHOPIFY_API_BASE"),
        ({"SHOPIFY_API_VERSION": "2025-13"}, "SHOPIFY_API_VERSION"),
        ({"CARTPATH_SMTP_URL": "mail.example.com:587"}, "CARTPATH_SMTP_URL"),
        ({"STRIPE_API_BASE": "api.stripe.com"}, "STRIPE_API_BASE"),
        ({"SHOPIFY_API_KEY": "key-only"}, "SHOPIFY_API_SECRET"),
        ({"BIGCOMMERCE_CLIENT_SECRET": "secret-only"}, "BIGCOMMERCE_CLIENT_ID"),
        ({"CARTPATH_SWEEP_INTERVAL": "soon"}, "CARTPATH_SWEEP_INTERVAL"),
        ({"CARTPATH_LOG_LEVEL": "LOUD"}, "CARTPATH_LOG_LEVEL"),
        ({"SHOPIFY_DISTRIBUTION": "private"}, "SHOPIFY_DISTRIBUTION"),
        ({"SHOPIFY_ADMIN_BASE": "admin.shopify.com"}, "SHOPIFY_ADMIN_BASE"),
        ({"CARTPATH_UPSELL_MAX_ACCEPTED": "4"}, "CARTPATH_UPSELL_MAX_ACCEPTED"),
        ({"CARTPATH_UPSELL_MAX_ACCEPTED": "0"}, "CARTPATH_UPSELL_MAX_ACCEPTED"),
        ({"CARTPATH_POST_PURCHASE_HOLD": "3601"}, "CARTPATH_POST_PURCHASE_HOLD"),
    ],
)
def test_bad_settings_name_the_variable(tmp_path, env, setting):
    with pytest.raises(ConfigError) as raised:
        Config.from_env({**VALID, **env}, instance_path=tmp_path)
    assert raised.value.setting == setting
    assert str(raised.value).startswith(setting + ": ")


def test_the_command_line_says_one_line_and_exits_2(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CARTPATH_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(VALID, DATABASE_URL="mysql://nowhere/db", CARTPATH_INSTANCE_PATH=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "-c", "from app import main; main()", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cartpath: configuration error: DATABASE_URL: unsupported database 'mysql': "
        "use sqlite:/// or postgresql://"
    ]
    assert "Traceback" not in result.stderr


def test_a_worker_without_redis_is_refused_clearly(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("REDIS")}
    env.update(VALID, CARTPATH_INSTANCE_PATH=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "-c", "from app import main; main()", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "REDIS_URL: is not set" in result.stderr
