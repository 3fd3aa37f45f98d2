"""The public check of a document (the QR code on every issued document leads here): anyone
holding a document may check it, without signing in.

A browser gets the verification page, even for a malformed address (a 422 page saying what is
wrong); other callers get the JSON answer or the problem as any API route.  The route lives
with the UI because it renders a page; the API does not import the UI.
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute

from lims.api.deps import SessionDep
from lims.documents import service
from lims.documents.models import Verification
from lims.ui.documents import verification_page


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


class _VerificationRoute(APIRoute):
    """A browser (the QR code) gets the page even when the address is malformed: a 422 page
    saying what is wrong, not a JSON problem; other callers get the problem as before."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                if not _wants_html(request):
                    raise
                wrong = tuple(str(problem["loc"][-1]) for problem in error.errors())
                return verification_page(
                    request,
                    None,
                    problems=wrong,
                    number=None if "number" in wrong else request.path_params.get("number"),
                    status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                )

        return answer


verify_router = APIRouter(tags=["verification"], route_class=_VerificationRoute)


@verify_router.get(
    "/verify/{number}",
    response_model=Verification,
    summary="Public check of a document: valid, superseded or withdrawn; does a file match",
    responses={200: {"content": {"text/html": {}}}},
)
def verify_document(
    number: Annotated[str, Path(max_length=64)],
    request: Request,
    db_session: SessionDep,
    sha256: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-fA-F]{64}$",
            description="The SHA-256 of the file to check, 64 hexadecimal characters",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        Query(max_length=8, description="The page's language (fi, sv, en); else the browser's"),
    ] = None,
) -> Response:
    settings = request.app.state.settings
    verification = service.verify(
        db_session, number=number, sha256=sha256, timezone=settings.timezone
    )
    if _wants_html(request):
        return verification_page(request, verification, sha256=sha256)
    return Response(verification.model_dump_json(), media_type="application/json")
