"""Words for the enumerated values the pages show: statuses, kinds, roles, conditions.

The values are the records' own (``in_measurement``); the words are English message ids,
marked with ``N_`` so that ``make messages`` extracts them and the page translates them
when it renders (``label("job_status", job.status)``).
"""

from lims.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "document_kind": {
        "calibration_certificate": N_("Calibration certificate"),
        "inspection_report": N_("Inspection report"),
        "measurement_report": N_("Measurement report"),
        "reference_report": N_("Reference measurement report"),
        "agreement": N_("Agreement"),
        "quotation": N_("Quotation"),
        "price_list": N_("Price list"),
        "training_certificate": N_("Training certificate"),
        "rr_test_report": N_("RR test report"),
    },
    "document_state": {
        "issued": N_("Valid"),
        "superseded": N_("Superseded"),
        "withdrawn": N_("Withdrawn"),
    },
    "job_status": {
        "requested": N_("Requested"),
        "accepted": N_("Accepted for work"),
        "items_received": N_("Items received"),
        "in_measurement": N_("In measurement"),
        "measured": N_("Measured"),
        "reviewed": N_("Reviewed"),
        "approved": N_("Approved"),
        "reported": N_("Reported"),
        "closed": N_("Closed"),
        "on_hold": N_("On hold"),
        "cancelled": N_("Cancelled"),
    },
    # The step that leads to each status, as a button reads.
    "job_step": {
        "accepted": N_("Accept the job"),
        "items_received": N_("Mark items received"),
        "in_measurement": N_("Start measurement"),
        "measured": N_("Mark measured"),
        "reviewed": N_("Mark reviewed"),
        "approved": N_("Approve"),
        "reported": N_("Mark reported"),
        "closed": N_("Close the job"),
        "on_hold": N_("Put on hold"),
        "cancelled": N_("Cancel the job"),
        "requested": N_("Resume"),
    },
    "job_kind": {
        "product_qc": N_("Product measurement (B1)"),
        "reference": N_("Reference measurement (B2)"),
        "calibration": N_("Calibration (B3)"),
        "inspection": N_("Inspection (B3)"),
    },
    "item_kind": {
        "customer_product": N_("Customer product"),
        "test_piece": N_("Test piece"),
        "instrument": N_("Instrument"),
    },
    "priority": {"normal": N_("Normal"), "urgent": N_("Urgent")},
    # A comparison score's verdict (E_n, zeta; lims.comparisons.scores).
    "verdict": {
        "satisfactory": N_("Satisfactory"),
        "questionable": N_("Questionable"),
        "unsatisfactory": N_("Unsatisfactory"),
    },
    "condition": {"fit": N_("Fit"), "damaged": N_("Damaged"), "remarks": N_("With remarks")},
    "decision": {
        "pass": N_("Pass"),
        "conditional_pass": N_("Conditional pass"),
        "conditional_fail": N_("Conditional fail"),
        "fail": N_("Fail"),
    },
    "role": {
        "admin": N_("Administrator"),
        "quality_manager": N_("Quality manager"),
        "technician": N_("Technician"),
        "signatory": N_("Signatory"),
        "customer": N_("Customer"),
        "auditor": N_("Auditor"),
    },
    "calibration_status": {
        "in_calibration": N_("In calibration"),
        "due_soon": N_("Due soon"),
        "overdue": N_("Overdue"),
        "not_calibrated": N_("Not calibrated"),
        "not_fit_for_use": N_("Not fit for use"),
        "out_of_service": N_("Out of service"),
        "retired": N_("Retired"),
    },
    "equipment_status": {
        "in_service": N_("In service"),
        "out_of_service": N_("Out of service"),
        "retired": N_("Retired"),
    },
    "activity": {"perform": N_("Perform"), "review": N_("Review"), "sign": N_("Sign")},
    "basis": {
        "training": N_("Training"),
        "rr_test": N_("RR test"),
        "supervised_work": N_("Supervised work"),
    },
    "rr_outcome": {
        "acceptable": N_("Acceptable"),
        "conditionally_acceptable": N_("Conditionally acceptable"),
        "not_acceptable": N_("Not acceptable"),
    },
    # An authorisation's standing on a day (lims.ui.competence.cell_of).
    "authorisation_state": {
        "valid": N_("Authorised"),
        "expired": N_("Expired"),
        "withdrawn": N_("Withdrawn"),
        "future": N_("Not yet valid"),
    },
    "programme_kind": {"degree": N_("Degree training"), "adult": N_("Adult training")},
    "enrolment_state": {
        "enrolled": N_("Enrolled"),
        "completed": N_("Completed"),
        "withdrawn": N_("Withdrawn"),
    },
    "assessment_result": {"pass": N_("Passed"), "fail": N_("Failed")},
    "rr_design": {
        "crossed": N_("Crossed"),
        "nested": N_("Nested"),
        "type1": N_("Type 1"),
        "linearity": N_("Linearity"),
    },
    "rr_chart": {
        "components": N_("Components of variation"),
        "range": N_("Range chart by operator"),
        "mean": N_("Average chart by operator"),
        "by_part": N_("Readings by part"),
        "by_operator": N_("Readings by operator"),
        "interaction": N_("Interaction of part and operator"),
        "run": N_("Run chart"),
        "linearity": N_("Linearity"),
    },
    "agreement_kind": {"annual": N_("Annual"), "ad_hoc": N_("Ad hoc")},
    # The services an agreement covers: the job kinds, and training (service F).
    "service": {
        "product_qc": N_("Product measurement (B1)"),
        "reference": N_("Reference measurement (B2)"),
        "calibration": N_("Calibration (B3)"),
        "inspection": N_("Inspection (B3)"),
        "training": N_("Training (F)"),
    },
    "agreement_status": {
        "draft": N_("Draft"),
        "signed": N_("Signed"),
        "active": N_("Active"),
        "expired": N_("Expired"),
        "superseded": N_("Superseded"),
        "terminated": N_("Terminated"),
    },
    "quotation_status": {
        "draft": N_("Draft"),
        "sent": N_("Sent"),
        "accepted": N_("Accepted"),
        "rejected": N_("Rejected"),
        "expired": N_("Expired"),
    },
    "quotation_request_status": {
        "requested": N_("Awaiting a quotation"),
        "quoted": N_("Quoted"),
    },
    # The VAT treatment of a customer's services (lims.contracts.vat) and an invoicing
    # export's state (lims.invoicing).
    "vat_rule": {
        "domestic": N_("Finnish VAT"),
        "reverse_charge": N_("Reverse charge"),
        "outside_scope": N_("Outside the scope of Finnish VAT"),
    },
    "export_status": {"exported": N_("Exported"), "cancelled": N_("Cancelled")},
    "no_price_reason": {
        "not_priced": N_("No quotation, and no item names a price list item"),
        "item_not_priced": N_("Some items name no price list item"),
        "no_price_list": N_("No published price list for the year the job was opened"),
        "unknown_price_item": N_("An item names a code the price list does not have"),
    },
    "decision_rule": {
        "simple_acceptance": N_("Simple acceptance"),
        "guard_band_U": N_("Guard band w = U"),
        "guard_band_rU": N_("Guard band w = rU"),
        "customer": N_("Agreed with the customer"),
    },
    "audit_action": {"insert": N_("Created"), "update": N_("Changed"), "delete": N_("Deleted")},
    "proposal_state": {
        "proposed": N_("Proposed"),
        "accepted": N_("Accepted"),
        "rejected": N_("Rejected"),
    },
    # An input's distribution in an uncertainty budget (lims.uncertainty.inputs): type_a is
    # the mean of observations, t a scaled and shifted Student t.
    "distribution": {
        "normal": N_("Normal"),
        "rectangular": N_("Rectangular"),
        "triangular": N_("Triangular"),
        "arcsine": N_("Arcsine (U-shaped)"),
        "trapezoidal": N_("Trapezoidal"),
        "type_a": N_("Observations (Type A)"),
        "t": N_("Student t"),
    },
    # The kinds of equipment the register and the methods' roles name.  The register's kind
    # is open (a lab adds its own); a kind not here reads with spaces for underscores.
    "equipment_kind": {
        "gauge_block": N_("Gauge block"),
        "gauge_block_comparator": N_("Gauge block comparator"),
        "ring_gauge": N_("Setting ring"),
        "step_gauge": N_("Step gauge"),
        "cmm": N_("Coordinate measuring machine"),
        "laser_interferometer": N_("Laser interferometer"),
        "thermometer": N_("Thermometer"),
        "optical_flat": N_("Optical flat"),
        "pin_gauge": N_("Pin gauge"),
        "micrometer": N_("Micrometer"),
        "caliper": N_("Caliper"),
        "height_gauge": N_("Height gauge"),
        "dial_gauge": N_("Dial gauge"),
        "reference_workpiece": N_("Reference workpiece"),
    },
    # The roles a method's equipment plays (its equipment_roles keys), open like the kinds.
    "equipment_role": {
        "reference": N_("Reference standard"),
        "comparator": N_("Comparator"),
        "gauge_blocks": N_("Gauge blocks"),
        "thermometer": N_("Thermometer"),
        "cmm": N_("Coordinate measuring machine"),
        "reference_workpiece": N_("Reference workpiece"),
        "ring_gauge": N_("Setting ring"),
    },
    # What a characteristic is: the plan's kinds and the ISO 1101 tolerances a CAD model
    # (STEP AP242, QIF) names; a model may name others, which read as words.
    "characteristic_kind": {
        "size": N_("Size"),
        "calibration_point": N_("Calibration point"),
        "dimension": N_("Dimension"),
        "dimensional_size": N_("Size"),
        "dimensional_location": N_("Location dimension"),
        "angular_size": N_("Angular size"),
        "angular_location": N_("Angular location"),
        "linear distance": N_("Linear distance"),
        "angle": N_("Angle"),
        "diameter": N_("Diameter"),
        "radius": N_("Radius"),
        "straightness": N_("Straightness"),
        "flatness": N_("Flatness"),
        "roundness": N_("Roundness"),
        "cylindricity": N_("Cylindricity"),
        "line_profile": N_("Profile of a line"),
        "surface_profile": N_("Profile of a surface"),
        "profile": N_("Profile"),
        "parallelism": N_("Parallelism"),
        "perpendicularity": N_("Perpendicularity"),
        "angularity": N_("Angularity"),
        "position": N_("Position"),
        "concentricity": N_("Concentricity"),
        "coaxiality": N_("Coaxiality"),
        "symmetry": N_("Symmetry"),
        "circular_runout": N_("Circular run-out"),
        "total_runout": N_("Total run-out"),
    },
}
#: Vocabularies the lab extends itself: a value without a word reads as words, not a code.
OPEN_GROUPS = frozenset({"equipment_kind", "equipment_role", "characteristic_kind"})
