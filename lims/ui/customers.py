"""Customers: organisations with their address and contacts, and everything the lab holds
for one customer on one page."""

from fastapi import APIRouter

from lims.ui.session import PageRoute

router = APIRouter(route_class=PageRoute)
