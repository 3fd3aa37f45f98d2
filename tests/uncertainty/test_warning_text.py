"""An engine warning is its English text wherever a string goes, and keeps its template."""

import copy
import json
import pickle

from lims.problem_text import localized_warnings
from lims.reasons import Reason
from lims.uncertainty.warning_text import WarningText

WARNING = WarningText(Reason("only %(count)s measurements: u_p rests on few results; repeat at "
                             "least %(few)s times under the conditions of production",
                             count=3, few=20))  # fmt: skip
ENGLISH = (
    "only 3 measurements: u_p rests on few results; repeat at least 20 times under the "
    "conditions of production"
)


def test_a_warning_is_stored_and_sent_as_its_english_text() -> None:
    assert WARNING == ENGLISH
    assert json.loads(json.dumps({"warnings": [WARNING]})) == {"warnings": [ENGLISH]}


def test_a_copied_or_pickled_warning_keeps_its_template() -> None:
    for again in (copy.deepcopy(WARNING), pickle.loads(pickle.dumps(WARNING))):
        assert isinstance(again, WarningText)
        assert again.template == WARNING.template and again.params == {"count": 3, "few": 20}


def test_warnings_are_worded_in_finnish_and_plain_text_is_left_as_it_is() -> None:
    assert localized_warnings([WARNING, "as it was stored"], "fi") == [
        "vain 3 mittausta: u_p perustuu harvoihin tuloksiin; toista vähintään 20 kertaa "
        "tuotannon olosuhteissa",
        "as it was stored",
    ]
    assert localized_warnings([WARNING], "en") == [ENGLISH]
