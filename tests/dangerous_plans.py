"""Dangerous (and tricky) plan requests, each refused with its message or flagged with its warning.

One table, run through every door a plan comes in by (``tests/test_dangerous_plans.py``):
the core (the shared parser and the planner), ``taperline plan``, the clinician's plan
builder form and the JSON API. A case is a :class:`~taperline.plan_input.PlanSpec` (as text,
the way people type it) plus the person's age, conditions and other medicines, and what must
happen: ``refused`` (a fragment of the message, which must be the same on every surface) or
``flagged`` (a fragment found in the plan's warnings, notes, mark or screening).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

#: The day every case is planned on (the web tests' clock starts here too).
TODAY = date(2027, 3, 1)
START = (TODAY + timedelta(days=3)).isoformat()
PAST = (TODAY - timedelta(days=1)).isoformat()
REASON = "inpatient detoxification unit, supervised daily by the team"


def day(offset: int) -> str:
    """The date ``offset`` days after the plan's start."""
    return (TODAY + timedelta(days=3 + offset)).isoformat()


@dataclass(frozen=True, slots=True)
class Case:
    """One request and what must happen to it."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    doses: tuple[tuple[str, str], ...] = (("1 mg", "22:00"),)
    age: int | None = None
    conditions: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    refused: str | None = None
    flagged: str | None = None
    #: The refusal is bad input (a field to correct), not a broken safety rule.
    input_error: bool = False

    def __post_init__(self) -> None:
        assert (self.refused is None) != (self.flagged is None), self.name

    @property
    def spec_fields(self) -> dict[str, Any]:
        """The PlanSpec fields of the case (with the start date unless it sets one)."""
        return {"start": START, **self.fields}


def _refused(name: str, fragment: str, **kwargs: Any) -> Case:
    return Case(name, refused=fragment, **kwargs)


def _bad(name: str, fragment: str, **kwargs: Any) -> Case:
    return Case(name, refused=fragment, input_error=True, **kwargs)


def _flagged(name: str, fragment: str, **kwargs: Any) -> Case:
    return Case(name, flagged=fragment, **kwargs)


TWO = (("0.5 mg", "08:00"), ("0.5 mg", "22:00"))
NARDI = "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d"
TABLETS = "tablet 0.5 mg /2, tablet 1 mg, tablet 2 mg"
LIQUID = "tablet 0.5 mg /2, liquid 0.1 mg/mL @ 0.1 mL"

CASES: tuple[Case, ...] = (
    # --- the daily maximum, by indication and age [LABEL, SEED-AURA] -----------------------
    _refused("above the maximum", "daily maximum", doses=(("2 mg", "08:00"), ("2.5 mg", "22:00"))),
    _refused(
        "6 mg with no reason given",
        "daily maximum of 4 mg",
        doses=(("3 mg", "08:00"), ("3 mg", "20:00")),
    ),
    _refused(
        "6 mg for panic disorder",
        "daily maximum of 4 mg",
        conditions=("panic disorder",),
        doses=(("3 mg", "08:00"), ("3 mg", "20:00")),
    ),
    _refused(
        "21 mg for epilepsy",
        "daily maximum of 20 mg",
        conditions=("epilepsy",),
        doses=(
            ("4 mg", "08:00"),
            ("4 mg", "12:00"),
            ("4 mg", "16:00"),
            ("4 mg", "18:00"),
            ("3 mg", "20:00"),
            ("2 mg", "22:00"),
        ),
    ),
    _flagged(
        "6 mg for epilepsy is planned",
        "seizure",
        conditions=("epilepsy",),
        doses=(("3 mg", "08:00"), ("3 mg", "20:00")),
    ),
    _refused(
        "10 % every 14 days from 20 mg for epilepsy",
        "no override allows this",
        conditions=("epilepsy",),
        doses=(
            ("4 mg", "08:00"),
            ("4 mg", "12:00"),
            ("4 mg", "16:00"),
            ("4 mg", "18:00"),
            ("4 mg", "22:00"),
        ),
    ),
    _refused(
        "custom step above the maximum",
        "daily maximum",
        fields={"strategy": "custom", "custom": f"{day(14)}=4.5 mg", "reason": REASON},
        doses=(("3 mg", "22:00"),),
    ),
    _refused("age 16", "under 18", age=16),
    _refused("age 17 with epilepsy", "under 18", age=17, conditions=("epilepsy",)),
    _refused("age 5", "under 18", age=5),
    # --- never an increase on its own --------------------------------------------------------
    _refused(
        "custom increase without a reason",
        "increases the dose",
        fields={"strategy": "custom", "custom": f"{day(14)}=1.5 mg"},
    ),
    _refused(
        "custom increase with a placeholder reason",
        "increases the dose",
        fields={"strategy": "custom", "custom": f"{day(14)}=1.5 mg", "reason": "ok"},
    ),
    _refused(
        "custom increase after a cut",
        "increases the dose",
        fields={"strategy": "custom", "custom": f"{day(14)}=0.75 mg, {day(28)}=1 mg"},
    ),
    _flagged(
        "custom increase with a clinical reason",
        "increase by the clinician",
        fields={
            "strategy": "custom",
            "custom": f"{day(14)}=1.5 mg",
            "reason": "breakthrough seizures, agreed with the neurologist",
        },
    ),
    # --- never an abrupt stop ------------------------------------------------------------
    _refused(
        "custom stop from 1 mg",
        "at once",
        fields={"strategy": "custom", "custom": f"{day(14)}=0 mg"},
    ),
    _refused(
        "custom stop from 0.5 mg",
        "at once",
        fields={
            "strategy": "custom",
            "custom": f"{day(14)}=0.75 mg, {day(28)}=0.5 mg, {day(42)}=0 mg",
            "override_reason": REASON,
        },
    ),
    _refused(
        "custom stop from two doses",
        "at once",
        doses=TWO,
        fields={
            "strategy": "custom",
            "custom": f"{day(14)}=0.75 mg, {day(28)}=0 mg",
            "override_reason": REASON,
        },
    ),
    # --- never faster than the label's fastest taper, whatever the override [LABEL] -------
    _refused(
        "25 % every 3 days with an override",
        "no override allows this",
        fields={"percent": "25", "every": "3d", "override_reason": REASON},
        doses=(("4 mg", "22:00"),),
    ),
    _refused(
        "50 % every 7 days with an override",
        "no override allows this",
        fields={"percent": "50", "every": "7d", "override_reason": REASON},
        doses=(("4 mg", "22:00"),),
    ),
    _refused(
        "a 2 mg cut in one custom step with an override",
        "no override allows this",
        fields={"strategy": "custom", "custom": f"{day(14)}=2 mg", "override_reason": REASON},
        doses=(("4 mg", "22:00"),),
    ),
    _refused(
        "fixed 1 mg every 3 days with an override",
        "no override allows this",
        fields={"strategy": "fixed", "bands": "0 mg:1 mg/3d", "override_reason": REASON},
        doses=(("4 mg", "22:00"),),
    ),
    _refused(
        "daily custom cuts of 0.25 mg with an override",
        "no override allows this",
        fields={
            "strategy": "custom",
            "override_reason": REASON,
            "custom": ", ".join(f"{day(14 + i)}={3.75 - 0.25 * i:g} mg" for i in range(6)),
        },
        doses=(("4 mg", "22:00"),),
    ),
    _refused(
        "occupancy 40 % every 3 days with an override",
        "no override allows this",
        fields={"strategy": "occupancy", "percent": "40", "every": "3d", "override_reason": REASON},
        doses=(("4 mg", "22:00"),),
    ),
    # --- settings beyond the guideline need an override [ASAM-2025] ----------------------
    _refused("cap 30 %", "the cap of 30 %", fields={"cap_pct": "30"}),
    _refused("cap 60 %", "the cap of 60 %", fields={"cap_pct": "60"}),
    _refused("cap 99 %", "the cap of 99 %", fields={"cap_pct": "99"}),
    _refused("cap 25.5 %", "25.5 %", fields={"cap_pct": "25.5"}),
    _refused("stabilise 13 days", "stabilisation of 13 days", fields={"stabilise": "13d"}),
    _refused("stabilise 7 days", "stabilisation of 7 days", fields={"stabilise": "1w"}),
    _refused("stabilise 1 day", "stabilisation of 1 day", fields={"stabilise": "1"}),
    _refused("percent 30 every 14 days", "in one step", fields={"percent": "30"}),
    _refused("percent 26 every 14 days", "26 %", fields={"percent": "26"}),
    _refused("percent 10 every 3 days", "within 14 days", fields={"every": "3d"}),
    _refused("percent 5 every day", "within 14 days", fields={"percent": "5", "every": "1d"}),
    _refused("percent 20 every 7 days", "within 14 days", fields={"percent": "20", "every": "7"}),
    _refused("percent 14 every 7 days", "26 %", fields={"percent": "14", "every": "7"}),
    _refused("percent 25 every 13 days", "43.8 %", fields={"percent": "25", "every": "13"}),
    _refused(
        "occupancy at ED50 0.5 mg from 2 mg",
        "occupancy strategy",
        fields={"strategy": "occupancy", "ed50": "0.5 mg"},
        doses=(("2 mg", "22:00"),),
    ),
    _refused(
        "occupancy 25 % of the start every 14 days",
        "occupancy strategy",
        fields={"strategy": "occupancy", "percent": "25"},
    ),
    _refused(
        "fixed 0.5 mg steps from 1 mg",
        "in one step",
        fields={"strategy": "fixed", "bands": "0 mg:0.5 mg/14d"},
    ),
    _refused(
        "Nardi bands without an override",
        "(2 cuts)",
        fields={"strategy": "fixed", "bands": NARDI, "products": TABLETS},
        doses=(("2 mg", "22:00"),),
    ),
    _refused(
        "custom cut of 30 %",
        "a 30 % cut within 14 days",
        fields={"strategy": "custom", "custom": f"{day(14)}=0.7 mg", "products": LIQUID},
        doses=(("1 mg", "22:00"),),
    ),
    _refused(
        "custom cuts every week, 50 % in 14 days",
        "cut within 14 days",
        fields={"strategy": "custom", "custom": f"{day(14)}=0.75 mg, {day(21)}=0.5 mg"},
    ),
    _refused(
        "daily 0.02 mg end-phase cuts",
        "cut within 14 days",
        fields={
            "strategy": "custom",
            "products": LIQUID,
            "custom": ", ".join(f"{day(14 + i)}={0.5 - 0.02 * (i + 1):g} mg" for i in range(8)),
        },
        doses=(("0.5 mg", "22:00"),),
    ),
    _refused(
        "a custom cut 3 days after the start",
        "the first change",
        fields={"strategy": "custom", "custom": f"{day(3)}=0.9 mg", "products": LIQUID},
    ),
    _refused(
        "crossover at the VA/DoD equivalence",
        "a 50 % cut by ASHTON",
        fields={"strategy": "crossover", "equivalence": "VADOD-2021"},
    ),
    _refused(
        "crossover above diazepam's maximum",
        "daily maximum",
        fields={"strategy": "crossover"},
        doses=(("3 mg", "22:00"),),
    ),
    _bad("a start in the past", "before today", fields={"start": PAST}),
    _bad(
        "a crossover to a maintenance goal",
        "a crossover tapers diazepam to zero",
        fields={"strategy": "crossover", "goal": "0.5 mg"},
    ),
    _bad(
        "a custom step inside a hold",
        "falls inside the hold",
        fields={
            "strategy": "custom",
            "custom": f"{day(20)}=0.75 mg",
            "holds": (f"{day(14)}:14d",),
        },
    ),
    _refused(
        "swaps every 3 days at the VA/DoD equivalence",
        "changes the daily dose within 14 days",
        fields={"strategy": "crossover", "equivalence": "VADOD-2021", "swap_every": "3d"},
        doses=(("0.5 mg", "08:00"), ("0.5 mg", "22:00")),
    ),
    # --- an override must be a sentence a colleague could audit --------------------------
    _bad(
        "override 'x'",
        "not a reason a colleague could audit",
        fields={"cap_pct": "40", "override_reason": "x"},
    ),
    _bad("override 'ok'", "not a reason", fields={"cap_pct": "40", "override_reason": "ok"}),
    _bad("override 'fast'", "not a reason", fields={"cap_pct": "40", "override_reason": "fast"}),
    _bad("override 'n/a'", "not a reason", fields={"cap_pct": "40", "override_reason": "n/a"}),
    _bad(
        "override 'patient request'",
        "not a reason",
        fields={"cap_pct": "40", "override_reason": "patient request"},
    ),
    _bad(
        "override 'override'",
        "not a reason",
        fields={"cap_pct": "40", "override_reason": "override"},
    ),
    _bad(
        "override 'as discussed'",
        "not a reason",
        fields={"cap_pct": "40", "override_reason": "ok per dr"},
    ),
    _refused(
        "a blank override is no override",
        "the cap of 40 %",
        fields={"cap_pct": "40", "override_reason": "   "},
    ),
    # --- bad input is refused with the field named ----------------------------------------
    _bad("hold of 0 days", "give 1-365 days", fields={"holds": (f"{day(20)}:0d",)}),
    _bad("hold without days", "DATE:DAYS", fields={"holds": (day(20),)}),
    _bad("every 0 days", "every", fields={"every": "0d"}),
    _bad("every 400 days", "every", fields={"every": "400d"}),
    _bad("every 36 hours", "not a number of days", fields={"every": "36h"}),
    _bad("percent 0", "percent", fields={"percent": "0"}),
    _bad("percent 100", "percent", fields={"percent": "100"}),
    _bad("percent 150", "percent", fields={"percent": "150"}),
    _bad("percent -5", "percent", fields={"percent": "-5"}),
    _bad("percent text", "not a number", fields={"percent": "ten"}),
    _bad("cap 0", "above 0 and below 100", fields={"cap_pct": "0"}),
    _bad("goal above the current dose", "goal", fields={"goal": "2 mg"}),
    _bad("unknown equivalence", "ASHTON", fields={"equivalence": "NOBODY"}),
    _bad(
        "products that cannot make the dose",
        "cannot be made",
        fields={"products": "odt 0.25 mg"},
        doses=(("0.3 mg", "22:00"),),
    ),
    _bad("tablets split in thirds", "halves", fields={"products": "tablet 0.5 mg /3"}),
    _bad("an ODT split", "taken whole", fields={"products": "odt 0.25 mg scored"}),
    _bad("a tenfold dose", "mg", doses=(("10 mg", "22:00"),)),
    _bad("mcg typed as mg", "mcg", doses=(("500 mg", "22:00"),)),
    _bad("two doses at one time", "same time", doses=(("0.5 mg", "22:00"), ("0.5 mg", "22:00"))),
    _bad(
        "custom steps out of order",
        "date order",
        fields={"strategy": "custom", "custom": f"{day(28)}=0.5 mg, {day(14)}=0.75 mg"},
    ),
    _bad(
        "custom step on the start",
        "not after the previous step",
        fields={"strategy": "custom", "custom": f"{day(0)}=0.75 mg"},
    ),
    _bad(
        "custom step without a date",
        "DATE=DAILY DOSE",
        fields={"strategy": "custom", "custom": "0.75 mg"},
    ),
    _bad("custom without steps", "custom", fields={"strategy": "custom"}),
    _bad(
        "bands not down to zero", "0 mg", fields={"strategy": "fixed", "bands": "1 mg:0.5 mg/14d"}
    ),
    _bad(
        "bands in the wrong form",
        "ABOVE:STEP/EVERY",
        fields={"strategy": "fixed", "bands": "1 mg-0.5 mg"},
    ),
    _bad("a start that is not a date", "start", fields={"start": "2027-02-30"}),
    # --- medicines and substances by class, never by spelling -----------------------------
    *(
        _flagged(f"with {name}", fragment, others=(name,))
        for name, fragment in (
            ("oxycodone", "opioids"),
            ("OxyContin", "opioids"),
            ("Percocet 5/325", "opioids"),
            ("Vicodin", "opioids"),
            ("Norco", "opioids"),
            ("Suboxone", "opioids"),
            ("Ultram", "opioids"),
            ("Dilaudid", "opioids"),
            ("tramadol", "opioids"),
            ("tapentadol", "opioids"),
            ("fentanyl patch", "opioids"),
            ("heroin", "opioids"),
            ("methadone", "opioids"),
            ("codeine", "opioids"),
            ("dihydrocodeine", "opioids"),
            ("oxymorphone", "opioids"),
            ("meperidine", "opioids"),
            ("buprenorphine", "opioids"),
            ("gabapentin", "gabapentinoids"),
            ("Lyrica", "gabapentinoids"),
            ("Ambien", "z-drug"),
            ("Xanax", "benzodiazepine"),
            ("phenobarbital", "barbiturates"),
            ("Xyrem", "oxybate"),
            ("Benadryl", "antihistamine"),
            ("quetiapine", "antipsychotic"),
            ("Depakote", "valproate"),
            ("carbamazepine", "levels"),
            ("clarithromycin", "CYP3A"),
            ("a glass of wine", "alcohol"),
            ("cannabis", "cannabis"),
        )
    ),
    _flagged("with an unknown name", "unknown: ask a pharmacist", others=("rooibos tea",)),
    _flagged("with a misspelt opioid", "did you mean 'oxycodone'", others=("oxycodon",)),
    # --- conditions, contraindications and crisis words ----------------------------------
    _flagged("severe liver disease", "contraindication", conditions=("severe liver disease",)),
    _flagged("narrow-angle glaucoma", "contraindication", conditions=("glaucoma (narrow angle)",)),
    _flagged("benzodiazepine allergy", "contraindication", conditions=("allergic to Xanax",)),
    _flagged("suicidal thoughts", "988", conditions=("suicidal thoughts",)),
    _flagged("self-harm", "988", conditions=("self harm",)),
    _flagged("a seizure", "988", conditions=("had a seizure last week",)),
    _flagged("an unknown condition", "unknown: ask a pharmacist", conditions=("gout",)),
    _flagged("sleep apnoea", "breathing", conditions=("sleep apnoea",)),
    _flagged("pregnancy", "pregnan", conditions=("pregnant",)),
    _flagged("age 70", "older adults", age=70),
    _flagged("used for 2 years", "3 months", fields={"used_for": "2y"}),
    _flagged("a high dose", "high dose", doses=(("2 mg", "22:00"),)),
    # --- crossovers where diazepam builds up [KLOTZ-1975] ---------------------------------
    _flagged("crossover at 70", "KLOTZ-1975", age=70, fields={"strategy": "crossover"}),
    _flagged(
        "crossover with liver disease",
        "KLOTZ-1975",
        conditions=("cirrhosis",),
        fields={"strategy": "crossover"},
    ),
    _flagged(
        "a crossover's switch by every source", "by VADOD-2021", fields={"strategy": "crossover"}
    ),
    # --- overrides are marked wherever the plan is shown -----------------------------------
    _flagged(
        "cap 40 % with an override",
        "outside the guideline by clinician override",
        fields={"cap_pct": "40", "percent": "40", "override_reason": REASON},
        doses=(("2 mg", "22:00"),),
    ),
    _flagged(
        "Nardi bands with an override",
        "outside the guideline by clinician override",
        fields={
            "strategy": "fixed",
            "bands": NARDI,
            "products": TABLETS,
            "override_reason": REASON,
        },
        doses=(("2 mg", "22:00"),),
    ),
    _flagged(
        "stabilise 7 days with an override",
        "outside the guideline by clinician override",
        fields={"stabilise": "7d", "override_reason": REASON},
    ),
    _flagged(
        "crossover at VA/DoD with an override",
        "outside the guideline by clinician override",
        fields={"strategy": "crossover", "equivalence": "VADOD-2021", "override_reason": REASON},
    ),
    _flagged(
        "an override nothing needed",
        "nothing needed it",
        fields={"override_reason": REASON},
    ),
    _flagged(
        "the label's panic-disorder taper by override",
        "outside the guideline",
        fields={
            "strategy": "fixed",
            "bands": "0 mg:0.25 mg/3d",
            "stabilise": "3d",
            "products": "tablet 0.5 mg /2",
            "override_reason": REASON,
        },
        doses=TWO,
    ),
    # --- products ----------------------------------------------------------------------
    _flagged(
        "a 1 mg tablet listed as scored",
        "not scored",
        fields={"products": "tablet 1 mg /2, tablet 0.5 mg /2"},
    ),
    _flagged(
        "a liquid added to the list",
        "not in your product list",
        fields={"products": "tablet 0.5 mg /2"},
    ),
    _flagged(
        "two liquid concentrations",
        "two liquid concentrations",
        fields={"products": "tablet 0.5 mg /2, liquid 0.1 mg/mL, liquid 2.5 mg/mL"},
    ),
    _flagged(
        "a step the products make bigger",
        "more than the rule",
        fields={"products": "tablet 0.5 mg /4"},
        doses=(("2 mg", "22:00"),),
    ),
    _flagged(
        "alternate days that would be a cut above the cap",
        "alternate days were not added",
        fields={"alternate_days": True, "products": "odt 0.125 mg", "auto_liquid": False},
        doses=(("0.125 mg", "22:00"),),
    ),
)
