"""Recognising what was typed: items, the indication, agents, conditions and unknown names.

Items (rule 2), the indication (rule 7), agents by class and interaction row (rule 3),
conditions (rule 4), a did-you-mean for unknown names (rule 5), and :func:`recognise` for a
profile.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from taperline.core.catalogue import (
    INDICATIONS,
    Catalogue,
    Drug,
    Indication,
    Interaction,
    InteractionSeverity,
)
from taperline.core.screening.crisis import crisis_matches, denies_seizures, seizure_free_then_told
from taperline.core.screening.model import (
    COMMON_MEDICINE_NAMES,
    NOT_AN_EVENT_PHRASES,
    OTHER_REASON_PHRASES,
    OWN_SOURCE,
    PANIC_PHRASES,
    SEIZURE_DISORDER_PHRASES,
    SEIZURE_FREE_PHRASES,
    SLEEP_PHRASES,
    ClassMatch,
    ConditionMatch,
    CrisisMatch,
    Recognition,
    RegimenIssue,
    RegimenIssueKind,
    RegimenIssueSeverity,
    Unknown,
    _finding,
)
from taperline.core.words import PhraseIndex, phrase_key, spans, token_matches, tokens

#: Words that say an item is a reaction to what it names: an allergy, or the skin or airway
#: reaction written instead ("hives from Xanax", "rash with diazepam").
_ALLERGY_WORDS: Final = frozenset(
    {"allergy", "allergies", "allergic", "hypersensitivity", "hypersensitive", "sensitivity",
     "sensitive", "intolerance", "intolerant", "reaction", "anaphylaxis", "anaphylactic",
     "hives", "rash", "urticaria", "angioedema"}
)  # fmt: skip
_BENZODIAZEPINES: Final = "benzodiazepines"  # the class slug the allergy rule looks for
_SENSITIVITY: Final = "benzodiazepine-sensitivity"  # the caution slug it gives
_EPILEPSY: Final = "epilepsy"  # the caution slug a seizure-disorder phrase gives
_SEVERITY_OF: Final[Mapping[InteractionSeverity, RegimenIssueSeverity]] = {
    "major": "urgent",
    "moderate": "warning",
    "minor": "info",
}
_SPLIT_RE: Final = re.compile(
    r"([,;\n\r+&]|(?<![0-9])/|/(?![0-9])|\band\b|\bplus\b)", flags=re.IGNORECASE
)
#: Marks where a product name's separator word ("Nurofen Plus") was kept aside while items are
#: cut: a character no one types around the kept words' number.
_KEPT_MARK: Final = "\x1f"
_KEPT_RE: Final = re.compile(r"\x1f(\d+)\x1f")
_WITH_RE: Final = re.compile(r"\bw/", flags=re.IGNORECASE)
_RULE_OUT_RE: Final = re.compile(r"\br\s*/\s*o\b", flags=re.IGNORECASE)  # "r/o": rule out
_NOT_APPLICABLE_RE: Final = re.compile(r"\bn\s*/\s*a\b", flags=re.IGNORECASE)  # "n/a"
_SUGGEST_CUTOFF: Final = 0.75  # difflib ratio for a whole name
_WORD_CUTOFF: Final = 0.8  # ... and for one word of it
_WORD_MIN: Final = 5  # words shorter than this are not suggested on (too many near misses)


# --- items and indication ---------------------------------------------------------------------


def _parts(value: str, kept: re.Pattern[str] | None) -> list[tuple[str, str]]:
    """One value's items, each with the separator before it ("" for the first)."""
    words = _RULE_OUT_RE.sub("rule out", _WITH_RE.sub("with ", value))
    words = _NOT_APPLICABLE_RE.sub("not applicable", words)
    aside: list[str] = []
    if kept is not None:  # "Nurofen Plus": one product (its codeine), not "Nurofen" and "Plus"

        def put_aside(match: re.Match[str]) -> str:
            aside.append(match.group())
            return f"{_KEPT_MARK}{len(aside) - 1}{_KEPT_MARK}"

        words = kept.sub(put_aside, words)
    pieces = _SPLIT_RE.split(words)  # items and, between them, the separators
    found: list[tuple[str, str]] = []
    separator = ""
    for index, piece in enumerate(pieces):
        if index % 2:
            separator = separator or piece.lower()
            continue
        text = _KEPT_RE.sub(lambda m: aside[int(m.group(1))], piece) if aside else piece
        item = " ".join(text.split())
        if item:
            found.append((item, separator))
            separator = ""
    return found


def _kept_names(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern of the separator words inside names ("Nurofen Plus"), to keep them whole."""
    heads = sorted(
        {
            (head.lower(), word.lower())
            for name in names
            for head, word in re.findall(r"(\w+)\s+(plus|and)\b", name, flags=re.IGNORECASE)
        }
    )
    if not heads:
        return None
    return re.compile(
        "|".join(rf"(?<=\b{re.escape(h)})[\s\-]+{re.escape(w)}\b" for h, w in heads),
        flags=re.IGNORECASE,
    )


def split_items(values: Iterable[str], *, kept: re.Pattern[str] | None = None) -> tuple[str, ...]:
    """Cut values into items (rule 2), stripped, blanks and repeats (ignoring case) dropped.

    ``kept``: names that hold a separator word and stay whole (:func:`product_names`).

    >>> split_items(["oxycodone/paracetamol 5/325", "Tylenol w/ codeine; gin and tonic", "GIN"])
    ('oxycodone', 'paracetamol 5/325', 'Tylenol with codeine', 'gin', 'tonic')
    >>> split_items(["Nurofen Plus when needed, Klonopin plus 2 beers"],
    ...             kept=_kept_names(["Nurofen Plus"]))
    ('Nurofen Plus when needed', 'Klonopin', '2 beers')
    """
    seen: dict[str, str] = {}
    for value in values:
        for item, _ in _parts(value, kept):
            seen.setdefault(item.casefold(), item)
    return tuple(seen.values())


def read_agents(
    catalogue: Catalogue, drugs: Iterable[Drug], values: Iterable[str]
) -> tuple[str, ...]:
    """The medicine items typed, the catalogue's product names whole.

    :func:`split_items` keeps a name such as "Nurofen Plus" whole; what follows it in the
    item is its own item when it names a medicine ("Nurofen plus 2 beers"). When it names
    none the catalogue holds but a common medicine (:data:`COMMON_MEDICINE_NAMES`) and the
    separator word is typed as one, in lower case after a space, it was one ("Nurofen plus
    paracetamol": "Nurofen" and "paracetamol"; "Nurofen Plus paracetamol" and "Nurofen-plus
    paracetamol" keep the product, its codeine).

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> read_agents(catalogue, [catalogue.get("clonazepam")],
    ...             ["Nurofen Plus when needed", "Nurofen plus 2 beers",
    ...              "Nurofen plus paracetamol"])
    ('Nurofen Plus when needed', 'Nurofen plus', '2 beers', 'Nurofen', 'paracetamol')
    """
    chosen = tuple(drugs)
    kept = product_names(catalogue)
    items: list[str] = []
    for item in _taken_again_joined(split_items(values, kept=kept)):
        found = kept.search(item) if kept is not None else None
        rest = item[found.end() :].strip() if found is not None else ""
        if found is None or not rest:
            items.append(item)
        elif _classes_in(catalogue, rest) or any(d.interactions_for(rest) for d in chosen):
            items += [item[: found.end()].strip(), rest]  # "Nurofen plus Xanax": both kept
        elif _said_as_and(found.group()) and _names_a_common_medicine(rest):
            items += [item[: found.start()].strip(), rest]  # "Nurofen plus paracetamol": "and"
        else:
            items.append(item)
    return tuple(dict.fromkeys(items))


_COMMON_MEDICINES: Final = frozenset(phrase_key(n) for n in COMMON_MEDICINE_NAMES)


def _said_as_and(separator: str) -> bool:
    """Whether a product name's separator word is typed as a word between two ("plus").

    In lower case after a space; not "Plus", nor "-plus" (the product's name as written).
    """
    return separator.islower() and "-" not in separator


def _names_a_common_medicine(rest: str) -> bool:
    """Whether the first word of ``rest`` without a digit is a common medicine's name.

    >>> [_names_a_common_medicine(t) for t in ("paracetamol", "2 Panadol", "tablets")]
    [True, True, False]
    """
    word = next((w for w in tokens(rest) if not any(c.isdigit() for c in w)), "")
    return word in _COMMON_MEDICINES


#: An item made only of these says the medicine before it is taken again ("Ativan - stopped,
#: restarted"): it is read with that item.
_AGAIN_ONLY: Final = frozenset({"restarted", "resumed", "again", "back", "on", "now", "since"})


def _taken_again_joined(items: tuple[str, ...]) -> list[str]:
    joined: list[str] = []
    for item in items:
        words = tokens(item)
        if joined and words and set(words) <= _AGAIN_ONLY:
            joined[-1] = f"{joined[-1]}, {item}"
        else:
            joined.append(item)
    return joined


def product_names(catalogue: Catalogue) -> re.Pattern[str] | None:
    """The catalogue's names that hold a separator word ("Nurofen Plus"), for ``split_items``."""
    return catalogue.cached(
        "screening.product_names", lambda: _kept_names(_agent_names(catalogue).values())
    )


_REASON: Final = "reason"
_NOT_AN_EVENT: Final = "not an event"
_SEIZURE_FREE: Final = "seizure free"
_INDICATION_INDEX: Final[PhraseIndex[str]] = PhraseIndex(
    [
        *((p, "seizure") for p in SEIZURE_DISORDER_PHRASES),
        *((p, "panic") for p in PANIC_PHRASES),
        *((p, "sleep") for p in SLEEP_PHRASES),
        *((p, _REASON) for p in OTHER_REASON_PHRASES),
        *((p, _NOT_AN_EVENT) for p in NOT_AN_EVENT_PHRASES),  # "seizure risk" is not epilepsy
        *((p, _SEIZURE_FREE) for p in SEIZURE_FREE_PHRASES),
    ]
)


#: Words that say a seizure disorder is not the person's own, or not certain: such an item
#: never names the seizure indication, whose maximum (20 mg) is five times the others'.
_NOT_THEIRS: Final = frozenset(
    {"no", "not", "non", "never", "none", "nil", "without", "rule", "ruled", "excluded",
     "denies", "denied", "negative", "resolved", "remission", "outgrown", "outgrew",
     "testing", "tested", "test", "tests", "investigation", "investigations", "investigating",
     "evaluation", "evaluating", "assessment", "family", "familial", "mother", "father",
     "sister", "brother", "son", "daughter", "parent", "parents", "child", "children",
     "sibling", "siblings", "grandmother", "grandfather", "grandparent", "aunt", "uncle",
     "nephew", "niece", "cousin", "relative", "relatives", "husband", "wife", "partner",
     "spouse", "friend", "twin", "dog", "cat", "pet", "psychogenic", "pnes", "dissociative",
     "functional", "suspected", "suspect", "possible", "possibly", "query", "queried",
     "probable", "maybe", "unconfirmed", "unsure", "uncertain",
     # as people write them (helper-61's review): family words, doubt, someone's role
     "mum", "mom", "mam", "mummy", "mommy", "mama", "dad", "daddy", "papa", "grandma",
     "grandpa", "gran", "granny", "nan", "nana", "stepmother", "stepfather", "fhx",
     "unlikely", "doubtful", "misdiagnosed", "misdiagnosis", "nurse"}
)  # fmt: skip
#: Written doubt: "?epilepsy" ("r/o", rule out, and "n/a", not applicable, become words when
#: items are split).
_DOUBT: Final = re.compile(r"\?")


def _reasons(item: str) -> tuple[str, ...]:
    """The indications (and other reasons) one condition item names.

    >>> _reasons("epilepsy"), _reasons("family history of epilepsy"), _reasons("non-epileptic")
    (('seizure',), (), ())
    """
    matches = _INDICATION_INDEX.find(item)
    found = [t for m in matches for t in m.targets if t not in {_NOT_AN_EVENT, _SEIZURE_FREE}]
    if phrase_key(item) == "sleep":
        found.append("sleep")
    # the words of "no seizures" after the epilepsy ("Epilepsy - no seizures for 2 years")
    # are about the seizures, not whose epilepsy it is; before it ("no seizures or
    # epilepsy") they deny it
    named = min((m.first for m in matches if "seizure" in m.targets), default=None)
    inside = {
        i
        for m in matches
        if _SEIZURE_FREE in m.targets and named is not None and named < m.first
        for i in range(m.first, m.last)
    }
    words = {w for i, w in enumerate(tokens(item)) if i not in inside}
    if _NOT_THEIRS & words or _DOUBT.search(item):
        found = [t for t in found if t != "seizure"]
    return tuple(dict.fromkeys(found))


def indication_of(conditions: Iterable[str]) -> Indication | None:
    """What the drug is taken for, from the conditions typed (rule 7); None when not said.

    >>> indication_of(["Epilepsy"]), indication_of(["panic attacks", "insomnia"])
    ('seizure', 'panic')
    >>> indication_of(["sleep apnea"]), indication_of(["had a seizure"]), indication_of([])
    (None, None, None)
    >>> indication_of(["panic disorder", "family history of epilepsy"])
    'panic'
    """
    found = {r for item in _join_items(conditions, None, _REASONS_ONLY) for r in _reasons(item)}
    # INDICATIONS is in order of precedence: seizure, panic, sleep.
    return next((indication for indication in INDICATIONS if indication in found), None)


# --- suggestions ------------------------------------------------------------------------------


def _by_key(names: Iterable[str]) -> Mapping[str, str]:
    """Names by their normalised key (the first spelling of each key is kept)."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(phrase_key(name), name)
    return by_key


def _suggest(item: str, by_key: Mapping[str, str]) -> str | None:
    """A known name close to ``item`` (difflib), as the catalogue writes it; None if none is."""
    key = phrase_key(item)
    if not key:
        return None
    words = set(key.split())
    # "tylenol" is not a misspelt "Tylenol 4": a name that only adds words is another thing
    by_key = {k: v for k, v in by_key.items() if not words < set(k.split())}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=_SUGGEST_CUTOFF)
    if close:
        return by_key[close[0]]
    single = [k for k in by_key if " " not in k and len(k) >= _WORD_MIN]
    for word in key.split():
        if len(word) >= _WORD_MIN:
            close = difflib.get_close_matches(word, single, n=1, cutoff=_WORD_CUTOFF)
            if close:
                return by_key[close[0]]
    return None


def _agent_names(catalogue: Catalogue) -> Mapping[str, str]:
    """Every name of a medicine or substance in the catalogue, by key (built once)."""

    def build() -> Mapping[str, str]:
        drugs = catalogue.drugs.values()
        names = [n for c in catalogue.classes.values() for n in c.names]
        names += [n for d in drugs for row in d.interactions for n in row.own_names]
        names += [n for d in drugs for n in (d.name, *d.brand_names)]
        return _by_key(names)

    return catalogue.cached("screening.agent_names", build)


def _condition_names(catalogue: Catalogue) -> Mapping[str, str]:
    """Every condition name in the catalogue and the indication words, by key (built once)."""

    def build() -> Mapping[str, str]:
        names = [n for d in catalogue.drugs.values() for c in d.cautions for n in c.names]
        return _by_key([*names, *SEIZURE_DISORDER_PHRASES, *PANIC_PHRASES, *SLEEP_PHRASES])

    return catalogue.cached("screening.condition_names", build)


# --- agents -----------------------------------------------------------------------------------


def _class_index(catalogue: Catalogue) -> PhraseIndex[tuple[str, str]]:
    """Every class name -> (class slug, member name or "" for a class term), built once."""
    return PhraseIndex(
        [
            *((term, (c.slug, "")) for c in catalogue.classes.values() for term in c.terms),
            *(
                (name, (c.slug, m.name))
                for c in catalogue.classes.values()
                for m in c.members
                for name in m.names
            ),
        ]
    )


def _classes_in(catalogue: Catalogue, item: str) -> tuple[ClassMatch, ...]:
    """The classes (and members) one agent item names."""
    index = catalogue.cached("screening.classes", lambda: _class_index(catalogue))
    found: dict[str, ClassMatch] = {}
    for match in index.find(item):
        for slug, member_name in match.targets:
            cls = catalogue.classes[slug]
            member = next((m for m in cls.members if m.name == member_name), None)
            if slug not in found or found[slug].member is None:
                found[slug] = ClassMatch(item, cls, member)
    return tuple(found.values())


@dataclass(slots=True)
class _Agents:
    """What the agent items gave, gathered before the findings are made."""

    names: dict[Interaction, list[str]] = field(default_factory=dict)
    classes: list[ClassMatch] = field(default_factory=list)
    no_data: dict[str, list[str]] = field(default_factory=dict)  # class slug -> items
    same_drug: list[str] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    crisis: list[tuple[CrisisMatch, str]] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)  # medicines written as no longer taken


def _label(item: str, members: Iterable[str], agent: str = "") -> str:
    """The item as typed, with the generic name when it says more ("OxyContin (oxycodone)").

    ``members``: the generic names of the class concerned that the item names.
    """
    for name in members:
        key = phrase_key(name)
        if key not in phrase_key(item) and key != phrase_key(agent):
            return f"{item} ({name})"
    return item


def _own_and_other_classes(
    catalogue: Catalogue, drug: Drug, item: str
) -> tuple[set[str], dict[str, list[str]]]:
    """The classes of the names in ``item`` that are ``drug`` itself, and the others' members.

    The others: class slug -> the generic names of its members the item names (none for a
    class term such as "opioid").
    """
    index = catalogue.cached("screening.classes", lambda: _class_index(catalogue))
    own: set[str] = set()
    others: dict[str, list[str]] = {}
    for match in index.find(item):
        for slug, member in match.targets:
            if member and phrase_key(member) == drug.name:
                own.add(slug)
            else:
                names = others.setdefault(slug, [])
                if member and member not in names:
                    names.append(member)
    return own, others


#: The words that say a medicine is no longer taken, next to its name ("stopped Xanax in 2020",
#: "zolpidem - stopped", "no longer on zolpidem"); and words that say otherwise anywhere in
#: the item ("never stopped", "trying to quit", "can't quit", "now on", "restarted").
_STOPPED: Final = frozenset({"stopped", "quit", "discontinued"})
_NOT_STOPPED: Final = frozenset(
    {"never", "not", "can", "cannot", "cant", "t", "trying", "try", "want", "wants", "still",
     "restarted", "resumed", "again", "back", "now", "currently", "will", "going", "plan",
     "planning", "hope", "hoping", "maybe", "think", "perhaps", "possibly", "probably",
     "unsure"}
)  # fmt: skip
#: Words that may follow "stopped" after the name: when ("zolpidem stopped in 2020").
_WHEN: Final = frozenset(
    {"in", "on", "since", "last", "ago", "year", "years", "month", "months", "week", "weeks"}
)
_LEAD: Final = frozenset({"on", "taking", "using", "the"})  # "no longer on zolpidem"


def stopped_taking(catalogue: Catalogue, item: str) -> bool:
    """Whether a medicines item says a medicine it names is no longer taken.

    Only with the stop word next to the name, and no word saying otherwise or a doubt; the
    rest of the item is still screened (:func:`_stopped_span`).

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> [stopped_taking(catalogue, t) for t in ("stopped Xanax in 2020", "zolpidem - stopped",
    ...  "no longer on zolpidem", "oxycodone (stopped smoking)", "Xanax - never stopped",
    ...  "trying to quit oxycodone", "oxycodone - stopped?")]
    [True, True, True, False, False, False, False]
    """
    return _stopped_span(catalogue, item) is not None


def _stopped_span(catalogue: Catalogue, item: str) -> tuple[int, int] | None:
    """Where in ``item`` a stop word and the name it is said of are, or None (not said)."""
    words = tokens(item)
    if _NOT_STOPPED.intersection(words) or _DOUBT.search(item):
        return None
    index = catalogue.cached("screening.classes", lambda: _class_index(catalogue))
    places = spans(item)
    names = [(m.first, m.last) for m in index.find(item)]
    for i, word in enumerate(words):
        if word in _STOPPED:
            start = i + 1
        elif word == "longer" and i and words[i - 1] == "no":
            start = i + 2 if i + 1 < len(words) and words[i + 1] in _LEAD else i + 1
        else:
            continue
        for first, last in names:
            if first == start:  # "stopped Xanax": the stop word to the name, and when
                end = last
                while end < len(words) and (words[end] in _WHEN or words[end].isdigit()):
                    end += 1
                begin = i - 1 if word == "longer" else i
                return places[begin].start, places[end - 1].end
            after = words[i + 1 :]  # "zolpidem - stopped (in 2020)": only when-words after it
            if last == i and all(w in _WHEN or w.isdigit() for w in after):
                return places[first].start, len(item)
    return None


def _screen_agent(catalogue: Catalogue, drug: Drug, item: str, out: _Agents) -> None:
    crisis = crisis_matches(item)
    out.crisis += [(m, item) for m in crisis]
    stopped = _stopped_span(catalogue, item)
    if stopped is not None:  # said, not dropped: an info finding names it
        out.stopped.append(item[stopped[0] : stopped[1]].strip(" -,;:()"))
        rest = f"{item[: stopped[0]]} {item[stopped[1] :]}".strip(" -,;:()")
        if tokens(rest):  # "stopped Xanax - oxycodone 5 mg daily": the oxycodone is taken
            _screen_agent(catalogue, drug, rest, out)
        return
    found = _classes_in(catalogue, item)
    out.classes += found
    own, others = _own_and_other_classes(catalogue, drug, item)
    if own:
        out.same_drug.append(item)
    # the drug's own class is no interaction, unless the item names another member of it
    # ("Klonopin with Xanax": two benzodiazepines); another class in the same item still is
    # ("Klonopin with oxycodone": the opioid's boxed warning)
    skip = own - set(others)
    rows = [i for i in drug.interactions_for(item) if i.agent_class not in skip]
    for interaction in rows:
        members = others.get(interaction.agent_class or "", ())
        out.names.setdefault(interaction, []).append(_label(item, members, interaction.agent))
    with_rows = {i.agent_class for i in drug.interactions}
    for match in found:
        slug = match.substance_class.slug
        if slug not in with_rows and slug not in skip:
            out.no_data.setdefault(slug, []).append(_label(item, others.get(slug, ())))
    if not (rows or found or crisis or own):
        suggestion = _suggest(item, _agent_names(catalogue))
        out.unknown.append(Unknown(item, "agent", suggestion))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _interaction_finding(drug: Drug, interaction: Interaction, given: list[str]) -> RegimenIssue:
    agents = ", ".join(dict.fromkeys(given))
    what = interaction.agent
    same = phrase_key(agents) == phrase_key(what)
    head = f"{agents} with {drug.label}" if same else f"{agents} ({what}) with {drug.label}"
    text = f"{head}: {interaction.effect}. {_sentence(interaction.advice)}"
    if interaction.assumption and interaction.note:
        text += f" ({interaction.note})"
    kind: RegimenIssueKind = (
        "duplicate" if interaction.kind == "duplicate_therapy" else "interaction"
    )
    return _finding(kind, _SEVERITY_OF[interaction.severity], text, interaction.source)


def _agent_findings(catalogue: Catalogue, drug: Drug, out: _Agents) -> list[RegimenIssue]:
    findings = [_interaction_finding(drug, i, names) for i, names in out.names.items()]
    for slug, given in out.no_data.items():
        cls = catalogue.classes[slug]
        text = (
            f"{', '.join(dict.fromkeys(given))}: {cls.singular}. The catalogue holds no "
            f"information on {cls.name} with {drug.label}: unknown, ask a pharmacist; unknown "
            "is not the same as safe."
        )
        findings.append(_finding("interaction", "warning", text, cls.source))
    for item in dict.fromkeys(out.same_drug):
        text = (
            f"“{item}” is {drug.label} itself: list it once. Two prescriptions of the same drug "
            "add up; tell your prescriber if you have more than one."
        )
        findings.append(_finding("duplicate", "warning", text, OWN_SOURCE))
    findings += [_finding("unknown", "warning", u.message, OWN_SOURCE) for u in out.unknown]
    findings += [
        _finding(
            "unknown",
            "info",
            f"“{item}”: read as a medicine you no longer take, so not checked with "
            f"{drug.label}. If you take it now, write it without the word that says it stopped.",
            OWN_SOURCE,
        )
        for item in dict.fromkeys(out.stopped)
    ]
    return findings


# --- conditions -------------------------------------------------------------------------------


#: Words that say a reaction did not happen ("no rash with diazepam", "denies allergy").
_DENIED: Final = frozenset({"no", "not", "never", "denies", "denied", "without", "none", "nka"})


def _allergy_to_benzodiazepine(catalogue: Catalogue, item: str) -> bool:
    """An allergy word and a benzodiazepine name in one item ("allergic to Xanax"), not denied.

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> [_allergy_to_benzodiazepine(catalogue, t) for t in
    ...  ("hives from Xanax", "no rash with diazepam", "rash from lamotrigine")]
    [True, False, False]
    """
    words = tokens(item)
    if not any(token_matches(w, a) for w in words for a in _ALLERGY_WORDS):
        return False
    if _DENIED.intersection(words):
        return False
    return any(m.substance_class.slug == _BENZODIAZEPINES for m in _classes_in(catalogue, item))


def _condition_matches(catalogue: Catalogue, drug: Drug, item: str) -> list[ConditionMatch]:
    found = [ConditionMatch(item, c.condition, caution=c) for c in drug.cautions_for(item)]
    by_slug = {c.condition: c for c in drug.cautions}
    for reason in _reasons(item):
        indication = next((i for i in INDICATIONS if i == reason), None)
        found.append(ConditionMatch(item, reason, indication=indication))
        if reason == "seizure" and _EPILEPSY in by_slug:
            found.append(ConditionMatch(item, _EPILEPSY, caution=by_slug[_EPILEPSY]))
    if _SENSITIVITY in by_slug and _allergy_to_benzodiazepine(catalogue, item):
        found.append(ConditionMatch(item, _SENSITIVITY, caution=by_slug[_SENSITIVITY]))
    return list({(m.name, m.caution is None): m for m in found}.values())


#: Words that only qualify the item before them in a problem list ("Epilepsy, ruled out",
#: "Epilepsy, family history of"): such an item is read with it, whatever it then names.
_QUALIFYING: Final = _NOT_THEIRS | frozenset({"of", "to", "history", "hx", "out", "in"})
#: Words that, with the allergy words, make an item only a reaction ("Allergy", "allergic to").
_REACTION_GLUE: Final = frozenset({"to", "of", "with", "from"})
#: The phrases each reason for taking the drug is named by (for :func:`_joined`).
_REASON_PHRASES: Final[Mapping[str, tuple[str, ...]]] = {
    "seizure": SEIZURE_DISORDER_PHRASES,
    "panic": PANIC_PHRASES,
    "sleep": SLEEP_PHRASES,
}


def _qualifies_only(item: str) -> bool:
    words = tokens(item)
    return bool(words) and all(w in _QUALIFYING for w in words)


def _reacts_only(item: str) -> bool:
    words = tokens(item)
    return bool(words) and all(
        w in _REACTION_GLUE or any(token_matches(w, a) for a in _ALLERGY_WORDS) for w in words
    )


@dataclass(frozen=True, slots=True)
class _Joining:
    """What :func:`_joined` asks of an item.

    The conditions it names, the names of a condition, and whether it is free of medicines.
    """

    known: Callable[[str], frozenset[str]]
    names: Callable[[str], Iterable[str]]
    plain: Callable[[str], bool]


def _names_a_seizure_disorder(text: str) -> bool:
    """Whether all of ``text`` is the name of a seizure disorder ("absence Seizures")."""
    whole = len(tokens(text))
    return not crisis_matches(text) and any(
        m.first == 0 and m.last == whole and "seizure" in m.targets
        for m in _INDICATION_INDEX.find(text)
    )


def _seizures_said(first: str, second: str, how: _Joining) -> bool:
    """Whether ``first, second`` is one saying about seizures, to be read whole.

    A seizure denied in a review of systems ("Seizures, no": :func:`denies_seizures`), or a
    seizure told after a "no seizures" in an item that names no condition ("seizure-free for a
    year, until last night": :func:`seizure_free_then_told`; not "..., panic attacks").
    """
    if denies_seizures(f"{first}, {second}"):
        return True
    return seizure_free_then_told(first, second) and not how.known(second)


def _joined(first: str, second: str, how: _Joining) -> str | None:
    """``first, second`` (cut at a comma) read as one item, or None to keep them apart.

    With crisis words in either, only when together they are all the name of a seizure
    disorder ("Seizures, absence", "Disorder, seizure"). Else joined: an item of qualifying
    words only ("Epilepsy, ruled out"); an item that is only a reaction, when together they
    name a condition ("Allergy, benzodiazepine"); otherwise two items without medicines,
    when together, either way round, they name a condition neither does, every word of
    ``second`` is a word of that condition's name ("glaucoma, narrow-angle", "Disease,
    liver"; not "Cyst on liver, problems with balance"), and no reason for taking the drug
    ``first`` gives is lost.
    """
    together = f"{first}, {second}"
    crisis = (*crisis_matches(first), *crisis_matches(second))
    if crisis:  # only a seizure word that is the name of a seizure disorder ("Seizures, absence")
        seizure = all(m.category == "seizure" for m in crisis)
        return next(
            (
                t
                for t in (together, f"{second} {first}")
                if seizure and _names_a_seizure_disorder(t)
            ),
            None,
        )
    if _qualifies_only(second) and how.plain(first):  # never a medicine's item ("..., no")
        return together
    apart = how.known(first) | how.known(second)
    if _reacts_only(first) or _reacts_only(second):
        return together if how.known(together) - apart else None
    if not (how.plain(first) and how.plain(second)):
        return None
    moved = set(tokens(second))  # all taken up by the condition's name ("Apnea, sleep")
    reasons = set(_reasons(first))  # kept ("Epilepsy ..., apnoea suspected" stays epilepsy)
    for text in (together, f"{second} {first}"):
        new = how.known(text) - apart
        fits = any(moved <= set(tokens(name)) for slug in new for name in how.names(slug))
        if fits and reasons <= set(_reasons(text)):
            return text
    return None


def _join_items(
    values: Iterable[str], kept: re.Pattern[str] | None, how: _Joining
) -> tuple[str, ...]:
    """The items of ``values`` (:func:`split_items`), each pair :func:`_joined` as one.

    A pair that is one saying about seizures (:func:`_seizures_said`) is one item first.
    Only at a comma, or between two entries of a list (the profile keeps a comma list's
    entries apart); never across a semicolon, a line or "and". Then a seizure denied with a
    seizure told anywhere after it is one item, a seizure (:func:`_told_after_denials`).
    """
    items: list[_Item] = []
    for place, value in enumerate(values):
        for item, separator in _parts(value, kept):
            comma = separator in {",", ""}  # "": a value's first item
            if not (items and comma):
                joined = None
            elif _seizures_said(items[-1].text, item, how):
                joined = f"{items[-1].text}, {item}"
            else:
                joined = _joined(items[-1].text, item, how)
            if joined is not None:
                items[-1] = _Item(joined, items[-1].place, items[-1].separator)
            else:
                items.append(_Item(item, place, separator))
    seen: dict[str, str] = {}
    for text in _told_after_denials(items, how):
        seen.setdefault(text.casefold(), text)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class _Item:
    """An item as cut: its text, the index of its value, and the separator before it."""

    text: str
    place: int
    separator: str


def _seizure_in(text: str) -> bool:
    return any(m.category == "seizure" for m in crisis_matches(text))


#: How a separator is written back between two items read as one.
_SEPARATOR_TEXT: Final = {",": ", ", ";": "; ", "\n": "; ", "\r": "; ", "/": "/"}


def _told_after_denials(items: Sequence[_Item], how: _Joining) -> list[str]:
    """The items' texts, a seizure denied and the seizure told after it read as one item.

    An item that says there were no seizures (:func:`seizure_free_then_told`: "denies
    seizures", "Seizures: no", "seizure-free") followed anywhere later, across any separator
    or entry, by an item with a word that tells of one since (:data:`SEIZURE_TOLD_AFTER_WORDS`:
    "had one last night") is no denial: the two are one item, a seizure red flag (a missed
    seizure is the dangerous error). A later item that is a seizure red flag itself is read
    alone, and one that names another condition than a seizure disorder is about that
    condition ("denies seizures", "liver disease since last year": no red flag; "denies
    seizures", "epilepsy flare last night": one). The one place :func:`screen`,
    :func:`recognise` and :func:`crisis_items` read it.

    >>> _told_after_denials([_Item("denies seizures", 0, ""), _Item("fever", 1, ""),
    ...                      _Item("had one last night", 2, "")], _REASONS_ONLY)
    ['denies seizures … had one last night', 'fever']
    """
    texts = [item.text for item in items]
    places = list(items)
    index = 0
    while index < len(texts):
        first = texts[index]
        later = next(
            (
                at
                for at in range(index + 1, len(texts))
                # a later item naming another condition is about that one ("liver disease
                # since last year"); one naming a seizure disorder is about seizures
                if seizure_free_then_told(first, texts[at])
                and (not how.known(texts[at]) or "seizure" in _reasons(texts[at]))
            ),
            None,
        )
        if later is not None and not (_seizure_in(first) or _seizure_in(texts[later])):
            told = places[later]
            if later == index + 1 and told.place == places[index].place:
                glue = _SEPARATOR_TEXT.get(told.separator, f" {told.separator} ")
            else:
                glue = ", " if later == index + 1 else " … "
            texts[index] = f"{first}{glue}{texts[later]}"
            del texts[later], places[later]
        index += 1
    return texts


#: Reading reasons only (no catalogue): what :func:`indication_of` joins by.
_REASONS_ONLY: Final = _Joining(
    known=lambda item: frozenset(_reasons(item)),
    names=lambda reason: _REASON_PHRASES.get(reason, ()),
    plain=lambda _item: True,
)


def crisis_items(conditions: Iterable[str]) -> tuple[tuple[str, tuple[CrisisMatch, ...]], ...]:
    """The condition items with crisis words, read as :func:`screen` reads them, and the words.

    For a profile's conditions, stored one comma entry at a time: "Seizures", "no" is one
    item, a denial; "seizure-free for a year", "until last night" one, a seizure told after;
    "Seizures", "absence" one, a seizure disorder. Without the catalogue (the reasons only).

    >>> [(item, [m.typed for m in found]) for item, found in crisis_items(
    ...     ["Seizures", "no", "seizure-free for a year", "until last night", "self-harm"])]
    [('seizure-free for a year, until last night', ['seizure-free']), ('self-harm', ['self-harm'])]
    """
    items = _join_items(conditions, None, _REASONS_ONLY)
    return tuple((item, found) for item in items if (found := crisis_matches(item)))


def read_conditions(
    catalogue: Catalogue, drugs: Iterable[Drug], conditions: Iterable[str]
) -> tuple[str, ...]:
    """The condition items typed, a problem list's inverted form whole (:func:`_joined`).

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> read_conditions(catalogue, [catalogue.get("clonazepam")],
    ...                 ["glaucoma, narrow-angle", "Disease, liver", "epilepsy, gout",
    ...                  "Cyst on liver, problems with balance"])
    ('glaucoma, narrow-angle', 'liver Disease', 'epilepsy', 'gout', 'Cyst on liver', \
'problems with balance')
    """
    chosen = tuple(drugs)

    def known(item: str) -> frozenset[str]:
        return frozenset(m.name for d in chosen for m in _condition_matches(catalogue, d, item))

    def names(slug: str) -> Iterable[str]:
        cautions = (n for d in chosen for c in d.cautions if c.condition == slug for n in c.names)
        return (*_REASON_PHRASES.get(slug, ()), *cautions)

    def plain(item: str) -> bool:
        return not (_classes_in(catalogue, item) or any(d.interactions_for(item) for d in chosen))

    return _join_items(conditions, product_names(catalogue), _Joining(known, names, plain))


def recognise(
    catalogue: Catalogue, *, agents: Iterable[str] = (), conditions: Iterable[str] = ()
) -> Recognition:
    """Which profile entries no drug of the catalogue recognises, and any crisis words.

    For a profile (no drug chosen yet): a condition known for any drug, or a medicine in any
    class or interaction row, is recognised.

    >>> from taperline.catalogue_data import load_catalogue
    >>> found = recognise(load_catalogue(), agents=["OxyContin", "tea"],
    ...                   conditions=["epilepsy", "gout", "self harm"])
    >>> [u.name for u in found.unknown], [m.category for m in found.crisis], found.indication
    (['tea', 'gout'], ['self-harm'], 'seizure')
    """
    unknown: list[Unknown] = []
    crisis: list[CrisisMatch] = []
    drugs = list(catalogue.drugs.values())
    for item in read_agents(catalogue, drugs, agents):
        typed = crisis_matches(item)
        crisis += typed
        known = _classes_in(catalogue, item) or any(d.interactions_for(item) for d in drugs)
        if not known and not typed:
            unknown.append(Unknown(item, "agent", _suggest(item, _agent_names(catalogue))))
    conditions = tuple(conditions)  # read twice: the items, and the reason (indication_of)
    items = read_conditions(catalogue, drugs, conditions)
    for item in items:
        typed = crisis_matches(item)
        crisis += typed
        known = any(_condition_matches(catalogue, d, item) for d in drugs)
        if not known and not typed and not denies_seizures(item):  # "denies seizures": said
            unknown.append(Unknown(item, "condition", _suggest(item, _condition_names(catalogue))))
    return Recognition(tuple(unknown), tuple(crisis), indication_of(conditions))
