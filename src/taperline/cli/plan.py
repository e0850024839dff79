"""`taperline plan`: a taper made of real products, with the rule and source of each step."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from taperline.cli import render
from taperline.cli.main import fail
from taperline.cli.params import (
    DATE,
    DOSE,
    DURATION,
    at_option,
    dose_option,
    format_option,
    plot_option,
    schedule_from,
)
from taperline.cli.session import now, open_store, person, person_option
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.catalogue import Catalogue, Drug
    from taperline.core.plan import Hold, PlanRequest
    from taperline.core.quantity import Mass
    from taperline.core.strategies import CustomStep, FixedBand, Strategy

EPILOG = """\b
Examples:
  taperline plan clonazepam --dose "1 mg" --at 22:00 --strategy percent --percent 10 \\
      --every 14d --start 2027-01-04
  taperline plan clonazepam --dose "1 mg" --at 22:00 --strategy occupancy --ed50 "2 mg"
  taperline plan clonazepam --dose "1 mg" --at 22:00 --products "tablet 0.5 mg, odt 0.125 mg, \\
      liquid 0.1 mg/mL @ 0.1 mL"
  taperline plan clonazepam --dose "2 mg" --at 22:00 --strategy fixed \\
      --bands "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d" --override-reason "Nardi 2010 regimen"
  taperline plan clonazepam --dose "0.5 mg" --at 08:00 --dose "1 mg" --at 22:00 \\
      --strategy crossover --equivalence ASHTON
  taperline plan clonazepam --dose "1 mg" --at 22:00 --compare percent,occupancy,deprescribing
"""

_BAND_RE = re.compile(r"^\s*(?P<above>[^:]+):(?P<step>[^/]+)/(?P<every>.+?)\s*$")
_MONTHS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|months?|y|years?|w|weeks?)\s*$", re.I)


@click.command("propose", epilog=EPILOG)
@click.argument("drug_name", metavar="DRUG")
@dose_option("Current dose, e.g. '1 mg'. Repeat with --at for several daily doses.")
@at_option("Clock time of each current dose (HH:MM), one per --dose.")
@click.option(
    "--strategy",
    type=click.Choice(["percent", "fixed", "occupancy", "deprescribing", "crossover", "custom"]),
    default="percent",
    show_default=True,
    help="How the cuts are sized (see the docs).",
)
@click.option(
    "--percent",
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    default=10.0,
    show_default=True,
    help="percent: cut this % of the current dose; occupancy: of the start occupancy.",
)
@click.option(
    "--every",
    "every_h",
    type=DURATION,
    default="14d",
    show_default=True,
    help="Days between cuts (percent and occupancy), e.g. 14d or 2w.",
)
@click.option("--start", type=DATE, default=None, help="First day of the plan (default: today).")
@click.option(
    "--goal",
    type=DOSE,
    default=None,
    help="A maintenance dose to stop at instead of zero, e.g. '0.25 mg'.",
)
@click.option(
    "--stabilise",
    "stabilise_h",
    type=DURATION,
    default="14d",
    show_default=True,
    help="Time on the current dose before the first cut (2-4 weeks advised).",
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
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    default=25.0,
    show_default=True,
    help="Largest cut in % per 14 days (ASAM: 25).",
)
@click.option(
    "--override-reason",
    default=None,
    help="Allow cuts above the cap; the reason is recorded in the plan.",
)
@click.option(
    "--min-step", type=DOSE, default=None, help="Smallest cut worth making, e.g. '0.01 mg'."
)
@click.option(
    "--hold",
    "holds",
    multiple=True,
    metavar="DATE:DAYS",
    help="No cut in this period, e.g. 2027-03-01:14d. Repeatable.",
)
@click.option(
    "--final-hold",
    "final_hold_h",
    type=DURATION,
    default=None,
    help="Extra time on the smallest dose before stopping, e.g. 28d.",
)
@click.option(
    "--ed50",
    type=DOSE,
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
    type=click.Choice(["percent", "fixed", "occupancy", "deprescribing"]),
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
    "swap_h",
    type=DURATION,
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
    help="A condition to flag, e.g. epilepsy, sleep-apnea, pregnancy. Repeatable.",
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
def propose_command(**options: Any) -> None:
    """Propose a taper plan made only of doses that real products can deliver.

    Every step shows its date, daily dose, how to make each dose from the products,
    the % change, predicted occupancy, and the rule and source behind it. The plan is a
    proposal: a clinician approves it. It never increases a dose on its own, never
    exceeds the daily maximum, never cuts more than the cap without a recorded reason,
    and never stops abruptly.
    """
    from taperline.catalogue_data import load_catalogue

    catalogue = load_catalogue()
    request = _request(catalogue, options)
    if options["compare_text"]:
        if options["save"]:
            raise InputError("--save stores one plan: leave out --compare")
        _compare(request, options)
        return
    _single(request, options)


def _single(request: PlanRequest, options: dict[str, Any]) -> None:
    from taperline.adapters.documents import plan_document
    from taperline.core.compare import ed50_sensitivity
    from taperline.core.plan import propose

    result = propose(request)
    if options["save"]:
        _save(result, options)
    sensitivity = ed50_sensitivity(request) if request.strategy.kind == "occupancy" else ()
    document = plan_document(result, sensitivity)
    if options["plot_path"] is not None:
        from taperline.adapters.plots import plot_plan

        plot_plan(result, options["plot_path"])
    fmt_ = options["output_format"]
    if fmt_ == "json":
        render.print_json(document)
    elif fmt_ == "csv":
        render.print_csv(render.plan_rows(document))
    else:
        render.plan_table(document, options["plot_path"])


def _compare(request: PlanRequest, options: dict[str, Any]) -> None:
    from taperline.adapters.documents import plan_document
    from taperline.core.compare import compare, parse_kinds

    plans = compare(request, parse_kinds(options["compare_text"]))
    documents = [plan_document(p) for p in plans]
    if options["plot_path"] is not None:
        from taperline.adapters.plots import plot_plans

        plot_plans(plans, options["plot_path"])
    if options["output_format"] == "json":
        render.print_json({"compare": documents})
    elif options["output_format"] == "csv":
        render.print_csv([render.compare_row(d) for d in documents])
    else:
        render.compare_table(documents)


def _request(catalogue: Catalogue, o: dict[str, Any]) -> PlanRequest:
    from taperline.core.plan import Constraints, PlanRequest
    from taperline.core.quantity import Mass

    drug = catalogue.get(o["drug_name"])
    regimen = schedule_from(drug, o["doses"], o["clocks"])
    target = catalogue.get("diazepam") if drug.name != "diazepam" else None
    constraints = Constraints(
        max_cut_pct=_dec(o["cap"]),
        stabilisation_days=_days(o["stabilise_h"], "--stabilise", allow_zero=True),
        min_step=o["min_step"],
        holds=tuple(_hold(text) for text in o["holds"]),
        override_reason=o["override_reason"],
        final_hold_days=_days(o["final_hold_h"], "--final-hold") if o["final_hold_h"] else 0,
    )
    return PlanRequest(
        drug=drug,
        regimen=regimen,
        start=o["start"] or date.today(),  # noqa: DTZ011 -- the person's local calendar day
        strategy=_strategy(drug, o),
        goal=o["goal"] or Mass.zero(),
        constraints=constraints,
        products=_products(drug, o["products_text"]),
        use_months=_months(o["used_for"]),
        age_years=o["age"],
        conditions=_split_names(o["conditions"]),
        other_medicines=_split_names((o["others"],)),
        equivalence_source=_equivalence(drug, o["equivalence"]),
        target=target,
        alternate_days=o["alternate_days"],
        add_finer_products=not o["no_auto_liquid"],
    )


def _strategy(drug: Drug, o: dict[str, Any]) -> Strategy:
    from taperline.core.compare import default_fixed_bands
    from taperline.core.strategies import Strategy, nice_diazepam_bands

    kind = o["strategy"]
    base: dict[str, Any] = {
        "percent": _dec(o["percent"]),
        "interval_days": _days(o["every_h"], "--every"),
        "swap_days": _days(o["swap_h"], "--swap-every"),
    }
    if o["ed50"] is not None:
        base["ed50_mg"] = o["ed50"].mg
    if kind == "fixed" or (kind == "crossover" and o["then_kind"] == "fixed"):
        if o["bands_text"]:
            base["bands"] = _bands(o["bands_text"])
        else:
            base["bands"] = (
                nice_diazepam_bands() if kind == "crossover" else (default_fixed_bands(drug))
            )
    if kind == "custom":
        base["custom_steps"] = _custom(o["custom_text"], o["reason"])
    if kind == "crossover":
        then_kind = o["then_kind"]
        then = Strategy(kind=then_kind, **base)
        return Strategy(
            kind="crossover", then=then, **{k: v for k, v in base.items() if k != "bands"}
        )
    return Strategy(kind=kind, **base)


def _bands(text: str) -> tuple[FixedBand, ...]:
    from taperline.core.strategies import FixedBand

    bands = []
    for part in text.split(","):
        match = _BAND_RE.match(part)
        if match is None:
            fail(f"--bands item {part.strip()!r}: write ABOVE:STEP/EVERY, e.g. '1 mg:0.5 mg/14d'")
        above = _mass_or_zero(match["above"], "--bands")
        step = DOSE.convert(match["step"], None, None)
        every = _days(DURATION.convert(match["every"], None, None), "--bands")
        bands.append(FixedBand(above, step, every, "clinician"))
    return tuple(bands)


def _mass_or_zero(text: str, option: str) -> Mass:
    """A mass that may be zero (band boundaries)."""
    from taperline.core.quantity import Mass, parse_quantity

    quantity = parse_quantity(text)
    if not isinstance(quantity, Mass):
        fail(f"{option}: {text.strip()!r} is not a dose in mg or mcg")
    return quantity


def _custom(text: str | None, reason: str) -> tuple[CustomStep, ...]:
    from taperline.core.strategies import CustomStep

    if not text:
        fail("--strategy custom needs --custom 'DATE=DAILY DOSE, ...'")
    steps = []
    for part in text.split(","):
        when_text, sep, dose_text = part.partition("=")
        if not sep:
            fail(f"--custom item {part.strip()!r}: write DATE=DAILY DOSE, e.g. 2027-02-01=0.75 mg")
        when = DATE.convert(when_text, None, None)
        steps.append(CustomStep(when, _mass_or_zero(dose_text, "--custom"), reason))
    return tuple(steps)


def _products(drug: Drug, text: str | None) -> tuple[Any, ...] | None:
    from taperline.core.products import parse_products

    if text is None:
        return None
    return parse_products(text, drug=drug.name, source="prescriber", known=drug.products)


def _hold(text: str) -> Hold:
    from taperline.core.plan import Hold

    when_text, sep, days_text = text.partition(":")
    if not sep:
        fail(f"--hold {text!r}: write DATE:DAYS, e.g. 2027-03-01:14d")
    return Hold(
        DATE.convert(when_text, None, None),
        _days(DURATION.convert(days_text, None, None), "--hold"),
    )


def _equivalence(drug: Drug, source: str | None) -> str | None:
    if source is None:
        return None
    return drug.equivalence(source).source  # raises InputError naming the known sources


def _months(text: str | None) -> Decimal | None:
    if text is None:
        return None
    match = _MONTHS_RE.match(text)
    if match is None:
        fail(f"--used-for {text!r}: write e.g. 6m, 2y or 8w")
    value, unit = Decimal(match[1]), match[2].lower()
    per_unit = {"m": Decimal(1), "y": Decimal(12), "w": Decimal(12) / Decimal(52)}[unit[0]]
    return value * per_unit


def _days(hours: float, option: str, *, allow_zero: bool = False) -> int:
    days = hours / 24
    if days != int(days) or (days < 1 and not allow_zero):
        fail(f"{option}: give whole days, e.g. 14d or 2w")
    return int(days)


def _dec(value: float) -> Decimal:
    return Decimal(repr(value)).normalize()


def _split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    names = (name.strip() for value in values for name in value.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def _save(result: Any, options: dict[str, Any]) -> None:
    from taperline.service import save_plan

    store = open_store()
    person_id = person(store, options["person_id"])
    stored = save_plan(store, person_id, result, by=options["proposed_by"], now=now())
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
    `plan hold`, `plan adjust` and `plan reject` record other decisions, each as a new
    version with who and why. A plan never increases a dose on its own, never exceeds the
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


def _decide(action: str, options: dict[str, Any], **extra: Any) -> None:
    from taperline.core.quantity import fmt

    store = open_store()
    person_id = person(store, options["person_id"])
    new = store.decide(
        person_id,
        action,  # type: ignore[arg-type]  # the four commands pass the four PlanAction values
        by=options["by"],
        reason=options["reason"],
        at=now(),
        version=options["version"],
        **extra,
    )
    first = new.steps[0]
    click.echo(
        f"Plan version {new.version} is {new.status} (from version {new.parent_version}),"
        f" by {options['by']}: {options['reason']}. First step {first.start.isoformat()}:"
        f" {fmt(first.daily)} a day."
    )


@plan.command("approve")
@_decision_options
def approve(**options: Any) -> None:
    """Approve the proposed plan: it becomes the active plan (a new version records who and why)."""
    _decide("approve", options)


@plan.command("hold")
@_decision_options
def hold(**options: Any) -> None:
    """Hold the plan at the current dose: no further steps until it is approved again."""
    _decide("hold", options)


@plan.command("reject")
@_decision_options
def reject(**options: Any) -> None:
    """Reject a proposed plan (it is kept in the history, never deleted)."""
    _decide("reject", options)


@plan.command("adjust")
@_decision_options
@click.option(
    "--delay",
    type=DURATION,
    required=True,
    help="Postpone every step that has not started yet, e.g. 14d.",
)
def adjust(**options: Any) -> None:
    """Adjust the plan: postpone the steps not yet started; the result is a new proposal."""
    from taperline.core.record import postpone
    from taperline.service import local_today

    store = open_store()
    person_id = person(store, options["person_id"])
    versions = store.plans(person_id)
    if not versions:
        raise InputError("there is no plan yet (taperline plan ... --save)")
    today = local_today(store.profile(person_id).time_zone, now())
    steps = postpone(versions[-1].steps, today, _days(options["delay"], "--delay"))
    _decide("adjust", options, steps=steps)


@plan.command("history")
@format_option("table", "json", help_text="Output format.")
@person_option
def history(**options: Any) -> None:
    """List every version of your plan: status, who proposed and decided, when and why."""
    from taperline.service import plan_version_document

    store = open_store()
    versions = store.plans(person(store, options["person_id"]))
    if options["output_format"] == "json":
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
        )
