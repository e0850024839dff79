"""What `make install` builds (issue 14): no pip or setuptools older than its known security
fixes, an SPDX license (no setuptools deprecation warning), and progress shown while installing.

These read the Makefile and pyproject.toml and the environment the tests run in; none uses
the network (`make audit` is the check against the live advisory database).
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).parent.parent
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: The first release of each with every security fix known when this was written (setuptools
#: 65.5, which Python 3.11's venv brings, has CVE-2022-40897, CVE-2024-6345, CVE-2025-47273).
FIXED = {"pip": Version("26.2"), "setuptools": Version("83")}


def _tools() -> dict[str, Requirement]:
    found = re.search(r"^TOOLS := (.+)$", MAKEFILE, re.MULTILINE)
    assert found, "the Makefile names the pip and setuptools it installs in TOOLS"
    requirements = (Requirement(text) for text in re.findall(r'"([^"]+)"', found[1]))
    return {r.name: r for r in requirements}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_make_install_upgrades_pip_and_setuptools_past_their_security_fixes(name: str) -> None:
    requirement = _tools()[name]
    floor = min(Version(s.version) for s in requirement.specifier if s.operator == ">=")
    assert floor >= FIXED[name]
    assert "$(PY) -m pip install --upgrade $(TOOLS)" in MAKEFILE


def test_the_build_backend_asks_for_the_same_setuptools() -> None:
    (build,) = (Requirement(r) for r in PYPROJECT["build-system"]["requires"])
    assert build.name == "setuptools"
    assert build.specifier == _tools()["setuptools"].specifier


@pytest.mark.parametrize("name", sorted(FIXED))
def test_the_venv_the_tests_run_in_has_them(name: str) -> None:
    """The venv `make install` built (run `make install` again after pulling this)."""
    assert Version(version(name)) >= FIXED[name], f"{name} {version(name)}: run `make install`"


def test_the_license_is_an_spdx_expression_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"  # a TOML table here is deprecated by setuptools 77+
    for pattern in project["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_installing_shows_progress() -> None:
    install = MAKEFILE.split("$(STAMP):", 1)[1].split("\ninstall:", 1)[0]
    assert "--quiet" not in install
    assert install.count("@echo") >= 3


def test_make_audit_runs_pip_audit() -> None:
    assert re.search(r"^audit: install\n(\t.*\n)*\t\$\(VENV\)/bin/pip-audit", MAKEFILE, re.M)
