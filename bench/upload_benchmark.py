"""Upload benchmark: a 24-megapixel photo dropped into the editor, renditions included.

    .venv/bin/python bench/upload_benchmark.py [--runs 3] [--orientation 6]

Makes a 6000 × 4000 JPEG (about 8 MB: gradients and grain, so it compresses like a
photograph, with EXIF, GPS and an orientation tag as a phone writes them), then, in a
fresh process with a fresh SQLite database, posts it to the editor's upload endpoint
(/admin/markdownx/upload/) as a signed-in staff user, through Django's test client:
checks, decoding, turning upright, re-encoding without metadata, storing, the library
record and every rendition (WebP and JPEG at 480, 960 and 1600 px). Prints the time of
each upload and the peak memory of that process. Results go in docs/performance.md
(“Uploads”); this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds, say  # noqa: E402

SIZE = (6000, 4000)


def make_photo(path: Path, orientation: int) -> None:
    from PIL import Image, ImageChops

    noise = Image.effect_noise(SIZE, 18)
    across = Image.linear_gradient("L").rotate(90).resize(SIZE)
    down = Image.linear_gradient("L").resize(SIZE)
    photo = Image.merge(
        "RGB",
        (
            ImageChops.add(across, noise, scale=2.0, offset=-20),
            ImageChops.add(down, noise, scale=2.0),
            ImageChops.blend(across, down, 0.5),
        ),
    )
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Benchmark Camera"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 1.0), "W", (0.0, 7.0, 39.0)
    photo.save(path, format="JPEG", quality=90, exif=exif)


def upload_runs(photo: Path, runs: int) -> dict:
    """In this (fresh) process: migrate a throwaway database, then upload `runs` times."""
    work = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "think_tank.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from articles.models import LibraryImage

    settings.AXES_ENABLED = False
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create(username="bench", is_staff=True)
    client = Client()
    client.force_login(user)
    data = photo.read_bytes()
    rss_before = _peak_mb()
    timings = []
    for _run in range(runs):
        upload = SimpleUploadedFile("DSC_0001.JPG", data, content_type="image/jpeg")
        started, cpu_started = time.perf_counter(), cpu_seconds()
        response = client.post("/admin/markdownx/upload/", {"image": upload})
        timings.append((time.perf_counter() - started, cpu_seconds() - cpu_started))
        assert response.status_code == 200, response.content
    image = LibraryImage.objects.latest("pk")
    result = {
        "timings": timings,
        "peak_mb": _peak_mb(),
        "before_mb": rss_before,
        "size": [image.width, image.height],
        "renditions": image.renditions,
        "stored_mb": image.file.size / 1_048_576,
    }
    shutil.rmtree(work)
    return result


def _peak_mb() -> float:
    """The process's peak resident memory. Linux's VmHWM, not ru_maxrss: the latter
    survives exec, so a child would report the parent's peak at the time it forked."""
    try:
        status = Path("/proc/self/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--orientation",
        type=int,
        default=6,
        help="EXIF orientation of the photo: 6 (phone held upright, turned on upload) or 1",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(upload_runs(Path(args.child), args.runs)) + "\n")
        return

    folder = Path(tempfile.mkdtemp(prefix="upload-photo-"))
    photo = folder / "photo.jpg"
    make_photo(photo, args.orientation)
    say(
        f"photo: {SIZE[0]} × {SIZE[1]} px ({SIZE[0] * SIZE[1] / 1e6:.0f} megapixels), "
        f"{photo.stat().st_size / 1_048_576:.1f} MB JPEG, EXIF orientation {args.orientation}"
    )
    # The uploads run in a process of their own, so its peak memory is theirs alone.
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(photo), "--runs", str(args.runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    shutil.rmtree(folder)
    for number, (elapsed, cpu) in enumerate(result["timings"], start=1):
        say(f"upload {number}: {elapsed:.2f} s wall clock, {cpu:.2f} s CPU")
    width, height = result["size"]
    widths = ", ".join(str(w) for w, _h in result["renditions"])
    say(
        f"stored: {width} × {height} px, {result['stored_mb']:.1f} MB; renditions {widths} px "
        "wide, each in WebP and JPEG"
    )
    say(
        f"peak memory (process RSS): {result['peak_mb']:.0f} MB "
        f"(before the first upload: {result['before_mb']:.0f} MB)"
    )
    say(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
