"""Which API operations offer what each page action does, and the page actions the API does
not offer, each with its reason. Read by tests/core/test_api_coverage.py, which finds the
pages' actions itself (every URL whose view accepts POST, PUT, PATCH or DELETE) and fails on
an action neither mapped nor declared here. See docs/decisions/0023-api-coverage.md.

An operation is written "METHOD /path", the path as in the OpenAPI schema without /api/v1.
A page action is its URL name (`app:name`); an unnamed URL, `app:` + its route.
"""

from __future__ import annotations

# Page action -> the API operations that do the same thing.
COVERED: dict[str, tuple[str, ...]] = {
    # people
    "accounts:invite": ("POST /invitations",),
    "accounts:invitation_revoke": ("DELETE /invitations/{invitation_id}",),
    "accounts:member": ("PATCH /members/{member_id}",),
    "accounts:teams": ("POST /teams",),
    "accounts:team": ("PATCH /teams/{team_id}",),
    "accounts:team_delete": ("DELETE /teams/{team_id}",),
    "accounts:enrol": ("POST /me/ambassador/opt-in", "PUT /me/ambassador"),
    "accounts:enrol_withdraw": ("POST /me/ambassador/opt-out",),
    # All of the page but the two-step policy for administrators, which stays on the page
    # on purpose (a token must not be able to lift it: see _TWO_FACTOR).
    "accounts:org_settings": ("PATCH /organization",),
    # content
    "content:item_new": ("POST /content",),
    "content:item_edit": ("PUT /content/{item_id}",),
    "content:item_submit": ("POST /content/{item_id}/submit",),
    "content:item_approve": ("POST /content/{item_id}/approve",),
    "content:approvals_approve": ("POST /content/{item_id}/approve",),
    "content:item_request_changes": ("POST /content/{item_id}/request-changes",),
    "content:approvals_request_changes": ("POST /content/{item_id}/request-changes",),
    "content:item_comment": ("POST /content/{item_id}/comment",),
    "content:item_archive": ("POST /content/{item_id}/archive",),
    "content:item_restore": ("POST /content/{item_id}/restore",),
    "content:library_bulk": ("POST /content/bulk",),
    "content:item_duplicate": ("POST /content/{item_id}/duplicate",),
    "content:item_from_template": ("POST /content/{item_id}/from-template",),
    "content:image_add": ("POST /content/{item_id}/images",),
    "content:image_remove": ("DELETE /content/{item_id}/images/{image_id}",),
    # The CSV import makes one item per row: a client makes them one by one.
    "content:library_import": ("POST /content",),
    "content:topics": ("POST /topics",),
    "content:campaigns": ("POST /campaigns",),
    "planning:move": ("POST /content/{item_id}/reschedule",),
    # sharing
    "sharing:check": ("POST /content/check-copy",),
    "sharing:share": ("POST /shares",),
    # The copy button's text with the tracked link is in the answer of POST /shares.
    "sharing:copy": ("POST /shares",),
    "sharing:confirm": ("POST /shares/{share_id}/confirm",),
    "sharing:remove": ("POST /shares/{share_id}/remove",),
    # governance
    "governance:charter_accept": ("POST /charter/acknowledge",),
    "governance:check": ("POST /guardrails/check",),
    "governance:check_live": ("POST /guardrails/check",),
    "governance:case_decide": ("POST /moderation/{case_id}/decide",),
    "governance:report": ("POST /moderation/reports",),
    "governance:charter_new": ("POST /charter/versions",),
    "governance:charter_edit": ("PUT /charter/versions/{version_id}",),
    "governance:charter_publish": ("POST /charter/versions/{version_id}/publish",),
    "governance:charter_delete": ("DELETE /charter/versions/{version_id}",),
    "governance:rule_new": ("POST /guardrails/rules",),
    "governance:rule_edit": ("PUT /guardrails/rules/{rule_id}",),
    "governance:rule_delete": ("DELETE /guardrails/rules/{rule_id}",),
    # analytics
    "analytics:goal_new": ("POST /goals",),
    "analytics:goal_edit": ("PUT /goals/{goal_id}",),
    "analytics:goal_archive": ("POST /goals/{goal_id}/archive",),
    "analytics:kpi_settings": ("PUT /analytics/settings",),
    "analytics:report_schedule": ("PUT /analytics/reports/schedules/{kind}",),
    # training
    "training:lesson": ("POST /courses/{course_id}/lessons/{lesson_id}/complete",),
    "training:quiz": ("POST /courses/{course_id}/attempts",),
    "training:event_register": ("POST /events/{event_id}/register",),
    "training:event_cancel": ("POST /events/{event_id}/cancel",),
    "training:course_new": ("POST /training/manage/courses",),
    "training:manage_course": ("PUT /training/manage/courses/{course_id}",),
    "training:course_publish": ("POST /training/manage/courses/{course_id}/publish",),
    "training:course_unpublish": ("POST /training/manage/courses/{course_id}/unpublish",),
    "training:lesson_new": ("POST /training/manage/courses/{course_id}/lessons",),
    "training:lesson_edit": ("PUT /training/manage/courses/{course_id}/lessons/{lesson_id}",),
    "training:lesson_delete": ("DELETE /training/manage/courses/{course_id}/lessons/{lesson_id}",),
    "training:question_new": ("POST /training/manage/courses/{course_id}/questions",),
    "training:question_edit": ("PUT /training/manage/courses/{course_id}/questions/{question_id}",),
    "training:question_delete": (
        "DELETE /training/manage/courses/{course_id}/questions/{question_id}",
    ),
    "training:certificate_revoke": ("POST /certificates/{public_id}/revoke",),
    "training:event_new": ("POST /events",),
    "training:event_edit": ("PUT /events/{event_id}",),
    "training:event_attendance": (
        "GET /events/{event_id}/participants",
        "POST /events/{event_id}/attendance",
    ),
    # publishing
    "publishing:publish": ("POST /publishing/posts",),
    "publishing:card_publish": ("POST /publishing/posts",),
    "publishing:card_publish_all": ("POST /publishing/posts",),
    "publishing:post_edit": ("PATCH /publishing/posts/{post_id}",),
    "publishing:post_cancel": ("POST /publishing/posts/{post_id}/cancel",),
    "publishing:post_approve": ("POST /publishing/posts/{post_id}/approve",),
    "publishing:post_decline": ("POST /publishing/posts/{post_id}/decline",),
    "publishing:post_retry": ("POST /publishing/posts/{post_id}/retry",),
    "publishing:pause": ("POST /publishing/pauses",),
    "publishing:pause_end": ("POST /publishing/pauses/{pause_id}/end",),
    "publishing:held_decide": ("POST /publishing/pauses/{pause_id}/held",),
    "publishing:cadence": ("PUT /publishing/cadence/{network}",),
    "publishing:connection_kind": ("PATCH /publishing/connections/{connection_id}",),
    "publishing:disconnect": ("DELETE /publishing/connections/{connection_id}",),
    "publishing:undelegate": ("DELETE /publishing/delegations/{delegation_id}",),
    "publishing:time_zone": ("PUT /me/time-zone",),
    # ideas (images of an idea are added on the page: the API takes text and a link)
    "ideas:new": ("POST /ideas",),
    "ideas:vote": ("POST /ideas/{idea_id}/vote",),
    "ideas:comment": ("POST /ideas/{idea_id}/comments",),
    "ideas:accept": ("POST /ideas/{idea_id}/accept",),
    "ideas:decline": ("POST /ideas/{idea_id}/decline",),
    "ideas:merge": ("POST /ideas/{idea_id}/merge",),
    # notifications
    "notifications:read": ("POST /notifications/{notification_id}/read",),
    "notifications:read_all": ("POST /notifications/read-all",),
    "notifications:settings": ("PUT /notifications/settings",),
    "notifications:policy": ("PUT /notifications/policy",),
    # recognition
    "recognition:visibility": ("PUT /recognition/me/visibility",),
    "recognition:badge_new": ("POST /recognition/badges",),
    "recognition:badge_active": ("PUT /recognition/badges/{badge_id}/active",),
    "recognition:fairplay_settings": ("PUT /recognition/fair-play/settings",),
    "recognition:flag_review": ("POST /recognition/fair-play/flags/{flag_id}/review",),
    "recognition:recount": ("POST /recognition/recounts",),
    "recognition:challenge_new": ("POST /recognition/challenges",),
    # rewards
    "rewards:redeem": ("POST /rewards/{reward_id}/redeem",),
    "rewards:cancel": ("POST /rewards/redemptions/{redemption_id}/cancel",),
    "rewards:decide": (
        "POST /rewards/redemptions/{redemption_id}/approve",
        "POST /rewards/redemptions/{redemption_id}/fulfil",
        "POST /rewards/redemptions/{redemption_id}/refuse",
    ),
    "rewards:manage": ("PUT /rewards/settings",),
    "rewards:reward_new": ("POST /rewards/catalogue",),
    "rewards:reward_edit": ("PUT /rewards/catalogue/{reward_id}",),
    # surveys
    "surveys:answer": ("POST /surveys/{survey_id}/answers",),
    "surveys:launch": ("POST /surveys/{survey_id}/launch",),
    "surveys:close": ("POST /surveys/{survey_id}/close",),
    # webhooks
    "webhooks:endpoints": ("POST /webhooks/endpoints",),
    "webhooks:endpoint": ("PATCH /webhooks/endpoints/{endpoint_id}",),
    "webhooks:rotate": ("POST /webhooks/endpoints/{endpoint_id}/rotate-secret",),
    "webhooks:test": ("POST /webhooks/endpoints/{endpoint_id}/test",),
    "webhooks:delete": ("DELETE /webhooks/endpoints/{endpoint_id}",),
}

# Why a page action is not in the API. Three kinds:
# - BROWSER: it is about the browser itself (signing in, a cookie, a link from an email) or
#   it is not a page at all (a hook another service posts to, the SCIM protocol): there is
#   nothing for an API client to do.
# - ON_PURPOSE: kept to a person's browser session, because a token (which can leak, and
#   lives on in scripts) must not be able to do it.
# - NOT_YET: a capability the API should offer and does not yet; listed so the gap is known,
#   not hidden. Adding its operation means moving it to COVERED (the test says so).
BROWSER = "browser"
ON_PURPOSE = "on purpose"
NOT_YET = "not yet"
KINDS = (BROWSER, ON_PURPOSE, NOT_YET)

_SIGN_IN = "signing in makes a browser session; an API client sends its token instead"
_TWO_FACTOR = (
    "the second factor guards password logins; a token must not be able to turn it off, "
    "enrol it or read recovery codes (a leaked token would take over the account)"
)
_TOKENS = (
    "tokens are made and revoked in the browser only: a token that could mint tokens would "
    "escape its own scopes and survive its revocation (decision 0020)"
)
_SSO = (
    "whoever changes the identity provider can sign in as anyone of the organization: kept "
    "to an administrator's browser session (decision 0015)"
)
_SCIM_PROTOCOL = "the SCIM 2.0 protocol is itself an API, with its own tokens (decision 0016)"
_SCIM_SETTINGS = (
    "the directory's tokens and held changes decide who exists in the organization: kept to "
    "an administrator's browser session (decision 0016)"
)
_RECOGNITION = "the point rules are set on their page only, for now"
_LISTENING = (
    "listening is young (decisions 0025 to 0029): its monitors, feeds, the inbox's "
    "statuses and assignments, the alert thresholds, the benchmarked accounts and curation "
    "are on its pages only, for now"
)
_ASSIST = (
    "drafting with the organization's model is on the item's page only, for now: an API "
    "client can call its own model and send the copies with PUT /content/{item_id} "
    "(decision 0030)"
)
_ERASURE = (
    "erasing a person who left, and the delay of the automatic erasure, are on the erasure "
    "page only, for now (decision 0022)"
)
_SURVEYS = "a survey and its questions are written on their page only, for now"
_NOTIFY = "email settings and the digest's schedule are set on their pages only, for now"
_CHAT = (
    "chat integrations hold incoming-webhook URLs and a Slack app's secrets; no API yet, and "
    "the Slack app install is an OAuth flow in the browser"
)

GAPS: dict[str, tuple[str, str]] = {
    "set_language": (BROWSER, "a cookie for the pages; the API answers in Accept-Language"),
    "accounts:login": (BROWSER, _SIGN_IN),
    "accounts:login_code": (BROWSER, _SIGN_IN),
    "accounts:logout": (BROWSER, _SIGN_IN),
    "accounts:password_reset": (BROWSER, "a password reset is for a person without a session"),
    "accounts:password_reset_confirm": (BROWSER, "the link of a password reset email"),
    "accounts:invitation_accept": (
        BROWSER,
        "the invitee has no account nor token yet: accepting makes the account",
    ),
    "accounts:org_switch": (
        BROWSER,
        "a token acts as one membership of one organization; switching is a session's",
    ),
    "accounts:organization_setup": (BROWSER, "the first run, before any organization exists"),
    "accounts:member_unlock": (
        ON_PURPOSE,
        "lifting a sign-in lockout after failed passwords is an administrator's call on a "
        "browser login; a script must not be able to undo the brute-force guard",
    ),
    "accounts:security_setup": (ON_PURPOSE, _TWO_FACTOR),
    "accounts:security_disable": (ON_PURPOSE, _TWO_FACTOR),
    "accounts:security_recovery_codes": (ON_PURPOSE, _TWO_FACTOR),
    "accounts:tokens": (ON_PURPOSE, _TOKENS),
    "accounts:token_revoke": (ON_PURPOSE, _TOKENS),
    "content:item_preview_refresh": (NOT_YET, "the link preview is refreshed on the page only"),
    "sharing:tracking": (
        ON_PURPOSE,
        "conversion tracking's settings hold the key that signs conversions: kept to an "
        "administrator's browser session",
    ),
    "sharing:tracking_key": (ON_PURPOSE, "it shows and replaces the conversions' signing key"),
    "publishing:connect": (
        BROWSER,
        "connecting a social account is the network's OAuth consent, in the person's browser",
    ),
    "publishing:connect_bluesky": (
        ON_PURPOSE,
        "it takes a Bluesky app password: a person's credentials for another service are "
        "typed in the browser, never passed through a token",
    ),
    "publishing:delegate": (
        ON_PURPOSE,
        "delegating one's account lets others publish as that person: given in the person's "
        "own browser session",
    ),
    "publishing:apps": (
        ON_PURPOSE,
        "the organization's network apps hold client secrets: kept to an administrator's "
        "browser session",
    ),
    "recognition:rules": (NOT_YET, _RECOGNITION),
    "surveys:new": (NOT_YET, _SURVEYS),
    "surveys:edit": (NOT_YET, _SURVEYS),
    "notifications:email_settings": (NOT_YET, _NOTIFY),
    "notifications:digest_schedule": (NOT_YET, _NOTIFY),
    "notifications:signature_settings": (NOT_YET, "email signatures are set on the page only"),
    "notifications:subscribe": (BROWSER, "a web push subscription is the browser's own"),
    "notifications:unsubscribe": (BROWSER, "a web push subscription is the browser's own"),
    "notifications:unsubscribe_email": (BROWSER, "the one-click link of an email"),
    "notifications:email_bounce_hook": (BROWSER, "posted by the email provider, not a page"),
    "notifications:slack_interactivity": (BROWSER, "posted by Slack, signed, not a page"),
    "notifications:chat": (NOT_YET, _CHAT),
    "notifications:chat_slack": (NOT_YET, _CHAT),
    "notifications:chat_edit": (NOT_YET, _CHAT),
    "notifications:chat_test": (NOT_YET, _CHAT),
    "notifications:chat_enable": (NOT_YET, _CHAT),
    "notifications:chat_delete": (NOT_YET, _CHAT),
    "planning:feed_create": (
        ON_PURPOSE,
        "the calendar feed's secret address is a credential of its own, made in the browser",
    ),
    "planning:feed_revoke": (ON_PURPOSE, "the calendar feed's secret address, see feed_create"),
    "sso:settings": (ON_PURPOSE, _SSO),
    "sso:delete": (ON_PURPOSE, _SSO),
    "sso:start": (BROWSER, _SIGN_IN),
    "scim:settings": (ON_PURPOSE, _SCIM_SETTINGS),
    "scim:token_revoke": (ON_PURPOSE, _SCIM_SETTINGS),
    "scim:held_decide": (ON_PURPOSE, _SCIM_SETTINGS),
    "scim:users": (BROWSER, _SCIM_PROTOCOL),
    "scim:user": (BROWSER, _SCIM_PROTOCOL),
    "scim:groups": (BROWSER, _SCIM_PROTOCOL),
    "scim:group": (BROWSER, _SCIM_PROTOCOL),
    r"scim:^scim/v2/\.search$": (BROWSER, _SCIM_PROTOCOL),
    r"scim:^scim/v2/Users/\.search$": (BROWSER, _SCIM_PROTOCOL),
    r"scim:^scim/v2/Groups/\.search$": (BROWSER, _SCIM_PROTOCOL),
    "privacy:archive_request": (
        ON_PURPOSE,
        "the archive of all one's personal data is asked for and downloaded in the browser: "
        "a leaked token must not be a way to take it (decision 0019)",
    ),
    "privacy:erase_own": (
        ON_PURPOSE,
        "erasing one's data ends one's membership and deletes the tokens themselves; it is "
        "confirmed in the person's browser, never done by a token that may have leaked "
        "(decision 0022)",
    ),
    "privacy:erase_member": (NOT_YET, _ERASURE),
    "privacy:erasure": (NOT_YET, _ERASURE),
    "privacy:organization_export_request": (
        NOT_YET,
        "the whole organization's archive is asked for and downloaded on its page only, for "
        "now (a nightly export by API would suit a backup script; decision 0024)",
    ),
    "privacy:organization_delete": (
        ON_PURPOSE,
        "deleting the whole organization is confirmed by typing its name in an "
        "administrator's browser session; a token must never be able to do it (decision 0024)",
    ),
    "listening:monitors": (NOT_YET, _LISTENING),
    "listening:monitor": (NOT_YET, _LISTENING),
    "listening:feeds": (NOT_YET, _LISTENING),
    "listening:feed": (NOT_YET, _LISTENING),
    "listening:mention_status": (NOT_YET, _LISTENING),
    "listening:proposal_accept": (NOT_YET, _LISTENING),
    "listening:proposal_dismiss": (NOT_YET, _LISTENING),
    "listening:mention_assign": (NOT_YET, _LISTENING),
    "listening:alert_settings": (NOT_YET, _LISTENING),
    "listening:reddit": (
        ON_PURPOSE,
        "the organization's Reddit app secret is entered and removed in a browser session of "
        "whoever manages listening, never by a token (decision 0032)",
    ),
    "listening:reddit_remove": (
        ON_PURPOSE,
        "removing the organization's Reddit app pauses its Reddit sources: done on its page "
        "(decision 0032)",
    ),
    "assist:settings": (
        ON_PURPOSE,
        "the language model's address and key decide where the organization's content is "
        "sent: kept to an administrator's browser session (decision 0030)",
    ),
    "assist:draft": (NOT_YET, _ASSIST),
    "assist:add": (NOT_YET, _ASSIST),
    "listening:benchmarks": (NOT_YET, _LISTENING),
    "listening:benchmark": (NOT_YET, _LISTENING),
    "listening:benchmark_delete": (NOT_YET, _LISTENING),
    "sso:saml_acs": (
        BROWSER,
        "the identity provider's signed answer, posted by the person's browser (decision 0021)",
    ),
}

# API operations that change something and have no page action: what only a program does.
API_ONLY: dict[str, str] = {
    "POST /conversions": "a conversion reported by the organization's own servers",
}
