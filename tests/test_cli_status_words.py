"""``taperline status`` as text says what the JSON says: the dose to stay on, the severity.

- A held cut that moves the dose times (1 mg at 22:00, then 0.5 mg at 08:00 and 0.375 mg at
  20:00; ccd831c): the 22:00 line is the dose to stay on until the clinician decides, with
  the command that logs it, and the new times say to take nothing then. Before, the text
  showed "22:00 ... 1 mg [due]" like any planned dose and the 08:00 line gave no hint of
  what to take instead; the JSON now says ``stay_only`` of such a line.
- A finding below urgent is printed as "[warning] message": the severity was read by Rich as
  a style tag and dropped, so the words "[warning]" never showed.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.held_cut import moved_store
from tests.support.held_cut import run_cli as _run

_EVENING = "2027-12-15T21:55+00:00"


def _status(tmp_path: Path, *args: str) -> str:
    with moved_store(tmp_path):
        pass
    result = _run(f"sqlite:///{tmp_path}/t.db", "status", *args, now=_EVENING)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_json_says_which_line_is_the_dose_to_stay_on(tmp_path: Path) -> None:
    doses = json.loads(_status(tmp_path, "--format", "json"))["doses_today"]
    assert [(d["time"], d["ask_clinician_first"], d["stay_only"]) for d in doses] == [
        ("08:00", True, False),
        ("20:00", True, False),
        ("22:00", False, True),
    ]


def test_the_text_names_the_dose_to_stay_on_and_what_to_take_at_the_new_times(
    tmp_path: Path,
) -> None:
    text = _status(tmp_path)
    assert (
        "  22:00  clonazePAM 1 mg  [stay on this dose until your clinician decides: the dose"
        " before the cut]\n         taperline log-dose --planned 22:00\n"
    ) in text
    assert (
        "  08:00  clonazePAM 0.5 mg  [new dose: ask your clinician first]\n"
        "         until they decide, take no dose at 08:00: stay on the dose before the cut,"
        " 1 mg at 22:00\n"
    ) in text
    assert "[due]" not in text


def test_a_finding_s_severity_is_shown_in_words(tmp_path: Path) -> None:
    with moved_store(tmp_path):
        pass
    url = f"sqlite:///{tmp_path}/t.db"
    # 1.5 mg on the held day: more than the dose before the cut (confirmed: it was taken)
    logged = _run(url, "log-dose", "--amount", "1.5 mg", "--confirm", now="2027-12-15T22:05+00:00")
    assert logged.exit_code == 0, logged.stderr
    result = _run(url, "status", now="2027-12-16T08:00+00:00")
    assert result.exit_code == 0, result.stderr
    findings = json.loads(
        _run(url, "findings", "--format", "json", now="2027-12-16T08:00+00:00").stdout
    )
    shown = [f for f in findings if f["severity"] != "urgent"]
    assert shown, findings
    assert f"  [{shown[0]['severity']}] {shown[0]['message']}" in result.stdout
