"""parse_results_csv: a results file is read whole or refused, with every row's error located."""

import csv
from datetime import date

import pytest

from lims.jobs.results_csv import (
    CharacteristicRef,
    CsvParseResult,
    ParsedRow,
    RowError,
    parse_results_csv,
)

JOB = [
    CharacteristicRef(id=11, label="D1", unit="mm"),
    CharacteristicRef(id=12, label="L2", unit="um"),
    CharacteristicRef(id=13, label="A3", unit="deg"),
    CharacteristicRef(id=14, label="F4", unit="µm"),
]
HEADER = "characteristic,observations,unit,measured_on"
TODAY = date(2026, 11, 27)


def parse(text: str | bytes, **kwargs: object) -> CsvParseResult:
    return parse_results_csv(text, JOB, **kwargs)  # type: ignore[arg-type]


def only_error(result: CsvParseResult) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def one_row(*fields: str, header: str = HEADER) -> str:
    return header + "\n" + ",".join(fields) + "\n"


# Good files


def test_finnish_excel_file_with_bom_semicolons_and_decimal_commas_is_read() -> None:
    data = (
        "\ufeffcharacteristic;observations;unit;measured_on;equipment;temperature;humidity;comment\r\n"
        "D1;20,0012|20,0015|20,0011;mm;27.11.2026;reference=GB-001|indicator=DI-07;20,1;45;"
        "kolme mittausta\r\n"
        "A3;-0,5;deg;1.2.2026;;;;\r\n"
    ).encode()

    result = parse(data, today=TODAY)

    assert result.ok
    assert result.errors == []
    assert result.rows == [
        ParsedRow(
            line=2,
            characteristic_id=11,
            label="D1",
            observations=(20.0012, 20.0015, 20.0011),
            unit="mm",
            measured_on=date(2026, 11, 27),
            equipment={"reference": "GB-001", "indicator": "DI-07"},
            temperature=20.1,
            humidity=45.0,
            comment="kolme mittausta",
        ),
        ParsedRow(
            line=3,
            characteristic_id=13,
            label="A3",
            observations=(-0.5,),
            unit="deg",
            measured_on=date(2026, 2, 1),
            equipment={},
            temperature=None,
            humidity=None,
            comment="",
        ),
    ]


def test_comma_file_with_free_column_order_any_case_and_a_quoted_decimal_comma_is_read() -> None:
    data = b' Unit ,MEASURED_ON,Observations,Characteristic\nmm,2026-11-27,"20,0012|20.0015", D1 \n'

    result = parse(data)

    assert result.ok
    (row,) = result.rows
    assert (row.line, row.label, row.observations, row.measured_on) == (
        2,
        "D1",
        (20.0012, 20.0015),
        date(2026, 11, 27),
    )


def test_text_input_with_a_bom_is_read_like_bytes() -> None:
    result = parse("\ufeff" + one_row("D1", "1.5", "mm", "2026-11-27"))
    assert result.ok
    assert result.rows[0].observations == (1.5,)


def test_blank_lines_and_empty_excel_rows_are_skipped_and_line_numbers_stay_true() -> None:
    data = HEADER + "\n\nD1,1,mm,2026-11-27\n,,,\nA3,2,deg,2026-11-27\n, ,\n"
    result = parse(data)
    assert result.ok
    assert [row.line for row in result.rows] == [3, 5]


def test_a_comment_over_several_lines_keeps_the_next_rows_line_number() -> None:
    data = (
        "characteristic,observations,unit,measured_on,comment\n"
        'D1,1,mm,2026-11-27,"first line\nsecond line"\n'
        "A3,oops,deg,2026-11-27,\n"
    )
    result = parse(data)
    assert result.rows[0].comment == "first line\nsecond line"
    assert only_error(result).line == 4


def test_an_exponent_is_accepted() -> None:
    result = parse(one_row("D1", "2.5e-3|1E2", "mm", "2026-11-27"))
    assert result.rows[0].observations == (0.0025, 100.0)


# Units


def test_micrometres_are_converted_exactly_to_millimetres() -> None:
    result = parse(one_row("D1", '"12.5|-3|0,1|1000"', "um", "2026-11-27"))
    assert result.ok
    assert result.rows[0].observations == (0.0125, -0.003, 0.0001, 1.0)
    assert result.rows[0].unit == "mm"


def test_metres_and_nanometres_are_converted_to_micrometres() -> None:
    data = HEADER + "\nL2,0.0000125,m,2026-11-27\nF4,250|1,nm,2026-11-27\n"
    result = parse(data)
    assert result.ok
    assert [row.observations for row in result.rows] == [(12.5,), (0.25, 0.001)]
    assert [row.unit for row in result.rows] == ["um", "µm"]


def test_micro_sign_greek_mu_and_u_are_the_same_unit_without_conversion() -> None:
    data = HEADER + "\nL2,3.3,µm,2026-11-27\nF4,4.4,μm,2026-11-27\n"
    result = parse(data)
    assert result.ok
    assert [(row.observations, row.unit) for row in result.rows] == [((3.3,), "um"), ((4.4,), "µm")]


def test_a_unit_that_does_not_match_is_a_row_error_naming_both_units() -> None:
    error = only_error(parse(one_row("D1", "1", "deg", "2026-11-27")))
    assert error == RowError(
        line=2, column="unit", message="unit 'deg' does not match the characteristic's unit 'mm'"
    )


def test_a_length_unit_for_an_angle_is_a_unit_mismatch() -> None:
    error = only_error(parse(one_row("A3", "1", "mm", "2026-11-27")))
    assert (error.line, error.column) == (2, "unit")
    assert "'deg'" in error.message


def test_inches_are_converted_to_millimetres_at_25_4_exactly() -> None:
    # NIST SP 811 B.8: 1 in = 25.4 mm exactly (the 1959 international yard and pound agreement).
    result = parse(one_row("D1", "2|0.5", "in", "2026-11-27"))
    assert result.ok, result.errors
    assert result.rows[0].observations == (50.8, 12.7)


def test_arcseconds_are_converted_to_degrees() -> None:
    result = parse(one_row("A3", "3600|36", "arcsec", "2026-11-27"))
    assert result.ok, result.errors
    assert result.rows[0].observations == pytest.approx((1.0, 0.01), rel=1e-12)


def test_celsius_readings_are_converted_to_kelvin_with_the_offset() -> None:
    thermometer = [CharacteristicRef(id=21, label="T1", unit="K")]
    result = parse_results_csv(one_row("T1", "20|20.5", "°C", "2026-11-27"), thermometer)
    assert result.ok, result.errors
    assert result.rows[0].observations == pytest.approx((293.15, 293.65), rel=1e-12)


def test_an_absolute_celsius_reading_for_a_temperature_difference_is_a_row_error() -> None:
    deviation = [CharacteristicRef(id=22, label="dT", unit="delta_degC")]
    error = only_error(parse_results_csv(one_row("dT", "0.2", "°C", "2026-11-27"), deviation))
    assert (error.line, error.column) == (2, "unit")
    assert "°C" in error.message and "Δ°C" in error.message


def test_a_text_that_is_no_unit_is_a_row_error_naming_it() -> None:
    error = only_error(parse(one_row("D1", "1", "wibbles", "2026-11-27")))
    assert error == RowError(
        line=2, column="unit", message="'wibbles' is not a unit (write e.g. µm, mm, deg)"
    )


def test_an_empty_unit_is_a_row_error() -> None:
    error = only_error(parse(one_row("D1", "1", "", "2026-11-27")))
    assert (error.line, error.column) == (2, "unit")


# File-level errors


def test_an_empty_file_is_refused() -> None:
    error = only_error(parse(b""))
    assert (error.line, error.column) == (1, None)
    assert "empty" in error.message


def test_a_file_of_only_a_bom_and_blank_lines_is_empty() -> None:
    assert "empty" in only_error(parse("\ufeff\r\n\r\n".encode())).message


def test_a_header_without_rows_is_refused() -> None:
    error = only_error(parse(HEADER + "\n"))
    assert (error.line, error.column) == (1, None)
    assert "no result rows" in error.message


def test_an_unknown_column_is_a_file_error_listing_the_allowed_columns() -> None:
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", "20", header=HEADER + ",temp")))
    assert (error.line, error.column) == (1, "temp")
    assert error.message.startswith("unknown column 'temp'")
    assert "temperature" in error.message and "measured_on" in error.message


def test_a_missing_required_column_is_a_file_error_naming_it() -> None:
    error = only_error(parse("characteristic,observations,unit\nD1,1,mm\n"))
    assert error == RowError(
        line=1,
        column="measured_on",
        message="required column 'measured_on' is missing from the header",
    )


def test_a_column_named_twice_is_a_file_error() -> None:
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", "mm", header=HEADER + ",Unit")))
    assert (error.line, error.column) == (1, "unit")
    assert "twice" in error.message


def test_header_errors_stop_before_the_rows_are_read() -> None:
    result = parse("characteristic,observations,colour\nnope,x,red\n")
    assert result.rows == []
    assert {error.line for error in result.errors} == {1}
    assert [error.column for error in result.errors] == ["colour", "unit", "measured_on"]


def test_bytes_that_are_not_utf8_are_a_file_error_with_the_line() -> None:
    data = (HEADER + "\nD1,1,mm,2026-11-27\n").encode() + "A3,1,deg,2026-11-27,ä\n".encode("cp1252")
    result = parse(data)
    assert result.rows == []
    error = only_error(result)
    assert (error.line, error.column) == (3, None)
    assert "not UTF-8" in error.message


def test_more_rows_than_the_limit_are_refused_without_reading_the_rest() -> None:
    data = HEADER + "\n" + "D1,20.001,mm,2026-11-27\n" * 200_000

    result = parse(data)

    assert result.rows == []
    assert result.errors == [
        RowError(
            line=10_002,
            column=None,
            message="the file has more than 10000 result rows, the most one import takes; "
            "split it into files of at most 10000 rows",
        )
    ]


def test_exactly_max_rows_rows_are_accepted() -> None:
    data = HEADER + "\nD1,1,mm,2026-11-27\nL2,1,um,2026-11-27\nA3,1,deg,2026-11-27\n"
    assert parse(data, max_rows=3).ok
    assert only_error(parse(data, max_rows=2)).line == 4


def test_a_field_beyond_the_csv_modules_limit_reports_the_line_and_keeps_the_global_limit() -> None:
    limit_before = csv.field_size_limit()
    data = HEADER + "\nD1,1,mm,2026-11-27\n" + 'A3,"' + "1" * 200_000 + '",deg,2026-11-27\n'

    result = parse(data)

    assert csv.field_size_limit() == limit_before
    error = only_error(result)
    assert (error.line, error.column) == (3, None)
    assert "cannot be read from line 3" in error.message


# Row errors


def test_a_field_longer_than_10000_characters_is_a_row_error() -> None:
    error = only_error(parse(one_row("D1", "1" * 12_000, "mm", "2026-11-27")))
    assert error == RowError(
        line=2,
        column="observations",
        message="the field is 12000 characters long; the limit is 10000",
    )


def test_a_row_with_the_wrong_number_of_fields_is_a_row_error() -> None:
    error = only_error(parse(HEADER + "\nD1,1,mm\n"))
    assert error == RowError(
        line=2, column=None, message="the row has 3 fields but the header has 4"
    )


def test_an_unquoted_decimal_comma_in_a_comma_file_gets_a_hint() -> None:
    error = only_error(parse(HEADER + "\nD1,20,0012,mm,2026-11-27\n"))
    assert (error.line, error.column) == (2, None)
    assert "decimal comma must be quoted" in error.message


def test_an_unknown_characteristic_lists_some_valid_labels() -> None:
    job = [CharacteristicRef(id=n, label=f"C{n}", unit="mm") for n in range(1, 9)]
    result = parse_results_csv(one_row("D9", "1", "mm", "2026-11-27"), job)
    error = only_error(result)
    assert (error.line, error.column) == (2, "characteristic")
    assert error.message == (
        "unknown characteristic 'D9'; this job's characteristics are "
        "'C1', 'C2', 'C3', 'C4', 'C5' and 3 more"
    )


def test_labels_are_matched_case_sensitively() -> None:
    error = only_error(parse(one_row("d1", "1", "mm", "2026-11-27")))
    assert error.message.startswith("unknown characteristic 'd1'")


def test_the_same_characteristic_twice_is_an_error_on_the_second_row() -> None:
    result = parse(HEADER + "\nD1,1,mm,2026-11-27\nA3,1,deg,2026-11-27\n D1 ,2,mm,2026-11-27\n")
    error = only_error(result)
    assert (error.line, error.column) == (4, "characteristic")
    assert "already appears on line 2" in error.message


def test_a_reading_that_is_not_a_number_is_a_row_error() -> None:
    error = only_error(parse(one_row("D1", "abc", "mm", "2026-11-27")))
    assert error == RowError(line=2, column="observations", message="value 'abc' is not a number")


def test_each_bad_reading_of_several_is_named_by_its_position() -> None:
    result = parse(one_row("D1", "1|x|2|", "mm", "2026-11-27"))
    assert [(error.column, error.message) for error in result.errors] == [
        ("observations", "reading 2 of 4: value 'x' is not a number"),
        ("observations", "reading 4 of 4 is empty; remove the extra '|'"),
    ]


@pytest.mark.parametrize("reading", ["1 234,5", '"1,234.5"', "1.234,5"])
def test_thousands_separators_are_refused(reading: str) -> None:
    error = only_error(parse(HEADER.replace(",", ";") + f"\nD1;{reading};mm;27.11.2026\n"))
    assert (error.line, error.column) == (2, "observations")
    assert "thousands separators" in error.message


@pytest.mark.parametrize("reading", ["NaN", "inf", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(reading: str) -> None:
    error = only_error(parse(one_row("D1", reading, "mm", "2026-11-27")))
    assert (error.line, error.column) == (2, "observations")
    assert f"value '{reading}'" in error.message


def test_empty_observations_are_a_row_error() -> None:
    error = only_error(parse(one_row("D1", " ", "mm", "2026-11-27")))
    assert (error.line, error.column) == (2, "observations")


@pytest.mark.parametrize("text", ["27/11/2026", "2026-11-27T10:00", "20261127", "eilen", ""])
def test_a_date_in_another_format_is_a_row_error(text: str) -> None:
    error = only_error(parse(one_row("D1", "1", "mm", text)))
    assert (error.line, error.column) == (2, "measured_on")


def test_a_date_that_does_not_exist_is_a_row_error() -> None:
    error = only_error(parse(one_row("D1", "1", "mm", "31.2.2026")))
    assert error == RowError(
        line=2, column="measured_on", message="date '31.2.2026' does not exist in the calendar"
    )


def test_a_date_after_today_is_refused_when_today_is_given() -> None:
    data = one_row("D1", "1", "mm", "28.11.2026")
    error = only_error(parse(data, today=TODAY))
    assert (error.line, error.column) == (2, "measured_on")
    assert "in the future" in error.message
    assert parse(data).ok
    assert parse(one_row("D1", "1", "mm", "27.11.2026"), today=TODAY).ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GB-001", "is not role=identification"),
        ("reference=", "is not role=identification"),
        ("=GB-001", "is not role=identification"),
        ("reference=GB-001|reference=GB-002", "role 'reference' is given twice"),
    ],
)
def test_a_bad_equipment_entry_is_a_row_error(text: str, expected: str) -> None:
    header = HEADER + ",equipment"
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", text, header=header)))
    assert (error.line, error.column) == (2, "equipment")
    assert expected in error.message


def test_temperature_outside_0_to_50_celsius_is_a_row_error() -> None:
    header = "characteristic;observations;unit;measured_on;temperature"
    error = only_error(parse(header + "\nD1;1;mm;27.11.2026;51,5\n"))
    assert error == RowError(
        line=2,
        column="temperature",
        message="temperature 51,5 °C is outside the plausible range 0 to 50 °C",
    )


def test_humidity_outside_0_to_100_percent_is_a_row_error() -> None:
    header = HEADER + ",humidity"
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", "-1", header=header)))
    assert (error.line, error.column) == (2, "humidity")


def test_a_temperature_that_is_not_a_number_is_a_row_error() -> None:
    header = HEADER + ",temperature"
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", "warm", header=header)))
    assert error == RowError(line=2, column="temperature", message="value 'warm' is not a number")


def test_a_comment_over_500_characters_is_a_row_error() -> None:
    header = HEADER + ",comment"
    error = only_error(parse(one_row("D1", "1", "mm", "2026-11-27", "x" * 501, header=header)))
    assert error == RowError(
        line=2, column="comment", message="the comment is 501 characters long; the limit is 500"
    )


# Collecting every error


def test_every_bad_rows_error_is_collected_and_good_rows_are_listed_for_a_dry_run() -> None:
    data = (
        HEADER + "\n"
        "D1,abc,mm,2026-11-27\n"
        "L2,1,um,2026-11-27\n"
        "A3,1,mm,2026-11-27\n"
        "F4,1,um,2026-13-01\n"
    )

    result = parse(data)

    assert not result.ok
    assert [(error.line, error.column) for error in result.errors] == [
        (2, "observations"),
        (4, "unit"),
        (5, "measured_on"),
    ]
    assert [row.line for row in result.rows] == [3]


def test_all_errors_of_one_row_are_collected() -> None:
    result = parse(one_row("nope", "x", "mm", "yesterday"))
    assert [error.column for error in result.errors] == [
        "characteristic",
        "observations",
        "measured_on",
    ]


def test_characteristic_labels_given_twice_by_the_caller_are_a_programming_error() -> None:
    twice = [CharacteristicRef(id=1, label="D1", unit="mm")] * 2
    with pytest.raises(ValueError, match="given twice"):
        parse_results_csv(one_row("D1", "1", "mm", "2026-11-27"), twice)
