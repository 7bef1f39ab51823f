"""Supply chain: hashed lock files used by make, the audit workflow, Dependabot, schedules."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
REQUIREMENTS = ROOT / "requirements"
LOCK_FILES = sorted(REQUIREMENTS.glob("*.txt"))
#: A pinned line of a lock file: `name==version` (with an environment marker perhaps).
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name}: not a YAML mapping"
    return data


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as True)."""
    return workflow[True]


def _runs(workflow: dict[str, Any]) -> list[str]:
    """Every `run:` command of every job, continuation lines joined."""
    return [
        " ".join(step["run"].split())
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]


def _pins(path: Path) -> dict[str, tuple[Version, str]]:
    """name -> (version, the lock's block for it) of a uv/pip-compile lock file."""
    text = path.read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pins = {}
    for block in blocks:
        if match := PIN.match(block):
            pins[canonicalize_name(match[1])] = (Version(match[2]), block)
    return pins


def test_lock_files_exist():
    assert [p.name for p in LOCK_FILES] == ["installers.txt", "lock.txt"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_workflow_parses_and_pins_its_actions(path: Path):
    workflow = _yaml(path)
    assert workflow.get("name"), f"{path.name}: no name"
    assert _triggers(workflow), f"{path.name}: no `on:` triggers"
    assert workflow["jobs"], f"{path.name}: no jobs"
    for name, job in workflow["jobs"].items():
        assert job.get("runs-on"), f"{path.name}: job {name} has no runs-on"
        for step in job["steps"]:
            assert "run" in step or "uses" in step, f"{path.name}: {step} does nothing"
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]), step["uses"]


def test_workflows_folder_holds_the_audit_and_the_pages_workflows():
    assert {p.name for p in WORKFLOWS} >= {"audit.yml", "publish.yml"}


def test_audit_workflow_runs_on_every_push_and_weekly():
    triggers = _triggers(_yaml(ROOT / ".github" / "workflows" / "audit.yml"))
    assert "push" in triggers
    (schedule,) = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*"), "weekly"
    assert weekday.isdigit(), "weekly: one day of the week"
    assert minute.isdigit()
    assert hour.isdigit()


def test_audit_workflow_audits_exactly_the_lock_files_that_exist():
    runs = _runs(_yaml(ROOT / ".github" / "workflows" / "audit.yml"))
    (pip_audit,) = (run for run in runs if run.startswith("pip-audit "))
    assert "--require-hashes" in pip_audit.split()
    audited = re.findall(r"(?:-r|--requirement)\s+(\S+)", pip_audit)
    assert sorted(audited) == [str(p.relative_to(ROOT)) for p in LOCK_FILES]
    assert all((ROOT / path).is_file() for path in audited)
    (npm_audit,) = (run for run in runs if run.startswith("npm audit"))
    assert "--package-lock-only" in npm_audit.split()
    assert (ROOT / "package-lock.json").is_file()


def test_dependabot_covers_python_npm_and_the_actions():
    config = _yaml(ROOT / ".github" / "dependabot.yml")
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"pip", "npm", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] in {"daily", "weekly"}
    # pyproject.toml keeps its compatible ranges; only the locks move.
    assert updates["pip"]["versioning-strategy"] == "lockfile-only"


def _make_install_commands(tmp_path: Path) -> list[str]:
    """What `make install` would run for a new venv (make -n: printed, not run)."""
    result = subprocess.run(
        ["make", "-n", "install", f"VENV={tmp_path / 'venv'}", "PYTHON=python3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [" ".join(line.split()) for line in result.stdout.replace("\\\n", " ").splitlines()]


def test_make_installs_only_hashed_pins_then_the_project_alone(tmp_path: Path):
    pip = [cmd for cmd in _make_install_commands(tmp_path) if " -m pip install " in cmd]
    assert pip, "make install runs no pip install"
    locked = [cmd for cmd in pip if "--require-hashes" in cmd.split()]
    assert [re.findall(r"-r (\S+)", cmd) for cmd in locked] == [
        ["requirements/installers.txt"],
        ["requirements/lock.txt"],
    ]
    # Anything else installs the project itself, resolving nothing and fetching no backend.
    for cmd in pip:
        if cmd not in locked:
            assert cmd.endswith(" -e ."), cmd
            assert {"--no-deps", "--no-build-isolation"} <= set(cmd.split()), cmd


def test_the_venv_is_rebuilt_when_a_lock_changes():
    makefile = (ROOT / "Makefile").read_text()
    (rule,) = re.findall(r"^\$\(STAMP\):(.*)$", makefile, re.MULTILINE)
    assert {"requirements/installers.txt", "requirements/lock.txt"} <= set(rule.split())
    assert re.search(r"^lock:", makefile, re.MULTILINE), "no `make lock` target"


def _dependencies() -> list[Requirement]:
    """pyproject.toml's runtime and dev dependencies (the extras the lock covers)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *extras["dev"], *extras["postgres"]]]


def test_the_lock_pins_every_dependency_within_its_range_with_hashes():
    pins = _pins(REQUIREMENTS / "lock.txt")
    for requirement in _dependencies():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"requirements/lock.txt lacks {name}: run `make lock`"
        version, block = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/lock.txt pins {name}=={version}, outside pyproject.toml's "
            f"{requirement.specifier}: run `make lock`"
        )
    for name, (_, block) in pins.items():
        assert "--hash=sha256:" in block, f"requirements/lock.txt: {name} has no hash"


def test_the_installers_build_the_project():
    installers = _pins(REQUIREMENTS / "installers.txt")
    assert set(installers) == {"pip", "setuptools"}
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    for requirement in map(Requirement, backend):
        version, _ = installers[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version), f"{requirement} vs {version}"
    # The main lock agrees (it is compiled with the installers as an input).
    pins = _pins(REQUIREMENTS / "lock.txt")
    assert {name: pins[name][0] for name in installers} == {
        name: version for name, (version, _) in installers.items()
    }


def test_pages_workflow_runs_hourly_so_scheduled_posts_go_live():
    workflow = _yaml(ROOT / ".github" / "workflows" / "publish.yml")
    (schedule,) = _triggers(workflow)["schedule"]
    minute, *rest = schedule["cron"].split()
    assert minute.isdigit()
    assert rest == ["*", "*", "*", "*"], "hourly"
    # A scheduled run is on the default branch, so the deploy job runs for it too.
    assert "default_branch" in workflow["jobs"]["deploy"]["if"]
