"""Reference measurements (service B2): the company's and the lab's values side by side, their
scores and charts, the company's history, and the test-piece templates."""

from fastapi import APIRouter

from lims.ui.session import PageRoute

router = APIRouter(route_class=PageRoute)
