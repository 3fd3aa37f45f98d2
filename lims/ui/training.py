"""Training: programmes, courses, sessions, enrolments and attendance, and RR studies."""

from fastapi import APIRouter

from lims.ui.session import PageRoute

router = APIRouter(route_class=PageRoute)
