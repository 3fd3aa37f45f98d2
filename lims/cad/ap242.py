"""Semantic PMI of a STEP AP242 file (any edition): tolerances, dimensions and datums.

The entity names and attribute orders are those of the AP242 MIM (ISO 10303-242, the
``geometric_tolerance`` and ``dimension`` schemas of ISO 10303-47), which all editions share
for what is read here.  A record may be a simple instance (``FLATNESS_TOLERANCE(...)``,
attributes of all supertypes in order) or a complex one (``(GEOMETRIC_TOLERANCE(...)
POSITION_TOLERANCE())``, attributes per part); ``_attributes`` reads both alike.
"""

from typing import Any

from lims import units
from lims.cad import iso286
from lims.cad.part21 import Entity, Enum, Ref, StepError, StepFile, Typed
from lims.cad.plan import CadError, Characteristic, Datum, NoSemanticPmi, Plan
from lims.reasons import Reason

TOLERANCE_TYPES = (
    "ANGULARITY", "CIRCULAR_RUNOUT", "COAXIALITY", "CONCENTRICITY", "CYLINDRICITY",
    "FLATNESS", "LINE_PROFILE", "PARALLELISM", "PERPENDICULARITY", "POSITION", "ROUNDNESS",
    "STRAIGHTNESS", "SURFACE_PROFILE", "SYMMETRY", "TOTAL_RUNOUT",
)  # fmt: skip
TOLERANCE_ENTITIES = ("GEOMETRIC_TOLERANCE", *(f"{t}_TOLERANCE" for t in TOLERANCE_TYPES))
# Supertypes of a simple tolerance instance, in attribute order, after geometric_tolerance.
WITH_DATUMS = "GEOMETRIC_TOLERANCE_WITH_DATUM_REFERENCE"
DATUM_REFERENCING = {
    "ANGULARITY", "CIRCULAR_RUNOUT", "COAXIALITY", "CONCENTRICITY", "PARALLELISM",
    "PERPENDICULARITY", "SYMMETRY", "TOTAL_RUNOUT",
}  # fmt: skip
DIMENSION_TYPES = (
    "DIMENSIONAL_SIZE", "ANGULAR_SIZE", "DIMENSIONAL_SIZE_WITH_PATH",
    "DIMENSIONAL_LOCATION", "ANGULAR_LOCATION", "DIMENSIONAL_LOCATION_WITH_PATH",
)  # fmt: skip
NOT_AP242 = {
    "CONFIG_CONTROL_DESIGN": "AP203",
    "AP203_CONFIGURATION_CONTROLLED_3D_DESIGN_OF_MECHANICAL_PARTS_AND_ASSEMBLIES_MIM_LF": "AP203",
    "AUTOMOTIVE_DESIGN": "AP214",
}
GRAPHIC_PMI = (
    "DRAUGHTING_CALLOUT", "ANNOTATION_OCCURRENCE", "TESSELLATED_ANNOTATION_OCCURRENCE",
    "ANNOTATION_CURVE_OCCURRENCE", "ANNOTATION_PLACEHOLDER_OCCURRENCE",
)  # fmt: skip
SI_PREFIX = {"MILLI": "milli", "MICRO": "micro", "CENTI": "centi", "KILO": "kilo", "NANO": "nano"}
# A common datum of common datums nests at most once in practice; deeper is a record loop.
MAX_COMMON_DATUM_DEPTH = 8


def extract(step: StepFile) -> Plan:
    """The PMI plan of an indexed STEP file; refuses files that cannot carry semantic PMI."""
    schema = " ".join(step.schema)
    family = NOT_AP242.get(schema.split(" ")[0].split("{")[0].strip().upper())
    if family:
        raise NoSemanticPmi(
            Reason(
                "this is an %(family)s file (%(schema)s): %(family)s carries no semantic PMI; "
                "ask for an AP242 export with semantic PMI",
                family=family,
                schema=schema,
            )
        )
    try:
        return _Extraction(step, schema).plan()
    except (CadError, StepError):
        raise
    except (IndexError, KeyError, TypeError, AttributeError, ValueError) as error:
        # Python's own words for the slip are English only: name its kind.
        raise StepError(
            Reason("the PMI records are malformed (%(slip)s)", slip=type(error).__name__)
        ) from None


class _Extraction:
    def __init__(self, step: StepFile, schema: str) -> None:
        self.step = step
        self.result = Plan(format="step-ap242", schema=schema)
        self.units: dict[int, str] = {}

    def plan(self) -> Plan:
        step, result = self.step, self.result
        datums = step.ids_of("DATUM")
        result.datums = sorted(
            (Datum(label=self._datum_label(i), ref=f"#{i}") for i in datums),
            key=lambda datum: datum.label,
        )
        zones = self._zones()
        projected = self._projected(zones)
        relations = self._relations()
        tolerances = step.ids_of(*TOLERANCE_ENTITIES)
        for entity_id in tolerances:
            result.characteristics.append(
                self._tolerance(step.get(entity_id), zones, projected, relations)
            )
        dimensions = step.ids_of("DIMENSIONAL_CHARACTERISTIC_REPRESENTATION")
        ranges = self._plus_minus()
        for entity_id in dimensions:
            result.characteristics.append(self._dimension(step.get(entity_id), ranges))
        result.units = sorted({c.unit for c in result.characteristics if c.unit})
        result.counts = {
            "geometric_tolerances": len(tolerances),
            "dimensions": len(dimensions),
            "datums": len({d.label for d in result.datums}),
            "datum_features": len(step.ids_of("DATUM_FEATURE")),
            "datum_targets": len(step.ids_of("PLACED_DATUM_TARGET_FEATURE", "DATUM_TARGET")),
        }
        if not tolerances and not dimensions and not datums:
            graphic = len(step.ids_of(*GRAPHIC_PMI))
            if graphic:
                raise NoSemanticPmi(
                    Reason(
                        "the file carries no semantic PMI (it shows %(graphic)s graphic or "
                        "tessellated PMI annotations): nothing to plan from; ask for an AP242 "
                        "export with semantic PMI, or plan from the drawing",
                        graphic=graphic,
                    )
                )
            raise NoSemanticPmi(
                Reason(
                    "the file carries no semantic PMI: nothing to plan from; ask for an AP242 "
                    "export with semantic PMI, or plan from the drawing"
                )
            )
        return result

    # -- tolerances ---------------------------------------------------------------------

    def _tolerance(
        self,
        entity: Entity,
        zones: dict[int, tuple[int, str]],
        projected: dict[int, float | None],
        relations: dict[int, list[dict[str, str]]],
    ) -> Characteristic:
        base, datum_system, modifiers, extra = _tolerance_attributes(entity)
        type_ = next(
            (t.lower() for t in TOLERANCE_TYPES if f"{t}_TOLERANCE" in entity.parts), "geometric"
        )
        magnitude, unit = self._measure(base[2])
        characteristic = Characteristic(
            ref=f"#{entity.id}",
            kind="geometric_tolerance",
            type=type_,
            name=base[0] if isinstance(base[0], str) else "",
            magnitude=magnitude,
            unit=unit,
            modifiers=modifiers,
            datum_frame=self._datum_frame(datum_system),
        )
        zone = zones.get(entity.id)
        if zone is not None:
            characteristic.zone = zone[1]
            if zone[0] in projected:
                characteristic.projected = True
                if projected[zone[0]] is not None:
                    characteristic.details["projected_length"] = projected[zone[0]]
        if "projected" in modifiers:
            characteristic.projected = True
        for key, value in extra.items():
            characteristic.details[key] = self._measure(value)[0]
        if entity.id in relations:
            characteristic.details["relations"] = relations[entity.id]
        return characteristic

    def _zones(self) -> dict[int, tuple[int, str]]:
        """Tolerance id -> (zone id, zone form) from TOLERANCE_ZONE(.., (defining), form)."""
        zones: dict[int, tuple[int, str]] = {}
        for zone_id in self.step.ids_of("TOLERANCE_ZONE"):
            args = self.step.get(zone_id).args("TOLERANCE_ZONE")
            form = self.step.deref(args[5])
            name = form.args("TOLERANCE_ZONE_FORM")[0] if form else None
            for defining in args[4] or []:
                if isinstance(defining, Ref) and isinstance(name, str):
                    zones[defining.id] = (zone_id, name)
        return zones

    def _projected(self, zones: dict[int, tuple[int, str]]) -> dict[int, float | None]:
        """Zone id -> projected length, from PROJECTED_ZONE_DEFINITION(zone, .., .., length)."""
        found: dict[int, float | None] = {}
        for definition_id in self.step.ids_of("PROJECTED_ZONE_DEFINITION"):
            args = self.step.get(definition_id).args("PROJECTED_ZONE_DEFINITION")
            if args and isinstance(args[0], Ref):
                found[args[0].id] = self._measure(args[-1])[0] if len(args) >= 4 else None
        return found

    def _relations(self) -> dict[int, list[dict[str, str]]]:
        """Composite frames and other GEOMETRIC_TOLERANCE_RELATIONSHIPs, seen from both ends."""
        relations: dict[int, list[dict[str, str]]] = {}
        for relation_id in self.step.ids_of("GEOMETRIC_TOLERANCE_RELATIONSHIP"):
            name, _, relating, related = self.step.get(relation_id).args(
                "GEOMETRIC_TOLERANCE_RELATIONSHIP"
            )[:4]
            if isinstance(relating, Ref) and isinstance(related, Ref):
                kind = name if isinstance(name, str) and name else "related"
                relations.setdefault(relating.id, []).append(
                    {"relation": kind, "role": "relating", "with": f"#{related.id}"}
                )
                relations.setdefault(related.id, []).append(
                    {"relation": kind, "role": "related", "with": f"#{relating.id}"}
                )
        return relations

    # -- datums -------------------------------------------------------------------------

    def _datum_label(self, datum_id: int) -> str:
        args = self.step.get(datum_id).args("DATUM")
        return args[4] if len(args) > 4 and isinstance(args[4], str) else ""

    def _datum_frame(self, datum_system: list[Any]) -> list[str]:
        """Compartments in order: 'A', 'A-B' (common datum), 'B(maximum_material_requirement)'."""
        frame: list[tuple[int, str]] = []
        for position, reference in enumerate(datum_system):
            entity = self.step.deref(reference)
            if entity is None:
                continue
            if "DATUM_SYSTEM" in entity.parts:
                return [self._compartment(c) for c in entity.args("DATUM_SYSTEM")[4] or []]
            if "DATUM_REFERENCE" in entity.parts:  # AP203/214-style precedence and datum
                precedence, datum = entity.args("DATUM_REFERENCE")[:2]
                frame.append((precedence, self._compartment_of(datum, None)))
            else:
                frame.append((position, self._compartment(reference)))
        return [label for _, label in sorted(frame)]

    def _compartment(self, reference: Any, depth: int = 0) -> str:
        entity = self.step.deref(reference)
        if entity is None:
            return ""
        args = next(iter(entity.parts.values()))
        return self._compartment_of(args[4], args[5] if len(args) > 5 else None, depth)

    def _compartment_of(self, base: Any, modifiers: Any, depth: int = 0) -> str:
        if isinstance(base, Typed) and base.type == "COMMON_DATUM_LIST":
            if depth > MAX_COMMON_DATUM_DEPTH:
                raise StepError(Reason("a common datum refers back to itself (a record loop)"))
            elements = base.value if isinstance(base.value, list) else [base.value]
            label = "-".join(self._compartment(element, depth + 1) for element in elements)
        else:
            datum = self.step.deref(base)
            label = self._datum_label(datum.id) if datum and "DATUM" in datum.parts else ""
        names = [_modifier_name(m) for m in modifiers or []] if isinstance(modifiers, list) else []
        return f"{label}({','.join(names)})" if names else label

    # -- dimensions ---------------------------------------------------------------------

    def _plus_minus(self) -> dict[int, Entity]:
        """Dimension id -> its tolerance range (TOLERANCE_VALUE or LIMITS_AND_FITS)."""
        ranges: dict[int, Entity] = {}
        for pm_id in self.step.ids_of("PLUS_MINUS_TOLERANCE"):
            value_range, dimension = self.step.get(pm_id).args("PLUS_MINUS_TOLERANCE")[:2]
            range_entity = self.step.deref(value_range)
            if isinstance(dimension, Ref) and range_entity is not None:
                ranges[dimension.id] = range_entity
        return ranges

    def _dimension(self, dcr: Entity, ranges: dict[int, Entity]) -> Characteristic:
        dimension_ref, representation_ref = dcr.args("DIMENSIONAL_CHARACTERISTIC_REPRESENTATION")
        dimension = self.step.deref(dimension_ref)
        if dimension is None:
            raise StepError(Reason("#%(entity)s: the dimension is not a reference", entity=dcr.id))
        entity_type = next((t for t in DIMENSION_TYPES if t in dimension.parts), "")
        args = dimension.args(entity_type) if entity_type else []
        is_size = "SIZE" in entity_type
        name = args[1] if is_size else args[0] if args else ""
        characteristic = Characteristic(
            ref=f"#{dimension.id}",
            kind="dimension",
            type=name if isinstance(name, str) and name else entity_type.lower(),
            name=entity_type.lower(),
        )
        for item_ref in self._representation_items(representation_ref):
            item = self.step.get(item_ref.id)
            value, unit = self._measure(item_ref)
            label = _item_name(item)
            characteristic.unit = characteristic.unit or unit
            if label == "upper limit":
                characteristic.upper_limit = value
            elif label == "lower limit":
                characteristic.lower_limit = value
            elif label == "nominal value" or characteristic.nominal is None:
                characteristic.nominal = value
        value_range = ranges.get(dimension.id)
        if value_range is not None:
            self._apply_range(characteristic, value_range)
        characteristic.complete_limits()
        return characteristic

    def _representation_items(self, representation_ref: Any) -> list[Ref]:
        representation = self.step.deref(representation_ref)
        if representation is None:
            return []
        args = next(iter(representation.parts.values()))
        return [item for item in (args[1] or []) if isinstance(item, Ref)]

    def _apply_range(self, characteristic: Characteristic, value_range: Entity) -> None:
        if "TOLERANCE_VALUE" in value_range.parts:
            lower, upper = value_range.args("TOLERANCE_VALUE")[:2]
            characteristic.lower_deviation, lower_unit = self._measure(lower)
            characteristic.upper_deviation, upper_unit = self._measure(upper)
            characteristic.unit = characteristic.unit or upper_unit or lower_unit
        elif "LIMITS_AND_FITS" in value_range.parts:
            form, zone, grade = value_range.args("LIMITS_AND_FITS")[:3]
            fit = f"{form or ''}{zone or ''}{grade or ''}".replace(" ", "")
            characteristic.fit = fit
            self._resolve_fit(characteristic, fit)

    def _resolve_fit(self, characteristic: Characteristic, fit: str) -> None:
        unit = characteristic.unit or ""
        to_mm = (
            units.convert(1.0, from_unit=unit, to_unit="mm", what="the size")
            if units.same_dimension(unit, "mm")
            else None
        )
        if characteristic.nominal is None or to_mm is None:
            self.result.warnings.append(
                f"{characteristic.ref}: fit {fit} needs a nominal size in a length unit"
            )
            return
        try:
            upper, lower = iso286.deviations(fit, characteristic.nominal * to_mm)
        except iso286.FitError as error:
            self.result.warnings.append(f"{characteristic.ref}: {error}")
            return
        characteristic.upper_deviation = upper / to_mm
        characteristic.lower_deviation = lower / to_mm

    # -- measures and units -------------------------------------------------------------

    def _measure(self, reference: Any) -> tuple[float | None, str | None]:
        """A measure with unit (simple or complex) as (value, unit name)."""
        if isinstance(reference, Typed):
            return _number(reference.value), None
        entity = self.step.deref(reference)
        if entity is None:
            return _number(reference), None
        for part_name, args in entity.parts.items():
            if part_name == "MEASURE_REPRESENTATION_ITEM" and len(args) >= 3:
                args = args[1:]  # simple instance: the item's name, then the measure
            if (
                part_name.endswith(("MEASURE_WITH_UNIT", "MEASURE_REPRESENTATION_ITEM"))
                and len(args) >= 2
            ):
                value = args[0].value if isinstance(args[0], Typed) else args[0]
                return _number(value), self._unit(args[1])
        return None, None

    def _unit(self, reference: Any) -> str | None:
        if not isinstance(reference, Ref):
            return None
        if reference.id in self.units:
            return self.units[reference.id]
        entity = self.step.get(reference.id)
        name: str | None = None
        if "SI_UNIT" in entity.parts:
            prefix, base = entity.args("SI_UNIT")[:2]
            name = SI_PREFIX.get(prefix.name, "") if isinstance(prefix, Enum) else ""
            name += base.name.lower() if isinstance(base, Enum) else ""
        elif "CONVERSION_BASED_UNIT" in entity.parts:
            label = entity.args("CONVERSION_BASED_UNIT")[0]
            name = str(label).lower() if label else None
        self.units[reference.id] = name or "unknown"
        return self.units[reference.id]


def _tolerance_attributes(entity: Entity) -> tuple[list[Any], list[Any], list[str], dict]:
    """(the 4 geometric_tolerance attributes, datum system, modifiers, other measures)."""
    extra: dict[str, Any] = {}
    if "GEOMETRIC_TOLERANCE" in entity.parts:  # complex instance: one part per supertype
        base = entity.args("GEOMETRIC_TOLERANCE")
        datums = entity.args(WITH_DATUMS)[0] if WITH_DATUMS in entity.parts else []
        modifiers = entity.args("GEOMETRIC_TOLERANCE_WITH_MODIFIERS")
        for part, key in (
            ("GEOMETRIC_TOLERANCE_WITH_DEFINED_UNIT", "unit_size"),
            ("GEOMETRIC_TOLERANCE_WITH_MAXIMUM_TOLERANCE", "maximum_tolerance"),
            ("UNEQUALLY_DISPOSED_GEOMETRIC_TOLERANCE", "displacement"),
        ):
            if entity.args(part):
                extra[key] = entity.args(part)[0]
        return (
            base,
            datums or [],
            [_modifier_name(m) for m in (modifiers[0] if modifiers else [])],
            extra,
        )
    args = next(iter(entity.parts.values()))
    type_name = next(iter(entity.parts)).removesuffix("_TOLERANCE")
    datums = args[4] if type_name in DATUM_REFERENCING and len(args) > 4 else []
    return args[:4], datums if isinstance(datums, list) else [], [], extra


def _modifier_name(modifier: Any) -> str:
    if isinstance(modifier, Typed):
        modifier = modifier.value
    if isinstance(modifier, Enum):
        return modifier.name.lower()
    return str(modifier).lower()


def _item_name(item: Entity) -> str:
    name = item.args("REPRESENTATION_ITEM")
    if name:
        return str(name[0]).lower()
    args = next(iter(item.parts.values()))
    return str(args[0]).lower() if args and isinstance(args[0], str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
