"""Web pages: routes rendering templates/ui, calling the same services as the API."""
