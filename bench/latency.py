"""Time the authoring app over real HTTP: admin dashboard, API listing and a save."""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
from procs import stop

USER, PASSWORD = "bench", "bench-password"
#: The authoring app as ``flask run`` serves it (threaded Werkzeug), on a free port.
SERVE = (
    "from werkzeug.serving import make_server\n"
    "from microblog import app\n"
    "server = make_server('127.0.0.1', 0, app, threaded=True)\n"
    "print(server.port, flush=True)\n"
    "server.serve_forever()\n"
)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated, as numpy's default does."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def flask(env: dict[str, str], root: Path, *args: str) -> str:
    """Run a ``flask`` CLI command of the app; its stdout, or a loud failure."""
    cmd = [sys.executable, "-m", "flask", "--app", "microblog", *args]
    out = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"latency benchmark: flask {' '.join(args)} failed\n{out.stderr}")
    return out.stdout


def start_server(env: dict[str, str], root: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        env=env,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # one access-log line per request
        text=True,
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().strip()
    if not port.isdigit():
        proc.kill()
        raise SystemExit("latency benchmark: the authoring app did not start")
    return proc, f"http://127.0.0.1:{port}"


def log_in(session: requests.Session, origin: str) -> None:
    """Log in through the admin's form, CSRF token and all, like a browser."""
    form = session.get(f"{origin}/admin/login")
    form.raise_for_status()
    match = _CSRF.search(form.text)
    if match is None:
        raise SystemExit("latency benchmark: no CSRF token in the login form")
    data = {"csrf_token": match.group(1) or match.group(2), "username": USER, "password": PASSWORD}
    answer = session.post(f"{origin}/admin/login", data=data, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"latency benchmark: login answered {answer.status_code}")


def sample(call: Callable[[int], requests.Response], requests_per_kind: int) -> list[float]:
    """Milliseconds per call (after one warm-up call); any non-2xx answer fails the run."""
    times = []
    for i in range(requests_per_kind + 1):
        started = time.perf_counter()
        answer = call(i)
        elapsed = (time.perf_counter() - started) * 1000
        if not answer.ok:
            raise SystemExit(f"latency benchmark: {answer.url} answered {answer.status_code}")
        if i:
            times.append(elapsed)
    return times


def bench_latency(
    env: dict[str, str], root: Path, slug: str, requests_per_kind: int = 50
) -> dict[str, list[float]]:
    """Serve the synced DB, then time each kind of request; milliseconds by label."""
    env = {**env, "MICROBLOG_PASSWORD": PASSWORD}
    flask(env, root, "user", "create", USER)
    token = flask(env, root, "token", "create", "--user", USER, "--name", "bench").strip()
    proc, origin = start_server(env, root)
    results: dict[str, list[float]] = {}
    try:
        with requests.Session() as admin, requests.Session() as api:
            log_in(admin, origin)
            api.headers["Authorization"] = f"Bearer {token}"
            results["admin dashboard"] = sample(
                lambda _: admin.get(f"{origin}/admin/"), requests_per_kind
            )
            results["GET /api/v1/posts"] = sample(
                lambda _: api.get(f"{origin}/api/v1/posts"), requests_per_kind
            )
            post_url = f"{origin}/api/v1/posts/{slug}"
            current = api.get(post_url)
            current.raise_for_status()
            state = {"etag": current.headers["ETag"], "body": current.json()["body"]}

            def save(i: int) -> requests.Response:
                body = f"{state['body']}\n\nLatency benchmark save {i}.\n"
                answer = api.patch(
                    post_url, json={"body": body}, headers={"If-Match": state["etag"]}
                )
                state["etag"] = answer.headers.get("ETag", state["etag"])
                return answer

            results["save (PATCH /api/v1/posts/<slug>)"] = sample(save, requests_per_kind)
    finally:
        stop(proc, signal.SIGTERM, timeout=10)
    return results
