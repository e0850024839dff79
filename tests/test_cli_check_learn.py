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


def test_epilepsy_6_mg_is_within_the_seizure_maximum() -> None:
    code, out, _ = _run(
        "check", "clonazepam", "--dose", "2 mg", "--at", "08:00", "--at", "14:00",
        "--at", "22:00", "--condition", "epilepsy",
    )  # fmt: skip
    assert code == 1  # the epilepsy caution (never stop abruptly) is a warning
    assert "Daily maximum: 20 mg (for adults with a seizure disorder) [LABEL]" in out
    assert "within the maximum of 20 mg" in " ".join(w for w in out.split() if w != "│")
    assert "above the daily maximum" not in out
    assert "Sleep use" not in out


def test_unknown_names_say_ask_a_pharmacist_with_did_you_mean() -> None:
    code, out, _ = _run(
        "check", "clonazepam", "--dose", "1 mg", "--with", "oxycodon,tea", "--condition", "gout"
    )
    flat = " ".join(out.split())
    assert code == 1
    assert "unknown: ask a pharmacist: oxycodon (did you mean 'oxycodone'?), tea, gout" in flat


def test_crisis_words_in_a_condition_print_the_crisis_message_first() -> None:
    code, out, _ = _run("check", "clonazepam", "--dose", "1 mg", "--condition", "self-harm")
    assert code == 1
    assert out.startswith("If you are in danger, get help now")
    assert "988" in out
    assert "red_flag" in out


def test_check_json_has_classes_contraindications_and_unknown_details() -> None:
    code, out, _ = _run(
        "check", "clonazepam", "--dose", "1 mg", "--with", "Percocet 5/325,oxycodon",
        "--condition", "glaucoma (narrow angle)", "--age", "16", "--format", "json",
    )  # fmt: skip
    assert code == 1
    doc = json.loads(out)
    assert doc["classes"][0]["class"] == "opioids"
    assert doc["contraindications"] == ["narrow-angle-glaucoma"]
    assert doc["unknown_details"][0]["suggestion"] == "oxycodone"
    assert doc["daily_max_mg"] is None
    assert doc["refusals"]
    assert doc["clinician_flag"] is True
    assert all("clinician_flag" in f and "crisis" in f for f in doc["findings"])


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


def test_learn_clonazepam_interactions_and_who_should_not_take_it() -> None:
    code, out, _ = _run("learn", "clonazepam")
    flat = " ".join(out.split())
    assert code == 0
    assert "Interactions and who should not take it" in flat
    for words in (
        "Boxed warning: taking it with any opioid",
        "Opioids (for example codeine",
        "[FDA-GABAPENTINOIDS]",
        "Significant liver disease is a contraindication",
        "Acute narrow-angle glaucoma is a contraindication",
        "sensitivity to benzodiazepines",
        "Open-angle glaucoma under treatment is not a contraindication",
        "absence status",
        "Discuss pregnancy",
        "Discuss breastfeeding",
        "For adults with a seizure disorder: at most 20 mg",
        "For adults with panic disorder: at most 4 mg",
        "taperline uses the lowest: 4 mg a day",
        "dosed by body weight",
    ):
        assert words in flat, words


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
