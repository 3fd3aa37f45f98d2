"""Countries of ISO 3166-1 alpha-2 and the member states of the European Union.

The codes come from the CLDR territory names Babel ships (already a dependency, for the
catalogs), less CLDR's codes that are not ISO 3166-1 countries.
"""

from babel import Locale

# CLDR territories with two letters that ISO 3166-1 does not assign to a country: regions
# (EU, EZ, UN, QO), pseudo-locales (XA, XB), user-assigned codes (XK, ZZ) and the
# exceptional reservations CLDR lists separately (AC, CP, CQ, DG, EA, IC, TA).
_NOT_ISO_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)

COUNTRIES: frozenset[str] = frozenset(
    code
    for code in map(str, Locale("en").territories)
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
)

#: The member states of the European Union (27 since 1 February 2020).
EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def country_name(code: str, language: str) -> str:
    """The country's name in ``language`` (fi, sv, en, et), e.g. ``Viro`` for EE in Finnish."""
    return str(Locale(language).territories.get(code, code))
