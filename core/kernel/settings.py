"""Settings: ``QUNTUAN_*`` environment variables (and an optional ``.env``) parsed once at start-up.

A wrong value stops start-up with a message that names the variable and what it expected, so an
operator never has to guess which of twenty variables is the culprit.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec
from dotenv import dotenv_values

PREFIX = "QUNTUAN_"
#: Variables with this prefix belong to the test suite and CI, not to the platform.
_IGNORED_PREFIXES = ("QUNTUAN_TEST_", "QUNTUAN_BENCH_")

Locale = Literal["zh-Hans", "zh-Hant", "en"]
LogFormat = Literal["console", "json"]


#: Secrets generated beside SQLite files, read once per process (the key is needed on every request).
_GENERATED_SECRETS: dict[Path, str] = {}


class SettingsError(Exception):
    """Raised when the environment holds a value the platform cannot start with."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Every setting of the platform. Field ``x`` is read from ``QUNTUAN_X``."""

    #: ``sqlite:///./quntuan.db`` (embedded default) or ``postgresql://user:pass@host:5432/db``.
    database_url: str = "sqlite:///./quntuan.db"
    #: Size of the PostgreSQL connection pool of each worker process.
    database_pool_size: int = msgspec.field(default=10)
    #: ``redis://host:6379/0``. Unset: in-process stand-ins, allowed for a single process only.
    redis_url: str | None = None
    #: Seconds to wait for Redis to answer a command (then the request answers 503 or does without it).
    redis_timeout: float = 1.0
    #: Seconds to wait for a connection to Redis.
    redis_connect_timeout: float = 1.0
    #: Signs access tokens and cursors. Required on PostgreSQL; generated into ``<db>.secret`` on SQLite.
    secret_key: str | None = None
    #: Plugins (entry-point names) that must not be loaded, comma-separated: a broken plugin is turned off
    #: without uninstalling it (its tables stay), and the platform starts without it.
    disabled_plugins: tuple[str, ...] = ()
    #: Fail start-up when a plugin cannot be loaded instead of skipping it.
    strict_plugins: bool = False
    #: Discover plugins through the ``quntuan.plugins`` entry points.
    load_plugins: bool = True
    #: Address ``quntuan serve`` binds (``0.0.0.0`` behind a load balancer).
    host: str = "127.0.0.1"
    #: Port ``quntuan serve`` listens on.
    port: int = 8000
    #: Web worker processes for ``quntuan serve``; more than one requires PostgreSQL and Redis.
    workers: int = 1
    #: Largest accepted request body in bytes (413 above it).
    max_body_size: int = 10 * 1024 * 1024
    #: Data rows one import file may have (CSV or the first sheet of an XLSX; 413 above it).
    import_max_rows: int = 200_000
    #: Columns one import file may have (413 above it).
    import_max_columns: int = 100
    #: Cells (rows × columns, from A1 to the farthest cell) one import file may span (413 above it).
    import_max_cells: int = 2_000_000
    #: Bytes an import file may expand to: an XLSX's parts uncompressed, all together, or a CSV (413 above it).
    import_max_expanded_bytes: int = 200 * 1024 * 1024
    #: Largest ratio of a workbook part's uncompressed to compressed size (zip bombs; 413 above it).
    import_max_compression_ratio: int = 100
    #: Characters one cell or CSV field of an import may hold (422 naming the row above it).
    import_max_field_chars: int = 10_000
    #: Seconds a background import's lease lasts; its worker renews it every quarter of that while it runs.
    import_lease_seconds: float = 60.0
    #: Times a background import is started at most: when its worker dies (lease expired) it is queued
    #: again while attempts remain, then failed with the reason ``worker_lost``.
    import_max_attempts: int = 2
    #: Hours a background import's stored upload (encrypted) is kept at most, finished or not: then the
    #: upload is deleted and an unfinished import fails with the reason ``expired``.
    import_upload_retention_hours: float = 24.0
    #: Where uploaded files (附件) are stored: ``local`` (a directory) or ``s3`` (an S3-compatible store).
    files_storage: Literal["local", "s3"] = "local"
    #: Directory of locally stored files. Unset: ``<database file>.files`` beside the SQLite database,
    #: else ``./quntuan-files``. Uploads are spooled here (``.incoming``) with either storage.
    files_dir: str | None = None
    #: Largest accepted file in bytes (413 above it); an owner kind may lower it for its files.
    files_max_size: int = 20 * 1024 * 1024
    #: MIME types files may have (checked against their sniffed content); an owner kind may narrow them.
    files_allowed_types: tuple[str, ...] = (
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    #: S3 endpoint URL (``https://oss-cn-beijing.aliyuncs.com``, a MinIO address…); unset: AWS.
    files_s3_endpoint: str | None = None
    #: S3 bucket holding the files (required with ``files_storage=s3``).
    files_s3_bucket: str | None = None
    #: S3 region.
    files_s3_region: str = "us-east-1"
    #: S3 access key id; unset: the usual AWS credential chain (environment, instance role).
    files_s3_access_key: str | None = None
    #: S3 secret access key.
    files_s3_secret_key: str | None = None
    #: Key prefix of every object in the bucket (several deployments may share one bucket).
    files_s3_prefix: str = "quntuan/"
    #: Language of messages when a request sends no usable ``Accept-Language``.
    default_locale: Locale = "zh-Hans"
    #: Time zone for dates shown to people and for calendar boundaries.
    timezone: str = "Asia/Shanghai"
    #: Where clients reach the API, e.g. ``https://qt.example.gov.cn``: every absolute URL the API
    #: writes (feeds, calendar links) starts with it, never with the request's ``Host``.
    #: Unset: ``http://<QUNTUAN_HOST>:<QUNTUAN_PORT>`` (right for a local setup only).
    public_base_url: str | None = None
    #: Hosts the API answers for (``Host`` header; ``*.example.org`` for subdomains), comma-separated;
    #: others get 400. Unset: the public base URL's host and loopback names, or any host without one.
    allowed_hosts: tuple[str, ...] = ()
    #: ``Strict-Transport-Security: max-age=<this>`` on answers to requests that came over TLS (directly
    #: or per a trusted proxy's ``X-Forwarded-Proto``); 0: not sent.
    hsts_seconds: int = 0
    #: Origins of browser front ends allowed to call the API across origins (CORS), comma-separated, e.g.
    #: ``https://h5.example.gov.cn``; ``*`` any origin (not with credentials), ``https://*.example.org``
    #: a pattern. Empty: no cross-origin access (no CORS headers at all).
    cors_allowed_origins: tuple[str, ...] = ()
    #: Methods a cross-origin request may use, comma-separated.
    cors_allowed_methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    #: Request headers a cross-origin request may send, comma-separated (besides the CORS-safelisted ones).
    cors_allowed_headers: tuple[str, ...] = (
        "Authorization",
        "Content-Type",
        "Accept-Language",
        "If-Match",
        "If-None-Match",
        "Idempotency-Key",
        "X-Request-ID",
    )
    #: Seconds a browser may cache a preflight answer (``Access-Control-Max-Age``).
    cors_max_age: int = 600
    #: Allow credentials (cookies, HTTP auth) on cross-origin requests; bearer tokens do not need it.
    cors_allow_credentials: bool = False
    #: Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For/-Proto are believed; empty: none.
    trusted_proxies: tuple[str, ...] = ()
    #: Bearer token for ``/metrics``; unset: ``/metrics`` answers loopback clients only.
    metrics_token: str | None = None
    #: Lifetime of an access token (JWT) in seconds; keep it short, refresh tokens renew it.
    access_token_ttl: int = 900
    #: Lifetime of a refresh token in seconds (each use rotates it).
    refresh_token_ttl: int = 30 * 24 * 3600
    #: Failed logins (and wrong current passwords) of one account from one client address before that
    #: address is locked out of the account; a login name that names no account counts the same way.
    login_max_failures: int = 5
    #: Failed logins of one account from every address together before it is locked out everywhere.
    login_account_max_failures: int = 20
    #: Failed logins from one client address over all accounts before the address is refused: a ceiling
    #: against floods, generous because a whole organization may sit behind one NAT address.
    login_address_max_failures: int = 1000
    #: Seconds a lock-out lasts (also the window in which failures are counted).
    login_lockout_seconds: int = 900
    #: Lowest zxcvbn score (0–4) a new password must reach; common and trivial passwords score 0–1.
    password_min_score: int = 3
    #: Persons may create their own account (by phone code or WeChat): off until a deployment opens it.
    signup_enabled: bool = False
    #: Persons may also sign up with a username and password (no phone proven: keep a CAPTCHA on).
    signup_password_enabled: bool = False
    #: Sign-ups from every address together within ``signup_alert_window_seconds`` above which the
    #: ``signup.spike`` alert signal is emitted (once per window) and a warning logged.
    signup_alert_threshold: int = 500
    #: Seconds of the window in which sign-ups are counted for the spike alert.
    signup_alert_window_seconds: int = 3600
    #: Sign-ups from one client address per hour (username and password sign-ups count here too).
    signup_address_max_per_hour: int = 20
    #: Require a CAPTCHA token (verified by a plugin's ``quntuan_verify_captcha``) to send a code or sign up.
    captcha_required: bool = False
    #: Who delivers one-time codes: ``log`` (development: written to the log, refused on PostgreSQL
    #: unless debug), ``aliyun``, ``tencent`` or a plugin's provider. Unset: no codes are sent.
    sms_provider: str | None = None
    #: Seconds to wait for an SMS or WeChat API to answer.
    sms_timeout: float = 5.0
    #: Digits of a one-time code.
    login_code_length: int = 6
    #: Seconds a one-time code stays valid.
    login_code_ttl: int = 300
    #: Wrong entries of one code before it is spent (a new one must be asked for).
    login_code_max_attempts: int = 5
    #: Seconds between two codes sent to one phone.
    login_code_resend_seconds: int = 60
    #: Codes sent to one phone per day.
    login_code_phone_max_per_day: int = 10
    #: Codes asked for from one client address per hour.
    login_code_address_max_per_hour: int = 30
    #: Codes sent per day over the whole platform (a ceiling on the SMS bill and on floods).
    login_code_max_per_day: int = 20_000
    #: Aliyun SMS (dysmsapi) endpoint.
    sms_aliyun_endpoint: str = "https://dysmsapi.aliyuncs.com"
    #: Aliyun AccessKey id.
    sms_aliyun_access_key_id: str | None = None
    #: Aliyun AccessKey secret.
    sms_aliyun_access_key_secret: str | None = None
    #: Aliyun SMS signature name (短信签名).
    sms_aliyun_sign_name: str | None = None
    #: Aliyun SMS template code (its one parameter is ``code``).
    sms_aliyun_template_code: str | None = None
    #: Tencent Cloud SMS endpoint.
    sms_tencent_endpoint: str = "https://sms.tencentcloudapi.com"
    #: Tencent Cloud region of the SMS application.
    sms_tencent_region: str = "ap-guangzhou"
    #: Tencent Cloud SecretId.
    sms_tencent_secret_id: str | None = None
    #: Tencent Cloud SecretKey.
    sms_tencent_secret_key: str | None = None
    #: Tencent Cloud SMS SdkAppId.
    sms_tencent_sdk_app_id: str | None = None
    #: Tencent Cloud SMS signature name (短信签名).
    sms_tencent_sign_name: str | None = None
    #: Tencent Cloud SMS template id (its one parameter is the code).
    sms_tencent_template_id: str | None = None
    #: WeChat mini-program AppID; unset: no WeChat login.
    wechat_app_id: str | None = None
    #: WeChat mini-program AppSecret.
    wechat_app_secret: str | None = None
    #: Base URL of the WeChat API (``code2session`` lives under it).
    wechat_api_base: str = "https://api.weixin.qq.com"
    #: Days a person link request (a cadre's proposal that a person outside their reach joins their
    #: org, 人员关联申请) waits for the person's or their home org's answer before it expires.
    person_link_ttl_days: float = 30.0
    #: Person link requests one account or API client may propose per day (429 above it). The same
    #: budget bounds what an ID number met outside the caller's reach can tell (docs/persons.md).
    person_link_max_per_day: int = 50
    #: Seconds between two passes expiring person link requests whose time ran out.
    person_link_expiry_interval: float = 3600
    #: Keys encrypting ID numbers and phones at rest, ``<key id>:<base64 of 32 bytes>``, comma-separated;
    #: the first encrypts, all decrypt (rotation). Unset: one key derived from the secret key.
    personal_data_keys: tuple[str, ...] = ()
    #: Key of the blind indexes for exact lookup of ID numbers and phones. Unset: derived from the secret key.
    blind_index_key: str | None = None
    #: Lowest level of log lines written.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: ``json`` (one object per line, for log shippers) or ``console`` (for people).
    log_format: LogFormat = "console"
    #: Apply pending migrations when ``quntuan serve`` starts (default on SQLite only).
    auto_migrate: bool | None = None
    #: Run the outbox relay and job worker inside the web process (default: only without Redis).
    #: With Redis, run ``quntuan worker`` processes instead.
    embedded_worker: bool | None = None
    #: Jobs (imports, the retention purge…) one worker process runs at once.
    worker_concurrency: int = 20
    #: Seconds between two polls of the outbox and of due deliveries.
    relay_interval: float = 0.5
    #: Seconds to wait before each retry of a failed webhook delivery (±20 % jitter); about three days.
    webhook_retry_delays: tuple[float, ...] = (
        5,
        30,
        120,
        600,
        1800,
        3600,
        10800,
        21600,
        43200,
        86400,
        86400,
    )
    #: CIDR networks webhooks may reach although private, loopback or link-local (e.g. ``10.1.0.0/16``).
    webhook_allowed_networks: tuple[str, ...] = ()
    #: Ports ``https://`` webhooks may use besides 443, comma-separated (e.g. ``8443``).
    webhook_allowed_ports: tuple[int, ...] = ()
    #: Allow plain ``http://`` webhooks to loopback addresses (development and tests only).
    webhook_allow_http_loopback: bool = False
    #: Seconds to wait for a webhook receiver to accept the connection.
    webhook_connect_timeout: float = 5.0
    #: Seconds to wait for a webhook receiver's response.
    webhook_read_timeout: float = 10.0
    #: Bytes of a receiver's response read at most (the rest is dropped).
    webhook_max_response_bytes: int = 65536
    #: Seconds between two checks of a live stream's caller (token, account or client, reach) while open.
    stream_recheck_seconds: float = 30.0
    #: Seconds between two looks of an open live stream at the authorization epoch: when any authority
    #: changed (a grant revoked, an account disabled…) the caller is checked again at once.
    stream_epoch_check_seconds: float = 1.0
    #: Webhook attempts one delivery pass claims, sends and records together.
    webhook_batch_size: int = 200
    #: Webhook requests one worker process has in flight at most (also per-destination connections).
    webhook_concurrency: int = 100
    #: Delivery loops per worker process (one sends while another claims or records).
    webhook_delivery_loops: int = 2
    #: Hours relayed outbox signals are kept (for ``Last-Event-ID`` catch-up and replays); a signal
    #: with an unfinished delivery is kept until it finishes.
    retention_outbox_hours: float = 7 * 24
    #: Days finished webhook deliveries and their attempts stay in the delivery log.
    retention_delivery_days: float = 30
    #: Hours an ``Idempotency-Key`` is remembered (repeats within it replay the first response).
    retention_idempotency_hours: float = 24
    #: Seconds between two retention purges (each deletes in bounded batches).
    retention_interval: float = 3600
    #: Seconds between two passes applying the passed deadlines of processes (escalate, remind, move on).
    process_deadline_interval: float = 300
    #: Hours before an event's start when its confirmed registrants get a reminder in their inbox.
    event_reminder_hours: float = 24
    #: Seconds between two passes writing event reminders (each reminder is written once).
    event_reminder_interval: float = 900
    #: Seconds between two signed checkpoints of the audit log's head, kept apart from the log (a table,
    #: and Redis, or a file beside the database or the files directory); a cut tail shows against them.
    audit_checkpoint_interval: float = 300
    #: Seconds a stopping process (SIGTERM) gives in-flight requests, and then running jobs, to finish.
    #: Keep the service manager's stop timeout above twice this (systemd ``TimeoutStopSec``).
    shutdown_timeout: float = 30.0
    #: Development only: more detail in logs. Problem details never include tracebacks.
    debug: bool = False

    @property
    def is_production(self) -> bool:
        """PostgreSQL without debug: development-only conveniences (the ``log`` SMS provider) are refused."""
        return not self.is_sqlite and not self.debug

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The database file of the embedded default (``sqlite:///relative`` or ``sqlite:////abs``)."""
        return Path(self.database_url.removeprefix("sqlite:").removeprefix("///"))

    @property
    def base_url(self) -> str:
        """The public base URL without a trailing slash (see :attr:`public_base_url`)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104 - a wildcard bind
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def hosts_allowed(self) -> tuple[str, ...]:
        """The ``Host`` names requests may carry; empty: any."""
        if self.allowed_hosts:
            return tuple(h.lower() for h in self.allowed_hosts)
        if not self.public_base_url:
            return ()
        from urllib.parse import urlsplit

        return ((urlsplit(self.public_base_url).hostname or "").lower(), "localhost", "127.0.0.1", "[::1]")

    @property
    def files_path(self) -> Path:
        """The directory of locally stored files (and of the upload spool)."""
        if self.files_dir:
            return Path(self.files_dir)
        if self.is_sqlite:
            return self.sqlite_path.with_name(self.sqlite_path.name + ".files")
        return Path("quntuan-files")

    @property
    def runs_embedded_worker(self) -> bool:
        return self.redis_url is None if self.embedded_worker is None else self.embedded_worker

    @property
    def should_auto_migrate(self) -> bool:
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate

    def resolved_secret_key(self) -> str:
        """The signing secret: configured, or on SQLite created once beside the database file."""
        if self.secret_key:
            return self.secret_key
        if not self.is_sqlite:
            raise SettingsError([f"{PREFIX}SECRET_KEY: required when the database is PostgreSQL"])
        path = self.sqlite_path.with_name(self.sqlite_path.name + ".secret").resolve()
        cached = _GENERATED_SECRETS.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        _GENERATED_SECRETS[path] = path.read_text().strip()
        return _GENERATED_SECRETS[path]


_FIELDS = {f.name: f for f in msgspec.structs.fields(Settings)}
_EXPECTED = {
    int: "an integer",
    bool: "true or false (1/0, yes/no)",
    str: "text",
}


def _describe(field_type: Any) -> str:
    """A short, human description of what a field accepts, for error messages."""
    if field_type in _EXPECTED:
        return _EXPECTED[field_type]
    args = getattr(field_type, "__args__", None)
    if getattr(field_type, "__origin__", None) is Literal and args:
        return "one of " + ", ".join(repr(a) for a in args)
    if args and type(None) in args:
        return _describe(next(a for a in args if a is not type(None))) + " (or empty)"
    if getattr(field_type, "__origin__", None) is tuple:
        return "a comma-separated list"
    return str(field_type)


def _coerce(name: str, raw: str) -> Any:
    field = _FIELDS[name]
    value: Any = raw.strip()
    if getattr(field.type, "__origin__", None) is tuple:
        value = [item.strip() for item in value.split(",") if item.strip()]
    elif value == "" and field.default is None:
        return None
    elif field.type is bool or field.type == (bool | None):
        lowered = value.lower()
        truthy, falsy = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
        if lowered not in truthy | falsy:
            raise msgspec.ValidationError("not a boolean")
        return lowered in truthy
    return msgspec.convert(value, type=field.type, strict=False)


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Build :class:`Settings` from ``environ`` (default ``os.environ``) over an optional ``.env`` file.

    Raises :class:`SettingsError` listing every bad or unknown variable at once.
    """
    source: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        source.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    source.update(os.environ if environ is None else environ)

    values: dict[str, Any] = {}
    problems: list[str] = []
    known = [PREFIX + n.upper() for n in _FIELDS]
    for key, raw in source.items():
        if not key.startswith(PREFIX) or key.startswith(_IGNORED_PREFIXES):
            continue
        name = key[len(PREFIX) :].lower()
        if name not in _FIELDS:
            hint = difflib.get_close_matches(key, known, n=1)
            problems.append(f"{key}: unknown setting" + (f" (did you mean {hint[0]}?)" if hint else ""))
            continue
        try:
            values[name] = _coerce(name, raw)
        except (msgspec.ValidationError, ValueError):
            problems.append(f"{key}: expected {_describe(_FIELDS[name].type)}, got {raw!r}")

    url = values.get("database_url", _FIELDS["database_url"].default)
    if not url.startswith(("sqlite:", "postgresql://", "postgres://")):
        problems.append(f"{PREFIX}DATABASE_URL: expected sqlite:///path or postgresql://…, got {url!r}")
    redis_url = values.get("redis_url")
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append(f"{PREFIX}REDIS_URL: expected redis://host:port/db, got {redis_url!r}")
    for name in (
        "port",
        "workers",
        "max_body_size",
        "database_pool_size",
        "access_token_ttl",
        "refresh_token_ttl",
        "login_max_failures",
        "login_account_max_failures",
        "login_address_max_failures",
        "login_lockout_seconds",
        "webhook_batch_size",
        "webhook_concurrency",
        "webhook_delivery_loops",
        "import_max_rows",
        "import_max_columns",
        "import_max_cells",
        "import_max_expanded_bytes",
        "import_max_compression_ratio",
        "import_max_field_chars",
        "import_max_attempts",
        "files_max_size",
        "signup_alert_threshold",
        "signup_alert_window_seconds",
        "signup_address_max_per_hour",
        "login_code_ttl",
        "login_code_max_attempts",
        "login_code_resend_seconds",
        "login_code_phone_max_per_day",
        "login_code_address_max_per_hour",
        "login_code_max_per_day",
    ):
        if name in values and values[name] < 1:
            problems.append(f"{PREFIX}{name.upper()}: expected a positive integer, got {values[name]}")
    if not 0 <= values.get("password_min_score", 3) <= 4:
        problems.append(f"{PREFIX}PASSWORD_MIN_SCORE: expected a zxcvbn score from 0 to 4")
    for name in ("import_lease_seconds", "import_upload_retention_hours"):
        if values.get(name, 1) <= 0:
            problems.append(f"{PREFIX}{name.upper()}: expected a positive number")
    for name in ("redis_timeout", "redis_connect_timeout", "stream_epoch_check_seconds"):
        if values.get(name, 1) <= 0:
            problems.append(f"{PREFIX}{name.upper()}: expected a positive number of seconds")
    if values.get("audit_checkpoint_interval", 1) <= 0:
        problems.append(f"{PREFIX}AUDIT_CHECKPOINT_INTERVAL: expected a positive number of seconds")
    base = values.get("public_base_url")
    if base:
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            problems.append(f"{PREFIX}PUBLIC_BASE_URL: expected https://host[:port][/path], got {base!r}")
    if values.get("cors_max_age", 0) < 0:
        problems.append(f"{PREFIX}CORS_MAX_AGE: expected 0 or a positive number of seconds")
    if values.get("cors_allow_credentials") and "*" in values.get("cors_allowed_origins", ()):
        problems.append(
            f"{PREFIX}CORS_ALLOWED_ORIGINS: * cannot be used with {PREFIX}CORS_ALLOW_CREDENTIALS; name the origins"
        )
    for origin in values.get("cors_allowed_origins", ()):
        if origin != "*" and not origin.startswith(("http://", "https://")):
            problems.append(
                f"{PREFIX}CORS_ALLOWED_ORIGINS: expected * or https://host[:port], got {origin!r}"
            )
    methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    if any(m not in methods for m in values.get("cors_allowed_methods", ())):
        problems.append(
            f"{PREFIX}CORS_ALLOWED_METHODS: expected HTTP methods among {', '.join(sorted(methods))}"
        )
    if values.get("hsts_seconds", 0) < 0:
        problems.append(f"{PREFIX}HSTS_SECONDS: expected 0 or a positive number of seconds")
    if any(not 0 < port < 65536 for port in values.get("webhook_allowed_ports", ())):
        problems.append(f"{PREFIX}WEBHOOK_ALLOWED_PORTS: expected TCP port numbers (1–65535)")
    if values.get("files_storage") == "s3" and not values.get("files_s3_bucket"):
        problems.append(f"{PREFIX}FILES_S3_BUCKET: required when {PREFIX}FILES_STORAGE is s3")
    if not 4 <= values.get("login_code_length", 6) <= 10:
        problems.append(f"{PREFIX}LOGIN_CODE_LENGTH: expected 4 to 10 digits")
    if values.get("sms_timeout", 1) <= 0:
        problems.append(f"{PREFIX}SMS_TIMEOUT: expected a positive number of seconds")
    if values.get("sms_provider") == "log" and not url.startswith("sqlite:") and not values.get("debug"):
        problems.append(
            f"{PREFIX}SMS_PROVIDER: log writes codes to the log, for development only; it is refused "
            "on PostgreSQL (a production setup) unless QUNTUAN_DEBUG is on"
        )
    if values.get("shutdown_timeout", 1) <= 0:
        problems.append(f"{PREFIX}SHUTDOWN_TIMEOUT: expected a positive number of seconds")
    for cidr in values.get("webhook_allowed_networks", ()):
        import ipaddress

        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(f"{PREFIX}WEBHOOK_ALLOWED_NETWORKS: {cidr!r} is not a CIDR network")
    if "timezone" in values:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"{PREFIX}TIMEZONE: expected an IANA time zone such as Asia/Shanghai")
    for entry in values.get("personal_data_keys", ()):
        from core.kernel.vault import parse_key_entry

        try:
            parse_key_entry(entry)
        except ValueError:
            problems.append(f"{PREFIX}PERSONAL_DATA_KEYS: expected <key id>:<base64 of 32 bytes>, …")
    if problems:
        raise SettingsError(sorted(problems))
    return Settings(**values)
