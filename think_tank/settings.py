"""Settings for the think-tank publishing platform.

Every difference between deployments is an environment variable (see .env.example).
Defaults suit local development; production sets DJANGO_DEBUG=false and the rest.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production). "
        "For local development set DJANGO_DEBUG=true, as `make run` does."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "think_tank.apps.AdminConfig",  # the admin, with an optional second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "markdownx",
    "think_tank.apps.TopicsConfig",  # django-taggit, shown as "Topics"
    "csp",
    "think_tank.apps.LoginAttemptsConfig",  # django-axes
    "django_otp",
    "think_tank.apps.TwoFactorDevicesConfig",  # django-otp TOTP
    "django_filters",
    "django_tasks",
    "think_tank.apps.BackgroundTasksConfig",  # django-tasks-db
    "authors",
    "articles",
    "subscribers",  # readers by e-mail: its own models and life cycle
    "anymail",  # e-mail providers and their bounce/complaint webhooks
    "jekyll",  # the Jekyll import/export and the sample content: removable
]

MIDDLEWARE = [
    # First: every response, the error pages of the layers below included, gets the
    # site's CSP, framing, sniffing and referrer headers.
    "think_tank.middleware.ProtectiveHeadersMiddleware",
    # Forwarded headers are dropped unless a proxy in FORWARDED_ALLOW_IPS sent them.
    "think_tank.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Too large (413) or unreadable (400) requests are refused before any other work.
    "think_tank.middleware.RequestGuardMiddleware",
    # Links in e-mails sent while answering go to the address the request came to,
    # unless SITE_URL names the site (articles/addresses.py).
    "articles.middleware.SiteAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and users: a cached public page costs none of their work.
    "articles.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A view's database outage is a 503 page, input the database refuses a 400; faults
    # in the middleware itself get the same answers from think_tank.errors.server_error.
    "think_tank.middleware.FaultPageMiddleware",
    # Counts failed logins and refuses locked-out accounts and addresses.
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the 404s first: old Jekyll addresses get a 301 to their article.
    "articles.middleware.LegacyRedirectMiddleware",
]

ROOT_URLCONF = "think_tank.urls"
WSGI_APPLICATION = "think_tank.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
                "subscribers.context_processors.subscribe",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The search index is derived from the articles: never dumped or loaded as data.
DATABASE_ROUTERS = ["articles.search.SearchIndexRouter"]

# Caches (articles.caching): rendered public pages in `default`; in `page_state`, the
# token that says which pages are current, which every process must share. With
# REDIS_URL (several processes or machines) both are in Redis, and each process also
# subscribes to REDIS_URL itself (articles.state_watch) to hear of a new token at once;
# without it pages stay in each process's memory and the token in a small file cache on
# this machine.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "think-tank"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {
        "default": _redis,
        "page_state": _redis,
        # Pages also kept in each process, in front of Redis: one round trip (the token)
        # instead of two for a cached page. A page never changes under its key.
        "local_pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "2000"))},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "2000"))},
        },
        "page_state": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", BASE_DIR / ".cache" / "page-state"),
        },
    }
# Background tasks (Django's Tasks API, the django-tasks backport): PDFs, renditions of
# large uploads, DOI deposits. Stored in the database by default, run by
# `manage.py db_worker` (which `make run` starts beside the server); with REDIS_URL on RQ,
# so that several machines share one queue, run by
# `manage.py rqworker default --job-class django_tasks_rq.Job`. TASKS_BACKEND=immediate
# runs each task in the request that enqueues it (tests, one-off scripts).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "rq" if REDIS_URL else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}
    }
# How often a failed task is tried again (with a growing pause) before editors are told.
TASK_RETRIES = int(os.environ.get("TASK_RETRIES", "3"))

# How long a rendered page may stay in the cache (it is replaced as soon as anything it
# shows changes); 0 turns page caching off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
# Cache-Control of public pages: browsers revalidate (a cheap 304), a CDN may serve its
# copy this long after an edit.
PAGE_BROWSER_SECONDS = int(os.environ.get("PAGE_BROWSER_SECONDS", "0"))
PAGE_CDN_SECONDS = int(os.environ.get("PAGE_CDN_SECONDS", "60"))
# Public pages written as files for nginx to serve (articles/published_files.py,
# deploy/nginx.conf); empty: off. Needs SITE_URL, the address the files are for.
PUBLISHED_ROOT = os.environ.get("PUBLISHED_ROOT", "")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before checking
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
# A web address typed without a scheme is https:// in every form (Django 6.0's default;
# a transitional setting Django 5.x warns about: delete this line on upgrading to 6.0).
FORMS_URLFIELD_ASSUME_HTTPS = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Let Django serve MEDIA_ROOT itself (single-machine installs without a web server).
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Hashed names (what pages link) are cached forever as immutable by whitenoise itself;
# a file asked for by its plain name may change at the next deploy.
WHITENOISE_MAX_AGE = 3600 if not DEBUG else 0

# Uploads on S3-compatible object storage instead of MEDIA_ROOT, when a bucket is named
# (needs the optional extra: pip install -e ".[s3]"). Credentials come from boto3's own
# variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the machine's role.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _S3_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
    _S3_LOCATION = os.environ.get("AWS_LOCATION", "media").strip("/")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": _S3_LOCATION,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": _S3_DOMAIN or None,
            # Public images under plain, cacheable addresses; names are unique, so a
            # file never changes under its address.
            "querystring_auth": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    if _S3_DOMAIN:
        MEDIA_URL = "/".join(filter(None, [f"https://{_S3_DOMAIN}", _S3_LOCATION])) + "/"

# The public site's identity, shown in the header, titles and footer.
SITE_NAME = os.environ.get("SITE_NAME", "The Meridian Institute")
# Second factor (django-otp, TOTP): optional; staff who set it up must use it.
OTP_TOTP_ISSUER = SITE_NAME
# Nobody, superusers included, can read another account's TOTP secret in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The site's public address for links in e-mails, feeds and DOI deposits. Empty: the
# address each request came to (the embedded server's outside a request); production
# sets it, since workers have no request to learn it from (articles/addresses.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# DOIs through Crossref: with a prefix, reports and papers without a DOI get
# <prefix>/<address>; with a username and password, editors register them from the
# article (test.crossref.org until CROSSREF_DEPOSIT_URL names the live servlet); without
# them, editors download the deposit XML and upload it at Crossref by hand.
# CROSSREF_SERIES_ISSNS: "Occasional Paper=1234-5678; Policy Brief=2345-6789".
CROSSREF_DEPOSIT_URL = os.environ.get(
    "CROSSREF_DEPOSIT_URL", "https://test.crossref.org/servlet/deposit"
)
CROSSREF_USERNAME = os.environ.get("CROSSREF_USERNAME", "")
CROSSREF_PASSWORD = os.environ.get("CROSSREF_PASSWORD", "")
CROSSREF_DOI_PREFIX = os.environ.get("CROSSREF_DOI_PREFIX", "").strip().rstrip("/")
CROSSREF_DEPOSITOR_NAME = os.environ.get("CROSSREF_DEPOSITOR_NAME", "")
CROSSREF_DEPOSITOR_EMAIL = os.environ.get("CROSSREF_DEPOSITOR_EMAIL", "")
CROSSREF_SERIES_ISSNS = {
    name.strip(): issn.strip()
    for name, _, issn in (
        pair.partition("=") for pair in os.environ.get("CROSSREF_SERIES_ISSNS", "").split(";")
    )
    if name.strip() and issn.strip()
}
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "Independent research on security and technology")
ARTICLES_PER_PAGE = int(os.environ.get("ARTICLES_PER_PAGE", "10"))
# A full-text feed carries the texts of its newest entries up to this many bytes; older
# entries carry their summary and a link.
FEED_FULL_TEXT_BYTES = int(os.environ.get("FEED_FULL_TEXT_BYTES", "200000"))

# Uploads through the editor: raster images only, verified by Pillow.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_UPLOAD_MAX_PIXELS = int(os.environ.get("IMAGE_UPLOAD_MAX_PIXELS", str(40_000_000)))
# Widths (pixels) of the responsive renditions of every library image, made once and
# stored; never wider than the original. After a change: manage.py rebuild_renditions.
IMAGE_RENDITION_WIDTHS = [int(w) for w in env_list("IMAGE_RENDITION_WIDTHS", "480,960,1600")]
# Uploads at least this many pixels get their renditions from a background task (the
# upload returns at once; pages serve the original until they are made).
IMAGE_RENDITIONS_TASK_PIXELS = int(os.environ.get("IMAGE_RENDITIONS_TASK_PIXELS", "12000000"))
# A designed PDF an editor uploads for a report (keep REQUEST_MAX_BYTES above it).
PDF_UPLOAD_MAX_BYTES = int(os.environ.get("PDF_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Request bodies: form fields (an article's text, percent-encoded: up to 9 bytes for one
# Chinese or Cyrillic character) at most DATA_UPLOAD_MAX_MEMORY_SIZE; a whole request at
# most REQUEST_MAX_BYTES (half as much again as the larger limit, so that a slightly
# too large image still reaches the editor's precise message), refused (413) from its
# Content-Length before it is read, and cut off by RequestSizeLimitHandler if its files
# grow past it anyway.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_BYTES", str(4 * 1024 * 1024)))
REQUEST_MAX_BYTES = int(
    os.environ.get(
        "REQUEST_MAX_BYTES",
        str(max(IMAGE_UPLOAD_MAX_BYTES, DATA_UPLOAD_MAX_MEMORY_SIZE) * 3 // 2),
    )
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "think_tank.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# django-markdownx: the live preview uses the same renderer as the public page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.views.render_preview"
MARKDOWNX_URLS_PATH = "/admin/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = IMAGE_UPLOAD_MAX_BYTES
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]

TAGGIT_CASE_INSENSITIVE = True

LOGIN_URL = "admin:login"

# Deleted articles wait in the bin this many days, restorable, before they can be purged.
BIN_DAYS = int(os.environ.get("BIN_DAYS", "30"))

# An image uploaded to the library and shown nowhere (no article, hero or portrait) and
# never described (no alt text or caption) is removed this many days after its upload,
# by `manage.py purge_unused_images` (daily, from cron); 0 keeps every image.
UNUSED_IMAGE_GRACE_DAYS = int(os.environ.get("UNUSED_IMAGE_GRACE_DAYS", "14"))

# Editorial workflow: how long a shareable preview link works unless chosen otherwise.
PREVIEW_LINK_DAYS = int(os.environ.get("PREVIEW_LINK_DAYS", "7"))

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "editors@localhost")

# Mail to subscribers (subscribers.sending; README "Sending: providers and workers"):
# SMTP through EMAIL_HOST/EMAIL_PORT by default; any provider django-anymail supports when
# EMAIL_PROVIDER names it (e.g. "postmark", "mailgun", "amazon_ses") and its ANYMAIL_*
# variables (ANYMAIL_<PROVIDER>_API_KEY …, ANYMAIL_WEBHOOK_SECRET) are set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "").strip().lower()
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
MAIL_FROM_EMAIL = os.environ.get("MAIL_FROM_EMAIL", "")  # empty: DEFAULT_FROM_EMAIL
MAIL_UNSUBSCRIBE_MAILTO = os.environ.get("MAIL_UNSUBSCRIBE_MAILTO", "")  # optional
MAIL_RATE_PER_SECOND = float(os.environ.get("MAIL_RATE_PER_SECOND", "0"))  # 0: no limit
MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "200"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
MAIL_SEND_LEASE_SECONDS = int(os.environ.get("MAIL_SEND_LEASE_SECONDS", "300"))
# The weekly digest goes out on DIGEST_WEEKDAY (0 = Monday) at DIGEST_HOUR, site time.
DIGEST_WEEKDAY = int(os.environ.get("DIGEST_WEEKDAY", "0"))
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "8"))
# Sign-up throttling (subscribers.services): per address and per network address per
# hour, and at most one confirmation e-mail per address every SUBSCRIBE_RESEND_MINUTES.
SUBSCRIBE_PER_ADDRESS = int(os.environ.get("SUBSCRIBE_PER_ADDRESS", "5"))
SUBSCRIBE_PER_IP = int(os.environ.get("SUBSCRIBE_PER_IP", "20"))
SUBSCRIBE_RESEND_MINUTES = int(os.environ.get("SUBSCRIBE_RESEND_MINUTES", "10"))
# Printed at the foot of every message to subscribers (anti-spam laws ask for it).
INSTITUTE_ADDRESS = os.environ.get("INSTITUTE_ADDRESS", "")

# Production hardening: on whenever DEBUG is off; each can be relaxed by its variable
# (for example behind a proxy that terminates TLS on another port).
# The proxies (addresses or networks, `*` for any) whose X-Forwarded-Proto and
# X-Forwarded-For are believed: TrustedProxyMiddleware drops them from anyone else.
# gunicorn reads the same variable for its own scheme (gunicorn.conf.py).
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Only staff have sessions: they end after this much idle time (default 2 hours).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(2 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True

# Content Security Policy: only our own scripts and styles, everywhere (admin included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Imported articles may show images still hosted on the old site.
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes, think_tank/login_throttling.py): AXES_FAILURE_LIMIT
# failures for one username from one address lock that username at that address only (an
# attacker elsewhere cannot lock a real user out); AXES_ADDRESS_FAILURE_LIMIT failures from
# one address, whatever the usernames, lock the address (one person's typos do not lock
# out an office). Both last AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "think_tank.login_throttling.LoginThrottle"
AXES_LOCKOUT_CALLABLE = "think_tank.login_throttling.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every step at INFO; its warnings (a refused image) stay.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
