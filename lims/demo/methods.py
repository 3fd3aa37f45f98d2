"""The demo method library of a dimensional lab.

Each method cites the guidance it follows.  The gauge-block method is the budget of EA-4/02
M:2022 example S4 (a 50 mm gauge block calibrated by mechanical comparison with a reference
block of the same nominal length): with that example's inputs it gives u_c = 36.4 nm and
U = 73 nm (k = 2), as tests/methods/test_evaluation.py shows.  The CMCs and validation
records are invented for the demo lab.  Each method was validated some months before the day
the demo is loaded, and the accredited ones are in the scope since ``SCOPE_START``.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from lims.accounts.principal import Principal
from lims.demo.dates import Ago
from lims.methods import service
from lims.methods.models import Method, MethodCreate

SCOPE_START = Ago(months=11)
STEEL_EXPANSION = "kohteen pituuden lämpötilakerroin (teräs: 11,5e-6 /K)"


# The inputs the micrometer and caliper methods share: both compare readings with gauge blocks.
READING_MINUS_NOMINAL = {
    "name": "dr",
    "source": "type_a",
    "unit": "um",
    "description": "lukema miinus nimellispituus, toistettuna",
}
GAUGE_BLOCK_DEVIATION = {
    "name": "eS",
    "source": "certificate",
    "unit": "um",
    "equipment_role": "gauge_blocks",
    "nominal_parameter": "L",
    "description": "mittapalan poikkeama nimellismitasta, sen kalibrointitodistus",
}
# The kinds each role takes (lims/demo/equipment.py): a role takes no other kind.
ROOM_THERMOMETER = {"thermometer": ["thermometer"]}
GAUGE_BLOCK_ROLES = {"gauge_blocks": ["gauge_block"], **ROOM_THERMOMETER}
TEST_LENGTH_IN_STEEL = (
    {"name": "L", "source": "parameter", "unit": "mm", "description": "testipituus"},
    {"name": "alpha", "source": "parameter", "unit": "1/K", "description": STEEL_EXPANSION},
)


def _rectangular(name: str, unit: str, half_width: float, description: str) -> dict:
    return {
        "name": name,
        "source": "type_b",
        "unit": unit,
        "distribution": "rectangular",
        "half_width": half_width,
        "description": description,
    }


GAUGE_BLOCKS = MethodCreate.model_validate(
    {
        "code": "DIM-GB-01",
        "temperature_min": 19.5,
        "temperature_max": 20.5,
        "humidity_max": 60,
        "title_fi": "Mittapalojen kalibrointi mekaanisella vertailulla",
        "title_en": "Calibration of gauge blocks by mechanical comparison",
        "service_kind": "calibration",
        "measurand": "mittapalan keskipituuden poikkeama nimellispituudesta 20 °C:ssa",
        "result_quantity": "deviation",
        "result_unit": "nm",
        "size_unit": "mm",
        "range_min": 0.5,
        "range_max": 100,
        "cmc": "Q[50, 0.5*L]",
        "guidance": "EA-4/02 M:2022, esimerkki S4 (malli ja epävarmuusbudjetti); ISO 3650:1998 "
        "(mittapalat); EURAMET cg-2 v2.0 (2011), mittapalakomparaattorin kalibrointi",
        "translations": {
            "en": {
                "guidance": "EA-4/02 M:2022 example S4 (model and budget); ISO 3650:1998 (gauge "
                "blocks); EURAMET cg-2 v2.0 (2011), calibration of the gauge block comparator"
            }
        },
        "validation_record": "Budjetti toistaa EA-4/02 M:2022 S4:n (u_c = 36,4 nm, U = 73 nm 50 "
        "mm:llä); kahdenvälinen vertailu VTT MIKESin kanssa 10 mittapalalla, kaikki |En| < 0,6.",
        "model": "lS + dlD + dl + dlC - L*1e6*(alpha*dt + dadt) - dlV",
        "output": "dlX",
        "equipment_roles": {
            "reference": ["gauge_block"],
            "comparator": ["gauge_block_comparator"],
            **ROOM_THERMOMETER,
        },
        "inputs": [
            {
                "name": "lS",
                "source": "certificate",
                "unit": "nm",
                "equipment_role": "reference",
                "nominal_parameter": "L",
                "description": "vertailumittapalan poikkeama nimellismitasta, "
                "sen kalibrointitodistus",
            },
            _rectangular("dlD", "nm", 30, "vertailunormaalin ryömintä kalibroinnin jälkeen"),
            {
                "name": "dl",
                "source": "type_a",
                "unit": "nm",
                "description": "havaittu ero komparaattorilla, kohde miinus vertailu",
            },
            _rectangular(
                "dlC", "nm", 32, "komparaattorin virhe, rajat (0,03 µm + 0,02·D), kun D = 0,1 µm"
            ),
            _rectangular("dt", "K", 0.05, "mittapalojen lämpötilaero"),
            {
                "name": "dadt",
                "source": "type_b",
                "unit": "1",
                "distribution": "normal",
                "standard_uncertainty": 2.36e-7,
                "description": "lämpötilakertoimien eron (±1e-6 /K) ja 20 °C:sta "
                "poikkeaman (±0,5 K) tulo; EA-4/02 S4 antaa u = 0,236e-6",
            },
            _rectangular("dlV", "nm", 6.7, "pituuden vaihtelu: keskikohta vs. mitattu kohta"),
            {
                "name": "L",
                "source": "parameter",
                "unit": "mm",
                "description": "nimellispituus",
            },
            {"name": "alpha", "source": "parameter", "unit": "1/K", "description": STEEL_EXPANSION},
        ],
    }
)

MICROMETERS = MethodCreate.model_validate(
    {
        "code": "DIM-MIC-01",
        # The usual test lengths of a 0-25 mm micrometer: whole and partial spindle turns.
        "calibration_points": [2.5, 5.1, 7.7, 10.3, 12.9, 15.0, 17.6, 20.2, 22.8, 25.0],
        "temperature_min": 18.0,
        "temperature_max": 22.0,
        "humidity_max": 70,
        "title_fi": "Ulkomikrometrin kalibrointi",
        "title_en": "Calibration of external micrometers",
        "service_kind": "calibration",
        "measurand": "ulkomikrometrin näyttämävirhe testipituudella",
        "result_quantity": "error_of_indication",
        "result_unit": "um",
        "size_unit": "mm",
        "range_min": 0,
        "range_max": 300,
        "cmc": "0.6 + 0.004*L",
        "guidance": "ISO 3611 (ulkomikrometrien rakenne ja metrologiset ominaisuudet); "
        "epävarmuus EA-4/02 M:2022:n mukaan",
        "translations": {
            "en": {
                "guidance": "ISO 3611 (design and metrological characteristics of external "
                "micrometers); uncertainty by EA-4/02 M:2022"
            }
        },
        "validation_record": "Toistettavuus- ja uusittavuustutkimus (3 mittaajaa, 10 "
        "testipituutta); tulokset vastaavat valmistajan tarkastusta U:n rajoissa.",
        "model": "dr + dres + dF - eS - L*1e3*alpha*dt",
        "output": "E",
        "equipment_roles": GAUGE_BLOCK_ROLES,
        "inputs": [
            READING_MINUS_NOMINAL,
            _rectangular("dres", "um", 0.5, "0,001 mm:n digitaalinäytön erottelukyky"),
            _rectangular("dF", "um", 0.3, "mittapintojen tasomaisuus ja yhdensuuntaisuus"),
            GAUGE_BLOCK_DEVIATION,
            _rectangular("dt", "K", 1.0, "mikrometrin ja mittapalan lämpötilaero"),
            *TEST_LENGTH_IN_STEEL,
        ],
    }
)

CALIPERS = MethodCreate.model_validate(
    {
        "code": "DIM-CAL-01",
        "temperature_min": 18.0,
        "temperature_max": 22.0,
        "humidity_max": 70,
        "title_fi": "Työntömitan kalibrointi",
        "title_en": "Calibration of calipers",
        "service_kind": "calibration",
        "measurand": "työntömitan (ulkokärjet) näyttämävirhe testipituudella",
        "result_quantity": "error_of_indication",
        "result_unit": "um",
        "size_unit": "mm",
        "range_min": 0,
        "range_max": 1000,
        "cmc": "6 + 0.01*L",
        "guidance": "ISO 13385-1:2019 (työntömitat: rakenne ja metrologiset ominaisuudet); "
        "epävarmuus EA-4/02 M:2022:n mukaan",
        "translations": {
            "en": {
                "guidance": "ISO 13385-1:2019 (calipers: design and metrological "
                "characteristics); uncertainty by EA-4/02 M:2022"
            }
        },
        "validation_record": "Todennettu ISO 13385-1:n testiohjelmalla mittapaloin ja "
        "asetusrenkaalla; laboratorioiden välinen vertailu, |En| < 0,5.",
        "model": "dr + dres + dJ - eS - L*1e3*alpha*dt",
        "output": "E",
        "equipment_roles": GAUGE_BLOCK_ROLES,
        "inputs": [
            READING_MINUS_NOMINAL,
            _rectangular("dres", "um", 5, "0,01 mm:n näytön erottelukyky"),
            _rectangular("dJ", "um", 4, "kärkien tasomaisuus ja mittausvoiman Abbe-virhe"),
            GAUGE_BLOCK_DEVIATION,
            _rectangular("dt", "K", 2.0, "työntömitan ja mittapalan lämpötilaero"),
            *TEST_LENGTH_IN_STEEL,
        ],
    }
)

SETTING_RINGS = MethodCreate.model_validate(
    {
        "code": "DIM-RING-01",
        "temperature_min": 19.0,
        "temperature_max": 21.0,
        "humidity_max": 60,
        "title_fi": "Asetusrenkaan kalibrointi",
        "title_en": "Calibration of setting rings",
        "service_kind": "calibration",
        "measurand": "asetusrenkaan halkaisijan poikkeama nimellismitasta 20 °C:ssa, "
        "vertailusuunnassa keskikorkeudella",
        "result_quantity": "deviation",
        "result_unit": "um",
        "size_unit": "mm",
        "range_min": 3,
        "range_max": 200,
        "cmc": "Q[0.3, 0.002*L]",
        "guidance": "EURAMET cg-6 v.01 (2007), lieriömäisten halkaisijanormaalien "
        "kalibroinnin laajuus; vertailu vertailurenkaaseen pituusmittauskoneella",
        "translations": {
            "en": {
                "guidance": "EURAMET cg-6 v.01 (2007), extent of calibration for cylindrical "
                "diameter standards; comparison with a reference ring on the length measuring "
                "machine"
            }
        },
        "validation_record": "Vertailu VTT MIKESin kanssa 8, 20 ja 100 mm:n renkailla: |En| < "
        "0,7; muoto mitattu cg-6:n mukaan halkaisijan vaihtelun rajaamiseksi.",
        "model": "dS + dx + dres + dform - D*1e3*alpha*dt",
        "output": "dX",
        "equipment_roles": {"reference": ["ring_gauge"], **ROOM_THERMOMETER},
        "inputs": [
            {
                "name": "dS",
                "source": "certificate",
                "unit": "um",
                "equipment_role": "reference",
                "description": "vertailurenkaan poikkeama nimellismitasta, sen kalibrointitodistus",
            },
            {
                "name": "dx",
                "source": "type_a",
                "unit": "um",
                "description": "havaittu ero, kohde miinus vertailurengas",
            },
            _rectangular("dres", "um", 0.005, "pituusmittauskoneen erottelukyky"),
            _rectangular("dform", "um", 0.1, "halkaisijan vaihtelu mitatulla alueella"),
            _rectangular("dt", "K", 0.2, "renkaiden lämpötilaero"),
            {"name": "D", "source": "parameter", "unit": "mm", "description": "nimellishalkaisija"},
            {"name": "alpha", "source": "parameter", "unit": "1/K", "description": STEEL_EXPANSION},
        ],
    }
)

CMM_PRODUCTS = MethodCreate.model_validate(
    {
        "code": "DIM-CMM-01",
        "temperature_min": 19.0,
        "temperature_max": 21.0,
        "humidity_max": 60,
        "title_fi": "Tuotteen mittaus koordinaattimittauskoneella",
        "title_en": "Product measurement on a coordinate measuring machine",
        "service_kind": "product_qc",
        "measurand": "asiakkaan tuotteen mitta sen piirustuksen tai PMI-tietojen mukaan",
        "result_quantity": "measured_value",
        "result_unit": "um",
        "size_unit": "mm",
        "range_min": 0,
        "range_max": 1000,
        "cmc": "1.8 + L/300",
        "guidance": "ISO 10360-2:2009 (koordinaattimittauskoneiden vastaanotto- ja "
        "määräaikaistarkastus: MPE_E); ISO 15530-3:2011 korvausmittaukseen kalibroidulla "
        "kappaleella",
        "translations": {
            "en": {
                "guidance": "ISO 10360-2:2009 (acceptance and reverification of CMMs: MPE_E); "
                "ISO 15530-3:2011 for a substitution measurement with a calibrated workpiece"
            }
        },
        "validation_record": "Ei akkreditoinnin pätevyysalueella: tuotemittaus sovittujen "
        "piirustusten mukaan; tehtäväkohtainen epävarmuus ominaisuuksittain CMM-01:n "
        "spesifikaatiosta (sen ISO 10360-2- ja -5-todennus), lämpötiloista ja toistoista tai ISO "
        "15530-3:n korvausmenetelmällä kalibroidun kappaleen avulla.",
        "model": "y + (1.8 + L/300)*eE - L*1e3*alpha*dt",
        "output": "Y",
        "equipment_roles": {
            "cmm": ["cmm"],
            "reference_workpiece": ["reference_workpiece", "ring_gauge"],
            **ROOM_THERMOMETER,
        },
        # CMM-01's data sheet: E_L,MPE = (1.8 + L/300) um, P_FTU,MPE = 1.5 um, scales of
        # glass ceramic (expansion taken as zero); temperatures known to u = 0.2 K.
        "coordinate_budget": {
            "mpe_e_a": 1.8,
            "mpe_e_k": 300,
            "mpe_p_ftu": 1.5,
            "scale_expansion": 0.0,
            "part_expansion": 11.5e-6,
            "part_expansion_half_width": 1e-6,
            "temperature_uncertainty": 0.2,
            "form_sampling_half_width": 0.5,
            "workpiece_variation": 0.5,
        },
        "inputs": [
            {
                "name": "y",
                "source": "type_a",
                "unit": "um",
                "description": "mitattu poikkeama nimellismitasta, toistomittaukset",
            },
            _rectangular("eE", "1", 1, "CMM:n pituusvirhe osuutena sen MPE_E:stä"),
            _rectangular("dt", "K", 1.0, "kappaleen lämpötilan poikkeama 20 °C:sta"),
            {"name": "L", "source": "parameter", "unit": "mm", "description": "mitattu pituus"},
            {"name": "alpha", "source": "parameter", "unit": "1/K", "description": STEEL_EXPANSION},
        ],
    }
)


@dataclass(frozen=True)
class DemoMethod:
    method: MethodCreate
    validated: Ago
    accredited: bool  # in the accredited scope since SCOPE_START

    def on(self, today: date) -> MethodCreate:
        """The method with its validation and scope dates placed before ``today``."""
        return self.method.model_copy(
            update={
                "validated_on": self.validated.before(today),
                "accredited_from": SCOPE_START.before(today) if self.accredited else None,
            }
        )


DEMO_METHODS = [
    DemoMethod(GAUGE_BLOCKS, validated=Ago(months=12, days=7), accredited=True),
    DemoMethod(MICROMETERS, validated=Ago(months=13, days=27), accredited=True),
    DemoMethod(CALIPERS, validated=Ago(months=18, days=15), accredited=True),
    DemoMethod(SETTING_RINGS, validated=Ago(months=13, days=24), accredited=True),
    DemoMethod(CMM_PRODUCTS, validated=Ago(months=9, days=25), accredited=False),
]


def demo_method(db_session: Session, code: str) -> Method:
    """A demo method that ``load_methods`` has made (the later loaders use them)."""
    method = service.find_method(db_session, code=code, version=1)
    if method is None:
        raise RuntimeError(f"demo method {code} is missing: load_methods first")
    return method


def load_methods(db_session: Session, *, actor: Principal, today: date) -> int:
    """Create the demo methods that are missing; return how many."""
    created = 0
    for demo in DEMO_METHODS:
        data = demo.method
        if service.find_method(db_session, code=data.code, version=data.version) is None:
            service.create_method(db_session, actor=actor, data=demo.on(today))
            created += 1
    return created
