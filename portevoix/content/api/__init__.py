"""API router of the content app: `schemas` (what the OpenAPI document shows),
`endpoints` (the operations) and `library_tools` (more operations on the same router:
duplicate, from a template, images)."""

from . import library_tools  # noqa: F401 - registers its operations on the router
from .endpoints import router

__all__ = ["router"]
