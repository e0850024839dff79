"""The independent FHIR R4 validator (tests/fhir_validator: node and @medplum's definitions).

``READY``: whether node and the packages are installed (``.ci/run`` installs them; set
``TAPERLINE_REQUIRE_FHIR_VALIDATOR`` to make its absence a failure, not a skip).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Final

import pytest

VALIDATOR: Final = Path(__file__).parent.parent / "fhir_validator"
READY: Final = (
    shutil.which("node") is not None
    and (VALIDATOR / "node_modules" / "@medplum" / "core").is_dir()
    and (VALIDATOR / "node_modules" / "@medplum" / "definitions").is_dir()
)
#: Skips a test without the validator (unless it is required).
needs_validator: Final = pytest.mark.skipif(
    not READY and not os.environ.get("TAPERLINE_REQUIRE_FHIR_VALIDATOR"),
    reason="node and tests/fhir_validator's packages are not installed (.ci/run installs them)",
)


def validate(files: list[Path]) -> dict[str, list[Any]]:
    """Each file's issues (an empty list: none), by file name."""
    done = subprocess.run(
        ["node", str(VALIDATOR / "validate.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(line["file"]).name: line["issues"] for line in lines}
