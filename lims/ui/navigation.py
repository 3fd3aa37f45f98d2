"""The menu: which screens each role finds in the navigation bar.

This decides only what is offered; whether a page may be shown is still the services'
decision (a technician typing /audit gets the page, and the services answer for each part).
"""

from dataclasses import dataclass

from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal
from lims.i18n import N_

READERS = frozenset({*STAFF_ROLES, Role.AUDITOR})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavEntry:
    href: str
    text: str  # an English message id, translated in the template
    roles: frozenset[Role]


NAV: list[NavEntry] = [
    NavEntry("/jobs", N_("Jobs"), EVERYONE),
    NavEntry("/jobs/new", N_("New job"), frozenset({*STAFF_ROLES, Role.CUSTOMER})),
    NavEntry("/documents", N_("Documents"), EVERYONE),
    NavEntry("/customers", N_("Customers"), READERS),
    NavEntry("/equipment", N_("Equipment"), READERS),
    NavEntry("/methods", N_("Methods"), READERS),
    NavEntry("/scope", N_("Accredited scope"), EVERYONE),
    NavEntry("/staff", N_("Staff competence"), READERS),
    NavEntry("/training", N_("Training"), READERS),
    NavEntry("/comparisons", N_("Comparisons"), READERS),
    NavEntry("/agreements", N_("Agreements"), EVERYONE),
    NavEntry("/prices", N_("Prices"), EVERYONE),
    NavEntry("/quotations", N_("Quotations"), EVERYONE),
    NavEntry(
        "/invoicing",
        N_("Invoicing"),
        frozenset({Role.ADMIN, Role.QUALITY_MANAGER, Role.AUDITOR}),
    ),
    NavEntry("/uncertainty", N_("Uncertainty"), READERS),
    NavEntry("/audit", N_("Audit trail"), READERS),
    NavEntry("/users", N_("Users"), frozenset({Role.ADMIN})),
]


def entries_for(principal: Principal) -> list[NavEntry]:
    return [entry for entry in NAV if principal.roles & entry.roles]
