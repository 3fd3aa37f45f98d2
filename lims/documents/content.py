"""What a document says: its data, gathered from the records at the moment of issue.

The data is a JSON-ready snapshot.  It is stored with the issued document, embedded in the
PDF as ``data.json``, and is what a translation renders, so a translation says exactly what
its master says even if the records change later (a change needs a revision).

Free text written by people (item descriptions, remarks, quotation lines) is listed under
``free_text`` by a key such as ``items.3.description``: a translation needs a human
translation of each, stored per language (:mod:`lims.documents.translations`).  Texts the
records already hold in another language (a method's English title, a price list's English
descriptions) are under ``known_translations``.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import Contact, Organisation, User
from lims.accounts.principal import Principal
from lims.comparisons.service import job_comparison
from lims.config import Settings
from lims.contracts.models import Agreement, ConfidentialityClause, PriceList, Quotation
from lims.contracts.vat import finnish_vat_rate
from lims.db import persisted_id
from lims.documents.models import DocumentKind
from lims.equipment.models import Equipment
from lims.equipment.service import latest_calibration
from lims.equipment.traceability import chain_of
from lims.jobs.models import Characteristic, CustomerValue, Item, Job, JobKind, Result
from lims.methods.models import Method, ResultQuantity
from lims.training.report_data import rr_test_report_data, training_certificate_data
from lims.uncertainty.reporting import rounded_result

KIND_OF_JOB = {
    JobKind.CALIBRATION: DocumentKind.CALIBRATION_CERTIFICATE,
    JobKind.INSPECTION: DocumentKind.INSPECTION_REPORT,
    JobKind.PRODUCT_QC: DocumentKind.MEASUREMENT_REPORT,
    JobKind.REFERENCE: DocumentKind.REFERENCE_REPORT,
}


def _common(
    kind: DocumentKind,
    settings: Settings,
    customer: Organisation | None,
    contact: Contact | None,
    signatory: dict[str, str],
    issued_on: date,
) -> dict[str, Any]:
    lab = settings.lab
    return {
        "kind": kind.value,
        "number": None,
        "language": "fi",
        "revision": 0,
        "issued_on": issued_on.isoformat(),
        "lab": {
            "name": lab.name,
            "address": lab.address,
            "email": lab.email,
            "phone": lab.phone,
            "accreditation_body": lab.accreditation_body,
            "accreditation_number": lab.accreditation_number,
        },
        "customer": None
        if customer is None
        else {
            "name": customer.name,
            "business_id": customer.business_id,
            "vat_number": customer.vat_number,
            "address": {
                "street": customer.street_address,
                "postal_code": customer.postal_code,
                "city": customer.city,
                "country": customer.country,
            },
            "contact": None
            if contact is None
            else {
                "name": contact.name,
                "title": contact.title,
                "email": contact.email,
                "phone": contact.phone,
            },
        },
        "signatory": signatory,
        "free_text": {},
        "known_translations": {},
    }


def _first_contact(db_session: Session, organisation_id: int) -> Contact | None:
    return db_session.exec(
        select(Contact).where(Contact.organisation_id == organisation_id).order_by(col(Contact.id))
    ).first()


def _free(data: dict[str, Any], key: str, text: str | None) -> str | None:
    """Register ``text`` as free text under ``key`` (when there is any) and return it."""
    if text and text.strip():
        data["free_text"][key] = text
    return text


def _known(data: dict[str, Any], language: str, key: str, text: str) -> None:
    data["known_translations"].setdefault(language, {})[key] = text


# -- jobs ---------------------------------------------------------------------------------


def job_data(
    db_session: Session,
    *,
    actor: Principal,
    job: Job,
    agreement: Agreement,
    settings: Settings,
    signatory: dict[str, str],
    issued_on: date,
) -> dict[str, Any]:
    """The certificate (B3) or report (B1, B2, inspection) of ``job`` as it stands."""
    customer = db_session.get(Organisation, job.organisation_id)
    kind = KIND_OF_JOB[JobKind(job.kind)]
    data = _common(
        kind,
        settings,
        customer,
        _first_contact(db_session, job.organisation_id),
        signatory,
        issued_on,
    )
    items = list(db_session.exec(select(Item).where(Item.job_id == job.id).order_by(col(Item.id))))
    # A voided characteristic and any result it had stay in the job's record, not in its
    # documents: a certificate states what was measured and stands (7.8.2).
    characteristics = {
        c.id: c
        for c in db_session.exec(
            select(Characteristic)
            .where(Characteristic.job_id == job.id, col(Characteristic.voided_at).is_(None))
            .order_by(col(Characteristic.id))
        )
    }
    results = [
        result
        for result in db_session.exec(
            select(Result).where(Result.job_id == job.id).order_by(col(Result.id))
        )
        if result.characteristic_id in characteristics
    ]
    methods = _methods(db_session, [c.method_id for c in characteristics.values()])
    # An instrument measured as found before its adjustment was measured on that day too.
    measured_on = sorted([*(r.measured_on for r in results), *_as_found_days(results)])
    data["job"] = {
        "number": job.number,
        "kind": job.kind,
        "status": job.status,
        "customer_reference": job.customer_reference,
        "received_on": _earliest(item.received_on for item in items),
        "measured_from": measured_on[0].isoformat() if measured_on else None,
        "measured_to": measured_on[-1].isoformat() if measured_on else None,
        "place": "laboratory",
    }
    data["agreement"] = {"number": agreement.number, "version": agreement.version}
    data["items"] = [_item(data, item) for item in items]
    data["methods"] = [_method(data, method) for method in methods.values()]
    data["results"] = [
        _result(data, characteristics[r.characteristic_id], r, methods) for r in results
    ]
    # Labels are unique in a job, so a translation is found by the Finnish label wherever
    # it is printed (results, as found, comparisons, the statements that list labels).
    data["label_translations"] = {
        c.label: c.translations for c in characteristics.values() if c.translations
    }
    data["adjustments"] = [
        _adjustment(db_session, data, characteristics[r.characteristic_id], r, methods)
        for r in results
        if r.as_found is not None
    ]
    data["equipment"] = _equipment(db_session, results)
    data["traceable_to"] = _institutes(db_session, actor, results)
    data["environment"] = _environment(results)
    data["decision_rule"] = {
        "name": "inspection" if job.kind == JobKind.INSPECTION else agreement.decision_rule,
        "r": agreement.decision_rule_r,
        "text": _free(data, "decision_rule_text", agreement.decision_rule_text),
    }
    data["conformity_stated"] = any(row["decision"] is not None for row in data["results"])
    data["accredited"] = (
        bool(results)
        and all(r.accredited for r in results)
        and all(row["accredited"] for row in data["adjustments"])
    )
    if job.kind == JobKind.REFERENCE:
        data["comparison"] = _comparison(db_session, actor, job)
    return data


def _earliest(days: Iterable[date | None]) -> str | None:
    known = sorted(d for d in days if d is not None)
    return known[0].isoformat() if known else None


def _item(data: dict[str, Any], item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "description": _free(data, f"items.{item.id}.description", item.description),
        "identification": item.identification,
        "manufacturer": item.manufacturer,
        "model": item.model,
        "instrument_type": item.instrument_type,
        "range_text": item.range_text,
        "resolution": item.resolution,
        "resolution_unit": item.resolution_unit,
        "condition": item.condition,
        "condition_remarks": _free(
            data, f"items.{item.id}.condition_remarks", item.condition_remarks
        ),
        "received_on": item.received_on.isoformat() if item.received_on else None,
    }


def _methods(db_session: Session, ids: Iterable[int | None]) -> dict[int, Method]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    found = db_session.exec(select(Method).where(col(Method.id).in_(wanted)))
    return {persisted_id(m): m for m in found}


def _method(data: dict[str, Any], method: Method) -> dict[str, Any]:
    key = f"methods.{method.id}.title"
    _free(data, key, method.title_fi)
    _known(data, "en", key, method.title_en)
    for language, texts in method.translations.items():
        if "title" in texts:
            _known(data, language, key, texts["title"])
    return {
        "id": method.id,
        "code": method.code,
        "version": method.version,
        "title": method.title_fi,
        "reference": method.guidance,
        # The reference printed in a translation: the lab's own, else the Finnish master.
        "translations": {
            language: {"reference": texts["guidance"]}
            for language, texts in method.translations.items()
            if "guidance" in texts
        },
        "size_unit": method.size_unit,
    }


def _result(
    data: dict[str, Any],
    characteristic: Characteristic,
    result: Result,
    methods: dict[int, Method],
) -> dict[str, Any]:
    value_text, uncertainty_text = rounded_result(result.value, result.expanded_uncertainty)
    method = methods.get(characteristic.method_id) if characteristic.method_id else None
    decision = result.decision or {}
    return {
        "characteristic_id": characteristic.id,
        "item_id": characteristic.item_id,
        "label": characteristic.label,
        "kind": characteristic.kind,
        "nominal": characteristic.nominal,
        "nominal_unit": _nominal_unit(characteristic, method),
        "lower_limit": characteristic.lower_limit,
        "upper_limit": characteristic.upper_limit,
        "limit_unit": characteristic.unit,
        "datums": characteristic.datums,
        "quantity": _quantity(method),
        "value": result.value,
        "value_text": value_text,
        "unit": result.unit,
        "expanded_uncertainty": result.expanded_uncertainty,
        "uncertainty_text": uncertainty_text,
        "coverage_factor": result.coverage_factor,
        "coverage_probability": result.coverage_probability,
        # How U was obtained where a method says (a CMM's task budget, or not evaluated).
        "uncertainty_source": (result.uncertainty or {}).get("source"),
        "decision": decision.get("decision"),
        "decision_rule": (decision.get("rule") or {}).get("name"),
        "probability_of_conformance": decision.get("probability_of_conformance"),
        # The limits the decision used: under a guard band, the tolerance moved inwards by w.
        "acceptance_limits": decision.get("acceptance_interval"),
        "accredited": result.accredited,
        "accreditation_reason": result.accreditation_reason,
        # ILAC-P14: the evaluated U was below the CMC and the CMC is stated instead.
        "uncertainty_raised_to_cmc": "cmc_floor" in (result.uncertainty or {}),
        "method_id": characteristic.method_id,
        "measured_on": result.measured_on.isoformat(),
        "temperature": result.temperature,
        "humidity": result.humidity,
        "comment": _free(data, f"results.{characteristic.id}.comment", result.comment),
    }


def _nominal_unit(characteristic: Characteristic, method: Method | None) -> str:
    """A calibration point's nominal is the size L in the method's size unit (25 mm for an
    error in µm); any other characteristic's nominal is in its own unit, like its limits."""
    if method is not None and characteristic.kind == "calibration_point":
        return method.size_unit
    return characteristic.unit


def _quantity(method: Method | None) -> str:
    """What the result column holds: the method says; a characteristic without one (B1
    measured against a drawing) has a measured value."""
    return method.result_quantity if method else ResultQuantity.MEASURED_VALUE


def _as_found_days(results: list[Result]) -> list[date]:
    return [date.fromisoformat(r.as_found["measured_on"]) for r in results if r.as_found]


def _adjustment(
    db_session: Session,
    data: dict[str, Any],
    characteristic: Characteristic,
    result: Result,
    methods: dict[int, Method],
) -> dict[str, Any]:
    """B3: a point adjusted during its calibration, as found before it and what was done;
    the point's row under the results is the instrument as left (ISO/IEC 17025 7.8.4.1 d)."""
    found = result.as_found or {}
    value_text, uncertainty_text = rounded_result(found["value"], found.get("expanded_uncertainty"))
    decision = found.get("decision") or {}
    adjuster = db_session.get(User, result.adjusted_by_id) if result.adjusted_by_id else None
    method = methods.get(characteristic.method_id) if characteristic.method_id else None
    return {
        "characteristic_id": characteristic.id,
        "item_id": characteristic.item_id,
        "label": characteristic.label,
        "kind": characteristic.kind,
        "nominal": characteristic.nominal,
        "nominal_unit": _nominal_unit(characteristic, method),
        "lower_limit": characteristic.lower_limit,
        "upper_limit": characteristic.upper_limit,
        "limit_unit": characteristic.unit,
        "quantity": _quantity(method),
        "unit": found.get("unit", result.unit),
        "value": found["value"],
        "value_text": value_text,
        "expanded_uncertainty": found.get("expanded_uncertainty"),
        "uncertainty_text": uncertainty_text,
        "coverage_factor": found.get("coverage_factor"),
        "coverage_probability": found.get("coverage_probability"),
        "decision": decision.get("decision"),
        "decision_rule": (decision.get("rule") or {}).get("name"),
        "acceptance_limits": decision.get("acceptance_interval"),
        "accredited": found.get("accredited", False),
        "measured_on": found.get("measured_on"),
        "adjustment": _free(
            data, f"results.{characteristic.id}.adjustment", result.adjustment_description
        ),
        "adjusted_by": adjuster.full_name if adjuster else None,
        "adjusted_on": result.adjusted_on.isoformat() if result.adjusted_on else None,
    }


def _equipment(db_session: Session, results: list[Result]) -> list[dict[str, Any]]:
    """Each instrument used, with the calibration valid on the first day it was used."""
    first_use: dict[int, date] = {}
    for result in results:
        for equipment_id in result.equipment.values():
            day = first_use.get(equipment_id)
            first_use[equipment_id] = min(day, result.measured_on) if day else result.measured_on
    rows = []
    for equipment_id, day in sorted(first_use.items()):
        equipment = db_session.get(Equipment, equipment_id)
        if equipment is None:
            continue
        calibration = latest_calibration(db_session, equipment_id=equipment_id, on_date=day)
        rows.append(
            {
                "code": equipment.identification,
                "name": equipment.name,
                "translations": equipment.translations,
                "certificate": calibration.certificate_number if calibration else None,
                "calibrating_lab": calibration.calibrating_lab if calibration else None,
                "calibrated_on": calibration.calibrated_on.isoformat() if calibration else None,
                "due": calibration.next_due_on.isoformat() if calibration else None,
            }
        )
    return rows


def _institutes(db_session: Session, actor: Principal, results: list[Result]) -> list[str]:
    institutes: set[str] = set()
    seen: set[tuple[int, date]] = set()
    for result in results:
        for equipment_id in result.equipment.values():
            if (equipment_id, result.measured_on) in seen:
                continue
            seen.add((equipment_id, result.measured_on))
            chain = chain_of(
                db_session, actor=actor, equipment_id=equipment_id, on_date=result.measured_on
            )
            if chain.national_metrology_institute:
                institutes.add(chain.national_metrology_institute)
    return sorted(institutes)


def _environment(results: list[Result]) -> dict[str, float | None]:
    temperatures = [r.temperature for r in results if r.temperature is not None]
    humidities = [r.humidity for r in results if r.humidity is not None]
    return {
        "temperature_min": min(temperatures, default=None),
        "temperature_max": max(temperatures, default=None),
        "humidity_min": min(humidities, default=None),
        "humidity_max": max(humidities, default=None),
    }


def _comparison(db_session: Session, actor: Principal, job: Job) -> list[dict[str, Any]]:
    """B2: the company's own values beside the lab's, with D and En (EA-4/21 style)."""
    has_values = db_session.exec(
        select(CustomerValue.id).where(CustomerValue.job_id == job.id)
    ).first()
    if has_values is None:
        return []
    rows = []
    comparison = job_comparison(db_session, actor=actor, job_id=persisted_id(job))
    for row in comparison["characteristics"]:
        if row["company"] is None or row["lab"] is None:
            continue
        company = row["company"]
        value_text, uncertainty_text = rounded_result(
            company["value"], company["expanded_uncertainty"]
        )
        rows.append(
            {
                "label": row["label"],
                "unit": row["unit"],
                "company_value_text": value_text,
                "company_uncertainty_text": uncertainty_text,
                "D": row["D"],
                "En": row["En"],
            }
        )
    return rows


# -- contracts ----------------------------------------------------------------------------


def agreement_data(
    db_session: Session,
    *,
    agreement: Agreement,
    settings: Settings,
    signatory: dict[str, str],
    issued_on: date,
) -> dict[str, Any]:
    customer = db_session.get(Organisation, agreement.organisation_id)
    data = _common(
        DocumentKind.AGREEMENT,
        settings,
        customer,
        _first_contact(db_session, agreement.organisation_id),
        signatory,
        issued_on,
    )
    clause = db_session.get_one(ConfidentialityClause, agreement.confidentiality_clause_id)
    _free(data, "confidentiality", clause.text_fi)
    _known(data, "en", "confidentiality", clause.text_en)
    data["agreement"] = {
        "number": agreement.number,
        "version": agreement.version,
        "kind": agreement.kind,
        "state": agreement.state,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat(),
        "scope": agreement.scope,
        "languages": agreement.languages,
        "customer_reference_rule": _free(
            data, "customer_reference_rule", agreement.customer_reference_rule
        ),
        "confidentiality": clause.text_fi,
        "confidentiality_version": clause.version,
        "lab_signature": agreement.lab_signature,
        "customer_signature": agreement.customer_signature,
        "amendment_reason": _free(data, "amendment_reason", agreement.amendment_reason),
    }
    data["decision_rule"] = {
        "name": agreement.decision_rule,
        "r": agreement.decision_rule_r,
        "text": _free(data, "decision_rule_text", agreement.decision_rule_text),
    }
    return data


def quotation_data(
    db_session: Session,
    *,
    quotation: Quotation,
    settings: Settings,
    signatory: dict[str, str],
) -> dict[str, Any]:
    customer = db_session.get(Organisation, quotation.organisation_id)
    data = _common(
        DocumentKind.QUOTATION,
        settings,
        customer,
        _first_contact(db_session, quotation.organisation_id),
        signatory,
        quotation.issued_on,
    )
    data["quotation"] = {
        "number": quotation.number,
        "service": quotation.service,
        "issued_on": quotation.issued_on.isoformat(),
        "valid_until": quotation.valid_until.isoformat(),
        "delivery_days": quotation.delivery_days,
        "customer_reference": quotation.customer_reference,
        "lines": [
            {**line, "description": _free(data, f"lines.{n}.description", line["description"])}
            for n, line in enumerate(quotation.lines, start=1)
        ],
        "vat_rule": quotation.vat_rule,
        "vat_rate": str(quotation.vat_rate),
        "customer_vat_number": quotation.customer_vat_number,
        "lab_vat_number": quotation.lab_vat_number,
        "net_total": _money(quotation.net_total),
        "vat_amount": _money(quotation.vat_amount),
        "total": _money(quotation.total),
    }
    return data


def price_list_data(
    *, price_list: PriceList, settings: Settings, signatory: dict[str, str], issued_on: date
) -> dict[str, Any]:
    data = _common(DocumentKind.PRICE_LIST, settings, None, None, signatory, issued_on)
    _free(data, "title", price_list.title)
    items = []
    for item in price_list.items:
        key = f"items.{item['code']}.description"
        _free(data, key, item["description_fi"])
        _known(data, "en", key, item["description_en"])
        items.append({**item, "description": item["description_fi"]})
    data["price_list"] = {
        "title": price_list.title,
        "version": price_list.version,
        "published_at": price_list.published_at.isoformat() if price_list.published_at else None,
        "items": items,
        # Prices are without VAT; the Finnish rate of the list's day is what domestic
        # customers add (lims.contracts.vat).
        "vat_rate": str(finnish_vat_rate(issued_on)),
    }
    return data


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


# -- training (service F) -----------------------------------------------------------------


def _trainee_organisation(db_session: Session, source: dict[str, Any]) -> Organisation | None:
    organisation = source.get("organisation")
    return db_session.get(Organisation, organisation["id"]) if organisation else None


def training_data(
    db_session: Session,
    *,
    actor: Principal,
    enrolment_id: int,
    settings: Settings,
    signatory: dict[str, str],
    issued_on: date,
) -> dict[str, Any]:
    """A training certificate: who completed which programme, its courses and assessment."""
    source = training_certificate_data(db_session, actor=actor, enrolment_id=enrolment_id)
    organisation = _trainee_organisation(db_session, source["person"])
    data = _common(
        DocumentKind.TRAINING_CERTIFICATE, settings, organisation, None, signatory, issued_on
    )
    names = source["programme"]["name"]
    _free(data, "programme.name", names["fi"])
    _known(data, "en", "programme.name", names["en"])
    for course in source["courses"]:
        key = f"courses.{course['code']}.title"
        _free(data, key, course["title"]["fi"])
        _known(data, "en", key, course["title"]["en"])
    for key, text in source["free_text"].items():
        _free(data, key, text)
    data["training"] = {k: v for k, v in source.items() if k not in ("kind", "free_text")}
    return data


def rr_test_data(
    db_session: Session,
    *,
    actor: Principal,
    rr_test_id: int,
    settings: Settings,
    signatory: dict[str, str],
    issued_on: date,
) -> dict[str, Any]:
    """An RR-test report: the study, its evaluation with the conventions chosen, the outcome.

    The charts are drawn again when the report is rendered, from the stored request and
    evaluation, so the data stays JSON."""
    source = rr_test_report_data(db_session, actor=actor, rr_test_id=rr_test_id)
    data = _common(
        DocumentKind.RR_TEST_REPORT,
        settings,
        _trainee_organisation(db_session, source),
        None,
        signatory,
        issued_on,
    )
    _free(data, "rr.title", source["title"])
    if source["method"]:
        _free(data, "rr.method.title", source["method"]["title"]["fi"])
        _known(data, "en", "rr.method.title", source["method"]["title"]["en"])
    data["rr"] = {k: v for k, v in source.items() if k not in ("kind", "free_text", "charts")}
    return data
