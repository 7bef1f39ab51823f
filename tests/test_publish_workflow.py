"""The GitHub Pages workflow: builds on every push with the one command, deploys build/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def _workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    (step,) = (s for s in job["steps"] if s.get("name") == name)
    return step


def test_workflow_builds_on_every_push_and_deploys_with_the_pages_actions():
    workflow = _workflow()
    assert "push" in workflow[True]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert uses[:3] == ["actions/checkout", "actions/setup-python", "actions/configure-pages"]
    assert _step(build, "Install")["run"] == "pip install ."
    assert build["steps"][-1]["uses"].startswith("actions/upload-pages-artifact@")
    assert build["steps"][-1]["with"]["path"] == "build/"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


@pytest.mark.slow
def test_the_workflow_build_command_publishes_a_fresh_clone_under_the_pages_path(freeze):
    step = _step(_workflow()["jobs"]["build"], "Build the site")
    assert "steps.pages.outputs.base_url" in step["env"]["SITE_URL"]
    command = step["run"].replace("python ", f"{sys.executable} ", 1)
    env = {**freeze.env, "SITE_URL": "https://someone.github.io/notes"}  # as configure-pages
    result = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    index = (Path(freeze.build_dir) / "index.html").read_text()
    assert 'href="/notes/posts/publishing/"' in index
    sitemap = (Path(freeze.build_dir) / "sitemap.xml").read_text()
    assert "<loc>https://someone.github.io/notes/posts/publishing/</loc>" in sitemap
