"""Child processes of the benchmark: stopped politely, then firmly."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str], sig: int, timeout: float) -> None:
    """Send ``sig``; kill the process if it has not ended ``timeout`` seconds later."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
