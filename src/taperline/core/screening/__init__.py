"""Screening: recognise medicines, drinks, conditions and crisis words, and say what they mean.

The one place that turns what a person typed (other medicines, conditions, age) into findings
for a drug: ``taperline check``, ``taperline plan``, the web pages and the API all call
:func:`screen`; the journal calls :func:`crisis_matches` on notes and profile conditions.

The rules, exactly:

1. **Words.** Names are matched as whole words (:mod:`taperline.core.words`): case, spacing,
   punctuation, hyphens and plurals do not matter, a name never matches inside a longer word
   ("fit" is not in "benefit"), and the longest match wins ("sleep apnea" is not also "sleep").
2. **Items.** Each value is cut into items at commas, semicolons, line breaks, ``+``, ``&``,
   the words "and" and "plus", and ``/`` between words (not in "5/325"); ``w/`` reads "with".
   So "oxycodone/paracetamol" is two items and "Tylenol with codeine" one. A product name
   holding such a word stays whole ("Nurofen Plus": codeine), unless a common medicine's name
   follows a lower-case "plus" ("Nurofen plus paracetamol": two items).
3. **Agents** (other medicines, drinks, substances). An item is recognised when it names a
   member (generic or brand) or a term of a catalogue substance class, or one of the drug's own
   interaction rows; the rest of the item ("a glass of", "5 mg") is ignored. A class the drug has
   no interaction for is still reported ("no information ... ask a pharmacist"). A member that
   is the drug itself ("Klonopin" with clonazepam) is reported as the same drug, not as a
   duplicate.
4. **Conditions.** An item is recognised by the drug's cautions (slug words and aliases), by the
   indication words (:data:`SEIZURE_DISORDER_PHRASES`, :data:`PANIC_PHRASES`,
   :data:`SLEEP_PHRASES`, plus the reasons in :data:`OTHER_REASON_PHRASES`), by the allergy rule
   (an allergy word with a benzodiazepine name in the same item, "allergic to Xanax", is the
   drug's ``benzodiazepine-sensitivity`` caution) or by crisis words. A caution marked
   ``contraindication`` in the catalogue is an urgent contraindication finding.
5. **Unknown.** An agent or condition item recognised by nothing is never dropped: it is an
   :class:`Unknown` and a warning ("unknown: ask a pharmacist"), with a did-you-mean when a known
   name is close (difflib, as :meth:`Catalogue.get`).
6. **Crisis words** (:data:`CRISIS_PHRASES`: suicidal thoughts, self-harm, seizure) anywhere in any
   text give an urgent finding with the clinician flag and the crisis message (988 in the US, or
   the local emergency number). Seizure words inside a seizure-disorder phrase
   (:data:`SEIZURE_DISORDER_PHRASES`, "epilepsy", "seizure disorder", "history of seizures") or a
   phrase about seizures in general (:data:`NOT_AN_EVENT_PHRASES`, "seizure medication",
   "seizure risk") are not an event. So **"epilepsy" is a condition** (the seizure indication,
   and "never stop abruptly"), while **"seizure", "seizures", "had a seizure", "convulsion",
   "had a fit"** typed as a condition, a medicine or a note **are an event: the crisis message**.
   Negation is not read: "no suicidal thoughts" still gets the crisis message (a false alarm
   costs less than a missed one). One exception, for seizure words alone: an item that is
   all a clinician's denial of seizures, as in a review of systems ("denies seizures",
   "Seizures: no", "Seizures, no"), is no event (:func:`~.crisis.denies_seizures`); anything
   told after it ("denies seizures until last night") keeps the red flag, as does a
   person's own "no seizures"; a seizure-free phrase with a seizure told after it
   ("seizure-free for a year until last night") is one. A denial is one clause: a sentence
   end, a line break, a semicolon or a question mark in any script inside or after it keeps
   the red flag ("Denies seizures. Had a fit."), a single full stop ending it does not. Among
   the conditions, a denial followed by an item anywhere after it with a word that tells of
   a seizure (:data:`SEIZURE_TOLD_AFTER_WORDS`: "denies seizures; had one last night") is
   one item, a seizure, for :func:`screen` and :func:`crisis_items` alike.
7. **Indication** (:func:`indication_of`): "seizure" when any condition is a seizure-disorder
   phrase, else "panic" for panic words, else "sleep" for insomnia words (or an item that is
   just "sleep"), else None. Seizure wins over panic and sleep: clonazepam in a person with
   epilepsy is most likely for seizures, and its dose was set by the neurologist.
8. **Daily maximum**: the drug's maximum for the indication [LABEL, SEED-AURA]; with no
   indication, the lowest (:meth:`Drug.daily_maximum_for`).
9. **Age**: outside 0-120 is bad input (:class:`InputError`). Under 18: urgent, clinician flag;
   no daily maximum applies (children's seizure doses go by body weight, which taperline does not
   take; in panic disorder safety and effectiveness under 18 are not established [LABEL]), so
   :attr:`Screening.refusals` says a plan needs the specialist. 65 and over: the older-adult
   caution [BEERS-2023].

The package: :mod:`~taperline.core.screening.model` (the kinds, the word lists and the values:
:class:`RegimenIssue`, :class:`Screening` ...), :mod:`~taperline.core.screening.crisis` (crisis
words), :mod:`~taperline.core.screening.recognition` (items, the indication, agents, conditions,
suggestions and :func:`recognise`), :mod:`~taperline.core.screening.screener` (:func:`screen`:
cautions, age and the daily maximum) and :mod:`~taperline.core.screening.documents` (the JSON).

>>> from taperline.catalogue_data import load_catalogue
>>> from taperline.core.quantity import fmt
>>> from taperline.core.screening import screen
>>> catalogue = load_catalogue()
>>> result = screen(catalogue, catalogue.get("clonazepam"), agents=["Percocet 5/325", "tea"],
...                 conditions=["epilepsy"])
>>> [(f.kind, f.severity) for f in result.findings]
[('interaction', 'urgent'), ('caution', 'warning'), ('unknown', 'warning'), ('indication', 'info')]
>>> result.indication, fmt(result.daily_max.max_mg), [u.name for u in result.unknown]
('seizure', '20 mg', ['tea'])
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from taperline.core.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers; at run time each is imported when first used
    from taperline.core.catalogue import (
        Indication,
    )
    from taperline.core.screening.crisis import (
        crisis_matches,
        crisis_stems,
        crisis_terms,
    )
    from taperline.core.screening.documents import (
        maximum_document as maximum_document,
    )
    from taperline.core.screening.documents import (
        regimen_issue_document as regimen_issue_document,
    )
    from taperline.core.screening.documents import (
        screening_document,
    )
    from taperline.core.screening.model import (
        ADULT_AGE_YEARS,
        CRISIS_PHRASES,
        CRISIS_SOURCES,
        CRISIS_WHAT,
        MAX_AGE_YEARS,
        NOT_AN_EVENT_PHRASES,
        OLDER_ADULT_AGE_YEARS,
        OTHER_REASON_PHRASES,
        OWN_SOURCE,
        PANIC_PHRASES,
        REGIMEN_ISSUE_KINDS,
        REGIMEN_ISSUE_SEVERITIES,
        SEIZURE_DISORDER_PHRASES,
        SLEEP_PHRASES,
        ClassMatch,
        ConditionMatch,
        CrisisCategory,
        CrisisMatch,
        Recognition,
        RegimenIssue,
        RegimenIssueKind,
        RegimenIssueSeverity,
        Screening,
        Unknown,
    )
    from taperline.core.screening.model import (
        Field as Field,
    )
    from taperline.core.screening.recognition import (
        crisis_items,
        indication_of,
        recognise,
        split_items,
    )
    from taperline.core.screening.screener import (
        screen,
        under_18_refusal,
    )

# The ``name as name`` imports are names outside __all__, importable from here as before.

#: Each name and the module it lives in: a name is imported on first use (PEP 562), so
#: a command that reads one word list pays for that module only (tests/test_journal_imports.py).
_WHERE: dict[str, str] = {
    "ADULT_AGE_YEARS": "model",
    "CRISIS_PHRASES": "model",
    "CRISIS_SOURCES": "model",
    "CRISIS_WHAT": "model",
    "ClassMatch": "model",
    "ConditionMatch": "model",
    "CrisisCategory": "model",
    "CrisisMatch": "model",
    "Field": "model",
    "Indication": "catalogue",
    "MAX_AGE_YEARS": "model",
    "NOT_AN_EVENT_PHRASES": "model",
    "OLDER_ADULT_AGE_YEARS": "model",
    "OTHER_REASON_PHRASES": "model",
    "OWN_SOURCE": "model",
    "PANIC_PHRASES": "model",
    "REGIMEN_ISSUE_KINDS": "model",
    "REGIMEN_ISSUE_SEVERITIES": "model",
    "Recognition": "model",
    "RegimenIssue": "model",
    "RegimenIssueKind": "model",
    "RegimenIssueSeverity": "model",
    "SEIZURE_DISORDER_PHRASES": "model",
    "SLEEP_PHRASES": "model",
    "Screening": "model",
    "Unknown": "model",
    "crisis_items": "recognition",
    "crisis_matches": "crisis",
    "crisis_stems": "crisis",
    "crisis_terms": "crisis",
    "indication_of": "recognition",
    "maximum_document": "documents",
    "recognise": "recognition",
    "regimen_issue_document": "documents",
    "screen": "screener",
    "screening_document": "documents",
    "split_items": "recognition",
    "under_18_refusal": "screener",
}


def _module(where: str) -> ModuleType:
    """The module a name of :data:`_WHERE` is in (imported by its name: no importlib in core)."""
    if where == "catalogue":
        from taperline.core import catalogue

        return catalogue
    if where == "crisis":
        from taperline.core.screening import crisis

        return crisis
    if where == "documents":
        from taperline.core.screening import documents

        return documents
    if where == "model":
        from taperline.core.screening import model

        return model
    if where == "recognition":
        from taperline.core.screening import recognition

        return recognition
    if where == "screener":
        from taperline.core.screening import screener

        return screener
    raise AssertionError(where)  # a name of _WHERE without its module here


__getattr__, __dir__ = lazy_names(globals(), _WHERE, _module)


__all__ = [
    "ADULT_AGE_YEARS",
    "CRISIS_PHRASES",
    "CRISIS_SOURCES",
    "CRISIS_WHAT",
    "MAX_AGE_YEARS",
    "NOT_AN_EVENT_PHRASES",
    "OLDER_ADULT_AGE_YEARS",
    "OTHER_REASON_PHRASES",
    "OWN_SOURCE",
    "PANIC_PHRASES",
    "REGIMEN_ISSUE_KINDS",
    "REGIMEN_ISSUE_SEVERITIES",
    "SEIZURE_DISORDER_PHRASES",
    "SLEEP_PHRASES",
    "ClassMatch",
    "ConditionMatch",
    "CrisisCategory",
    "CrisisMatch",
    "Indication",
    "Recognition",
    "RegimenIssue",
    "RegimenIssueKind",
    "RegimenIssueSeverity",
    "Screening",
    "Unknown",
    "crisis_items",
    "crisis_matches",
    "crisis_stems",
    "crisis_terms",
    "indication_of",
    "recognise",
    "screen",
    "screening_document",
    "split_items",
    "under_18_refusal",
]
