"""What `make setup` installs for production, what only the tests get, and `make bench`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DEV_TOOLS = ("pytest", "ruff", "hypothesis", "pyyaml")


def _make_dry_run(target: str, tmp_path: Path) -> str:
    """The commands `make <target>` would run on a fresh clone (a venv that does not exist yet)."""
    r = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_make_setup_installs_the_runtime_dependencies_only(tmp_path):
    installs = [line for line in _make_dry_run("setup", tmp_path).splitlines() if "pip install" in line]
    assert installs and not [line for line in installs if "[dev" in line]


def test_make_test_installs_the_dev_tools_and_the_postgres_driver(tmp_path):
    assert 'pip install -q -e ".[dev,postgres]"' in _make_dry_run("test", tmp_path)


def test_runtime_dependencies_hold_no_dev_tool_and_psycopg_is_the_postgres_extra():
    runtime = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    assert not [tool for tool in (*DEV_TOOLS, "psycopg") if tool in runtime]
    assert any(d.startswith("psycopg") for d in PYPROJECT["project"]["optional-dependencies"]["postgres"])


def test_the_license_is_an_spdx_expression_with_its_file():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"  # a table is deprecated by setuptools
    for pattern in PYPROJECT["project"]["license-files"]:
        assert list(ROOT.glob(pattern))


BENCHES = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if "__main__" in p.read_text())


def test_make_bench_runs_every_bench_as_a_module(tmp_path):
    # As scripts (python bench/x.py) they cannot import bench.common or tests.fakes.
    loop = re.search(r"for b in ([\w ]+); do \S+ -m bench\.\$b ", _make_dry_run("bench", tmp_path))
    assert loop, "make bench must run each bench with python -m bench.<name>"
    assert sorted(loop[1].split()) == BENCHES


@pytest.mark.parametrize("name", BENCHES)
def test_each_bench_imports_when_run_as_a_module(name):
    r = subprocess.run([sys.executable, "-c", f"import bench.{name}"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
