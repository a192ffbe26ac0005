"""The JSON API root: /api/v1/, OpenAPI 3 schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every endpoint needs a personal token (`Authorization: Bearer pv_...`), which acts as one
membership of one organization, within its scopes and rate limit (core.api_access). Each app
contributes its router (`<app>/api.py`), mounted as one area of the API.
"""

from portevoix.accounts.api import router as accounts_router
from portevoix.accounts.api_members import router as accounts_members_router
from portevoix.accounts.services import api_token_resolve
from portevoix.analytics.api import router as analytics_router
from portevoix.content.api import router as content_router
from portevoix.core.api_access import mount
from portevoix.core.api_support import (
    CachedSchemaAPI,
    JsonObjectParser,
    TokenAuth,
    install_error_handlers,
)
from portevoix.governance.api import router as governance_router
from portevoix.governance.api_writing import router as governance_writing_router
from portevoix.ideas.api import router as ideas_router
from portevoix.notifications.api import router as notifications_router
from portevoix.publishing.api import router as publishing_router
from portevoix.publishing.api_pauses import router as publishing_pauses_router
from portevoix.recognition.api import router as recognition_router
from portevoix.rewards.api import router as rewards_router
from portevoix.sharing.api import router as sharing_router
from portevoix.surveys.api import router as surveys_router
from portevoix.training.api import router as training_router
from portevoix.training.api_authoring import router as training_authoring_router
from portevoix.training.api_events import router as training_events_router
from portevoix.webhooks.api import router as webhooks_router

api = CachedSchemaAPI(
    title="Portevoix API",
    version="1.0.0",
    urls_namespace="api",
    description="Employee advocacy platform API. Authenticate with a personal token: "
    "`Authorization: Bearer pv_...` (create one under Settings → API tokens). "
    'Errors answer `{"detail": "...", "errors": {"field.path": ["..."]}}`.',
    auth=TokenAuth(api_token_resolve),
    parser=JsonObjectParser(),
)
install_error_handlers(api)
# Each router is one area of the API, which a token's scopes name (core.api_access).
mount(api, accounts_router, area="people")
mount(api, accounts_members_router, area="people")
mount(api, content_router, area="content")
mount(api, governance_router, area="governance")
mount(api, governance_writing_router, area="governance")
mount(api, sharing_router, area="sharing")
mount(api, training_router, area="training")
mount(api, training_authoring_router, area="training")
mount(api, training_events_router, area="training")
mount(api, analytics_router, area="analytics")
mount(api, publishing_router, area="publishing")
mount(api, publishing_pauses_router, area="publishing")
mount(api, recognition_router, area="recognition")
mount(api, ideas_router, area="ideas")
mount(api, webhooks_router, area="webhooks")
mount(api, notifications_router, area="notifications")
mount(api, rewards_router, area="rewards")
mount(api, surveys_router, area="surveys")
