"""API router of the content app: `schemas` (what the OpenAPI document shows) and
`endpoints` (the operations)."""

from .endpoints import router

__all__ = ["router"]
