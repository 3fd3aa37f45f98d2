"""The comparison charts in the lab's notation: a characteristic kind by its words, Finnish
first, and the axes' numbers with a decimal comma and the minus sign (#25)."""

from lims.comparisons.charts import trend_chart


def test_the_trend_chart_names_the_kind_in_words_and_writes_ticks_with_a_decimal_comma() -> None:
    history = {
        "series": [
            {
                "characteristic_kind": "diameter",
                "instrument": "",
                "points": [
                    {"measured_on": "2025-03-01", "En": 0.4, "D": -0.5},
                    {"measured_on": "2026-03-01", "En": -0.6, "D": 0.75},
                ],
            }
        ]
    }
    # matplotlib writes each text of the figure as a comment beside its glyphs.
    svg = trend_chart(history).decode()
    assert "<!-- Halkaisija / Diameter -->" in svg
    assert "<!-- diameter -->" not in svg
    assert "<!-- 0,5 -->" in svg and "<!-- \u22120,5 -->" in svg
    assert "<!-- 0.5 -->" not in svg
