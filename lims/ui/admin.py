"""Administration: user accounts with their roles, and API tokens."""

from fastapi import APIRouter

from lims.ui.session import PageRoute

router = APIRouter(route_class=PageRoute)
