"""`taperline init`: crisis words in a condition print the crisis message at once; unknown
conditions and medicines are reported and kept as typed, never dropped."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from taperline.cli.main import cli
from taperline.service import open_store

NOW = "2027-01-05T20:00+00:00"


def _init(tmp_path: Path, *args: str) -> Result:
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TAPERLINE_NOW": NOW}
    return CliRunner().invoke(
        cli, ["init", "--time-zone", "Europe/London", "--no-ask", *args], env=env
    )


def test_crisis_words_in_a_condition_print_the_crisis_message(tmp_path: Path) -> None:
    result = _init(tmp_path, "--condition", "epilepsy", "--condition", "suicidal thoughts")
    assert result.exit_code == 0, result.output
    assert "Profile created" in result.stdout
    assert "Your profile mentions “suicidal thoughts”" in result.stdout
    assert "988" in result.stdout
    assert "unknown" not in result.stdout


def test_unknown_conditions_and_medicines_are_reported_and_kept(tmp_path: Path) -> None:
    result = _init(
        tmp_path,
        "--condition", "epilepsey",
        "--condition", "gout",
        "--medicine", "OxyContin",
        "--medicine", "wonderpill",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "unknown: ask a pharmacist: the condition 'epilepsey' (did you mean 'epilepsy'?)" in out
    assert "the condition 'gout'" in out
    assert "the medicine 'wonderpill'" in out
    assert "OxyContin" not in out  # an opioid: recognised
    assert "988" not in out
    profile = open_store(f"sqlite:///{tmp_path}/t.db").profile(1)
    assert profile.conditions == ("epilepsey", "gout")
    assert profile.other_medicines == ("OxyContin", "wonderpill")
