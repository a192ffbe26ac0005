"""The JSON API root: /api/v1/, OpenAPI 3 schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every endpoint needs a personal token (`Authorization: Bearer pv_...`), which acts as one
membership of one organization. Each app contributes its router (`<app>/api.py`).
"""

from portevoix.accounts.api import router as accounts_router
from portevoix.accounts.services import api_token_authenticate
from portevoix.content.api import router as content_router
from portevoix.core.api_support import (
    CachedSchemaAPI,
    JsonObjectParser,
    TokenAuth,
    install_error_handlers,
)
from portevoix.governance.api import router as governance_router
from portevoix.training.api import router as training_router

api = CachedSchemaAPI(
    title="Portevoix API",
    version="1.0.0",
    urls_namespace="api",
    description="Employee advocacy platform API. Authenticate with a personal token: "
    "`Authorization: Bearer pv_...` (create one under Settings → API tokens). "
    'Errors answer `{"detail": "...", "errors": {"field.path": ["..."]}}`.',
    auth=TokenAuth(api_token_authenticate),
    parser=JsonObjectParser(),
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", content_router)
api.add_router("", governance_router)
api.add_router("", "portevoix.sharing.api.router")
api.add_router("", training_router)
api.add_router("", "portevoix.analytics.api.router")
api.add_router("", "portevoix.publishing.api.router")
api.add_router("", "portevoix.recognition.api.router")
api.add_router("", "portevoix.ideas.api.router")
