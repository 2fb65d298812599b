"""Sending a recorded DOI deposit to Crossref, in the background (Django's Tasks API).

Crossref's deposit servlet takes an HTTPS POST of a multipart form: `operation`
(`doMDUpload`), `login_id`, `login_passwd` and the XML file as `fname`
(https://www.crossref.org/documentation/register-maintain-records/direct-deposit-xml/https-post/).
It answers 200 once it has the file (it processes the queue later and e-mails the
depositor the result), and an HTTP error or a page saying FAILURE when it refuses it.
What it answered is kept on the deposit either way; a failed deposit is sent again by
registering once more (a new batch, so Crossref never sees the same batch twice).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django_tasks import task

from articles.models import DOIDeposit

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
# What is kept of Crossref's answer (its pages are short; a proxy's may not be).
RESPONSE_MAX_CHARS = 10_000


@task()
def doi_deposit_submit(*, deposit_id: int) -> str:
    """POST one queued deposit to Crossref and record SUBMITTED or FAILED with the answer."""
    deposit = DOIDeposit.objects.filter(pk=deposit_id, status=DOIDeposit.Status.QUEUED).first()
    if deposit is None:
        return "gone"  # deleted with its article, or already sent
    ok, answer = post_deposit(
        url=settings.CROSSREF_DEPOSIT_URL,
        username=settings.CROSSREF_USERNAME,
        password=settings.CROSSREF_PASSWORD,
        filename=f"{deposit.batch_id}.xml",
        xml=deposit.xml,
    )
    deposit.status = DOIDeposit.Status.SUBMITTED if ok else DOIDeposit.Status.FAILED
    deposit.response = answer[:RESPONSE_MAX_CHARS]
    deposit.save(update_fields=["status", "response", "updated_at"])
    if not ok:
        log.warning("Crossref refused deposit %s of %s: %s", deposit.batch_id, deposit.doi, answer)
    return deposit.status


def post_deposit(*, url: str, username: str, password: str, filename: str, xml: str):
    """(accepted, what the servlet answered) for one deposit file."""
    boundary = uuid.uuid4().hex
    body = _multipart(
        boundary,
        fields={"operation": "doMDUpload", "login_id": username, "login_passwd": password},
        files={"fname": (filename, xml.encode("utf-8"), "application/xml")},
    )
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8", errors="replace")
            return "FAILURE" not in text, f"HTTP {response.status}: {text.strip()}"
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", errors="replace").strip()
        return False, f"HTTP {error.code} {error.reason}: {text}".strip(": ")
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"Crossref could not be reached at {url}: {reason}"


def _multipart(boundary: str, *, fields: dict[str, str], files: dict) -> bytes:
    """A multipart/form-data body (RFC 7578) of text fields and files."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()
