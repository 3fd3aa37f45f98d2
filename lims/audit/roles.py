"""PostgreSQL roles: the application may add audit events, never change or hide them.

The triggers on ``audit_event`` refuse UPDATE, DELETE and TRUNCATE, but a table's owner may
disable them (``ALTER TABLE … DISABLE TRIGGER USER``).  So the schema belongs to an owner role
that only migrations use, and the application connects as another role holding row rights
on every table and only SELECT and INSERT on ``audit_event``.  ``grant_application_role``
gives it those after every migration run; ``check_roles`` says whether the connected role
is held to them.  SQLite has no roles: there, whoever can write the file can change it.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from lims.errors import ConfigurationError

AUDIT_TABLE = "audit_event"
#: The triggers of migration 0002 that refuse changing the trail, and what each refuses.
AUDIT_TRIGGERS = {
    "audit_event_append_only": "UPDATE and DELETE",
    "audit_event_no_truncate": "TRUNCATE",
}
_MIGRATIONS_TABLE = "alembic_version"


@dataclass(frozen=True)
class RoleCheck:
    """One rule of the installation and whether the connected role follows it."""

    passed: bool
    rule: str


def audit_trigger_problems(connection: Connection) -> list[str]:
    """A sentence for each refusing trigger on ``audit_event`` that is missing or disabled."""
    if connection.dialect.name != "postgresql":
        return []
    triggers = connection.execute(
        text(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = to_regclass(:table) AND NOT tgisinternal"
        ),
        {"table": AUDIT_TABLE},
    )
    enabled: dict[str, str] = {name: state for name, state in triggers}
    problems = []
    for trigger, refuses in AUDIT_TRIGGERS.items():
        if trigger not in enabled:
            problems.append(
                f"trigger {trigger} on {AUDIT_TABLE} is missing: {refuses} of events is not refused"
            )
        elif enabled[trigger] == "D":
            problems.append(
                f"trigger {trigger} on {AUDIT_TABLE} is disabled: {refuses} of events "
                "is not refused"
            )
    return problems


def check_roles(connection: Connection) -> list[RoleCheck]:
    """Whether the connected PostgreSQL role is the application role the README describes."""
    role, superuser, creates_roles = connection.execute(
        text(
            "SELECT current_user, rolsuper, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        )
    ).one()
    owned = _owned_objects(connection)
    checks = [
        RoleCheck(not superuser, f"role {role} is not a superuser"),
        # A role that may create roles may grant itself membership in the owner's.
        RoleCheck(not creates_roles, f"role {role} may not create roles"),
        # A schema's owner may drop it with every table in it, or rename it and put a copy
        # of its own in its place; the database's owner owns the public schema.
        RoleCheck(
            not _owns_database_or_schema(connection),
            f"role {role} owns neither the database nor its schema",
        ),
        RoleCheck(
            not owned,
            f"role {role} owns no table, sequence or function of the schema"
            + (f" (owns {_listed(owned)})" if owned else ""),
        ),
    ]
    for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
        checks.append(
            RoleCheck(
                not _may(connection, AUDIT_TABLE, privilege),
                f"role {role} may not {privilege} {AUDIT_TABLE}",
            )
        )
    for privilege in ("SELECT", "INSERT"):
        checks.append(
            RoleCheck(
                _may(connection, AUDIT_TABLE, privilege),
                f"role {role} may {privilege} {AUDIT_TABLE} (the application needs it)",
            )
        )
    problems = audit_trigger_problems(connection)
    checks.append(
        RoleCheck(
            not problems,
            "; ".join(problems)
            or f"the triggers refusing changes to {AUDIT_TABLE} exist and are enabled",
        )
    )
    return checks


def _owned_objects(connection: Connection) -> list[str]:
    """Tables, sequences and functions of the current schema the role owns or may become
    the owner of (a member of the owning role may ``SET ROLE`` to it)."""
    return list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c "
                "WHERE c.relnamespace = to_regnamespace(current_schema()) "
                "AND c.relkind IN ('r', 'p', 'S', 'v', 'm') "
                "AND pg_has_role(current_user, c.relowner, 'MEMBER') "
                "UNION ALL "
                "SELECT p.proname || '()' FROM pg_proc p "
                "WHERE p.pronamespace = to_regnamespace(current_schema()) "
                "AND pg_has_role(current_user, p.proowner, 'MEMBER') "
                "ORDER BY 1"
            )
        ).scalars()
    )


def _owns_database_or_schema(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT pg_has_role(current_user, d.datdba, 'MEMBER') "
                "OR pg_has_role(current_user, n.nspowner, 'MEMBER') "
                "FROM pg_database d, pg_namespace n "
                "WHERE d.datname = current_database() AND n.nspname = current_schema()"
            )
        ).scalar_one()
    )


def _may(connection: Connection, table: str, privilege: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT has_table_privilege(to_regclass(:table), :privilege)"),
            {"table": table, "privilege": privilege},
        ).scalar_one()
    )


def _listed(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def grant_application_role(connection: Connection, role: str) -> None:
    """Give ``role`` row rights on every table, but only SELECT and INSERT on the audit
    trail and SELECT on the migrations' bookkeeping; idempotent, run after every migration.

    Everything is revoked first, so a right given by hand (or by an older release) does not
    survive the next upgrade.  A no-op on SQLite.
    """
    if connection.dialect.name != "postgresql":
        return
    owner = connection.execute(text("SELECT current_user")).scalar_one()
    if role == owner:
        raise ConfigurationError(
            "LIMS_DATABASE_APP_ROLE is %(role)s, the role running the migrations: "
            "the application role must be another one (see the README, Running on "
            "PostgreSQL)",
            code="audit.lims_database_app_role_role",
            role=role,
        )
    if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        _grant(connection, connection.dialect.identifier_preparer.quote(role))
        return
    raise ConfigurationError(
        "LIMS_DATABASE_APP_ROLE names role %(role)s, which does not exist: "
        "CREATE ROLE %(role)s LOGIN PASSWORD '…' first",
        code="audit.lims_database_app_role_names",
        role=role,
    )


def _grant(connection: Connection, role: str) -> None:
    schema = connection.dialect.identifier_preparer.quote(
        connection.execute(text("SELECT current_schema()")).scalar_one()
    )
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
    existing = set(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
    )
    if AUDIT_TABLE in existing:
        statements.append(f"REVOKE UPDATE, DELETE ON {AUDIT_TABLE} FROM {role}")
    if _MIGRATIONS_TABLE in existing:
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON {_MIGRATIONS_TABLE} FROM {role}")
    for statement in statements:
        connection.execute(text(statement))
