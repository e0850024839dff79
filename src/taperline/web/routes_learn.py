"""Learn: drug facts and where they come from, the interactions checker, the sleep module.

Open to anyone (no health data), except the personal part of the sleep module, which uses
the signed-in patient's own diary. The checker is a GET form: it changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from taperline.core.quantity import Mass, parse_dose
from taperline.errors import InputError, NotFoundError, UnknownDrugError
from taperline.web.auth import Viewer, optional_viewer
from taperline.web.context import Services, services
from taperline.web.errors import status_for
from taperline.web.forms import FormInput

__all__ = ["contraindications_of", "router"]

router = APIRouter(include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CHECK_ROWS: Final = 3


def _render(
    request: Request, name: str, context: dict[str, Any], viewer: Viewer | None, status: int = 200
) -> Response:
    from taperline.web.pages import render

    return render(request, name, context, viewer=viewer, status_code=status)


def _catalogue() -> Any:
    from taperline.catalogue_data import load_catalogue

    return load_catalogue()


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request, viewer: MaybeViewer) -> Response:
    """The drugs the catalogue holds, and the ways into the checker and the sleep module."""
    catalogue = _catalogue()
    drugs = [catalogue.drugs[name] for name in catalogue.names]
    return _render(request, "learn.html", {"drugs": drugs}, viewer)


@router.get("/learn/drugs/{name}", response_class=HTMLResponse)
def learn_drug(name: str, request: Request, viewer: MaybeViewer) -> Response:
    """What a patient asks about one drug, each point with its source."""
    from taperline.core.check import DISCLAIMER
    from taperline.core.check import learn as build_lesson

    try:
        drug = _catalogue().get(name[:60])
    except UnknownDrugError:
        raise NotFoundError("the catalogue has no such drug") from None
    return _render(
        request, "learn_drug.html", {"lesson": build_lesson(drug), "disclaimer": DISCLAIMER}, viewer
    )


@router.get("/learn/sources", response_class=HTMLResponse)
def sources(request: Request, viewer: MaybeViewer) -> Response:
    """Every source taperline cites: its plain name and full reference (and id, for clinicians)."""
    from taperline.core.sources import SOURCES

    clinician = viewer is not None and not viewer.user.is_patient
    context = {"sources": list(SOURCES.values()), "clinician": clinician}
    return _render(request, "learn_sources.html", context, viewer)


# --- the checker -----------------------------------------------------------------------------


def _check_defaults(svc: Services, viewer: Viewer | None) -> dict[str, Any]:
    values: dict[str, Any] = {"drug": "clonazepam", "dose_0": "0.5 mg", "time_0": "22:00"}
    if viewer is not None and viewer.user.is_patient:
        profile = svc.store.profile(viewer.person_id)
        values["with"] = ", ".join(profile.other_medicines)
        values["conditions"] = ", ".join(profile.conditions)
        values["age"] = str(profile.age_years or "")
    return values


def _run_check(given: FormInput, local_emergency: str) -> Any:
    from datetime import time

    from taperline.core.check import CheckRequest, build_doses, check_regimen, split_names
    from taperline.web.forms import parse_clock

    catalogue = _catalogue()
    drug = catalogue.get(given.text("drug", "clonazepam", max_len=60))
    amounts: list[Mass] = []
    clocks: list[time] = []
    for i in range(CHECK_ROWS):
        dose, clock = given.text(f"dose_{i}", max_len=30), given.text(f"time_{i}", max_len=10)
        if dose:
            amounts.append(parse_dose(dose))
            if clock:
                clocks.append(parse_clock(f"time {i + 1}", clock))
    if clocks and len(clocks) != len(amounts):
        raise InputError("time: give a time for every dose, or for none")
    request = CheckRequest(
        doses=build_doses(amounts, clocks),
        agents=split_names([given.text("with", max_len=500)]),
        conditions=split_names([given.text("conditions", max_len=500)]),
        age_years=given.optional_integer("age", 0, 120),
        pregnant=given.has("pregnant"),
        breastfeeding=given.has("breastfeeding"),
        weeks=given.optional_integer("weeks", 0, 5200),
        local_emergency=local_emergency,
    )
    return check_regimen(catalogue, drug, request)


@router.get("/learn/check", response_class=HTMLResponse)
def check(request: Request, viewer: MaybeViewer, svc: Svc) -> Response:
    """The interactions checker: doses, other medicines, conditions and age, with sources."""
    from taperline.core.check import DISCLAIMER

    query = {k: request.query_params.getlist(k) for k in request.query_params}
    report, error, status = None, "", 200
    values = {k: v[0] for k, v in query.items() if v} if query else _check_defaults(svc, viewer)
    if "drug" in query:
        try:
            report = _run_check(FormInput(query), svc.settings.crisis_local())
        except InputError as exc:
            error, status = str(exc), status_for(exc)
    context = {
        "values": values,
        "report": report,
        "error": error,
        "disclaimer": DISCLAIMER,
        "drugs": _catalogue().names,
        "rows": range(CHECK_ROWS),
    }
    return _render(request, "learn_check.html", context, viewer, status)


# --- the sleep module ------------------------------------------------------------------------


def contraindications_of(conditions: tuple[str, ...]) -> frozenset[Any]:
    """Sleep-restriction contraindications named in a profile's conditions (as whole words).

    >>> sorted(contraindications_of(("Epilepsy", "trouble falling asleep", "two falls")))
    ['epilepsy or seizures', 'high fall risk']
    """
    from taperline.core.sleep_course import contraindications_in

    return contraindications_in(conditions)


@router.get("/learn/sleep", response_class=HTMLResponse)
def sleep(request: Request, viewer: MaybeViewer, svc: Svc) -> Response:
    """The self-help techniques, and for a patient their sleep window and today's techniques.

    The window is the course's (:mod:`taperline.service.sleep_window`): this week's, or the
    first one offered when the diary shows poor sleep; it is started and reviewed on /sleep.
    """
    from taperline.core.sleep import TECHNIQUES, choose_techniques
    from taperline.service.sleep_window import sleep_window_state

    context: dict[str, Any] = {"techniques": TECHNIQUES, "window": None, "chosen": (), "nights": []}
    if viewer is not None and viewer.user.is_patient:
        state = sleep_window_state(svc.store, viewer.person_id, now=svc.now())
        recent = svc.store.checkins(viewer.person_id, state.today - timedelta(days=13), state.today)
        context["nights"] = list(state.nights)
        context["window"] = state.withdrawn or state.current or state.offer
        context["active"] = state.current is not None and state.withdrawn is None
        context["chosen"] = choose_techniques(recent[-1]) if recent else ()
        svc.accounts.audit(viewer.user, viewer.person_id, "read", "sleep diary", svc.now())
    return _render(request, "learn_sleep.html", context, viewer)
