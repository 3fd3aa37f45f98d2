"""The ``lims`` command.

Every failure a person can fix prints one line on stderr and exits with status 2.

Each command imports the parts of the product it uses inside its function: importing them
all here (WeasyPrint, pyHanko, SciPy, the database layer) took seconds before even
``lims --version`` could answer. Only typer, the standard library and ``lims.errors`` load
at start; tests/test_cli.py checks that nothing heavy does.
"""

import dataclasses
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lims import __version__
from lims.errors import InvalidInput, LimsError, NotFound

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from sqlalchemy import Engine
    from sqlmodel import Session

    from lims.accounts.principal import Principal
    from lims.config import Settings

app = typer.Typer(help="LIMS for ISO/IEC 17025 calibration laboratories.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
uncertainty_app = typer.Typer(help="Uncertainty evaluation and decisions.", no_args_is_help=True)
comparison_app = typer.Typer(help="Comparison scores, own uncertainty (B2).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(uncertainty_app, name="uncertainty")
cad_app = typer.Typer(help="CAD models with PMI and QIF documents.", no_args_is_help=True)
app.add_typer(cad_app, name="cad")
app.add_typer(comparison_app, name="comparison")
rr_app = typer.Typer(help="RR tests: measurement system analysis.", no_args_is_help=True)
app.add_typer(rr_app, name="rr")
documents_app = typer.Typer(help="Certificates and reports: issue, verify.", no_args_is_help=True)
app.add_typer(documents_app, name="documents")
records_app = typer.Typer(
    help="Records for auditors: export and verify bundles.", no_args_is_help=True
)
app.add_typer(records_app, name="records")
invoicing_app = typer.Typer(
    help="The invoicing basis: delivered jobs for accounting.", no_args_is_help=True
)
app.add_typer(invoicing_app, name="invoicing")

EXIT_USAGE = 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lims {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """LIMS for ISO/IEC 17025 calibration laboratories."""


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from lims import migrations
    from lims.config import get_settings

    settings = get_settings()
    settings.check()
    # As the schema's owner (LIMS_DATABASE_OWNER_URL), granting the application role its rights.
    migrations.upgrade(
        settings.resolved_database_owner_url, revision, app_role=settings.database_app_role
    )
    typer.echo(f"database at {revision}: {_without_password(settings.resolved_database_url)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (``base`` empties the database)."""
    from lims import migrations
    from lims.config import get_settings

    settings = get_settings()
    migrations.downgrade(
        settings.resolved_database_owner_url, revision, app_role=settings.database_app_role
    )
    typer.echo(f"database at {revision}")


@db_app.command("check-roles")
def db_check_roles() -> None:
    """Whether the application's database role can change or hide audit events (PostgreSQL).

    One line per rule; exit 1 when any fails. SQLite has no roles: a note and exit 0.
    """
    from lims.audit.roles import check_roles
    from lims.config import get_settings
    from lims.db import make_engine

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                typer.echo(
                    "SQLite has no database roles: whoever may write the file may change it; "
                    "`lims audit verify --records` names what was changed"
                )
                return
            checks = check_roles(connection)
    finally:
        engine.dispose()
    for check in checks:
        typer.echo(f"{'ok  ' if check.passed else 'FAIL'} {check.rule}")
    if not all(check.passed for check in checks):
        # 1, not 2: the command ran and found the installation wanting.
        sys.exit(1)


def _without_password(database_url: str) -> str:
    from sqlalchemy import make_url

    return make_url(database_url).render_as_string(hide_password=True)


@app.command()
def demo() -> None:
    """Load the demo data (idempotent)."""
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.demo import load_demo_data

    settings = get_settings()
    settings.check()
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        created = load_demo_data(session, settings)
    typer.echo(f"demo data loaded ({created} new records)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API, its documentation and the web UI."""
    import uvicorn

    from lims.config import get_settings
    from lims.demo import DEMO_USERS

    settings = get_settings()
    settings.check()
    host = host or settings.host
    port = port or settings.port
    # The application (built by uvicorn, in each worker) reads its settings from the
    # environment: there, the address given here is the one served, and the default
    # LIMS_PUBLIC_URL of documents' verification links follows it.
    os.environ["LIMS_HOST"] = host
    os.environ["LIMS_PORT"] = str(port)
    typer.echo(
        f"LIMS {__version__} at http://{host}:{port}/  (API docs: http://{host}:{port}/docs)"
    )
    typer.echo("demo logins (only when `lims demo` loaded them):")
    for user in DEMO_USERS:
        roles = ", ".join(role.value for role in user.roles)
        typer.echo(f"  {user.username:16} {user.password:28} {roles}")
    uvicorn.run(
        "lims.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


@users_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(prompt=True, help="Login name (lowercase).")],
    full_name: Annotated[str, typer.Option(prompt=True, help="The person's name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="LIMS_ADMIN_PASSWORD",
            help="At least 12 characters; prompted for when not given.",
        ),
    ],
) -> None:
    """Create an administrator (there is no default password)."""
    from lims.accounts import service as accounts
    from lims.accounts.principal import system_principal
    from lims.config import get_settings
    from lims.db import make_engine, session_scope

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        user = accounts.create_first_admin(
            session,
            actor=system_principal("cli"),
            username=username,
            full_name=full_name,
            password=password,
        )
        typer.echo(f"administrator {user.username} created")


@users_app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="The user whose password is reset.")],
) -> None:
    """Give USERNAME a random temporary password, printed once; every credential they hold
    dies and they must choose a password at their next sign-in (audited, as by an admin).
    For an administrator who has lost their own password."""
    from sqlmodel import select

    from lims.accounts import service as accounts
    from lims.accounts.models import User
    from lims.accounts.principal import system_principal
    from lims.accounts.usernames import normalise
    from lims.config import get_settings
    from lims.db import make_engine, persisted_id, session_scope

    engine = make_engine(get_settings().resolved_database_url)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == normalise(username))).first()
        if user is None or user.deleted_at is not None:
            _fail(f"there is no user {username}")
            return
        user, temporary = accounts.reset_password(
            session, actor=system_principal("cli"), user_id=persisted_id(user)
        )
        typer.echo(f"temporary password of {user.username}: {temporary}")
        typer.echo("hand it over in person; it must be changed at the next sign-in")


@audit_app.command("verify")
def audit_verify(
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="Also rebuild every audited row from its events; name rows that differ.",
        ),
    ] = False,
) -> None:
    """Recompute the audit hash chain with the audit key ring; name the first event that
    does not fit."""
    from lims.audit.keys import read_key_ring
    from lims.audit.trail import verify_chain
    from lims.config import get_settings
    from lims.db import make_engine, session_scope

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    ring = read_key_ring(settings.resolved_audit_key_dir)
    with session_scope(engine) as session:
        result = verify_chain(session, ring)
    if result.first_break is not None:
        _fail(f"audit chain broken after {result.events} events: {result.first_break.problem}")
    typer.echo(
        f"audit chain intact: {result.events} events, head {result.head} "
        f"(keys: {len(ring.keys)} in {ring.directory})"
    )
    _verify_audit_guards(engine, records=records)
    _verify_checkpoints(engine, settings, certificates=[])


def _verify_checkpoints(engine: "Engine", settings: "Settings", certificates: list[Path]) -> None:
    """The checkpoint log's signatures and links, and the chain against every checkpoint:
    events removed from the chain's end show here.  Exit 2 naming each problem."""
    from lims.db import session_scope
    from lims.documents.detached import read_certificate
    from lims.records.checkpoints import check_checkpoints

    trusted = [read_certificate(path) for path in certificates]
    with session_scope(engine) as session:
        report = check_checkpoints(session, settings, trusted)
    for problem in report.problems:
        typer.echo(f"PROBLEM {problem}")
    if not report.intact:
        _fail(f"audit checkpoints NOT sound: {len(report.problems)} problems in {report.log}")
    if report.latest is None:
        typer.echo(f"no audit checkpoint yet in {report.log}: run `lims audit checkpoint`")
        return
    typer.echo(
        f"audit checkpoints sound: {report.checkpoints} in {report.log}, the chain holds the "
        f"latest (event {report.latest.event_id} of {report.latest.at})"
    )


@audit_app.command("rotate-key")
def audit_rotate_key(
    reason: Annotated[
        str, typer.Option(help="Why the key changes, kept in the rotation's audit event.")
    ] = "scheduled rotation of the audit key",
) -> None:
    """Make a new audit key and record the change in the chain, keyed with the key it
    retires; every later event uses the new key, and the old one stays in the ring."""
    from sqlmodel import Session

    from lims.accounts.principal import system_principal
    from lims.audit.trail import AuditContext, rotate_key
    from lims.config import get_settings
    from lims.db import make_engine

    settings = get_settings()
    actor = system_principal("cli").username
    with Session(make_engine(settings.resolved_database_url)) as session:
        retired, new = rotate_key(session, AuditContext(actor=actor, reason=reason))
    typer.echo(
        f"audit key {new.key_id} keys the chain from now on; {retired.key_id} is retired and "
        f"stays in {settings.resolved_audit_key_dir}, where verification needs it: "
        "back the key ring up now"
    )


@audit_app.command("checkpoint")
def audit_checkpoint(
    paper: Annotated[
        bool,
        typer.Option("--print", help="Also print the line for the quality manager's paper record."),
    ] = False,
) -> None:
    """Sign the audit chain's head with the lab's key and append it to the checkpoint log,
    unless the newest checkpoint names it already (for cron; the service does it daily)."""
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.records.checkpoints import write_checkpoint

    settings = get_settings()
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        written = write_checkpoint(session, settings)
    checkpoint = written.checkpoint
    if checkpoint is None:
        typer.echo("no audit checkpoint: the audit chain has no events yet")
        return
    log = settings.resolved_audit_checkpoint_log
    typer.echo(
        f"audit checkpoint of event {checkpoint.event_id} ({checkpoint.events} events) "
        + (f"written to {log}" if written.written else f"is already the newest in {log}")
    )
    if paper:
        typer.echo(checkpoint.paper_line())


@audit_app.command("checkpoints")
def audit_checkpoints(
    last: Annotated[int, typer.Option(min=1, help="How many of the newest to list.")] = 10,
    certificate: Annotated[
        list[Path] | None,
        typer.Option(
            help="A certificate (PEM) checkpoints may be signed with; repeat for several; "
            "default: the configured one, and earlier ones kept in a previous/ folder beside it."
        ),
    ] = None,
) -> None:
    """List the newest checkpoints as on the paper record, after checking the whole log."""
    from lims.audit.checkpoints import read_checkpoints
    from lims.config import get_settings
    from lims.db import make_engine

    settings = get_settings()
    for checkpoint in read_checkpoints(settings.resolved_audit_checkpoint_log)[-last:]:
        typer.echo(checkpoint.paper_line())
    _verify_checkpoints(
        make_engine(settings.resolved_database_url), settings, certificates=certificate or []
    )


def _verify_audit_guards(engine: "Engine", *, records: bool) -> None:
    """The trail's protections beyond its hashes: PostgreSQL's refusing triggers, and (with
    ``records``) each audited row against the replay of its events. Exit 2 naming what fails."""
    from lims import models  # noqa: F401  (registers every audited table)
    from lims.audit.records_check import check_records
    from lims.audit.roles import audit_trigger_problems

    with engine.connect() as connection:
        problems = audit_trigger_problems(connection)
    checked = None
    if records:
        with engine.connect() as connection:
            checked = check_records(connection)
    for problem in problems:
        typer.echo(f"PROBLEM {problem}")
    if checked is not None:
        for difference in checked.differences:
            typer.echo(f"DIFFERS {difference}")
        if checked.difference_count > len(checked.differences):
            typer.echo(f"… and {checked.difference_count - len(checked.differences)} more")
    differing = checked.difference_count if checked is not None else 0
    if problems or differing:
        _fail(
            f"audit trail NOT sound: {len(problems)} trigger problems, "
            f"{differing} differences between records and their events"
        )
    if checked is not None:
        typer.echo(
            f"audited records match their events: {checked.rows} rows, {checked.events} events"
            f" ({checked.uncompared_fields} redacted or unrecorded fields not compared)"
        )


class _PhaseBars:
    """Backup and restore progress: one bar on stderr per phase, closed as the next begins."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: ExitStack | None = None
        self.position: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.bar = phase, ExitStack()
            self.position = self.bar.enter_context(
                typer.progressbar(length=max(total, 1), label=f"{phase:30}", file=sys.stderr)
            )
        self.position.update(done - self.position.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> "_PhaseBars":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@app.command()
def backup(
    destination: Annotated[Path, typer.Argument(help="A new (or empty) folder.")],
) -> None:
    """Back up the database and the file store, with a manifest of counts and hashes."""
    from lims.backup import service as backups
    from lims.config import get_settings

    settings = get_settings()
    with _PhaseBars() as progress:
        manifest = backups.create_backup(settings, destination, progress=progress)
    typer.echo(
        f"backup written to {destination}: {len(manifest.tables)} tables, {manifest.rows} rows, "
        f"{len(manifest.files)} files ({manifest.file_bytes} bytes), audit chain "
        f"{manifest.audit.events} events, head {manifest.audit.head}"
    )


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A folder written by `lims backup`.")],
) -> None:
    """Restore a backup into an empty database and file store; check counts and hashes."""
    from lims.backup import service as backups
    from lims.config import get_settings

    settings = get_settings()
    settings.check()
    with _PhaseBars() as progress:
        manifest = backups.restore_backup(settings, source, progress=progress)
    typer.echo(
        f"restored {source} (made {manifest.created_at}, migration {manifest.migration}): "
        f"{manifest.rows} rows and {len(manifest.files)} files match the manifest; audit chain "
        f"{manifest.audit.events} events, head {manifest.audit.head}"
    )


def _read_text(path: str) -> str:
    """A request's text from a file, or from stdin when the path is ``-``."""
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(
            "cannot read %(path)s: %(strerror)s",
            code="cli.cannot_read",
            path=path,
            strerror=error.strerror,
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput("%(path)s is not UTF-8 text", code="cli.utf_8_text", path=path) from None


def _read_json(path: str) -> Any:
    """A JSON request from a file, or from stdin when the path is ``-``."""
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            "%(path)s is not valid JSON: %(error)s", code="cli.valid_json", path=path, error=error
        ) from None


def _print_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@uncertainty_app.command("evaluate")
def uncertainty_evaluate(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """Evaluate a measurement model; print the response JSON (as the API answers).

    Monte Carlo runs show a progress bar on stderr; stdout carries only the JSON.
    """
    from lims.uncertainty import evaluate

    request = _read_json(file)
    with ExitStack() as stack:
        bars: list[Any] = []

        def advance(done: int, total: int) -> None:
            # The bar appears with the first chunk of trials, so GUM-only runs print none.
            if not bars:
                bars.append(
                    stack.enter_context(
                        typer.progressbar(length=total, label="Monte Carlo trials", file=sys.stderr)
                    )
                )
            bars[0].update(done - bars[0].pos)

        response = evaluate(request, progress=advance)
    _print_json(response)


@uncertainty_app.command("decide")
def uncertainty_decide(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """Decide conformity with a tolerance; print the response JSON (as the API answers)."""
    from lims.config import get_settings
    from lims.jobs.results import capability_policy
    from lims.uncertainty import decide

    # The lab's check of simple acceptance (LIMS_SIMPLE_ACCEPTANCE_*), as over HTTP.
    _print_json(decide(_read_json(file), capability_policy(get_settings())))


@comparison_app.command("score")
def comparison_score(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """Score a comparison round (En, zeta, z, z', D, PA); print the response JSON."""
    from lims.comparisons import score

    _print_json(score(_read_json(file)))


@comparison_app.command("own-uncertainty")
def comparison_own_uncertainty(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """A company's own uncertainty by ISO 15530-3; print the response JSON."""
    from lims.comparisons import own_uncertainty

    _print_json(own_uncertainty(_read_json(file)))


@rr_app.command("evaluate")
def rr_evaluate(
    file: Annotated[str, typer.Argument(help="Request JSON, CSV readings, or - for stdin.")],
    design: Annotated[
        str | None, typer.Option(help="crossed, nested, type1 or linearity (CSV: needed).")
    ] = None,
    method: Annotated[str | None, typer.Option(help="anova or average_range.")] = None,
    tolerance: Annotated[float | None, typer.Option(help="USL - LSL.")] = None,
    lsl: Annotated[float | None, typer.Option(help="Lower specification limit.")] = None,
    usl: Annotated[float | None, typer.Option(help="Upper specification limit.")] = None,
    reference: Annotated[float | None, typer.Option(help="Type 1: the part's reference.")] = None,
    study_multiplier: Annotated[float | None, typer.Option(help="6 or 5.15.")] = None,
    pool_interaction_above_p: Annotated[
        str | None, typer.Option(help="A p-value such as 0.05 or 0.25, or 'never'.")
    ] = None,
    f_denominator: Annotated[str | None, typer.Option(help="interaction or error.")] = None,
    negative_components: Annotated[str | None, typer.Option(help="zero or keep.")] = None,
    ndc_factor: Annotated[float | None, typer.Option(help="1.41 by default.")] = None,
    ndc_rounding: Annotated[str | None, typer.Option(help="floor or round.")] = None,
    process_variation: Annotated[
        float | None, typer.Option(help="Known process variation (multiplier x SD).")
    ] = None,
) -> None:
    """Evaluate an RR test; print the response JSON (as POST /api/v1/rr/evaluate answers).

    FILE is the API's request as JSON, or a CSV file with the columns part, operator, trial,
    value[, reference]; the options set or override the request's fields.
    """
    from lims.training.rr import evaluate_rr
    from lims.training.rr.readings import study_request

    options: dict[str, object] = {
        name: value
        for name, value in {
            "design": design,
            "method": method,
            "tolerance": tolerance,
            "lsl": lsl,
            "usl": usl,
            "reference": reference,
            "study_multiplier": study_multiplier,
            "f_denominator": f_denominator,
            "negative_components": negative_components,
            "ndc_factor": ndc_factor,
            "ndc_rounding": ndc_rounding,
            "process_variation": process_variation,
        }.items()
        if value is not None
    }
    if pool_interaction_above_p is not None:
        options["pool_interaction_above_p"] = (
            None if pool_interaction_above_p == "never" else pool_interaction_above_p
        )
    _print_json(evaluate_rr(study_request(_read_text(file), source=file, options=options)))


@cad_app.command("inspect")
def cad_inspect(
    file: Annotated[Path, typer.Argument(help="STEP AP242 (.stp, .stp.gz) or QIF file.")],
) -> None:
    """Print the PMI a model carries (tolerances, dimensions, datums) as JSON."""
    from lims.cad.worker import limits_of, read_bounded
    from lims.config import get_settings

    model = read_bounded(_regular_file(file), limits_of(get_settings()))
    if model.plan is None:
        raise InvalidInput(
            "%(file)s defines no characteristics", code="cli.defines_characteristics", file=file
        )
    _print_json(model.plan.as_json())


@documents_app.command("issue")
def documents_issue(
    signatory: Annotated[str, typer.Option("--as", help="Username of the signatory issuing.")],
    jobs: Annotated[
        list[str] | None, typer.Option("--job", help="Job number (repeat for more).")
    ] = None,
    all_approved: Annotated[
        bool, typer.Option("--all-approved", help="Every approved job without a document.")
    ] = False,
    function: Annotated[
        str | None, typer.Option(help="The signatory's function as printed.")
    ] = None,
) -> None:
    """Issue the Finnish certificates or reports of approved jobs, with a progress bar.

    Prints one JSON line per job; exits 1 when any job could not be issued.
    """
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.documents import batch as documents_batch

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    numbers = list(jobs or [])
    if all_approved:
        with session_scope(engine) as session:
            numbers += documents_batch.jobs_awaiting_documents(session)
    if not numbers:
        raise InvalidInput(
            "name jobs with --job, or give --all-approved", code="cli.name_jobs_job_give_all"
        )
    with typer.progressbar(length=len(numbers), label="Issuing", file=sys.stderr) as bar:
        outcomes = documents_batch.issue_for_jobs(
            engine,
            username=signatory,
            job_numbers=numbers,
            settings=settings,
            signatory_function=function,
            progress=lambda _: bar.update(1),
        )
    for outcome in outcomes:
        typer.echo(json.dumps(dataclasses.asdict(outcome), ensure_ascii=False))
    if any(outcome.problem for outcome in outcomes):
        sys.exit(1)


@documents_app.command("verify")
def documents_verify(
    number: Annotated[
        str | None, typer.Argument(help="The document number, e.g. KT-2026-0001.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option(help="A PDF to check: its signature, and is it on record.")
    ] = None,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            help="PEM certificate trusted to sign or timestamp (repeat); default: "
            "the lab's, the signatories' and the TSA's from the settings."
        ),
    ] = None,
) -> None:
    """Is a document valid, superseded or withdrawn (JSON); with --file, what the file proves,
    one fact a line.  Exit 1 when not valid or not verified, 2 on bad input."""
    from lims.config import get_settings
    from lims.db import make_engine, session_scope

    settings = get_settings()
    if file is None:
        if number is None:
            raise InvalidInput(
                "name a document NUMBER, or a PDF with --file",
                code="cli.name_document_number_pdf_file",
            )
        _verify_number(settings, number)
        return
    _regular_file(file)
    from sqlmodel import select

    from lims.documents import file_check
    from lims.documents.models import Document

    pdf = file.read_bytes()
    file_check.require_pdf(pdf, file.name)
    trusted = _trusted(settings, trust or [])
    number = number or file_check.document_number(pdf)
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        record = (
            session.exec(select(Document).where(Document.number == number)).first()
            if number
            else None
        )
        report = file_check.check_pdf(pdf, trusted=trusted, record=record, number=number)
        for line in report.lines():
            typer.echo(line)
        verified = report.verified
    if not verified:
        sys.exit(1)


def _verify_number(settings: "Settings", number: str) -> None:
    from lims.db import make_engine, session_scope
    from lims.documents import service as documents_service

    with session_scope(make_engine(settings.resolved_database_url)) as session:
        verification = documents_service.verify(
            session, number=number, sha256=None, timezone=settings.timezone
        )
    _print_json(verification.model_dump(mode="json"))
    if verification.state != "issued":
        sys.exit(1)


def _trusted(settings: "Settings", paths: list[Path]) -> list[Any]:
    """The certificates in ``paths``, or by default those the settings name."""
    from lims.documents.signing import trusted_certificates
    from lims.documents.timestamping import read_certificates

    if not paths:
        return trusted_certificates(settings)
    return [certificate for path in paths for certificate in read_certificates(_regular_file(path))]


@documents_app.command("timestamp")
def documents_timestamp(
    numbers: Annotated[
        list[str] | None, typer.Option("--number", help="Document number (repeat for more).")
    ] = None,
    all_documents: Annotated[
        bool, typer.Option("--all", help="Every document ever issued.")
    ] = False,
) -> None:
    """Archive timestamp (PAdES B-LTA): the newest validation data and a document timestamp
    over each file, kept as its new archive copy beside the file as issued.

    Prints one JSON line per document; exits 1 when any could not be timestamped.
    """
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.documents import archive

    settings = get_settings()
    archive.required_authority(settings)
    engine = make_engine(settings.resolved_database_url)
    chosen = list(numbers or [])
    if all_documents:
        with session_scope(engine) as session:
            chosen += archive.numbers_of_all_documents(session)
    if not chosen:
        raise InvalidInput(
            "name documents with --number, or give --all", code="cli.name_documents_number_give_all"
        )
    with typer.progressbar(length=len(chosen), label="Timestamping", file=sys.stderr) as bar:
        outcomes = archive.timestamp_documents(
            engine, numbers=chosen, settings=settings, progress=lambda _: bar.update(1)
        )
    for outcome in outcomes:
        typer.echo(json.dumps(dataclasses.asdict(outcome), ensure_ascii=False))
    if any(outcome.problem for outcome in outcomes):
        sys.exit(1)


def _exporter(
    session: "Session", username: str | None, *, what: str = "records-export"
) -> "Principal":
    """The lab (a system exporter) by default; a named user exports what that user may."""
    from sqlmodel import select

    from lims.accounts.auth import principal_for
    from lims.accounts.models import User
    from lims.accounts.principal import system_principal

    if username is None:
        return dataclasses.replace(system_principal(what), via="cli")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active or user.deleted_at is not None:
        raise NotFound("no active user %(username)s", code="cli.active_user", username=username)
    return principal_for(user, via="cli")


@records_app.command("export")
def records_export(
    job: Annotated[str | None, typer.Option(help="A job number, e.g. TY-2026-0001.")] = None,
    period: Annotated[
        str | None,
        typer.Option(help="Jobs opened or reported in 2026-01-01..2026-06-30 (local days)."),
    ] = None,
    document: Annotated[
        str | None, typer.Option(help="A document number: the records behind it.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The ZIP to write; default records-<scope>.zip."),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Export as this user: a customer's user gets its own bundle."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="The index page's language: fi, sv or en; default: the exporter's."),
    ] = None,
) -> None:
    """Write a verifiable ZIP of every record behind a job, a document or a period's jobs.

    A progress bar on stderr counts the jobs; nothing is left behind when the export fails.
    """
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.records import scope as records_scope
    from lims.records import service as records_service
    from lims.records.retention import keep_records
    from lims.storage import store_in

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    keep_records(engine, settings.retention_years)
    with session_scope(engine) as session:
        actor = _exporter(session, as_user)
        scope = records_scope.resolve(
            session,
            actor=actor,
            timezone=settings.timezone,
            job_number=job,
            document_number=document,
            period=period,
        )
        target = output or Path(records_service.bundle_name(scope))
        with typer.progressbar(
            length=max(len(scope.job_ids), 1), label="Exporting jobs", file=sys.stderr
        ) as bar:
            summary = records_service.export_to_file(
                session,
                actor=actor,
                scope=scope,
                settings=settings,
                store=store_in(settings.data_dir),
                path=target,
                progress=lambda done, _total: bar.update(1),
                language=language,
            )
    typer.echo(
        f"records bundle {target}: {summary.jobs} jobs, {summary.files} files, "
        f"manifest SHA-256 {summary.manifest_sha256}"
    )


@records_app.command("verify")
def records_verify(
    bundle: Annotated[Path, typer.Argument(help="The bundle ZIP to check.")],
    offline: Annotated[
        bool, typer.Option(help="Check the manifest and hashes only, without the database.")
    ] = False,
    certificate: Annotated[
        Path | None,
        typer.Option(
            help="The lab's certificate (PEM) the manifest must be signed with; default: the "
            "configured one, and earlier ones kept in a previous/ folder beside it."
        ),
    ] = None,
    expect_sha256: Annotated[
        str | None,
        typer.Option(help="The manifest's SHA-256 as noted at export (e.g. on paper)."),
    ] = None,
) -> None:
    """Check the lab's signature of the manifest, the manifest and every hash and, against
    the live database, that the bundle's audit events are in the chain and its files are the
    lab's.  Prints the manifest's SHA-256.  Exit 1 naming what fails."""
    import re

    from lims.audit.keys import load_key_ring
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.documents import detached
    from lims.records.verify import verify_bundle

    settings = get_settings()

    def trusted() -> list["Certificate"]:
        if certificate is not None:
            return [detached.read_certificate(certificate)]
        return detached.trusted_lab_certificates(settings)

    if expect_sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expect_sha256):
        raise InvalidInput(
            "--expect-sha256 takes 64 hex digits, not '%(expect_sha256)s'",
            code="cli.expect_sha256_takes_64_hex",
            expect_sha256=expect_sha256,
        )
    with ExitStack() as stack:
        session = (
            None
            if offline
            else stack.enter_context(session_scope(make_engine(settings.resolved_database_url)))
        )
        verification = verify_bundle(
            bundle,
            session,
            certificates=trusted,
            expect_sha256=expect_sha256,
            keys=load_key_ring(settings.resolved_audit_key_dir),
        )
    scope = verification.manifest.get("scope", {})
    typer.echo(
        f"bundle {bundle}: {scope.get('kind')} {scope.get('label')}, exported "
        f"{verification.manifest.get('exported_at')} by "
        f"{verification.manifest.get('exporter', {}).get('username')}"
    )
    typer.echo(f"manifest SHA-256 {verification.manifest_sha256}")
    if verification.signed_by is not None:
        typer.echo(
            f"manifest signed by {verification.signed_by.subject} "
            f"(certificate SHA-256 {verification.signed_by.fingerprint})"
        )
    for failure in verification.failures:
        typer.echo(f"FAILED {failure.path}: {failure.problem}")
    if not verification.intact:
        typer.echo(f"bundle NOT intact: {len(verification.failures)} failures")
        sys.exit(1)
    against = "and are in the live audit chain" if verification.live else "(not checked live)"
    unkeyed = verification.events_not_recomputed
    typer.echo(
        f"bundle intact: {verification.files} files match the manifest, "
        f"{verification.events - unkeyed} audit events match their hashes {against}"
    )
    if unkeyed:
        typer.echo(
            f"{unkeyed} audit events are keyed with the lab's audit key, not at hand here: "
            "their hashes were not recomputed, only their links (the signed manifest covers them)"
        )


@invoicing_app.command("export")
def invoicing_export(
    period: Annotated[
        str, typer.Option(help="2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15 (local days).")
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="csv (';', decimal comma) or json.")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write; default stdout.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be exported; mark nothing.")
    ] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Export as this user (quality manager, admin).")
    ] = None,
) -> None:
    """Export the period's delivered jobs not yet exported, at their agreed prices with VAT
    and the customers' billing details, and mark them exported (each job is exported once)."""
    from lims.config import get_settings
    from lims.db import make_engine, session_scope
    from lims.invoicing import formats, service
    from lims.invoicing.periods import parse_period

    if output_format not in ("csv", "json"):
        raise InvalidInput(
            "--format takes csv or json, not '%(output_format)s'",
            code="cli.invoicing_format",
            output_format=output_format,
        )
    parse_period(period)  # a malformed period is refused before the database is opened
    settings = get_settings()
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        actor = _exporter(session, as_user, what="invoicing-export")
        if dry_run:
            basis = service.invoicing_basis(session, actor=actor, period=period, settings=settings)
            number, lines, document = "", basis.lines, formats.as_json(basis)
        else:
            record, basis = service.create_export(
                session, actor=actor, period=period, settings=settings
            )
            public = service.public(record).model_copy(update={"unpriced": basis.unpriced})
            number, lines, document = (
                record.export.number,
                public.lines or [],
                formats.as_json(public),
            )
    text = formats.as_csv(number, lines) if output_format == "csv" else document
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
    for job in basis.unpriced:
        typer.echo(f"not exported, no price: {job.job_number} ({job.reason})", err=True)
    if output is not None:
        done = "would export" if dry_run else f"exported {number}:"
        typer.echo(f"{done} {len(lines)} jobs to {output}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command, turning known failures into one line and exit 2."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="lims", standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(EXIT_USAGE)
    except typer.TyperException as error:
        _fail(error.format_message() if hasattr(error, "format_message") else str(error))
    except LimsError as error:
        _fail(error.message)
    except Exception as error:
        message = _library_failure(error)
        if message is None:
            raise
        _fail(message)


def _library_failure(error: Exception) -> str | None:
    """The one line for a library's error a person can fix; None for a bug (re-raised).

    An error of a library's class can only have been raised once the module defining it is
    imported, so each class is looked up only when that module is loaded: importing them all
    up front would put Alembic, SQLAlchemy and SciPy back into the start of every command.
    """
    if "pydantic_core" in sys.modules:
        from pydantic_core import ValidationError

        if isinstance(error, ValidationError):
            return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    if "lims.uncertainty.errors" in sys.modules:
        from lims.uncertainty.errors import UncertaintyInputError

        if isinstance(error, UncertaintyInputError):
            where = ".".join(map(str, error.location))
            message = error.message
            if error.position is not None:
                # The same 0-based character offset the API gives as "position".
                message += f" (position {error.position}, counting from 0)"
            return f"{where}: {message}" if where else message
    if "alembic.util.exc" in sys.modules:
        from alembic.util.exc import CommandError

        if isinstance(error, CommandError):
            return f"migration: {error}"
    if "sqlalchemy.exc" in sys.modules:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(error, SQLAlchemyError):
            return f"database error: {str(error).splitlines()[0]}"
    return None


def _fail(message: str) -> None:
    if message:
        typer.echo(f"lims: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _regular_file(path: Path) -> Path:
    """``path`` when it names a regular file; a one-line refusal that says what it is instead."""
    if path.is_file():
        return path
    if path.is_dir():
        raise InvalidInput(
            "cannot read %(path)s: it is a folder, not a file",
            code="cli.cannot_read_folder_file",
            path=path,
        )
    if path.exists():
        raise InvalidInput(
            "cannot read %(path)s: it is not a regular file",
            code="cli.cannot_read_regular_file",
            path=path,
        )
    raise InvalidInput(
        "cannot read %(path)s: no such file", code="cli.cannot_read_such_file", path=path
    )
