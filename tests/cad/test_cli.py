"""``lims cad inspect FILE``: the extraction as JSON, or one line and exit 2."""

import json
from pathlib import Path

import pytest

from lims.cli import main
from tests.conftest import shared_path

KEYS = [
    "ref", "kind", "type", "name", "magnitude", "nominal", "upper_deviation", "lower_deviation",
    "upper_limit", "lower_limit", "fit", "unit", "zone", "projected", "modifiers", "datum_frame",
]  # fmt: skip


def inspect(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(["cad", "inspect", str(path)])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def schema_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIMS_QIF_SCHEMA_DIR", str(shared_path("schemas", "qif")))


def test_inspect_prints_the_step_extraction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = inspect(
        shared_path("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp"), capsys
    )
    assert code == 0
    document = json.loads(out)
    assert list(document) == [
        "format", "schema", "units", "datums", "characteristics", "counts", "warnings",
    ]  # fmt: skip
    assert document["format"] == "step-ap242"
    assert document["units"] == ["degree", "millimetre"]
    assert [d["label"] for d in document["datums"]] == ["A", "B", "C"]
    assert document["counts"] == {
        "geometric_tolerances": 6,
        "dimensions": 8,
        "datums": 3,
        "datum_features": 3,
        "datum_targets": 0,
    }
    position = document["characteristics"][0]
    assert list(position)[: len(KEYS)] == KEYS
    assert (position["ref"], position["type"], position["datum_frame"]) == (
        "#21",
        "position",
        ["A", "B", "C"],
    )


def test_inspect_reads_qif(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = inspect(shared_path("fixtures", "cad", "qif", "simplePlan.QIF"), capsys)
    assert code == 0
    document = json.loads(out)
    assert (document["format"], document["schema"]) == ("qif", "QIF 3.0.0")
    assert len(document["characteristics"]) == 11


def test_inspect_says_plainly_when_there_is_no_semantic_pmi(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = inspect(
        shared_path("fixtures", "cad", "step", "nist_ftc_08_asme1_ap242-e1-tg.stp"), capsys
    )
    assert (code, out) == (2, "")
    assert err.startswith("lims: the file carries no semantic PMI")
    assert err.count("\n") == 1


def test_inspect_refuses_what_is_not_a_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    drawing = tmp_path / "drawing.pdf"
    drawing.write_bytes(b"%PDF-1.7\n")
    code, _, err = inspect(drawing, capsys)
    assert code == 2
    assert err == "lims: not a STEP (ISO 10303-21) or QIF file: it begins with '%PDF-1.7'\n"
    assert inspect(tmp_path / "missing.stp", capsys)[0] == 2
