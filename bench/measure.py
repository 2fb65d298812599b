"""What the benchmarks share: printing as they go, and the CPU time of this process."""

from __future__ import annotations

import resource
import sys


def say(line: str = "") -> None:
    """Print a line at once (the benchmarks run for minutes; output is often piped)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def cpu_seconds() -> float:
    """CPU time of this process: steadier than the wall clock on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
