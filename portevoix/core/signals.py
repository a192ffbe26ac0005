"""Signals that any app may send (core imports no app; the apps that care connect to them).

- `integration_disabled(organization_id, integration, object_id, name, failures)`: an
  outgoing integration of an organization (`integration="webhook"`: a webhook endpoint)
  turned itself off after failing `failures` times in a row. Sent once the change is kept.
  The apps above those that send it may not import them (webhooks sit at the top), so the
  notice goes through here: notifications tells the people who manage it.
"""

from __future__ import annotations

from django.dispatch import Signal

integration_disabled = Signal()

# `listening_alert(organization_id, alert_id, kind, monitor, hour, count, baseline, negatives,
# negative_share, baseline_share, alerts_path, pause_path)`: a listening monitor's hour passed
# its baseline (kind "volume": mentions; "negative": the share of negative ones). Sent once
# per alert, when it is kept. Listening sits at the top (no app imports it), so notifications
# hears of it here and tells the community managers and admins.
listening_alert = Signal()

# `listening_mention_assigned(organization_id, mention_id, assignee_id, actor_name, excerpt,
# inbox_path)`: a colleague gave a mention of the vigilance inbox to this member (not to
# themself). Sent once the assignment is kept; notifications tells the assignee in-app.
listening_mention_assigned = Signal()
