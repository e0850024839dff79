"""The drug catalogue: cited PK values, equivalences, dose bands, products, interactions, cautions.

It also holds the substance classes (opioids, gabapentinoids, benzodiazepines, alcohol ...), each
with its members' generic and brand names and a source: :class:`SubstanceClass`.

Pure: :func:`parse_catalogue` takes the already-read mapping (from TOML) and returns a
validated :class:`Catalogue`, or raises :class:`~taperline.errors.CatalogueError` naming the
row and the field, e.g. ``drugs.toml: drug 'clonazepam', products[2]: strength ...``.
Row indices are zero-based, as in TOML/JSON paths. Reading the file is the adapter's job
(:mod:`taperline.catalogue_data`).

Every clinical value carries a source id from docs/clinical-basis.md (:data:`KNOWN_SOURCES`);
values we could not confirm carry ``assumption=True`` and a note.

The package: :mod:`~taperline.core.catalogue.model` (the value types and source ids),
:mod:`~taperline.core.catalogue.lookup` (:class:`Drug` and :class:`Catalogue`, and the lookups
on them), :mod:`~taperline.core.catalogue.rows` (reading one table, its cited fields) and
:mod:`~taperline.core.catalogue.loading` (:func:`parse_catalogue`).

Choices made here (documented for the commands built on top):

* Dose bands are intervals whose ends say whether they are included; a dose below the lowest
  band, or in no band, gets ``None`` from :meth:`Drug.band_for`.
* :meth:`Drug.find_interactions` and :meth:`Drug.find_cautions` look for the agent (or the
  condition slug), its aliases, its group and, for an interaction that names a class, every
  generic and brand name of the class, as whole words anywhere in the name typed (the rules of
  :mod:`taperline.core.words`: case, punctuation and plurals do not matter, the longest match
  wins). For one name, interactions of the same kind are reduced to the most severe, and on a
  tie to the one that names the agent itself rather than its class ("carbamazepine" [LAI-1978]
  over "CYP3A inducers" [LABEL]). Unknown names are not an error (an unknown agent is not a
  safe agent, but it is not bad input either): ask for them with :meth:`Drug.unmatched_agents`
  / :meth:`Drug.unmatched_conditions` and report them. :mod:`taperline.core.screening` is the
  one place that turns all this into findings.
* A class's own interaction (``[classes.interaction]``) is copied into every drug whose
  ``drug_class`` it applies to, unless the drug has its own row for that class.
* A drug has one daily maximum, or one per indication (:class:`DailyMaximum`); then
  ``daily_max_mg`` is the lowest of them, the one that applies when the reason is not known.
* ``cl_l_per_h`` and ``v_l`` are apparent values (CL/F, V/F) when ``pk_apparent`` is true; then
  :meth:`Drug.pk_params` uses bioavailability 1.0 so the dose is not scaled by F twice.

>>> from taperline.core.quantity import Mass
>>> band = DoseBand("low", Mass.of_mg("0.25"), Mass.of_mg("0.5"), "mild", "tolerance", "ASHTON")
>>> band.contains(Mass.of_mg("0.5")), band.contains(Mass.of_mg("0.6"))
(True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from taperline.core.catalogue.lookup import Catalogue, Drug
from taperline.core.catalogue.model import (
    DIAZEPAM_REFERENCE,
    FACT_TOPICS,
    INDICATIONS,
    KNOWN_SOURCES,
    Caution,
    CautionSeverity,
    Cited,
    ClassInteraction,
    DailyMaximum,
    DoseBand,
    DrugClass,
    Equivalence,
    Fact,
    Indication,
    Interaction,
    InteractionKind,
    InteractionSeverity,
    Member,
    Range,
    SleepUse,
    Sourced,
    SubstanceClass,
)

if TYPE_CHECKING:
    from taperline.core.catalogue.loading import parse_catalogue


def __getattr__(name: str) -> Any:
    """:func:`parse_catalogue`, imported on first use.

    Reading a catalogue's rows needs the product grammar and the row readers; the many modules
    that only use the catalogue's types (a journal command that reads no catalogue) do not.
    """
    if name == "parse_catalogue":
        from taperline.core.catalogue.loading import parse_catalogue

        return parse_catalogue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DIAZEPAM_REFERENCE",
    "FACT_TOPICS",
    "INDICATIONS",
    "KNOWN_SOURCES",
    "Catalogue",
    "Caution",
    "CautionSeverity",
    "Cited",
    "ClassInteraction",
    "DailyMaximum",
    "DoseBand",
    "Drug",
    "DrugClass",
    "Equivalence",
    "Fact",
    "Indication",
    "Interaction",
    "InteractionKind",
    "InteractionSeverity",
    "Member",
    "Range",
    "SleepUse",
    "Sourced",
    "SubstanceClass",
    "parse_catalogue",
]
