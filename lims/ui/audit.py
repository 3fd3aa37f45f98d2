"""The auditor's view: the history of any record, and the verification of the audit chain."""

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Table
from sqlmodel.main import default_registry

from lims.api.deps import SessionDep, SettingsDep
from lims.audit.checkpoints import read_checkpoints
from lims.records import audit_trail
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
# The same shape as the API's ?entity= (lims/api/audit.py): type:id.
ENTITY = re.compile(r"^([a-z_]{1,64}):(\S{1,64})$")
#: Records with a page of their own, for links from their history.
PAGES = {
    "job": "/jobs/{}",
    "equipment": "/equipment/{}",
    "method": "/methods/{}",
    "agreement": "/agreements/{}",
    "quotation": "/quotations/{}",
    "price_list": "/price-lists/{}",
}


def audited_types() -> list[str]:
    """The tables whose changes the audit trail records (their ``__audited__`` mark)."""
    names = []
    for mapper in default_registry.mappers:
        table = mapper.local_table
        if getattr(mapper.class_, "__audited__", False) and isinstance(table, Table):
            names.append(table.name)
    return sorted(names)


@router.get("/audit", response_class=HTMLResponse)
def audit_view(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    settings: SettingsDep,
    entity: Annotated[str | None, Query(max_length=130)] = None,
) -> Response:
    audit_trail.require_reader(viewer.principal)
    found = ENTITY.match(entity.strip()) if entity else None
    events = (
        audit_trail.history(
            db_session, actor=viewer.principal, entity_type=found[1], entity_id=found[2]
        )
        if found
        else []
    )
    record_page = PAGES.get(found[1], "").format(found[2]) if found else ""
    return page(
        request,
        viewer,
        "audit.html",
        entity=entity or "",
        entity_type=found[1] if found else "",
        entity_id=found[2] if found else "",
        malformed=bool(entity) and not found,
        events=events,
        record_page=record_page,
        types=audited_types(),
        # Newest first, for the quality manager to compare with the paper record.
        checkpoints=read_checkpoints(settings.resolved_audit_checkpoint_log)[:-6:-1],
    )
