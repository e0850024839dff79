"""`taperline plan`: a taper made of real products, with the rule and source of each step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from taperline.cli import render
from taperline.cli.params import at_option, dose_option, format_option, option_names, plot_option
from taperline.cli.session import now, open_store, person, person_option
from taperline.errors import InputError
from taperline.plan_input import STRATEGY_CHOICES, THEN_CHOICES, PlanSpec

if TYPE_CHECKING:
    from taperline.core.plan import Plan, PlanRequest
    from taperline.core.quantity import Mass
    from taperline.core.record import PlanAction, Profile

EPILOG = """\b
Examples:
  taperline plan clonazepam --dose "1 mg" --at 22:00 --strategy percent --percent 10 \\
      --every 14d --start tomorrow
  taperline plan clonazepam --dose "1 mg" --at 22:00 --strategy occupancy --ed50 "2 mg"
  taperline plan clonazepam --dose "1 mg" --at 22:00 --products "tablet 0.5 mg, odt 0.125 mg, \\
      liquid 0.1 mg/mL @ 0.1 mL"
  taperline plan clonazepam --dose "2 mg" --at 22:00 --strategy fixed \\
      --bands "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d" --override-reason "Nardi 2010 regimen"
  taperline plan clonazepam --dose "0.5 mg" --at 08:00 --dose "1 mg" --at 22:00 \\
      --strategy crossover --equivalence ASHTON
  taperline plan clonazepam --dose "1 mg" --at 22:00 --compare percent,occupancy,deprescribing
"""


@click.command("propose", epilog=EPILOG)
@click.argument("drug_name", metavar="DRUG")
@dose_option("Current dose, e.g. '1 mg'. Repeat with --at for several daily doses.")
@at_option("Clock time of each current dose (HH:MM), one per --dose.")
@click.option(
    "--strategy",
    type=click.Choice(list(STRATEGY_CHOICES)),
    default="percent",
    show_default=True,
    help="How the cuts are sized (see the docs).",
)
@click.option(
    "--percent",
    default="10",
    show_default=True,
    help="percent: cut this % of the current dose; occupancy: of the start occupancy.",
)
@click.option(
    "--every",
    default="14d",
    show_default=True,
    help="Days between cuts (percent and occupancy), e.g. 14d or 2w.",
)
@click.option(
    "--start",
    default=None,
    help="First day of the plan: YYYY-MM-DD, today or tomorrow (default: today).",
)
@click.option(
    "--goal", default=None, help="A maintenance dose to stop at instead of zero, e.g. '0.25 mg'."
)
@click.option(
    "--stabilise",
    default="14d",
    show_default=True,
    help="Time on the current dose before the first cut (the guideline: at least 14 days).",
)
@click.option(
    "--products",
    "products_text",
    default=None,
    help="Products available, e.g. 'tablet 0.5 mg /2, odt 0.125 mg, liquid 0.1 mg/mL "
    "@ 0.1 mL' (default: the catalogue's tablets and ODTs).",
)
@click.option(
    "--no-auto-liquid",
    is_flag=True,
    help="Do not add the liquid when cuts get smaller than tablets allow; stop instead.",
)
@click.option(
    "--cap",
    default="25",
    show_default=True,
    help="Largest fall in % in any 14 days (the guideline, ASAM: 25; more needs "
    "--override-reason).",
)
@click.option(
    "--override-reason",
    default=None,
    help="Allow the plan outside the guideline (cuts above the cap, a shorter stabilisation,"
    " a faster strategy); a sentence a colleague could audit. The plan is then marked"
    " 'outside the guideline by clinician override' everywhere it is shown.",
)
@click.option("--min-step", default=None, help="Smallest cut worth making, e.g. '0.01 mg'.")
@click.option(
    "--hold",
    "holds",
    multiple=True,
    metavar="DATE:DAYS",
    help="No cut in this period, e.g. 2027-03-01:14d. Repeatable.",
)
@click.option(
    "--final-hold", default=None, help="Extra time on the smallest dose before stopping, e.g. 28d."
)
@click.option(
    "--ed50",
    default=None,
    help="Occupancy strategy: daily dose with half-maximal occupancy (an assumption).",
)
@click.option(
    "--bands",
    "bands_text",
    default=None,
    help="fixed: bands 'ABOVE:STEP/EVERY, ...', e.g. '1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d'.",
)
@click.option(
    "--custom",
    "custom_text",
    default=None,
    help="custom: 'DATE=DAILY DOSE, ...', e.g. '2027-02-01=0.75 mg, 2027-03-01=0.5 mg'.",
)
@click.option(
    "--reason", default="", help="custom: the clinical reason (required for any increase)."
)
@click.option(
    "--then",
    "then_kind",
    type=click.Choice(list(THEN_CHOICES)),
    default="fixed",
    show_default=True,
    help="crossover: how diazepam is tapered after the switch (fixed = NICE-CKS).",
)
@click.option(
    "--equivalence",
    default=None,
    help="crossover: the equivalence source, e.g. ASHTON or VADOD-2021.",
)
@click.option(
    "--swap-every",
    default="7d",
    show_default=True,
    help="crossover: time between switching one dose and the next.",
)
@click.option(
    "--alternate-days",
    is_flag=True,
    help="Long half-life drugs only: an every-other-day step before stopping.",
)
@click.option("--age", type=click.IntRange(0, 120), default=None, help="Age in years.")
@click.option(
    "--used-for", "used_for", default=None, help="How long it has been taken, e.g. 6m, 2y or 8w."
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    help="A condition or what it is taken for, e.g. epilepsy (its own daily maximum), "
    "sleep-apnea, pregnancy. Repeatable.",
)
@click.option(
    "--with",
    "others",
    default="",
    help="Other substances taken, comma-separated, e.g. 'oxycodone,alcohol'.",
)
@click.option(
    "--compare",
    "compare_text",
    default=None,
    help="Compare strategies side by side, e.g. percent,occupancy,deprescribing.",
)
@format_option("table", "json", "csv", help_text="Output format.")
@plot_option("Also write a chart of dose and occupancy (.svg or .png).")
@click.option(
    "--save", is_flag=True, help="Store the plan in your journal as a proposal (a new version)."
)
@click.option("--by", "proposed_by", default="patient", show_default=True, help="Who proposes it.")
@person_option
def propose_command(
    *,
    drug_name: str,
    doses: tuple[Mass, ...],
    clocks: tuple[time, ...],
    strategy: str,
    percent: str,
    every: str,
    start: str | None,
    goal: str | None,
    stabilise: str,
    products_text: str | None,
    no_auto_liquid: bool,
    cap: str,
    override_reason: str | None,
    min_step: str | None,
    holds: tuple[str, ...],
    final_hold: str | None,
    ed50: str | None,
    bands_text: str | None,
    custom_text: str | None,
    reason: str,
    then_kind: str,
    equivalence: str | None,
    swap_every: str,
    alternate_days: bool,
    age: int | None,
    used_for: str | None,
    conditions: tuple[str, ...],
    others: str,
    compare_text: str | None,
    output_format: str,
    plot_path: Path | None,
    save: bool,
    proposed_by: str,
    person_id: int | None,
) -> None:
    """Propose a taper plan made only of doses that real products can deliver.

    Every step shows its date, daily dose, how to make each dose from the products,
    the % change, predicted occupancy, and the rule and source behind it. The plan is a
    proposal: a clinician approves it. It never increases a dose on its own, never
    exceeds the daily maximum for the indication, never falls more than the guideline's
    cap (25 % in any 14 days) without a recorded override reason, never faster than the
    fastest documented taper, and never stops abruptly.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.plan_input import build_request

    profile = _profile(person_id) if save else None
    today = now().astimezone().date()
    if profile is not None:
        from taperline.service import local_today

        today = local_today(profile.time_zone, now())
    try:
        spec = PlanSpec(
            drug=drug_name,
            doses=_dose_texts(doses, clocks),
            strategy=strategy,
            percent=percent,
            every=every,
            start=start,
            goal=goal,
            stabilise=stabilise,
            products=products_text,
            auto_liquid=not no_auto_liquid,
            cap_pct=cap,
            override_reason=override_reason,
            min_step=min_step,
            holds=holds,
            final_hold=final_hold,
            ed50=ed50,
            bands=bands_text,
            custom=custom_text,
            reason=reason,
            then=then_kind,
            equivalence=equivalence,
            swap_every=swap_every,
            alternate_days=alternate_days,
            age=age,
            used_for=used_for,
            conditions=conditions,
            others=(others,),
        )
        request = build_request(load_catalogue(), _with_profile(spec, profile), today=today)
    except InputError as error:
        raise type(error)(option_names(str(error), _OPTIONS)) from None
    shown = _Shown(output_format, plot_path)
    if compare_text:
        if save:
            raise InputError("--save stores one plan: leave out --compare")
        _compare(request, compare_text, shown)
        return
    _single(request, shown, _Saving(person_id, proposed_by) if save else None)


#: The shared plan fields (see taperline.plan_input) and the options that carry them.
_OPTIONS = {
    "cap_pct": "--cap",
    "override_reason": "--override-reason",
    "min_step": "--min-step",
    "holds": "--hold",
    "final_hold": "--final-hold",
    "swap_every": "--swap-every",
    "used_for": "--used-for",
    **{
        name: f"--{name}"
        for name in (
            "percent", "every", "start", "goal", "stabilise", "products", "ed50", "bands",
            "custom", "then", "equivalence", "strategy", "age",
        )
    },
}  # fmt: skip


def _profile(person_id: int | None) -> Profile:
    """The profile of the person whose journal the plan is saved to (--save).

    Saved, their today, age, conditions and other medicines count; else the machine's date.
    """
    store = open_store()
    return store.profile(person(store, person_id))


def _dose_texts(doses: tuple[Mass, ...], clocks: tuple[time, ...]) -> tuple[tuple[str, str], ...]:
    """--dose/--at as the shared plan request text: (dose, HH:MM) pairs, e.g. ('1 mg', '22:00').

    One dose at several times is that dose at each.
    """
    from taperline.core.quantity import fmt

    if len(doses) == 1:
        doses *= len(clocks)
    if len(doses) != len(clocks):
        raise InputError(
            f"give one --at per --dose (got {len(doses)} doses and {len(clocks)} times)"
        )
    return tuple((fmt(d), f"{c:%H:%M}") for d, c in zip(doses, clocks, strict=True))


def _with_profile(spec: PlanSpec, profile: Profile | None) -> PlanSpec:
    """``spec`` with the profile's age (when --age is not given), conditions and other medicines."""
    if profile is None:
        return spec
    return replace(
        spec,
        age=spec.age if spec.age is not None else profile.age_years,
        conditions=(*spec.conditions, *profile.conditions),
        others=(*spec.others, *profile.other_medicines),
    )


@dataclass(frozen=True, slots=True)
class _Shown:
    """How a proposal is shown: --format and --plot."""

    output_format: str
    plot_path: Path | None


@dataclass(frozen=True, slots=True)
class _Saving:
    """Where a proposal is saved (--save): the person's journal, proposed by --by."""

    person_id: int | None
    proposed_by: str


def _single(request: PlanRequest, shown: _Shown, saving: _Saving | None) -> None:
    from taperline.adapters.documents import plan_document
    from taperline.core.compare import ed50_sensitivity
    from taperline.core.plan import propose

    result = propose(request)
    if saving is not None:
        _save(result, saving)
    sensitivity = ed50_sensitivity(request) if request.strategy.kind == "occupancy" else ()
    document = plan_document(result, sensitivity)
    if shown.plot_path is not None:
        from taperline.adapters.plots import plot_plan

        plot_plan(result, shown.plot_path)
    if shown.output_format == "json":
        render.print_json(document)
    elif shown.output_format == "csv":
        render.print_csv(render.plan_rows(document))
    else:
        render.plan_table(document, shown.plot_path)


def _compare(request: PlanRequest, kinds: str, shown: _Shown) -> None:
    from taperline.adapters.documents import plan_document
    from taperline.core.compare import compare, parse_kinds

    plans = compare(request, parse_kinds(kinds))
    documents = [plan_document(p) for p in plans]
    if shown.plot_path is not None:
        from taperline.adapters.plots import plot_plans

        plot_plans(plans, shown.plot_path)
    if shown.output_format == "json":
        render.print_json({"compare": documents})
    elif shown.output_format == "csv":
        render.print_csv([render.compare_row(d) for d in documents])
    else:
        render.compare_table(documents)


def _save(result: Plan, saving: _Saving) -> None:
    from taperline.service import save_plan

    store = open_store()
    person_id = person(store, saving.person_id)
    stored = save_plan(store, person_id, result, by=saving.proposed_by, now=now())
    click.echo(
        f"Saved as plan version {stored.version} (proposed): a clinician approves it with"
        " `taperline plan approve --by NAME --reason TEXT`.",
        err=True,
    )


class PlanGroup(click.Group):
    """`taperline plan DRUG ...` proposes; `taperline plan approve|hold|...` decides."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Anything that is not a subcommand's name goes to `propose` whole."""
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "propose", propose_command, args


@click.group(
    cls=PlanGroup,
    invoke_without_command=False,
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    epilog=EPILOG,
)
def plan() -> None:
    """Propose a taper plan made of real products, and record clinicians' decisions on it.

    `taperline plan DRUG --dose ... --at ...` is `taperline plan propose` (see its --help):
    every step shows its date, daily dose, how to make each dose, the rule and its source.
    With --save the plan is stored as a proposal; `plan approve` makes it active, and
    `plan hold`, `plan adjust`, `plan proceed` (go ahead with a cut the readiness check
    holds) and `plan reject` record other decisions, each as a new version with who and
    why. A plan never increases a dose on its own, never exceeds the
    daily maximum, and never stops abruptly.
    """


plan.add_command(propose_command)


def _decision_options(function: Any) -> Any:
    function = person_option(function)
    function = click.option(
        "--version",
        type=click.IntRange(min=1),
        default=None,
        help="Version decided on (default latest).",
    )(function)
    function = click.option("--reason", required=True, help="Why (recorded with the decision).")(
        function
    )
    return click.option("--by", "by", required=True, help="Who decides (recorded).")(function)


@dataclass(frozen=True, slots=True)
class Decision:
    """The options every plan decision takes: who decides, why, on which version, whose plan."""

    by: str
    reason: str
    version: int | None
    person_id: int | None


def _decide(action: PlanAction, decision: Decision, delay_days: int | None = None) -> None:
    from taperline.core.quantity import fmt
    from taperline.service import decide_plan

    store = open_store()
    person_id = person(store, decision.person_id)
    new = decide_plan(
        store,
        person_id,
        action,
        by=decision.by,
        reason=decision.reason,
        now=now(),
        version=decision.version,
        delay_days=delay_days,
    )
    first = new.steps[0]
    if action == "proceed":
        click.echo(
            f"Plan version {new.version} (from version {new.parent_version}) records the"
            f" decision of {decision.by}: {new.reason}"
        )
        return
    click.echo(
        f"Plan version {new.version} is {new.status} (from version {new.parent_version}),"
        f" by {decision.by}: {decision.reason}. First step {first.start.isoformat()}:"
        f" {fmt(first.daily)} a day."
    )
    if new.mark:
        click.echo(f"{new.mark[:1].upper()}{new.mark[1:]}.")


@plan.command("approve")
@_decision_options
def approve(*, by: str, reason: str, version: int | None, person_id: int | None) -> None:
    """Approve the proposed plan: it becomes the active plan (a new version records who and why).

    Approving a held plan resumes it: the steps not yet taken move later by the days it was
    held, so no cut is skipped or doubled. The plan is checked by the safety rules first.
    """
    _decide("approve", Decision(by, reason, version, person_id))


@plan.command("hold")
@_decision_options
def hold(*, by: str, reason: str, version: int | None, person_id: int | None) -> None:
    """Hold the plan at today's dose: no further cut until a clinician approves it again."""
    _decide("hold", Decision(by, reason, version, person_id))


@plan.command("proceed")
@_decision_options
def proceed(*, by: str, reason: str, version: int | None, person_id: int | None) -> None:
    """Go ahead with the coming cut although the readiness check says Hold or Caution.

    From 3 days before a cut (and after it, while the patient is asked to check with you),
    `taperline status` shows the readiness check. Proceeding records your go-ahead with
    that cut as a new version of the active plan (who, when and why; the steps are
    unchanged): the patient's status, dashboard and calendar then show the new dose as
    planned. To pause instead, use `taperline plan hold`.
    """
    _decide("proceed", Decision(by, reason, version, person_id))


@plan.command("reject")
@_decision_options
def reject(*, by: str, reason: str, version: int | None, person_id: int | None) -> None:
    """Reject a proposed plan (it is kept in the history, never deleted)."""
    _decide("reject", Decision(by, reason, version, person_id))


@plan.command("adjust")
@_decision_options
@click.option(
    "--delay",
    required=True,
    help="Postpone every step that has not started yet, e.g. 14d or 2w.",
)
def adjust(*, by: str, reason: str, version: int | None, person_id: int | None, delay: str) -> None:
    """Adjust the plan: postpone the steps not yet started; the result is a new proposal.

    The adjusted plan is checked by the same safety rules as a new one.
    """
    from taperline.plan_input import parse_days

    _decide(
        "adjust",
        Decision(by, reason, version, person_id),
        delay_days=parse_days(delay, "delay"),
    )


@plan.command("history")
@format_option("table", "json", help_text="Output format.")
@person_option
def history(*, output_format: str, person_id: int | None) -> None:
    """List every version of your plan: status, who proposed and decided, when and why."""
    from taperline.service import plan_version_document

    store = open_store()
    versions = store.plans(person(store, person_id))
    if output_format == "json":
        render.print_json([plan_version_document(v) for v in versions])
        return
    if not versions:
        click.echo("No plan saved yet.")
    for v in versions:
        decided = f"; {v.status} by {v.decided_by}" if v.decided_by else ""
        click.echo(
            f"v{v.version} {v.status:9} {v.drug} {v.strategy}, {len(v.steps)} steps from"
            f" {v.steps[0].start.isoformat()}; proposed by {v.proposed_by}{decided}"
            + (f": {v.reason}" if v.reason else "")
            + (f" [{v.mark}]" if v.mark else "")
            + (f" (held on the dose of {v.held_from.isoformat()})" if v.held_from else "")
        )
