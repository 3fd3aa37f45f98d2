"""HTTP only: routers, dependencies and error handlers that translate to service calls."""
