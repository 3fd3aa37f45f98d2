"""QIF 3.0 (ISO 23952) with lxml: plans and MBD in, measurements in, the lab's results out.

Parsing is locked down: no entity expansion, no network, no huge trees, and a document that
declares a DTD is refused outright (QIF has none; an internal subset is how entity bombs
come).  Validation uses the QIF 3.0 schema set in a configured folder, loaded once per
folder (loading takes ~0.1 s; validation of a fixture a few ms).

One characteristic per characteristic item; a document without items (MBD) gives one per
definition-nominal pair.  Its ``ref`` is the item's (or nominal's) QIF id.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from lims.cad.plan import CadError, Characteristic, Datum, Plan
from lims.reasons import Reason

NS = "http://qifstandards.org/xsd/qif3"
Q = f"{{{NS}}}"
SCHEMA_ENTRY = Path("QIFApplications") / "QIFDocument.xsd"
# QIF names for the STEP tolerance types where they differ.
TOLERANCE_NAMES = {"Circularity": "roundness"}
DIMENSION_NAMES = {
    "DistanceBetween": "linear distance",
    "DistanceFrom": "linear distance",
    "AngleBetween": "angle",
    "AngleFrom": "angle",
    "AngularCoordinate": "angle",
}
UNIT_NAMES = {"mm": "millimetre", "millimeter": "millimetre", "in": "inch", "inch": "inch",
              "m": "metre", "meter": "metre", "um": "micrometre", "degree": "degree",
              "deg": "degree", "radian": "radian"}  # fmt: skip
MATERIAL = {"MAXIMUM": "maximum_material_requirement", "LEAST": "least_material_requirement"}


class QifError(CadError):
    """Not a QIF 3.0 document, or one that fails its schema."""


def parse(data: bytes) -> etree._Element:
    """The document's root, parsed with every dangerous feature off."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise QifError(
            Reason(
                "not well-formed XML (line %(line)s, column %(column)s)", line=line, column=column
            )
        ) from None
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise QifError(
            Reason("the document declares a DTD; QIF uses none and entity declarations are refused")
        )
    if root.tag != f"{Q}QIFDocument":
        name = etree.QName(root)
        if name.namespace:
            raise QifError(
                Reason(
                    "not a QIF 3.0 document: the root is %(root)s in namespace %(namespace)s",
                    root=name.localname,
                    namespace=name.namespace,
                )
            )
        raise QifError(
            Reason(
                "not a QIF 3.0 document: the root is %(root)s without a namespace",
                root=name.localname,
            )
        )
    return root


@lru_cache(maxsize=4)
def schema_in(folder: Path) -> etree.XMLSchema:
    """The QIF 3.0 schema set of ``folder`` (QIFApplications/, QIFLibrary/), loaded once."""
    entry = folder / SCHEMA_ENTRY
    if not entry.is_file():
        raise QifError(Reason("the QIF schema is not at %(path)s", path=str(entry)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(entry), parser))


def validate(root: etree._Element, folder: Path) -> None:
    schema = schema_in(folder.resolve())
    if not schema.validate(root):
        error = schema.error_log.last_error
        if error is None:
            raise QifError(Reason("the document fails the QIF 3.0 schema"))
        # The validator's own words (English) quote the element and the rule it breaks.
        raise QifError(
            Reason(
                "the document fails the QIF 3.0 schema: line %(line)s: %(detail)s",
                line=error.line,
                detail=error.message,
            )
        )


# -- reading ------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One CMM measurement of a characteristic item, with the CMM's own verdict."""

    ref: str
    value: float | None
    status: str
    devices: list[str] = field(default_factory=list)
    # The serial number of the part measured (its ActualComponent), when the results name one:
    # a calibrated workpiece measured in the same program is told from the product by it.
    part: str | None = None


@dataclass
class Results:
    measurements: list[Measurement] = field(default_factory=list)
    operator: str | None = None
    temperature: float | None = None
    inspection_status: list[str] = field(default_factory=list)
    linear_unit: str = "millimetre"  # the file's unit of lengths, values included


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _text(element: etree._Element | None, path: str) -> str | None:
    found = element.find(path, {"q": NS}) if element is not None else None
    return found.text.strip() if found is not None and found.text else None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _id(element: etree._Element) -> str:
    """The element's QIF id (the paths that find elements select those with one)."""
    return element.get("id", "")


def _by_id(root: etree._Element, container: str) -> dict[str, etree._Element]:
    return {
        _id(element): element for element in root.iterfind(f".//q:{container}/*[@id]", {"q": NS})
    }


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def read_plan(root: etree._Element) -> Plan:
    units = _file_units(root)
    datum_labels = {
        _id(definition): _text(definition, "q:DatumLabel") or ""
        for definition in root.iterfind(".//q:DatumDefinitions/q:DatumDefinition", {"q": NS})
    }
    frames = {
        _id(frame): _frame(frame, datum_labels)
        for frame in root.iterfind(".//q:DatumReferenceFrames/q:DatumReferenceFrame", {"q": NS})
    }
    definitions = _by_id(root, "CharacteristicDefinitions")
    nominals = _by_id(root, "CharacteristicNominals")
    items = list(root.iterfind(".//q:CharacteristicItems/*[@id]", {"q": NS}))
    plan = Plan(format="qif", schema=f"QIF {root.get('versionQIF', '')}".strip())
    pairs: list[tuple[str, etree._Element | None, etree._Element]] = []
    if items:
        for characteristic_item in items:
            nominal = nominals.get(_text(characteristic_item, "q:CharacteristicNominalId") or "")
            if nominal is not None:
                pairs.append((_id(characteristic_item), characteristic_item, nominal))
    else:
        pairs = [(_id(nominal), None, nominal) for nominal in nominals.values()]
    for ref, item, nominal in pairs:
        definition = definitions.get(_text(nominal, "q:CharacteristicDefinitionId") or "")
        if definition is not None:
            plan.characteristics.append(
                _characteristic(ref, item, nominal, definition, units, frames)
            )
    plan.datums = sorted(
        (Datum(label=label, ref=ref) for ref, label in datum_labels.items()),
        key=lambda datum: datum.label,
    )
    plan.units = sorted({c.unit for c in plan.characteristics if c.unit})
    kinds = [c.kind for c in plan.characteristics]
    plan.counts = {
        "geometric_tolerances": kinds.count("geometric_tolerance"),
        "dimensions": kinds.count("dimension"),
        "datums": len(set(datum_labels.values())),
        "datum_features": sum(
            len(d.findall("q:FeatureNominalIds/q:Id", {"q": NS}))
            for d in root.iterfind(".//q:DatumDefinitions/q:DatumDefinition", {"q": NS})
        ),
        "datum_targets": len(root.findall(".//q:DatumTargetDefinitions/q:DatumTarget", {"q": NS})),
    }
    return plan


def _file_units(root: etree._Element) -> dict[str, str]:
    units = {"linear": "millimetre", "angular": "degree"}
    primary = root.find("q:FileUnits/q:PrimaryUnits", {"q": NS})
    for tag, key in (("LinearUnit", "linear"), ("PMIAngularUnit", "angular")):
        name = _text(primary, f"q:{tag}/q:UnitName")
        if name:
            units[key] = UNIT_NAMES.get(name.lower(), name.lower())
    return units


def _frame(frame: etree._Element, labels: dict[str, str]) -> list[str]:
    compartments = []
    for datum in frame.iterfind("q:Datums/q:Datum", {"q": NS}):
        parts = []
        for simple in datum.iter(f"{Q}SimpleDatum"):
            label = labels.get(_text(simple, "q:DatumDefinitionId") or "", "")
            modifier = MATERIAL.get(_text(simple, "q:MaterialModifier") or "")
            parts.append(f"{label}({modifier})" if modifier else label)
        compartments.append("-".join(parts))
    return compartments


def _characteristic(
    ref: str,
    item: etree._Element | None,
    nominal: etree._Element,
    definition: etree._Element,
    units: dict[str, str],
    frames: dict[str, list[str]],
) -> Characteristic:
    qif_type = _local(definition).removesuffix("CharacteristicDefinition")
    value_element = definition.find("q:ToleranceValue", {"q": NS})
    if value_element is None:  # a zone per unit length or area: its value is the magnitude
        value_element = definition.find(".//q:ToleranceValuePerUnit", {"q": NS})
    name = _text(item, "q:Name") or _text(nominal, "q:Name") or ""
    angular = "Angle" in qif_type or qif_type == "AngularCoordinate"
    unit = units["angular"] if angular else units["linear"]
    if qif_type in GEOMETRIC_TYPES:
        characteristic = Characteristic(
            ref=ref,
            kind="geometric_tolerance",
            type=TOLERANCE_NAMES.get(qif_type, _snake(qif_type)),
            name=name,
            magnitude=_float(value_element.text) if value_element is not None else None,
            unit=_unit_of(value_element, unit) if value_element is not None else unit,
            zone="cylindrical or circular"
            if definition.find("q:ZoneShape/q:DiametricalZone", {"q": NS}) is not None
            else "spherical"
            if definition.find("q:ZoneShape/q:SphericalZone", {"q": NS}) is not None
            else None,
            projected=definition.find("q:ProjectedTolerance", {"q": NS}) is not None,
            datum_frame=frames.get(_text(definition, "q:DatumReferenceFrameId") or "", []),
        )
        modifier = MATERIAL.get(_text(definition, "q:MaterialCondition") or "")
        if modifier:
            characteristic.modifiers.append(modifier)
        return characteristic
    characteristic = Characteristic(
        ref=ref,
        kind="dimension",
        type=DIMENSION_NAMES.get(qif_type, _snake(qif_type).replace("_", " ")),
        name=name,
        nominal=_float(_text(nominal, "q:TargetValue")),
        unit=unit,
    )
    tolerance = definition.find("q:Tolerance", {"q": NS})
    if tolerance is not None:
        upper, lower = (
            _float(_text(tolerance, "q:MaxValue")),
            _float(_text(tolerance, "q:MinValue")),
        )
        max_element = tolerance.find("q:MaxValue", {"q": NS})
        if max_element is not None:
            characteristic.unit = _unit_of(max_element, unit)
        if _text(tolerance, "q:DefinedAsLimit") == "true":
            characteristic.upper_limit, characteristic.lower_limit = upper, lower
        else:
            characteristic.upper_deviation, characteristic.lower_deviation = upper, lower
    characteristic.complete_limits()
    return characteristic


def _unit_of(element: etree._Element, default: str) -> str:
    unit = element.get("linearUnit") or element.get("angularUnit")
    return UNIT_NAMES.get(unit.lower(), unit.lower()) if unit else default


def read_results(root: etree._Element) -> Results:
    """Measurements of every characteristic item, with the CMM's status and devices."""
    devices = {
        _id(device): _text(device, "q:Name") or _id(device)
        for device in root.iterfind(".//q:MeasurementDevices/*[@id]", {"q": NS})
    }
    results = Results(linear_unit=_file_units(root)["linear"])
    serials = {
        _id(component): _text(component, "q:SerialNumber")
        for component in root.iterfind(".//q:ActualComponentSet/q:ActualComponent", {"q": NS})
    }
    for measured in root.iterfind(".//q:MeasurementResults", {"q": NS}):
        parts = {
            serials.get(i.text.strip()) if i.text else None
            for i in measured.iterfind("q:ActualComponentIds/q:Id", {"q": NS})
        }
        part = next(iter(parts)) if len(parts) == 1 else None
        for measurement in measured.iterfind(
            "q:MeasuredCharacteristics/q:CharacteristicMeasurements/*", {"q": NS}
        ):
            results.measurements.append(
                Measurement(
                    ref=_text(measurement, "q:CharacteristicItemId") or "",
                    value=_float(_text(measurement, "q:Value")),
                    status=_text(measurement, "q:Status/q:CharacteristicStatusEnum") or "UNDEFINED",
                    devices=[
                        devices.get(i.text or "", i.text or "")
                        for i in measurement.iterfind("q:MeasurementDeviceIds/q:Id", {"q": NS})
                    ],
                    part=part,
                )
            )
        for attribute in measured.iterfind("q:Attributes/q:AttributeD1", {"q": NS}):
            if "temperature" in (attribute.get("name") or "").lower():
                results.temperature = _float(attribute.get("value"))
    results.inspection_status = [
        status.text.strip()
        for status in root.iterfind(".//q:Results//q:InspectionStatusEnum", {"q": NS})
        if status.text
    ]
    traceability = root.find(".//q:Results//q:InspectionTraceability", {"q": NS})
    results.operator = _text(traceability, "q:InspectionOperator/q:Name") or _text(
        traceability, "q:ReportPreparer/q:Name"
    )
    return results


# -- writing ------------------------------------------------------------------------------


GEOMETRIC_QIF = {
    "position": "Position", "flatness": "Flatness", "straightness": "Straightness",
    "roundness": "Circularity", "cylindricity": "Cylindricity", "surface_profile": "SurfaceProfile",
    "perpendicularity": "Perpendicularity",
    "parallelism": "Parallelism", "angularity": "Angularity", "concentricity": "Concentricity",
    "coaxiality": "Coaxiality", "symmetry": "Symmetry", "circular_runout": "CircularRunout",
    "total_runout": "TotalRunout",
}  # fmt: skip
# Tolerances whose definition must state a zone shape (the default when the zone is not
# cylindrical) and, for all but the coaxial ones, a material condition.
ZONE_SHAPES = {"Position": "NonDiametricalZone", "Straightness": "NonDiametricalZone",
               "Perpendicularity": "PlanarZone", "Parallelism": "PlanarZone",
               "Angularity": "PlanarZone", "Concentricity": "DiametricalZone",
               "Coaxiality": "DiametricalZone"}  # fmt: skip
NO_MATERIAL_CONDITION = {"Concentricity", "Coaxiality"}
GEOMETRIC_TYPES = {*GEOMETRIC_QIF.values(), "PointProfile"}


def write_results(
    rows: list[dict[str, Any]], *, operator: str, temperature: float | None, qpid: str
) -> bytes:
    """A QIF 3.0 Results document: definitions, nominals, items and one measurement each.

    ``rows`` carry label, type (a geometric tolerance's STEP name or anything else for a
    size), nominal, lower_limit, upper_limit, unit ('millimetre' or 'degree'), value and
    status (PASS/FAIL/UNDEFINED).
    """
    next_id = iter(range(1, 1_000_000))
    root = etree.Element(f"{Q}QIFDocument", nsmap={None: NS}, versionQIF="3.0.0")
    etree.SubElement(root, f"{Q}QPId").text = qpid
    standard_id = str(next(next_id))
    standards = etree.SubElement(root, f"{Q}StandardsDefinitions", n="1")
    standard = etree.SubElement(standards, f"{Q}Standard", id=standard_id)
    organisation = etree.SubElement(standard, f"{Q}Organization")
    etree.SubElement(organisation, f"{Q}StandardsOrganizationEnum").text = "ISO"
    etree.SubElement(standard, f"{Q}Designator").text = "ISO 1101"
    units = etree.SubElement(etree.SubElement(root, f"{Q}FileUnits"), f"{Q}PrimaryUnits")
    linear = etree.SubElement(units, f"{Q}LinearUnit")
    etree.SubElement(linear, f"{Q}SIUnitName").text = "meter"
    etree.SubElement(linear, f"{Q}UnitName").text = "mm"
    etree.SubElement(etree.SubElement(linear, f"{Q}UnitConversion"), f"{Q}Factor").text = "0.001"
    sections: dict[str, etree._Element] = {}
    if rows:  # the schema wants at least one of each, or no Characteristics at all
        characteristics = etree.SubElement(root, f"{Q}Characteristics")
        etree.SubElement(characteristics, f"{Q}FormalStandardId").text = standard_id
        for name in ("Definitions", "Nominals", "Items"):
            sections[name] = etree.SubElement(
                characteristics, f"{Q}Characteristic{name}", n=str(len(rows))
            )
    measured: list[tuple[str, dict[str, Any], str]] = []
    for row in rows:
        qif_type = GEOMETRIC_QIF.get(row["type"])
        definition_id, nominal_id, item_id = (str(next(next_id)) for _ in range(3))
        if qif_type is not None:
            definition = etree.SubElement(
                sections["Definitions"], f"{Q}{qif_type}CharacteristicDefinition", id=definition_id
            )
            etree.SubElement(definition, f"{Q}ToleranceValue").text = repr(
                float(row["upper_limit"] or 0.0)
            )
            if qif_type in ZONE_SHAPES:
                if qif_type not in NO_MATERIAL_CONDITION:
                    etree.SubElement(definition, f"{Q}MaterialCondition").text = "NONE"
                diametrical = row.get("zone") == "cylindrical or circular"
                shape = etree.SubElement(definition, f"{Q}ZoneShape")
                etree.SubElement(
                    shape, f"{Q}{'DiametricalZone' if diametrical else ZONE_SHAPES[qif_type]}"
                )
        else:
            qif_type = "Angle" if row.get("unit") == "degree" else "Length"
            definition = etree.SubElement(
                sections["Definitions"], f"{Q}{qif_type}CharacteristicDefinition", id=definition_id
            )
            tolerance = etree.SubElement(definition, f"{Q}Tolerance")
            if row["upper_limit"] is not None:
                etree.SubElement(tolerance, f"{Q}MaxValue").text = repr(float(row["upper_limit"]))
            if row["lower_limit"] is not None:
                etree.SubElement(tolerance, f"{Q}MinValue").text = repr(float(row["lower_limit"]))
            etree.SubElement(tolerance, f"{Q}DefinedAsLimit").text = "true"
        nominal = etree.SubElement(
            sections["Nominals"], f"{Q}{qif_type}CharacteristicNominal", id=nominal_id
        )
        etree.SubElement(nominal, f"{Q}CharacteristicDefinitionId").text = definition_id
        etree.SubElement(nominal, f"{Q}Name").text = row["label"]
        if qif_type in ("Angle", "Length") and row["nominal"] is not None:
            etree.SubElement(nominal, f"{Q}TargetValue").text = repr(float(row["nominal"]))
        item = etree.SubElement(sections["Items"], f"{Q}{qif_type}CharacteristicItem", id=item_id)
        etree.SubElement(item, f"{Q}Name").text = row["label"]
        etree.SubElement(item, f"{Q}CharacteristicNominalId").text = nominal_id
        measured.append((qif_type, row, item_id))
    results = etree.SubElement(root, f"{Q}Results")
    result_set = etree.SubElement(results, f"{Q}MeasurementResultsSet", n="1")
    measurement_results = etree.SubElement(
        result_set, f"{Q}MeasurementResults", id=str(next(next_id))
    )
    if temperature is not None:
        attributes = etree.SubElement(measurement_results, f"{Q}Attributes", n="1")
        etree.SubElement(
            attributes, f"{Q}AttributeD1", name="temperature_degC", value=repr(float(temperature))
        )
    traceability = etree.SubElement(measurement_results, f"{Q}InspectionTraceability")
    etree.SubElement(
        etree.SubElement(traceability, f"{Q}InspectionOperator"), f"{Q}Name"
    ).text = operator
    with_values = [entry for entry in measured if entry[1]["value"] is not None]
    if with_values:
        container = etree.SubElement(
            etree.SubElement(measurement_results, f"{Q}MeasuredCharacteristics"),
            f"{Q}CharacteristicMeasurements",
            n=str(len(with_values)),
        )
    for qif_type, row, item_id in with_values:
        measurement = etree.SubElement(
            container, f"{Q}{qif_type}CharacteristicMeasurement", id=str(next(next_id))
        )
        status = etree.SubElement(measurement, f"{Q}Status")
        etree.SubElement(status, f"{Q}CharacteristicStatusEnum").text = row["status"]
        etree.SubElement(measurement, f"{Q}CharacteristicItemId").text = item_id
        etree.SubElement(measurement, f"{Q}Value").text = repr(float(row["value"]))
    overall = "FAIL" if any(r["status"] == "FAIL" for r in rows) else "PASS"
    inspection = etree.SubElement(measurement_results, f"{Q}InspectionStatus")
    etree.SubElement(inspection, f"{Q}InspectionStatusEnum").text = overall
    root.set("idMax", str(next(next_id) - 1))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
