"""Slack and Microsoft Teams: channels (incoming webhooks) that receive the program's
events, the messages (Block Kit for Slack, Adaptive Cards for Teams), their delivery from
the queue, and Slack's "Share" button answered privately with the member's own link.

- `blockkit.py`, `adaptive.py`: the messages, and a check of each against its documented
  structure (the tests validate every message they build);
- `delivery.py`: one delivery row per (channel, event), posted from the queue, retried with
  backoff, the channel turned off after repeated failures;
- `events.py`: what the other apps announce, turned into deliveries;
- `services.py`, `selectors.py`: the admins' pages; `slack.py`: interactivity.
"""
