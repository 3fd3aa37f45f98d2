"""The ``lims`` command.

Every failure a person can fix prints one line on stderr and exits with status 2.
"""

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from lims import __version__, migrations
from lims.accounts import service as accounts
from lims.accounts.principal import system_principal
from lims.audit.trail import verify_chain
from lims.cad.worker import limits_of, read_bounded
from lims.comparisons import own_uncertainty, score
from lims.config import get_settings
from lims.db import make_engine, session_scope
from lims.demo import DEMO_USERS, load_demo_data
from lims.errors import InvalidInput, LimsError
from lims.uncertainty import UncertaintyInputError, decide, evaluate

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
    settings = get_settings()
    settings.check()
    migrations.upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}: {settings.resolved_database_url}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (``base`` empties the database)."""
    settings = get_settings()
    migrations.downgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def demo() -> None:
    """Load the demo data (idempotent)."""
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
    settings = get_settings()
    settings.check()
    host = host or settings.host
    port = port or settings.port
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


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; name the first event that does not fit."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        result = verify_chain(session)
    if result.first_break is not None:
        _fail(f"audit chain broken after {result.events} events: {result.first_break.problem}")
    typer.echo(f"audit chain intact: {result.events} events, head {result.head}")


def _read_json(path: str) -> Any:
    """A JSON request from a file, or from stdin when the path is ``-``."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{path} is not valid JSON: {error}") from None


def _print_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@uncertainty_app.command("evaluate")
def uncertainty_evaluate(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """Evaluate a measurement model; print the response JSON (as the API answers).

    Monte Carlo runs show a progress bar on stderr; stdout carries only the JSON.
    """
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
    _print_json(decide(_read_json(file)))


@comparison_app.command("score")
def comparison_score(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """Score a comparison round (En, zeta, z, z', D, PA); print the response JSON."""
    _print_json(score(_read_json(file)))


@comparison_app.command("own-uncertainty")
def comparison_own_uncertainty(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for stdin.")],
) -> None:
    """A company's own uncertainty by ISO 15530-3; print the response JSON."""
    _print_json(own_uncertainty(_read_json(file)))


@cad_app.command("inspect")
def cad_inspect(
    file: Annotated[Path, typer.Argument(help="STEP AP242 (.stp, .stp.gz) or QIF file.")],
) -> None:
    """Print the PMI a model carries (tolerances, dimensions, datums) as JSON."""
    if not file.is_file():
        raise InvalidInput(f"cannot read {file}: no such file")
    model = read_bounded(file, limits_of(get_settings()))
    _print_json(model.plan.as_json())


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
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        _fail(message)
    except LimsError as error:
        _fail(error.message)
    except ValidationError as error:
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    except UncertaintyInputError as error:
        where = ".".join(map(str, error.location))
        _fail(f"{where}: {error.message}" if where else error.message)
    except CommandError as error:
        _fail(f"migration: {error}")
    except SQLAlchemyError as error:
        _fail(f"database error: {str(error).splitlines()[0]}")


def _fail(message: str) -> None:
    if message:
        typer.echo(f"lims: {message}", err=True)
    sys.exit(EXIT_USAGE)
