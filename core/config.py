"""Settings, read once from the environment into a frozen Config.

The variable names are a contract (DESIGN.md, "Settings"). Anything malformed
or missing fails at start with a ConfigError naming the variable, so an operator
sees one line instead of a traceback from deep inside a request.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"

SHOPIFY_MAX_ACCEPTED_OFFERS = 3
SHOPIFY_FULFILLMENT_HOLD_SECONDS = 3600.0

_API_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
_MIN_SECRET_LENGTH = 32


class ConfigError(Exception):
    """A setting is missing or malformed; `setting` names the variable."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


# The hosted checkout prices with Shopify's draft orders: draftOrderCalculate requires
# write_draft_orders, and draftOrderAvailableDeliveryOptions read_draft_orders, which the
# write scope grants (https://shopify.dev/docs/api/admin-graphql/latest/mutations/draftOrderCalculate,
# https://shopify.dev/docs/api/usage/access-scopes). Only custom-app installs run it.
HOSTED_SHOPIFY_SCOPES = "write_draft_orders"


def shopify_install_scopes(scopes: str, distribution: str) -> str:
    """The scopes an install asks for: the app's, plus the hosted checkout's on a custom app."""
    return f"{scopes},{HOSTED_SHOPIFY_SCOPES}" if distribution == "custom" else scopes


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str = field(repr=False)
    encryption_keys: tuple[str, ...] = field(repr=False)
    redis_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    instance_path: Path = DEFAULT_INSTANCE_PATH
    shopify_api_key: str = ""
    shopify_api_secret: str = field(default="", repr=False)
    shopify_api_version: str = "2025-10"
    # "public" (App Store: Shopify's checkout, upsells in its post-purchase extension) or
    # "custom" (installed with Shopify's authorization: Cartpath's hosted checkout).
    shopify_distribution: str = "public"
    shopify_scopes: str = (
        "read_products,read_orders,write_orders,write_order_edits,read_customers,"
        "read_locales,write_script_tags"
    )
    shopify_admin_base: str = "https://admin.shopify.com"
    shopify_app_bridge_url: str = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
    bigcommerce_scopes: str = (
        "store_v2_orders store_v2_products_read_only store_cart store_checkout store_v2_content "
        "store_content_checkout store_v2_information_read_only"
    )
    bigcommerce_client_id: str = ""
    bigcommerce_client_secret: str = field(default="", repr=False)
    bigcommerce_app_id: str = ""
    stripe_secret_key: str = field(default="", repr=False)
    stripe_publishable_key: str = ""
    shopify_api_base: str = "https://{shop}"
    bigcommerce_api_base: str = "https://api.bigcommerce.com"
    bigcommerce_login_base: str = "https://login.bigcommerce.com"
    stripe_api_base: str = "https://api.stripe.com"
    log_level: str = "INFO"
    # Outbox timing (seconds): a running row's lease is its job timeout plus this margin;
    # the sweeper runs every interval and re-sends pending rows idle longer than grace.
    job_lease_margin: float = 30.0
    sweep_interval: float = 30.0
    sweep_grace: float = 60.0
    # Webhook subscriptions are compared with the platform and repaired this often.
    subscription_check_interval: float = 86400.0
    # Order write-back: the retry delays are multiplied by the scale (tests shrink them);
    # Retry-After waits are waited out inside the attempt, up to the wait max in all.
    writeback_backoff_scale: float = 1.0
    writeback_throttle_wait_max: float = 10.0
    # The reconciliation compares each hosted shop's recent orders with the ledger.
    reconcile_interval: float = 3600.0
    reconcile_window: float = 172800.0
    # Card-testing defence (payments/limits.py): payment attempts allowed per checkout,
    # per shopper IP and per shop, each as (attempts, sliding window in seconds); a
    # checkout is locked after this many declines in a row.
    payment_limit_checkout: tuple[int, float] = (10, 3600.0)
    payment_limit_ip: tuple[int, float] = (20, 3600.0)
    payment_limit_shop: tuple[int, float] = (300, 600.0)
    payment_decline_lock: int = 5
    # How long one payment request holds a checkout's payment lease (the gateway call).
    payment_lease: float = 120.0
    # The admin asks the card gateway whether it takes Cartpath's keys at most once per
    # this many seconds for the whole instance (payments/remembered_status.py). Stripe limits
    # requests per second per account, shared with every checkout's payments, and asks
    # integrations to treat the limits as maximums and avoid unnecessary load
    # (https://docs.stripe.com/rate-limits): five minutes keeps Settings and Home current
    # for one /v1/balance call, whatever the number of shops and page views.
    gateway_check_interval: float = 300.0
    # Staff alerts are emailed through this server (smtp:// with STARTTLS when offered, or
    # smtps://; user:password@ when it wants a login); unset: alerts are shown, not emailed.
    smtp_url: str = field(default="", repr=False)
    mail_from: str = "Cartpath <alerts@localhost>"
    # Shopify's post-purchase limits (native mode), which a setting may only lower:
    # at most three accepted offers per order (changesetApplicationsRemaining; PLATFORMS.md
    # H.3), and the fulfilment hold Shopify puts on the order while the page is open, which
    # it releases at the thank-you page or after 60 minutes
    # (https://shopify.dev/changelog/post-purchase-fulfillment-holds introduces the hold;
    # the hour is the figure app vendors quote from Shopify's limits,
    # https://intercom.help/aftersell/en/articles/8593951-fulfillment and
    # https://support.getrecharge.com/hc/en-us/articles/27709905111191). After it, Shopify
    # refuses changesets (order_released_error), so Cartpath signs none.
    upsell_max_accepted: int = SHOPIFY_MAX_ACCEPTED_OFFERS
    post_purchase_hold: float = SHOPIFY_FULFILLMENT_HOLD_SECONDS
    testing: bool = False

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        instance_path: Path | None = None,
        generate_secrets: bool = False,
    ) -> Config:
        """Build the settings from `env` (default: os.environ).

        With `generate_secrets` (the demo), a missing secret or encryption key is
        generated once into the instance folder and reused on every later start,
        so tokens encrypted yesterday still decrypt today.
        :raises ConfigError: naming the first bad variable.
        """
        env = os.environ if env is None else env
        instance = Path(env.get("CARTPATH_INSTANCE_PATH") or instance_path or DEFAULT_INSTANCE_PATH)
        stored = _instance_secrets(instance) if generate_secrets else {}

        def get(name: str, default: str = "") -> str:
            return (env.get(name) or "").strip() or default

        secret_key = get("CARTPATH_SECRET_KEY", stored.get("CARTPATH_SECRET_KEY", ""))
        encryption = get("CARTPATH_ENCRYPTION_KEY", stored.get("CARTPATH_ENCRYPTION_KEY", ""))
        config = cls(
            database_url=_database_url(
                get("DATABASE_URL", f"sqlite:///{instance / 'cartpath.db'}")
            ),
            secret_key=_secret_key(secret_key),
            encryption_keys=_encryption_keys(encryption),
            redis_url=_redis_url(get("REDIS_URL")) or None,
            base_url=_http_url("CARTPATH_BASE_URL", get("CARTPATH_BASE_URL", cls.base_url)),
            instance_path=instance,
            shopify_api_key=get("SHOPIFY_API_KEY"),
            shopify_api_secret=get("SHOPIFY_API_SECRET"),
            shopify_api_version=_api_version(get("SHOPIFY_API_VERSION", cls.shopify_api_version)),
            shopify_distribution=_choice(
                "SHOPIFY_DISTRIBUTION",
                get("SHOPIFY_DISTRIBUTION", cls.shopify_distribution),
                ("public", "custom"),
            ),
            shopify_scopes=get("SHOPIFY_SCOPES", cls.shopify_scopes),
            shopify_admin_base=_http_url(
                "SHOPIFY_ADMIN_BASE", get("SHOPIFY_ADMIN_BASE", cls.shopify_admin_base)
            ),
            shopify_app_bridge_url=_http_url(
                "SHOPIFY_APP_BRIDGE_URL", get("SHOPIFY_APP_BRIDGE_URL", cls.shopify_app_bridge_url)
            ),
            bigcommerce_scopes=get("BIGCOMMERCE_SCOPES", cls.bigcommerce_scopes),
            bigcommerce_client_id=get("BIGCOMMERCE_CLIENT_ID"),
            bigcommerce_client_secret=get("BIGCOMMERCE_CLIENT_SECRET"),
            bigcommerce_app_id=get("BIGCOMMERCE_APP_ID"),
            stripe_secret_key=get("STRIPE_SECRET_KEY"),
            stripe_publishable_key=get("STRIPE_PUBLISHABLE_KEY"),
            shopify_api_base=_shopify_base(get("SHOPIFY_API_BASE", cls.shopify_api_base)),
            bigcommerce_api_base=_http_url(
                "BIGCOMMERCE_API_BASE", get("BIGCOMMERCE_API_BASE", cls.bigcommerce_api_base)
            ),
            bigcommerce_login_base=_http_url(
                "BIGCOMMERCE_LOGIN_BASE", get("BIGCOMMERCE_LOGIN_BASE", cls.bigcommerce_login_base)
            ),
            stripe_api_base=_http_url(
                "STRIPE_API_BASE", get("STRIPE_API_BASE", cls.stripe_api_base)
            ),
            log_level=_log_level(get("CARTPATH_LOG_LEVEL", cls.log_level)),
            job_lease_margin=_seconds(env, "CARTPATH_JOB_LEASE_MARGIN", cls.job_lease_margin),
            sweep_interval=_seconds(env, "CARTPATH_SWEEP_INTERVAL", cls.sweep_interval),
            sweep_grace=_seconds(env, "CARTPATH_SWEEP_GRACE", cls.sweep_grace),
            subscription_check_interval=_seconds(
                env, "CARTPATH_SUBSCRIPTION_CHECK_INTERVAL", cls.subscription_check_interval
            ),
            writeback_backoff_scale=_seconds(
                env, "CARTPATH_WRITEBACK_BACKOFF_SCALE", cls.writeback_backoff_scale
            ),
            writeback_throttle_wait_max=_seconds(
                env, "CARTPATH_WRITEBACK_THROTTLE_WAIT_MAX", cls.writeback_throttle_wait_max
            ),
            reconcile_interval=_seconds(env, "CARTPATH_RECONCILE_INTERVAL", cls.reconcile_interval),
            reconcile_window=_seconds(env, "CARTPATH_RECONCILE_WINDOW", cls.reconcile_window),
            payment_limit_checkout=_rate(
                env, "CARTPATH_PAYMENT_LIMIT_CHECKOUT", cls.payment_limit_checkout
            ),
            payment_limit_ip=_rate(env, "CARTPATH_PAYMENT_LIMIT_IP", cls.payment_limit_ip),
            payment_limit_shop=_rate(env, "CARTPATH_PAYMENT_LIMIT_SHOP", cls.payment_limit_shop),
            payment_decline_lock=_count(
                env, "CARTPATH_PAYMENT_DECLINE_LOCK", cls.payment_decline_lock
            ),
            payment_lease=_seconds(env, "CARTPATH_PAYMENT_LEASE", cls.payment_lease),
            gateway_check_interval=_seconds(
                env, "CARTPATH_GATEWAY_CHECK_INTERVAL", cls.gateway_check_interval
            ),
            smtp_url=_smtp_url(get("CARTPATH_SMTP_URL")),
            mail_from=get("CARTPATH_MAIL_FROM", cls.mail_from),
            upsell_max_accepted=int(
                _at_most(
                    "CARTPATH_UPSELL_MAX_ACCEPTED",
                    _count(env, "CARTPATH_UPSELL_MAX_ACCEPTED", cls.upsell_max_accepted),
                    SHOPIFY_MAX_ACCEPTED_OFFERS,
                )
            ),
            post_purchase_hold=_at_most(
                "CARTPATH_POST_PURCHASE_HOLD",
                _seconds(env, "CARTPATH_POST_PURCHASE_HOLD", cls.post_purchase_hold),
                SHOPIFY_FULFILLMENT_HOLD_SECONDS,
            ),
        )
        _require_pair(env, "SHOPIFY_API_KEY", "SHOPIFY_API_SECRET")
        _require_pair(env, "BIGCOMMERCE_CLIENT_ID", "BIGCOMMERCE_CLIENT_SECRET")
        _require_pair(env, "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY")
        return config

    def with_overrides(self, **changes: object) -> Config:
        """A copy with some fields changed (tests, the demo's sandbox wiring)."""
        return replace(self, **changes)

    def shopify_base_for(self, shop_domain: str) -> str:
        """The base URL of one shop's Admin API host, honouring SHOPIFY_API_BASE."""
        return self.shopify_api_base.format(shop=shop_domain)


def _instance_secrets(instance: Path) -> dict[str, str]:
    """Read, or create once, the demo's generated secrets (mode 0600)."""
    path = instance / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    instance.mkdir(parents=True, exist_ok=True)
    values = {
        "CARTPATH_SECRET_KEY": secrets.token_urlsafe(48),
        "CARTPATH_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(values, handle)
    return values


def _database_url(url: str) -> str:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme in ("postgres", "postgresql"):
        # SQLAlchemy 2.0 reads a bare "postgresql://" as psycopg2, which we do not ship.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        return url
    raise ConfigError(
        "DATABASE_URL", f"unsupported database {scheme or url!r}: use sqlite:/// or postgresql://"
    )


def _redis_url(url: str) -> str:
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL", "must start with redis://, rediss:// or unix://")
    return url


def _secret_key(value: str) -> str:
    if not value:
        raise ConfigError("CARTPATH_SECRET_KEY", "is not set (a random string of 32+ characters)")
    if len(value) < _MIN_SECRET_LENGTH:
        raise ConfigError("CARTPATH_SECRET_KEY", f"is shorter than {_MIN_SECRET_LENGTH} characters")
    return value


def _encryption_keys(value: str) -> tuple[str, ...]:
    """Comma-separated Fernet keys: the first encrypts, all decrypt (rotation)."""
    if not value:
        raise ConfigError(
            "CARTPATH_ENCRYPTION_KEY",
            "is not set (generate one with: python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')",
        )
    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "CARTPATH_ENCRYPTION_KEY", f"key {position} is not a url-safe base64 32-byte key"
            ) from None
    return keys


def _http_url(setting: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(setting, f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


def _smtp_url(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("smtp", "smtps") or not parts.hostname):
        raise ConfigError("CARTPATH_SMTP_URL", "must look like smtp://host:587 or smtps://host:465")
    return value


def _shopify_base(value: str) -> str:
    if "{shop}" not in value:
        raise ConfigError("SHOPIFY_API_BASE", "must contain {shop}, e.g. https://{shop}")
    return _http_url("SHOPIFY_API_BASE", value.replace("{shop}", "shop.example")).replace(
        "shop.example", "{shop}"
    )


def _api_version(value: str) -> str:
    if not _API_VERSION.match(value):
        raise ConfigError("SHOPIFY_API_VERSION", f"{value!r} is not a Shopify version like 2025-10")
    return value


def _choice(setting: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(setting, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("CARTPATH_LOG_LEVEL", f"{value!r} is not DEBUG, INFO, WARNING or ERROR")
    return level


def _seconds(env: Mapping[str, str], setting: str, default: float) -> float:
    raw = (env.get(setting) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(setting, f"{raw!r} is not a number of seconds") from None
    if not 0 < value <= 86400 * 7:
        raise ConfigError(setting, "must be between 0 and 604800 seconds (a week)")
    return value


def _count(env: Mapping[str, str], setting: str, default: int) -> int:
    raw = (env.get(setting) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise ConfigError(setting, f"{raw!r} is not a whole number between 1 and 1000000")
    return int(raw)


def _at_most(setting: str, value: float, limit: float) -> float:
    """A setting that states a platform's limit may lower it, never raise it."""
    if value > limit:
        raise ConfigError(setting, f"must be at most {limit:g}, Shopify's own limit")
    return value


def _rate(env: Mapping[str, str], setting: str, default: tuple[int, float]) -> tuple[int, float]:
    """A limit written ATTEMPTS/SECONDS, e.g. "10/3600" for ten an hour."""
    raw = (env.get(setting) or "").strip()
    if not raw:
        return default
    count, slash, seconds = raw.partition("/")
    if not slash or not count.strip() or not seconds.strip():
        raise ConfigError(setting, f"{raw!r} is not ATTEMPTS/SECONDS, e.g. 10/3600")
    return (
        _count({setting: count}, setting, default[0]),
        _seconds({setting: seconds}, setting, default[1]),
    )


def _require_pair(env: Mapping[str, str], first: str, second: str) -> None:
    """Credentials come in pairs; half a pair is an operator mistake worth stopping for."""
    has_first, has_second = bool(env.get(first)), bool(env.get(second))
    if has_first and not has_second:
        raise ConfigError(second, f"is not set but {first} is")
    if has_second and not has_first:
        raise ConfigError(first, f"is not set but {second} is")
