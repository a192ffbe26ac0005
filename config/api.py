"""The JSON API root: /api/v1/, OpenAPI 3 schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Portevoix API",
    version="1.0.0",
    urls_namespace="api",
    description="Employee advocacy platform API. Authenticate with a personal token: "
    "`Authorization: Bearer pv_...` (create one under Settings → API tokens).",
)
