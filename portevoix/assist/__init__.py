"""Drafting assistance through an organization's own OpenAI-compatible language model
(docs/decisions/0030-drafting-assistance.md): off by default, its key sealed at rest, every
draft checked against the networks' limits and the guardrails, and added to an item only
by a person, through content's services (so approval applies)."""
