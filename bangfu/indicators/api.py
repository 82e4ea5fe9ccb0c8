"""API views of this app (thin: selectors to read, services to write)."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project's router."""
