"""Settings for IOP Finder, read from the environment.

Development needs nothing set (DEBUG=1 gives a SQLite file and a development secret).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL.
"""

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for development."
        )
    SECRET_KEY = "development-only-secret-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "facilities",  # before the admin, whose templates it overrides
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "axes",
    "nested_admin",
    "simple_history",
]

MIDDLEWARE = [
    "facilities.middleware.ApiErrorsAsJsonMiddleware",  # outermost: sees every error answer
    "django.middleware.security.SecurityMiddleware",
    "facilities.middleware.PermissionsPolicyMiddleware",
    "facilities.middleware.PublicBodyLimitMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "facilities.middleware.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out address is refused early
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "iop_finder.urls"
WSGI_APPLICATION = "iop_finder.wsgi.application"

# The public pages are Jinja2 templates in templates/; the admin (its overrides under
# facilities/templates/admin/), DRF's pages and the API documentation use Django's.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "iop_finder.templating.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "facilities.context_processors.site",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "facilities.context_processors.site",
            ],
        },
    },
]

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}

# A read replica (PostgreSQL streaming replication) takes the searches when it is named.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["iop_finder.db_router.ReplicaRouter"]

# PostgreSQL planner settings for each connection: a search's statements take milliseconds,
# less than starting parallel workers costs, and the directory's tables and indexes stay in
# memory, where an index look-up costs little more than reading the next row (the default
# random_page_cost of 4 is for spinning disks). Measured by bench/profile_search.py: the
# online programs' statements took 12.7 ms a search instead of 23.4 at 25,000 facilities.
POSTGRES_SESSION_OPTIONS = os.environ.get(
    "POSTGRES_SESSION_OPTIONS", "-c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
)
# A database that stops answering must not hold a request until gunicorn kills the worker:
# PostgreSQL gives up connecting after DB_CONNECT_TIMEOUT seconds and stops a statement after
# DB_STATEMENT_TIMEOUT (0: no limit, the default for management commands; gunicorn.conf.py
# sets 5 s for the web process); SQLite waits DB_BUSY_TIMEOUT seconds for another process's
# write to finish before it says the database is locked.
DB_CONNECT_TIMEOUT = envint("DB_CONNECT_TIMEOUT", "3")
DB_STATEMENT_TIMEOUT = envint("DB_STATEMENT_TIMEOUT", "0")
DB_BUSY_TIMEOUT = envint("DB_BUSY_TIMEOUT", "5")
# SQLite reads the database file through a memory map of up to this many bytes (0: through
# its own page cache of 2 MB a connection, refilled by a system call a page). A search in a
# dense region walks more index pages than that cache holds; mapped, the pages stay in the
# system's file cache, shared by every worker. Measured by bench/search_latency.py.
SQLITE_MMAP_BYTES = envint("SQLITE_MMAP_BYTES", str(256 * 1024 * 1024))
for database in DATABASES.values():
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.postgresql":
        options["connect_timeout"] = DB_CONNECT_TIMEOUT
        session = [POSTGRES_SESSION_OPTIONS]
        if DB_STATEMENT_TIMEOUT:
            session.append(f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}")
        if any(session):
            options["options"] = " ".join(part for part in session if part)
    elif database["ENGINE"] == "django.db.backends.sqlite3":
        options["timeout"] = DB_BUSY_TIMEOUT
        options["init_command"] = f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English at the contract's URLs, Spanish under /es/, so a shared link keeps its language.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Leaflet comes from the django-leaflet package's static files. Its Django app is not installed
# (it needs GeoDjango); only its folder is read, found without importing it.
LEAFLET_STATIC = Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
STATICFILES_DIRS = [BASE_DIR / "static", LEAFLET_STATIC]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Geocoding: "offline" (ZIP and city centroids, no network) or "nominatim" (geopy).
GEOCODER = os.environ.get("GEOCODER", "offline")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "iop-finder")
GEOCODER_TIMEOUT = envint("GEOCODER_TIMEOUT", "5")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "iop-finder",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# The map's tiles: OpenStreetMap's by default; a busy deployment names its own server, as
# OpenStreetMap's tile policy asks of heavy users. The attribution is shown on the map.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

TILES_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILES_URL))

# Rate-limit counters must be the same for every gunicorn worker, or each worker counts its
# own and the limit is multiplied by their number. Redis when there is one; otherwise a table
# in the database, made by every `migrate`, whose increments lock the counter's row.
RATELIMIT_USE_CACHE = "ratelimit"
RATE_LIMIT_TABLE = "rate_limit_counters"
CACHES["ratelimit"] = (
    CACHES["default"]
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "iop_finder.database_cache.DatabaseCache",
        "LOCATION": RATE_LIMIT_TABLE,
        # One row an address and limit a window: room for every visitor of the last hour.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)

# What is kept, and for how long. Each lifetime is its own; none shortens another but as said.
# - A search's page and API answer: kept this long for whoever asks the same search next, under
#   the directory's version, so a listing's change is seen at once; 0 turns it off.
SEARCH_CACHE_SECONDS = envint("SEARCH_CACHE_SECONDS", "300")
# - The directory's version (facilities.directory_version), under which the search answers and
#   the vocabularies held in each process's memory are kept: in a shared cache (REDIS_URL) it
#   lasts until a listing or a vocabulary changes. Without one, each process keeps its own token
#   and replaces it this often, so a change made through one process reaches the others within
#   this time; that also ends the search answers the process kept under the old token.
DIRECTORY_VERSION_SECONDS = None if os.environ.get("REDIS_URL") else 300

# --- Security ----------------------------------------------------------------------------------
# Behind a proxy or load balancer that terminates HTTPS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A page a visitor leaves sends no address: the search they made stays with them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# "Use my location" asks the browser for geolocation on our own pages; nothing else may.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
# Sessions are the admin's alone (the shortlist is a cookie of its own): a working day.
SESSION_COOKIE_AGE = envint("ADMIN_SESSION_HOURS", "8") * 3600

# Request bodies: public forms are a few fields of text, so anything larger than
# PUBLIC_BODY_MAX_BYTES outside /admin/ is refused before it is read, and only the admin
# takes files (facilities.uploads); the admin's own forms may hold DATA_UPLOAD_MAX_MEMORY_SIZE.
PUBLIC_BODY_MAX_BYTES = envint("PUBLIC_BODY_MAX_BYTES", "65536")
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "facilities.uploads.AdminOnlyUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# No inline script anywhere; map tiles are the one outside source, for images only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", TILES_ORIGIN],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Rate limits per client address, counted in the shared cache. RATELIMIT_ENABLE=0 for load tests.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "1")
RATELIMIT_VIEW = "facilities.views.rate_limited"
RATELIMIT_SEARCH = os.environ.get("RATELIMIT_SEARCH", "120/m")
RATELIMIT_CORRECTIONS = os.environ.get("RATELIMIT_CORRECTIONS", "5/h")
# Every other public page that reads the directory: facility pages, compare, the shortlist,
# its sheet and CSV.
RATELIMIT_PAGES = os.environ.get("RATELIMIT_PAGES", "120/m")
# Places sent to an outside geocoder (GEOCODER=nominatim), on top of the page's own limit.
RATELIMIT_GEOCODE = os.environ.get("RATELIMIT_GEOCODE", "20/m")
# The header holding the visitor's address when a trusted proxy sets it, e.g. HTTP_X_REAL_IP.
RATELIMIT_IP_META_KEY = os.environ.get("CLIENT_IP_HEADER", "REMOTE_ADDR")

# Admin logins: five failures from one address, or against one account from any number of
# addresses, lock that address or account out for an hour; attempts are kept.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_IPWARE_META_PRECEDENCE_ORDER = [RATELIMIT_IP_META_KEY]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# The JSON API: read-only, JSON only, the search's FilterSet, 20 results a page.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # `format` is a search parameter (in_person, telehealth, hybrid), not a renderer choice.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IOP Finder API",
    "DESCRIPTION": "Search intensive outpatient programs by place and by the questions to ask "
    "before choosing one. Read-only; the same parameters as the /search/ page.\n\n"
    "The same directory is also published in Open Referral's Human Services Data "
    "Specification, the standard 211s and referral tools read: the [HSDS 3.0 API](/api/hsds/) "
    "(`/api/hsds/services`, `/api/hsds/service_at_locations?postcode=90230&proximity=16093`, "
    "`/api/hsds/organizations`, `/api/hsds/taxonomies`, `/api/hsds/taxonomy_terms`), "
    "described by [HSDS's own OpenAPI document]("
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Other directories and referral tools may read the API from a browser; nothing else.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# The crisis line shown on every page.
CRISIS_LINE = {"number": "988", "name": "988 Suicide & Crisis Lifeline"}
# Beside it when nothing matching a search is within NEAREST_BEYOND_MILES: free, confidential,
# every day, in English and Spanish; treatment referral and information.
HELPLINE = {"number": "1-800-662-4357", "tel": "+18006624357", "name": "SAMHSA National Helpline"}
# The farthest a suggestion beyond the radius may be: a distance a person could travel three
# to five days a week.
NEAREST_BEYOND_MILES = envint("NEAREST_BEYOND_MILES", "100")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"drop_query_strings": {"()": "iop_finder.log_privacy.DropQueryStrings"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["drop_query_strings"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own request loggers, through the same filter (the dev server logs each request).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
