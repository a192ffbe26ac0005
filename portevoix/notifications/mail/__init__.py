"""Email to ambassadors: the weekly (or daily) digest, the important-content email, the
one-click unsubscribe, bounces. `tokens` (signed links), `selectors` (a batch's data in a
bounded number of queries), `rendering` (templates compiled once per run and language, filled
per member), `services` (runs, batches, claims, sending, retries, preferences, bounces),
`views` and `tasks` (thin). See docs/decisions/0013-digest-emails.md.
"""
