"""`taperline status` and `taperline findings`: today at a glance, and what the journal shows."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

import click

from taperline.cli.params import format_option
from taperline.cli.session import now, open_store, person, person_option, urgent_label

if TYPE_CHECKING:
    from taperline.cli.plain import Printer
    from taperline.service.documents import FindingOut, ReadinessOut, StatusOut
    from taperline.service.status_documents import DoseTodayOut

_EVIDENCE_SHOWN = 5  # evidence lines per finding in the table view (JSON has them all)


@click.command()
@format_option("table", "json", help_text="Output format.")
@person_option
def status(*, output_format: str, person_id: int | None) -> None:
    """Today's doses, the next dose change, the latest findings and the last 14 days."""
    from taperline.service import status as service_status
    from taperline.service import today_document

    store = open_store()
    state = service_status(store, person(store, person_id), now=now())
    document = today_document(state)  # the document GET /api/status answers
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(document)
        return
    _print_status(document)


def _print_plan_line(out: Printer, d: StatusOut) -> None:
    """No plan (and whether the day's doses are the regimen's), or a plan on hold."""
    plan = d["plan"]
    if plan is None:
        out.print("No plan in force (taperline plan ... --save, then plan approve).")
        if d["doses_today"]:
            out.print("Your usual doses (your regimen, from taperline init) until a plan starts:")
        else:
            out.print("No regimen recorded: taperline init --drug ... --dose ... --at ...")
    elif plan["status"] == "held":
        since = f" since {plan['held_from']}" if plan["held_from"] else ""
        out.print(
            f"Plan version {plan['version']} is on hold{since}: stay on this dose; no cut comes"
            " until your clinician approves the plan again."
        )


_ASK_BEFORE_MORE: Final = "ask your clinician before you take more today"
_INDENT: Final = "\n         "


def _dose_lines(doses: list[DoseTodayOut], *, answered: bool = False) -> list[str]:
    """Today's doses as the status prints them (the dashboard's words for a held cut's).

    ``answered``: the readiness check's cut has a clinician's answer; a dose to stay on is
    then one of a day finished on the dose before the cut (the new dose starts tomorrow).
    """
    from taperline.core.quantity import drug_label

    # a held cut that moved the dose times: the doses before it, at their own times
    stays = [dose for dose in doses if dose["stay_only"]]
    stay_only = ", ".join(f"{dose['amount']} at {dose['time']}" for dose in stays)
    # taken today already, so that a dose to stay on would make more than the dose before
    over = next((s["taken_already"] for s in stays if s["taken_already"] is not None), None)
    lines = []
    for dose in doses:
        head = f"  {dose['time']}  {drug_label(dose['drug'])} {dose['amount']}"
        due, stay, already = dose["status"] == "due", dose["stay_on_amount"], dose["taken_already"]
        if dose["ask_clinician_first"] and due:
            # A held cut is a question, not an instruction: no "how to take it".
            line = f"{head}  [new dose: ask your clinician first]"
            if stay is not None and already is not None:
                line += (
                    f"{_INDENT}the dose before the cut is {stay}, but you have taken {already}"
                    f" today already:{_INDENT}{_ASK_BEFORE_MORE}"
                )
            elif stay is not None:
                line += f"{_INDENT}until they decide, stay on {stay}:"
                line += f" taperline log-dose --amount '{stay}'"
            elif over is not None:
                line += (
                    f"{_INDENT}until they decide, take no dose at {dose['time']}. You have taken"
                    f" {over} today already:{_INDENT}{_ASK_BEFORE_MORE}"
                )
            elif stay_only:
                line += (
                    f"{_INDENT}until they decide, take no dose at {dose['time']}: stay on the"
                    f" dose before the cut, {stay_only}"
                )
        elif dose["stay_only"] and due and already is not None:
            line = (
                f"{head}  [the dose before the cut: not now]{_INDENT}you have taken {already}"
                f" today already: {dose['amount']} more would be more than the dose before the"
                f" cut;{_INDENT}{_ASK_BEFORE_MORE}"
            )
        elif dose["stay_only"] and due and dose["until_answer"] is not None:
            until = dose["until_answer"]
            line = (
                f"{head}  [the dose before the cut, until your clinician answered at {until}]"
                f"{_INDENT}if you took it before {until}, log it with the time you took it"
                " (today then finishes on the dose before the cut):"
                f"{_INDENT}taperline log-dose --planned {dose['time']} --time HH:MM"
            )
        elif due and dose["answer_first"] is not None:
            line = (
                f"{head}  [first say whether you took the {dose['answer_first']} dose]"
                f"{_INDENT}taken before your clinician answered, today finishes on the dose"
                " before the cut"
            )
        elif dose["stay_only"] and due and answered:
            line = (
                f"{head}  [the dose before the cut: finish today on it]{_INDENT}your clinician"
                " has answered; the new dose starts tomorrow, as you have taken a dose before"
                f" the cut today:{_INDENT}taperline log-dose --planned {dose['time']}"
            )
        elif dose["stay_only"] and due:
            line = (
                f"{head}  [stay on this dose until your clinician decides: the dose before the"
                f" cut]{_INDENT}taperline log-dose --planned {dose['time']}"
            )
        else:
            how = " ".join(i for i in dose["instructions"] if not i.startswith("Total dose"))
            line = f"{head}  [{dose['status']}]  {how}"
        lines.append(line)
    return lines


def _print_status(d: StatusOut) -> None:
    """The status as text (drawn by :class:`~taperline.cli.plain.Printer`: Rich's output)."""
    from taperline.cli.plain import Printer

    out = Printer()
    _print_urgent(d["findings"])
    out.print(f"[bold]Today, {d['today']}[/bold]")
    plan = d["plan"]
    _print_plan_line(out, d)
    if plan is not None and plan["guideline_mark"]:
        out.print(plan["guideline_mark"][:1].upper() + plan["guideline_mark"][1:], markup=False)
    ready = d["readiness"]
    if ready is not None:
        _print_readiness(out, ready)
    answered = ready is not None and ready["decided_by"] is not None
    for line in _dose_lines(d["doses_today"], answered=answered):
        out.print(line, markup=False)
    if d["pending_version"] is not None:
        out.print(f"Plan version {d['pending_version']} is proposed: your clinician decides on it.")
    out.print("Check-in: " + ("done" if d["checked_in_today"] else "not yet (taperline checkin)"))
    if d["questionnaire_due"]:
        out.print("Weekly questionnaires are due: taperline phq9 and taperline gad7.")
    if d["next_change"]:
        change = d["next_change"]
        out.print(f"Next change: {change['start_date']} to {change['daily_dose']} a day")
    proposal = d["proposal"]
    out.print(
        f"Suggestion: {proposal['action']}"
        + (" (clinician decides)" if proposal["clinician_only"] else "")
    )
    for finding in [f for f in d["findings"] if f["severity"] != "urgent"][:3]:
        # markup off: "[warning]" is the words shown, not a style (and so is a message's text)
        out.print(f"  [{finding['severity']}] {finding['message']}", markup=False)
    columns = ("date", "check-in", "mood", "anxiety", "burden", "SE %", "taken", "missed")
    rows = [
        (
            day["date"],
            "yes" if day["checked_in"] else "-",
            *(
                "-" if day[k] is None else f"{day[k]:.0f}"
                for k in ("mood_0_10", "anxiety_0_10", "burden", "se_pct")
            ),
            str(day["doses_taken"]),
            str(day["doses_missed"]),
        )
        for day in d["last_14_days"]
    ]
    out.table("Last 14 days", columns, rows)


def _print_readiness(out: Printer, ready: ReadinessOut) -> None:
    """The readiness check of the coming (or questioned) cut, in plain words."""
    verdict = ready["verdict"].capitalize()
    colour = {"proceed": "green", "caution": "yellow", "hold": "red"}[ready["verdict"]]
    out.print(
        f"[bold]Before the dose change: [{colour}]{verdict}[/{colour}][/bold]"
        + (" (your clinician has answered)" if ready["decided_by"] else "")
    )
    out.print(ready["patient_message"], markup=False)
    for signal in ready["signals"]:
        out.print(f"  {signal['level']:8} {signal['patient_text']}", markup=False)


def _print_urgent(findings: list[FindingOut]) -> None:
    for finding in findings:
        if finding["severity"] == "urgent":
            evidence = finding["evidence"]
            day = date.fromisoformat(evidence[0]["date"]) if evidence else None
            label = urgent_label(finding["kind"], day)
            click.secho(f"{label}: {finding['message']}", fg="red", bold=True)
            click.secho(f"  What to do: {finding['suggested_action']}", fg="red")


@click.command()
@format_option("table", "json", help_text="Output format (json: a list of finding objects).")
@person_option
def findings(*, output_format: str, person_id: int | None) -> None:
    """Advisory findings from your journal: flares, waves, interdose withdrawal and more.

    Each finding has a kind, a severity (info, warning, urgent), a message, the days and
    values behind it, a source and a suggested action. Findings advise; a clinician decides.
    """
    from taperline.service import finding_document, person_review

    store = open_store()
    result = person_review(store, person(store, person_id), now=now())
    documents = [finding_document(f) for f in result.findings]
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(documents)
        return
    _print_urgent(documents)
    if not documents:
        click.echo("No findings.")
    for f in documents:
        if f["severity"] == "urgent":
            continue
        click.echo(f"[{f['severity']}] {f['kind']}: {f['message']}")
        shown = f["evidence"][:_EVIDENCE_SHOWN]
        days = ", ".join(f"{e['date']} {e['label']} {e['value']}" for e in shown)
        more = " ..." if len(f["evidence"]) > len(shown) else ""
        click.echo(f"  evidence: {days}{more}")
        click.echo(f"  source: {f['source']}; suggested: {f['suggested_action']}")
    proposal = result.proposal
    click.echo(
        f"Suggestion: {proposal.words}"
        + (
            f" {proposal.hold_days} day{'s' if proposal.hold_days != 1 else ''}"
            if proposal.action == "hold"
            else ""
        )
    )
    for reason in result.skipped:
        click.echo(f"Not checked: {reason}")
