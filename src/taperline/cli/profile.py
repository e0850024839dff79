"""`taperline init`: the person's profile, and the regimen they take before a plan starts.

The profile is the time zone, age band, conditions and other medicines; the regimen is the
drug, its doses and times, which logged doses are matched against until a plan starts.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, TypeVar

import click

from taperline.cli import session
from taperline.cli.params import CLOCK, DOSE, ZONE
from taperline.cli.session import now, open_store, person, person_option
from taperline.core.record import AGE_BANDS
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.quantity import Mass
    from taperline.core.record import AgeBand, Profile, Regimen

__all__ = ["ask_choice", "asking", "init"]

_C = TypeVar("_C", bound=str)


# --- init ----------------------------------------------------------------------------------


@click.command()
@click.option("--time-zone", default=None, help="Your IANA time zone, e.g. Europe/London.")
@click.option("--age-band", type=click.Choice(AGE_BANDS), default=None, help="Your age band.")
@click.option("--condition", "conditions", multiple=True, help="A condition you have (repeatable).")
@click.option(
    "--medicine", "medicines", multiple=True, help="Another medicine you take (repeatable)."
)
@click.option("--label", default=None, help="How reports name you (a pseudonym is fine).")
@click.option(
    "--drug", default=None, help="The medicine you take now, e.g. clonazepam (your regimen)."
)
@click.option(
    "--dose",
    "doses",
    type=DOSE,
    multiple=True,
    help="A dose of your regimen, e.g. '0.5 mg' (repeatable, paired with --at; one dose for"
    " every --at when given once).",
)
@click.option(
    "--at", "clocks", type=CLOCK, multiple=True, help="When you take it, HH:MM (repeatable)."
)
@click.option(
    "--no-regimen",
    is_flag=True,
    help="Remove the regimen recorded (you no longer take it, or it was wrong).",
)
@click.option("--ask/--no-ask", default=None, help="Ask for each value (default: on a terminal).")
@person_option
def init(
    *,
    time_zone: str | None,
    age_band: AgeBand | None,
    conditions: tuple[str, ...],
    medicines: tuple[str, ...],
    label: str | None,
    drug: str | None,
    doses: tuple[Mass, ...],
    clocks: tuple[time, ...],
    no_regimen: bool,
    ask: bool | None,
    person_id: int | None,
) -> None:
    """Create (or update) your profile and the regimen you take now.

    The profile: time zone, age band, conditions and other medicines. The regimen: the
    medicine you take now, each dose and when, for example --drug clonazepam --dose "0.5 mg"
    --at 22:00. Until a plan starts, each dose you log is matched against it (your usual
    nightly dose is never "extra"). A regimen above the daily maximum for what you take it
    for (your conditions; the lowest maximum when they do not say) is refused.

    The journal is kept in a SQLite file in your user data directory unless
    TAPERLINE_DATABASE_URL names another database.
    """
    from taperline.core.record import Profile

    store = open_store()
    existing = person(store, person_id) if store.person_ids() else None
    current = store.profile(existing) if existing is not None else None
    ask = asking(ask, given=time_zone is not None)
    time_zone = time_zone or (current.time_zone if current else None)
    if ask:  # no default but the one the profile has: taperline cannot know where you are
        time_zone = click.prompt("Time zone (IANA name, e.g. Europe/London)", time_zone, type=ZONE)
    if time_zone is None:
        raise InputError("--time-zone is required, e.g. --time-zone Europe/London")
    age_band = age_band or (current.age_band if current else None)
    if ask:
        age_band = ask_choice("Age band", AGE_BANDS, age_band, blank="to skip")
    conditions = conditions or (current.conditions if current else ())
    medicines = medicines or (current.other_medicines if current else ())
    if ask:
        conditions = _ask_list("Conditions (comma-separated, blank for none)", conditions)
        medicines = _ask_list("Other medicines (comma-separated, blank for none)", medicines)
    if no_regimen and (drug is not None or doses or clocks):
        raise InputError("--no-regimen removes the regimen: leave out --drug, --dose and --at")
    regimen = _regimen_given(drug, doses, clocks) or (current.regimen if current else None)
    if no_regimen:
        regimen = None
    elif ask:
        regimen = _ask_regimen(regimen)
    label = label or (current.label if current else "Person A")
    from taperline.zones import check_zone

    time_zone = check_zone(time_zone, "--time-zone")
    profile = Profile(time_zone, age_band, tuple(conditions), tuple(medicines), label, regimen)
    from taperline.service import save_profile

    saved = store.profile(save_profile(store, existing, profile, now=now()))
    if existing is not None:
        click.echo(f"Profile updated ({profile.time_zone}).")
    else:
        click.echo(f"Profile created ({profile.time_zone}). Next: taperline plan ... --save")
    if saved.regimen is not None:
        click.echo(
            f"Your regimen: {saved.regimen.text}. Until a plan starts, the doses you log are"
            " matched against it."
        )
    else:
        click.echo("No regimen recorded: add it with --drug, --dose and --at.")
    _report_profile(profile)


def _regimen_given(
    drug: str | None, doses: tuple[Mass, ...], clocks: tuple[time, ...]
) -> Regimen | None:
    """The regimen of --drug/--dose/--at (None: none given); one dose for every --at if once."""
    from taperline.core.record import Regimen

    if drug is None and not doses and not clocks:
        return None
    if drug is None or not doses or not clocks:
        raise InputError(
            "a regimen needs --drug, --dose and --at together,"
            ' e.g. --drug clonazepam --dose "0.5 mg" --at 22:00'
        )
    if len(doses) == 1:
        doses *= len(clocks)
    if len(doses) != len(clocks):
        raise InputError(
            f"give one --at per --dose (got {len(doses)} doses and {len(clocks)} times)"
        )
    return Regimen.of(drug, ((f"{c:%H:%M}", d) for c, d in zip(clocks, doses, strict=True)))


def _ask_regimen(current: Regimen | None) -> Regimen | None:
    """The regimen asked on a terminal: the drug, then its doses and times (blank: none)."""
    from taperline.core.record import Regimen, doses_text, read_doses

    drug = click.prompt(
        "The medicine you take now (e.g. clonazepam; blank for none)",
        default=current.drug if current else "",
        show_default=current is not None,
    ).strip()
    if not drug:
        return None
    while True:
        text = click.prompt(
            "Each dose and when you take it (e.g. 0.5 mg at 22:00, comma-separated)",
            default=doses_text(current) if current else "",
            show_default=current is not None,
        )
        try:
            return Regimen.of(drug, read_doses(str(text)))
        except InputError as error:
            click.echo(f"Error: {error}", err=True)


def _report_profile(profile: Profile) -> None:
    """Crisis words at once, and the names taperline does not recognise (kept as typed)."""
    from taperline.catalogue_data import load_catalogue
    from taperline.core.findings import crisis_message
    from taperline.core.screening import recognise

    found = recognise(
        load_catalogue(), agents=profile.other_medicines, conditions=profile.conditions
    )
    if found.crisis:
        typed = ", ".join(f"“{m.typed}”" for m in found.crisis)
        click.echo(
            f"Your profile mentions {typed}. {crisis_message()} Please tell your prescriber "
            "today, and make no dose change on your own."
        )
    for unknown in found.unknown:
        hint = f" (did you mean {unknown.suggestion!r}?)" if unknown.suggestion else ""
        what = "medicine" if unknown.field == "agent" else "condition"
        click.echo(
            f"unknown: ask a pharmacist: the {what} {unknown.name!r}{hint} is kept as typed, "
            "but taperline does not recognise it."
        )


def ask_choice(
    prompt: str, choices: tuple[_C, ...], current: _C | None, *, blank: str
) -> _C | None:
    """One of ``choices``, or None for a blank answer: the prompt lists the real choices."""
    answer = click.prompt(
        f"{prompt} ({', '.join(choices)}; blank {blank})",
        type=click.Choice(("", *choices)),
        default=current or "",
        show_default=current is not None,
        show_choices=False,
    )
    return next((choice for choice in choices if choice == answer), None)


def _ask_list(prompt: str, current: tuple[str, ...]) -> tuple[str, ...]:
    text = click.prompt(prompt, default=", ".join(current), show_default=bool(current))
    return tuple(part.strip() for part in str(text).split(",") if part.strip())


def asking(flag: bool | None, *, given: bool) -> bool:  # noqa: FBT001 -- Click's tri-state --ask/--no-ask value
    """Whether to ask for values: as --ask/--no-ask says, else on a terminal with none given."""
    if flag is not None:
        return flag
    return not given and session.on_terminal()
