"""Print deploy/nginx.conf filled in for this site: published pages (PUBLISHED_ROOT)
and static files from disk, everything else from gunicorn."""

import os
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import published_files

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
# The headers Django gives a public page that a file served by nginx must carry too.
PAGE_HEADERS = (
    "Cache-Control",
    "Content-Security-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
)


class Command(BaseCommand):
    help = "Print the nginx configuration for serving the published pages (deploy/nginx.conf)."

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="8080", help="nginx's address or port")
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's address")
        parser.add_argument(
            "--standalone",
            action="store_true",
            help="a whole nginx.conf (pid, logs, temporary files under --run-dir)",
        )
        parser.add_argument("--run-dir", default="", help="for --standalone: where nginx writes")
        parser.add_argument("--user", default="", help="for --standalone: the workers' user")
        parser.add_argument("--static-root", default=str(settings.STATIC_ROOT))

    def handle(self, *args, **options):
        if not published_files.enabled():
            raise CommandError(
                "Set PUBLISHED_ROOT (where the pages are written) and SITE_URL (the address "
                "nginx serves them at) first."
            )
        cookie = settings.SESSION_COOKIE_NAME
        if not re.fullmatch(r"[A-Za-z0-9_]+", cookie):
            raise CommandError(
                f"nginx cannot read a cookie named {cookie!r}: use letters, digits and _."
            )
        run_dir = Path(options["run_dir"] or Path(settings.PUBLISHED_ROOT).parent / "nginx")
        main, paths = "", ""
        if options["standalone"]:
            run_dir.mkdir(parents=True, exist_ok=True)
            main = "\n".join(
                [
                    *([f"load_module {BROTLI_MODULE};"] if BROTLI_MODULE.exists() else []),
                    *([f"user {options['user']};"] if options["user"] else []),
                    "worker_processes auto;",
                    f"pid {run_dir}/nginx.pid;",
                    f"error_log {run_dir}/error.log warn;",
                    "events { worker_connections 4096; }",
                ]
            )
            paths = "\n".join(
                f"    {name}_temp_path {run_dir}/{name};"
                for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            paths += "\n    access_log off;"
        brotli = "    brotli_static on;" if _has_brotli(options["standalone"]) else ""
        response = published_files.response_for("/robots.txt")
        headers = "\n".join(
            f'            add_header {name} "{_quoted(response[name])}" always;'
            for name in PAGE_HEADERS
            if response.has_header(name)
        )
        headers += "\n            add_header X-Served-By nginx always;"
        text = TEMPLATE.read_text()
        for place, value in {
            "MAIN": main,
            "MIME_TYPES": "/etc/nginx/mime.types",
            "BROTLI": brotli,
            "HTTP_PATHS": paths,
            "UPSTREAM": options["upstream"],
            "SESSION_COOKIE": cookie,
            "LISTEN": options["listen"],
            "MAX_BODY": str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 4),
            "PUBLISHED_ROOT": os.path.abspath(settings.PUBLISHED_ROOT),
            "STATIC_URL": settings.STATIC_URL,
            "STATIC_ROOT": os.path.abspath(options["static_root"]),
            "PAGE_HEADERS": headers,
        }.items():
            text = text.replace(f"@@{place}@@", value)
        self.stdout.write(text)


def _has_brotli(standalone: bool) -> bool:
    """brotli_static only where its module is loaded (standalone) or enabled."""
    if standalone:
        return BROTLI_MODULE.exists()
    return any(Path("/etc/nginx/modules-enabled").glob("*brotli*"))


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
