"""Validating the catalogue mapping (as read from data/drugs.toml): :func:`parse_catalogue`.

Products, interactions, cautions, daily maxima, substance classes, sleep use and facts, each
drug's checks across its fields, and the catalogue as a whole.

With ``on_use=True`` (the packaged catalogue, :func:`taperline.catalogue_data.load_catalogue`)
each drug is checked in full when first read instead of all at once; everything else (the
names and brands of every drug, the classes, the withdrawal bands) is checked at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Final, cast, get_args

from taperline.core.catalogue.lookup import Catalogue, Drug, DrugsOnUse
from taperline.core.catalogue.model import (
    FACT_TOPICS,
    INDICATIONS,
    Caution,
    CautionSeverity,
    Cited,
    ClassInteraction,
    DailyMaximum,
    DoseBand,
    DrugClass,
    Fact,
    Interaction,
    InteractionKind,
    InteractionSeverity,
    Member,
    SleepUse,
    Sourced,
    SubstanceClass,
)
from taperline.core.catalogue.rows import (
    _CITE_KEYS,
    _RXNORM_RE,
    _SLUG_RE,
    _cv,
    _fraction,
    _note,
    _optional,
    _parse_bands,
    _parse_equivalence,
    _parse_range,
    _parse_sourced_code,
    _parse_sourced_mass,
    _positive,
    _Row,
    _sourced_number,
)
from taperline.core.products import Product, ProductForm
from taperline.core.quantity import Concentration, Mass, Volume
from taperline.core.words import phrase_key
from taperline.errors import InputError

_FORMS: Final[frozenset[str]] = frozenset(get_args(ProductForm))
_PRODUCT_KEYS: Final = (
    "strength",
    "divisible_by",
    "concentration",
    "resolution",
    "rxnorm",
    "compounded",
    "suspension",
    *_CITE_KEYS,
)


def _parse_product(row: _Row) -> Product:
    row.check_keys(["form", "source"], _PRODUCT_KEYS)
    form = row.text("form")
    if form not in _FORMS:
        raise row.fail(f"form {form!r} is not one of {', '.join(sorted(_FORMS))}")
    rxnorm = row.data.get("rxnorm")
    if rxnorm is not None and (not isinstance(rxnorm, str) or not _RXNORM_RE.match(rxnorm)):
        raise row.fail(f"rxnorm {rxnorm!r} must be an RxNorm code: digits written as text")
    try:
        if form == "liquid":
            return _parse_liquid(row, rxnorm)
        row.check_keys(["form", "source", "strength"], _PRODUCT_KEYS)
        strength = row.mass("strength")
        if strength.mg <= 0:
            raise row.fail(f"strength {row.data['strength']!r} must be above zero")
        return Product(
            form=cast("ProductForm", form),
            strength=strength,
            source=row.source(),
            divisible_by=row.integer("divisible_by", 1),
            rxnorm=rxnorm,
            compounded=row.flag("compounded"),
        )
    except InputError as exc:
        raise row.fail(str(exc)) from exc


def _parse_liquid(row: _Row, rxnorm: str | None) -> Product:
    row.check_keys(["form", "source", "concentration", "resolution"], _PRODUCT_KEYS)
    conc, res = row.quantity("concentration"), row.quantity("resolution")
    if not isinstance(conc, Concentration) or conc.mg_per_ml <= 0:
        raise row.fail(f"concentration {row.data['concentration']!r} must be above zero, in mg/mL")
    if not isinstance(res, Volume) or res.ml <= 0:
        raise row.fail(f"resolution {row.data['resolution']!r} must be a volume above zero, in mL")
    return Product.liquid(
        conc,
        res,
        source=row.source(),
        compounded=row.flag("compounded", default=True),
        suspension=row.flag("suspension", default=True),
        rxnorm=rxnorm,
    )


_KINDS: Final[frozenset[str]] = frozenset(get_args(InteractionKind))
_SEVERITIES: Final[frozenset[str]] = frozenset(get_args(InteractionSeverity))


def _kind_and_severity(row: _Row) -> tuple[InteractionKind, InteractionSeverity]:
    kind, severity = row.text("kind"), row.text("severity")
    if kind not in _KINDS:
        raise row.fail(f"kind {kind!r} is not one of {', '.join(sorted(_KINDS))}")
    if severity not in _SEVERITIES:
        raise row.fail(f"severity {severity!r} is not one of {', '.join(sorted(_SEVERITIES))}")
    return cast("InteractionKind", kind), cast("InteractionSeverity", severity)


def _parse_interaction(row: _Row, classes: Mapping[str, SubstanceClass]) -> Interaction:
    row.check_keys(
        ["agent", "group", "kind", "severity", "effect", "advice", "source"],
        ["aliases", "class", *_CITE_KEYS],
    )
    kind, severity = _kind_and_severity(row)
    slug = row.text("class") if "class" in row.data else ""
    if slug and slug not in classes:
        import difflib  # only for the did-you-mean of a mistake

        close = difflib.get_close_matches(slug, list(classes), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise row.fail(f"class {slug!r} is not a known substance class{hint}")
    return Interaction(
        agent=row.text("agent"),
        aliases=row.texts("aliases"),
        group=row.text("group"),
        kind=kind,
        severity=severity,
        effect=row.text("effect"),
        advice=row.text("advice"),
        source=row.source(),
        note=_note(row),
        assumption=row.flag("assumption"),
        agent_class=slug,
        class_names=classes[slug].names if slug else (),
        class_examples=classes[slug].examples() if slug else "",
    )


_CAUTION_SEVERITIES: Final[frozenset[str]] = frozenset(get_args(CautionSeverity))


def _parse_caution(row: _Row) -> Caution:
    row.check_keys(
        ["condition", "message", "source"],
        ["aliases", "severity", "contraindication", *_CITE_KEYS],
    )
    slug = row.text("condition")
    if not _SLUG_RE.match(slug):
        raise row.fail(f"condition {slug!r} must be a slug such as 'sleep-apnea'")
    contraindication = row.flag("contraindication")
    severity = row.text("severity", "urgent" if contraindication else "warning")
    if severity not in _CAUTION_SEVERITIES:
        raise row.fail(f"severity {severity!r} is not one of urgent, warning, info")
    if contraindication and severity != "urgent":
        raise row.fail("a contraindication is urgent: leave severity out or make it 'urgent'")
    return Caution(
        slug,
        row.texts("aliases"),
        row.text("message"),
        row.source(),
        _note(row),
        row.flag("assumption"),
        cast("CautionSeverity", severity),
        contraindication,
    )


def _parse_daily_maximum(row: _Row) -> DailyMaximum:
    row.check_keys(["indication", "max_mg", "applies_to", "source"], _CITE_KEYS)
    indication = row.text("indication")
    if indication not in INDICATIONS:
        raise row.fail(f"indication {indication!r} is not one of {', '.join(INDICATIONS)}")
    value = row.mass("max_mg")
    if value.mg <= 0:
        raise row.fail(f"max_mg {row.data['max_mg']!r} must be above zero")
    return DailyMaximum(
        indication,
        value,
        row.text("applies_to"),
        row.source(),
        _note(row),
        row.flag("assumption"),
    )


def _parse_maxima(row: _Row) -> tuple[tuple[DailyMaximum, ...], Sourced[Mass] | None]:
    """The maxima by indication and the single (or lowest) daily maximum."""
    single = _optional(row, "daily_max_mg", _parse_sourced_mass)
    rows = row.children("daily_maxima")
    maxima = tuple(_parse_daily_maximum(r) for r in rows)
    if not maxima:
        return (), single
    if single is not None:
        raise row.fail("give daily_max_mg or daily_maxima, not both")
    indications = [m.indication for m in maxima]
    if len(set(indications)) != len(indications):
        raise row.fail(f"daily_maxima: one maximum per indication, got {indications}")
    lowest = min(maxima, key=lambda m: m.max_mg.mg)
    return maxima, lowest.sourced


def _parse_member(row: _Row) -> Member:
    row.check_keys(["name"], ["also"])
    return Member(row.text("name"), row.texts("also"))


def _parse_class_interaction(row: _Row) -> ClassInteraction:
    cell = row.child("interaction")
    cell.check_keys(["applies_to", "kind", "severity", "effect", "advice", "source"], _CITE_KEYS)
    applies_to = cell.texts("applies_to")
    wrong = [c for c in applies_to if c not in get_args(DrugClass)]
    if not applies_to or wrong:
        raise cell.fail(f"applies_to must list drug classes of {get_args(DrugClass)}")
    kind, severity = _kind_and_severity(cell)
    return ClassInteraction(
        cast("tuple[DrugClass, ...]", applies_to),
        kind,
        severity,
        cell.text("effect"),
        cell.text("advice"),
        cell.source(),
        _note(cell),
        cell.flag("assumption"),
    )


def _parse_class(row: _Row) -> SubstanceClass:
    slug = row.text("slug") if "slug" in row.data else ""
    row = _Row(row.origin, f"class {slug!r}", row.data)
    row.check_keys(
        ["slug", "name", "singular", "members", "source"],
        ["terms", "interaction", *_CITE_KEYS],
    )
    if not _SLUG_RE.match(slug):
        raise row.fail(f"slug {slug!r} must be a slug such as 'opioids'")
    members = tuple(_parse_member(r) for r in row.children("members"))
    if not members:
        raise row.fail("members: a class needs at least one member")
    names = [name for m in members for name in m.names]
    keys = [phrase_key(name) for name in names]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    if dupes := sorted(key for key, count in counts.items() if count > 1):
        raise row.fail(f"members: the name {dupes[0]!r} is listed twice")
    if empty := [name for name, key in zip(names, keys, strict=True) if not key]:
        raise row.fail(f"members: {empty[0]!r} has no letters or digits to match")
    return SubstanceClass(
        slug=slug,
        name=row.text("name"),
        singular=row.text("singular"),
        terms=row.texts("terms"),
        members=members,
        source=row.source(),
        note=_note(row),
        assumption=row.flag("assumption"),
        interaction=_parse_class_interaction(row) if "interaction" in row.data else None,
    )


def _parse_classes(root: _Row) -> Mapping[str, SubstanceClass]:
    classes: dict[str, SubstanceClass] = {}
    for r in root.children("classes"):
        parsed = _parse_class(r)
        if parsed.slug in classes:
            raise r.fail(f"class {parsed.slug!r} is listed twice")
        classes[parsed.slug] = parsed
    return MappingProxyType(classes)


def _inherited(
    drug_class: DrugClass, rows: tuple[Interaction, ...], classes: Mapping[str, SubstanceClass]
) -> tuple[Interaction, ...]:
    """The class interactions that apply to a drug of ``drug_class`` without a row of its own."""
    own = {row.agent_class for row in rows}
    return tuple(
        Interaction(
            agent=c.name,
            aliases=(),
            group=c.name,
            kind=c.interaction.kind,
            severity=c.interaction.severity,
            effect=c.interaction.effect,
            advice=c.interaction.advice,
            source=c.interaction.source,
            note=c.interaction.note,
            assumption=c.interaction.assumption,
            agent_class=c.slug,
            class_names=c.names,
            class_examples=c.examples(),
        )
        for c in classes.values()
        if c.interaction is not None
        and drug_class in c.interaction.applies_to
        and c.slug not in own
    )


_MAX_BEFORE_BED_MIN: Final = 240  # taperline's sanity limit: more than 4 h is not "at bedtime"


def _parse_sleep_use(row: _Row, key: str) -> SleepUse:
    cell = row.child(key)
    cell.check_keys(
        [
            "low_mg",
            "high_mg",
            "before_bed_min",
            "short_term_low_weeks",
            "short_term_high_weeks",
            "source",
        ],
        _CITE_KEYS,
    )
    low, high = cell.mass("low_mg"), cell.mass("high_mg")
    if not 0 < low.mg < high.mg:
        raise cell.fail("needs 0 < low_mg < high_mg")
    before = cell.integer("before_bed_min", 0)
    if not 0 <= before <= _MAX_BEFORE_BED_MIN:
        raise cell.fail(f"before_bed_min must be 0-{_MAX_BEFORE_BED_MIN}, got {before}")
    weeks_low = cell.integer("short_term_low_weeks", 0)
    weeks_high = cell.integer("short_term_high_weeks", 0)
    if not 0 < weeks_low <= weeks_high:
        raise cell.fail("needs 0 < short_term_low_weeks <= short_term_high_weeks")
    return SleepUse(
        low,
        high,
        before,
        weeks_low,
        weeks_high,
        cell.source(),
        _note(cell),
        cell.flag("assumption"),
    )


def _parse_fact(row: _Row) -> Fact:
    row.check_keys(["topic", "text", "source"])
    topic = row.text("topic")
    if topic not in FACT_TOPICS:
        raise row.fail(f"topic {topic!r} is not one of {', '.join(sorted(FACT_TOPICS))}")
    return Fact(topic, row.text("text"), row.source())


def _parse_plausible(row: _Row) -> tuple[Mass, Mass, Cited]:
    cell = row.child("plausible_single_dose")
    cell.check_keys(["min_mg", "max_mg", "source", "note"], ["assumption"])
    low, high = cell.mass("min_mg"), cell.mass("max_mg")
    if not 0 < low.mg < high.mg:
        raise cell.fail("needs 0 < min_mg < max_mg")
    return low, high, Cited(cell.source(), cell.text("note"), cell.flag("assumption"))


_DRUG_REQUIRED: Final = (
    "name",
    "brand_names",
    "drug_class",
    "half_life_h",
    "plausible_single_dose",
)
_DRUG_OPTIONAL: Final = (
    "active_metabolite_half_life_h",
    "tmax_h",
    "ka_per_h",
    "bioavailability",
    "cl_l_per_h",
    "v_l",
    "pk_apparent",
    "cv_cl",
    "cv_v",
    "cv_ka",
    "equivalences",
    "daily_max_mg",
    "dose_bands",
    "products",
    "rxnorm_ingredient",
    "rxnorm_source",
    "interactions",
    "cautions",
    "facts",
    "sleep_use",
    "daily_maxima",
)


def _parse_drug(row: _Row, classes: Mapping[str, SubstanceClass]) -> Drug:
    name = row.text("name").lower()
    row = _Row(row.origin, f"drug {name!r}", row.data)
    row.check_keys(_DRUG_REQUIRED, _DRUG_OPTIONAL)
    drug_class = row.text("drug_class")
    if drug_class not in get_args(DrugClass):
        raise row.fail(f"drug_class {drug_class!r} is not one of {get_args(DrugClass)}")
    low, high, basis = _parse_plausible(row)
    maxima, daily_max = _parse_maxima(row)
    rows = tuple(_parse_interaction(r, classes) for r in row.children("interactions"))
    drug = Drug(
        name=name,
        brand_names=row.texts("brand_names"),
        drug_class=cast("DrugClass", drug_class),
        half_life_h=_parse_range(row, "half_life_h"),
        min_plausible_mg=low,
        max_plausible_mg=high,
        plausible_basis=basis,
        active_metabolite_half_life_h=_optional(row, "active_metabolite_half_life_h", _parse_range),
        tmax_h=_optional(row, "tmax_h", _parse_range),
        ka_per_h=_optional(row, "ka_per_h", _positive_number),
        bioavailability=_optional(row, "bioavailability", _fraction_number),
        cl_l_per_h=_optional(row, "cl_l_per_h", _positive_number),
        v_l=_optional(row, "v_l", _positive_number),
        pk_apparent=row.flag("pk_apparent", default=True),
        cv_cl=_optional(row, "cv_cl", _cv_number),
        cv_v=_optional(row, "cv_v", _cv_number),
        cv_ka=_optional(row, "cv_ka", _cv_number),
        equivalences=tuple(_parse_equivalence(r) for r in row.children("equivalences")),
        daily_max_mg=daily_max,
        dose_bands=_parse_bands(row, "dose_bands"),
        products=tuple(replace(_parse_product(r), drug=name) for r in row.children("products")),
        rxnorm_ingredient=_optional(row, "rxnorm_ingredient", _parse_sourced_code),
        rxnorm_source=row.source("rxnorm_source") if "rxnorm_source" in row.data else None,
        interactions=rows + _inherited(cast("DrugClass", drug_class), rows, classes),
        cautions=tuple(_parse_caution(r) for r in row.children("cautions")),
        facts=tuple(_parse_fact(r) for r in row.children("facts")),
        sleep_use=_optional(row, "sleep_use", _parse_sleep_use),
        daily_maxima=maxima,
    )
    _check_drug(row, drug)
    return drug


def _positive_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _positive)


def _fraction_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _fraction)


def _cv_number(row: _Row, key: str) -> Sourced[float]:
    return _sourced_number(row, key, _cv)


def _check_drug(row: _Row, drug: Drug) -> None:
    """Checks across fields of one drug."""
    if drug.drug_class == "benzodiazepine" and not drug.equivalences:
        raise row.fail("equivalences: a benzodiazepine needs at least one diazepam equivalence")
    sources = [eq.source for eq in drug.equivalences]
    if len(set(sources)) != len(sources):
        raise row.fail(f"equivalences: one value per source, got {sources}")
    for daily_max in {m.max_mg for m in drug.daily_maxima} or (
        {drug.daily_max_mg.value} if drug.daily_max_mg is not None else set()
    ):
        _check_daily_max(row, drug, daily_max)
    steps = [p.step.mg for p in drug.products]
    if steps and drug.min_plausible_mg.mg > min(steps):
        raise row.fail(
            "plausible_single_dose: min_mg is above the smallest product step "
            f"({min(steps)} mg), so a real dose would be refused"
        )
    if any(p.rxnorm for p in drug.products) and drug.rxnorm_source is None:
        raise row.fail("rxnorm_source: products carry RxNorm codes, so name their source")


def _check_daily_max(row: _Row, drug: Drug, daily_max: Mass) -> None:
    if drug.dose_bands and daily_max.mg < max(b.low_mg.mg for b in drug.dose_bands):
        raise row.fail("daily_max_mg is below the lower bound of the highest dose band")
    if drug.max_plausible_mg.mg > daily_max.mg:
        raise row.fail("plausible_single_dose: max_mg is above daily_max_mg")


def _check_unique_names(root: _Row, drugs: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    """No two drugs share a name or brand name; ``drugs`` gives each one's (name, brands)."""
    seen: dict[str, str] = {}
    for name, brands in drugs:
        for alias in (name, *brands):
            key = alias.casefold()
            if key in seen:
                raise root.fail(
                    f"drug {name!r}: name {alias!r} is already used by drug {seen[key]!r}"
                    if seen[key] != name
                    else f"drug {name!r} is listed twice"
                )
            seen[key] = name


def _all_drugs(
    root: _Row, rows: tuple[_Row, ...], classes: Mapping[str, SubstanceClass]
) -> Mapping[str, Drug]:
    """Every drug checked now, in file order, each one's names checked after it."""
    drugs: dict[str, Drug] = {}

    def each() -> Iterable[tuple[str, tuple[str, ...]]]:
        for row in rows:
            drug = _parse_drug(row, classes)
            drugs[drug.name] = drug
            yield drug.name, drug.brand_names

    _check_unique_names(root, each())
    return MappingProxyType(dict(sorted(drugs.items())))


def _drugs_on_use(
    root: _Row, rows: tuple[_Row, ...], classes: Mapping[str, SubstanceClass]
) -> DrugsOnUse:
    """Every drug's names checked now, each drug in full when first read."""
    by_name: dict[str, _Row] = {}
    brands: dict[str, tuple[str, ...]] = {}

    def each() -> Iterable[tuple[str, tuple[str, ...]]]:
        for row in rows:
            name = row.text("name").lower()  # as _parse_drug reads them
            by_name[name] = row
            brands[name] = _Row(row.origin, f"drug {name!r}", row.data).texts("brand_names")
            yield name, brands[name]

    _check_unique_names(root, each())
    return DrugsOnUse(
        dict(sorted(brands.items())), lambda name: _parse_drug(by_name[name], classes)
    )


def _parse_withdrawal(root: _Row) -> tuple[tuple[DoseBand, ...], Sourced[float], Sourced[float]]:
    row = root.child("withdrawal_risk")
    row.check_keys(["bands", "significant_use_months", "significant_use_days_per_week"])
    bands = _parse_bands(row, "bands")
    if not bands:
        raise row.fail("bands: at least one withdrawal-risk band is needed")
    months = _sourced_number(row, "significant_use_months", _positive)
    days = _sourced_number(
        row,
        "significant_use_days_per_week",
        lambda v: None if 0 < v <= 7 else "must be 1-7",  # noqa: PLR2004 -- days in a week
    )
    return bands, months, days


def parse_catalogue(
    data: Mapping[str, object], *, origin: str = "drugs.toml", on_use: bool = False
) -> Catalogue:
    """Validate the catalogue mapping (as read from TOML) and build the :class:`Catalogue`.

    Args:
        data: the parsed file.
        origin: the file name used in error messages.
        on_use: check each drug's rows when the drug is first read (:class:`DrugsOnUse`), not
            now; the drugs' names and brands, the classes and the withdrawal bands are
            checked now either way.

    Raises:
        CatalogueError: the first problem found, naming the drug, row and field (with
            ``on_use``, a drug's own problem when it is first read).

    >>> parse_catalogue({"schema_version": 2})
    Traceback (most recent call last):
    ...
    taperline.errors.CatalogueError: drugs.toml: catalogue: schema_version must be 1, got 2
    """
    root = _Row(origin, "catalogue", data)
    if root.integer("schema_version", 0) != 1:
        raise root.fail(f"schema_version must be 1, got {data.get('schema_version')!r}")
    root.check_keys(["schema_version", "withdrawal_risk", "drugs"], ["classes"])
    bands, months, days = _parse_withdrawal(root)
    classes = _parse_classes(root)
    drug_rows = root.children("drugs")
    for i, r in enumerate(drug_rows):
        if "name" not in r.data:
            raise _Row(origin, f"drugs[{i}]", r.data).fail("missing required key 'name'")
    read = _drugs_on_use if on_use else _all_drugs
    drugs = read(root, drug_rows, classes)
    if not drugs:
        raise root.fail("drugs: the catalogue holds no drugs")
    return Catalogue(
        drugs=drugs,
        withdrawal_risk_bands=bands,
        significant_use_months=months,
        significant_use_days_per_week=days,
        classes=classes,
    )
