"""`taperline check` and `taperline learn` through the Click runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from taperline.catalogue_data import load_catalogue
from taperline.cli.main import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- check ------------------------------------------------------------------------------------


def test_plain_bedtime_dose_exits_0() -> None:
    code, out, _ = _run("check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00")
    assert code == 0, out
    assert "clonazePAM" in out
    assert "0.5 mg" in out
    assert "[SEED-AURA]" in out
    assert "does not replace them" in out


def test_opioid_exits_1_with_breathing_message() -> None:
    code, out, _ = _run(
        "check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00", "--with", "oxycodone"
    )
    assert code == 1
    assert "URGENT" in out
    assert "breathing" in out
    assert "[LABEL]" in out


def test_above_daily_maximum_exits_1_not_refused() -> None:
    code, out, _ = _run("check", "clonazepam", "--dose", "3 mg", "--at", "08:00", "--at", "22:00")
    assert code == 1
    assert "daily maximum" in out


def test_implausible_dose_exits_2_with_mcg_hint() -> None:
    code, _, err = _run("check", "clonazepam", "--dose", "50 mg", "--at", "22:00")
    assert code == 2
    assert "50 mcg" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("age", ["200", "-1"])
def test_age_out_of_range_exits_2(age: str) -> None:
    code, _, err = _run("check", "clonazepam", "--dose", "1 mg", f"--age={age}")
    assert code == 2
    assert "0-120" in err


def test_unknown_drug_exits_2() -> None:
    code, _, err = _run("check", "klonopn", "--dose", "1 mg")
    assert code == 2
    assert "unknown drug" in err
    assert len(err.strip().splitlines()) == 1


def test_mismatched_doses_and_times_exit_2() -> None:
    code, _, err = _run(
        "check", "clonazepam", "--dose", "1 mg", "--dose", "2 mg",
        "--at", "08:00", "--at", "12:00", "--at", "22:00",
    )  # fmt: skip
    assert code == 2
    assert "pair each dose" in err


def test_unknown_condition_lists_known_slugs() -> None:
    code, out, _ = _run("check", "clonazepam", "--dose", "1 mg", "--condition", "gout")
    assert code == 1
    assert "gout" in out
    assert "sleep-apnea" in out


def test_check_json() -> None:
    code, out, _ = _run(
        "check", "clonazepam", "--dose", "1 mg", "--at", "22:00",
        "--with", "oxycodone,alcohol,fluconazole,tea", "--condition", "sleep-apnea",
        "--age", "70", "--pregnant", "--weeks", "20", "--format", "json",
    )  # fmt: skip
    assert code == 1
    doc = json.loads(out)
    assert doc["drug"] == "clonazepam"
    assert doc["daily_dose_mg"] == 1.0
    assert doc["exit_code"] == 1
    assert doc["unknown"] == ["tea"]
    kinds = {f["kind"] for f in doc["findings"]}
    assert {"interaction", "caution", "age", "pregnancy", "duration", "unknown"} <= kinds
    assert doc["findings"][0]["severity"] == "urgent"
    assert len(doc["withdrawal_risk"]) == 2


def test_check_json_plain_exits_0() -> None:
    code, out, _ = _run(
        "check", "Klonopin", "--dose", "500 mcg", "--at", "22:00", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["doses"] == [{"time": "22:00", "amount_mg": 0.5}]


# --- learn ------------------------------------------------------------------------------------


def test_learn_clonazepam_text() -> None:
    code, out, _ = _run("learn", "clonazepam")
    assert code == 0
    for word in ("onset", "lasts", "Half-life", "steady state", "clear", "CBT-I", "insomnia"):
        assert word.lower() in out.lower(), word
    for source in ("[SEED-AURA]", "[LABEL]", "[SEED-INSOMNIA]", "[SEED-MICROTAPER]"):
        assert source in out
    assert "does not replace them" in out


def test_learn_clonazepam_json() -> None:
    code, out, _ = _run("learn", "clonazepam", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["drug_label"] == "clonazePAM"
    topics = {t["key"]: t for t in doc["topics"]}
    assert topics["alternatives"]["points"][0]["source"] == "SEED-INSOMNIA"
    assert all(p["text"] and p["source"] for t in doc["topics"] for p in t["points"])


@pytest.mark.parametrize("name", load_catalogue().names)
def test_learn_every_drug_exits_0(name: str) -> None:
    code, out, _ = _run("learn", name)
    assert code == 0, out
    assert "Half-life" in out


def test_learn_sparse_drug_says_so() -> None:
    code, out, _ = _run("learn", "zolpidem")
    assert code == 0
    assert "little else" in out


def test_learn_unknown_drug_exits_2() -> None:
    code, _, err = _run("learn", "nosuchdrug")
    assert code == 2
    assert "unknown drug" in err


@pytest.mark.parametrize("name", ["check", "learn"])
def test_commands_are_documented(name: str) -> None:
    code, out, _ = _run(name, "--help")
    assert code == 0
    assert "Usage:" in out
    assert "Examples:" in out
