"""The tracked-link redirect, GET /l/<code>: the platform's hot path.

It is a plain WSGI function mounted in front of Django (see `config/wsgi.py`), served by
granian. It answers from an in-process cache, appends each click to a durable journal with
one write() before answering, and never writes to the database. The click ingester
(`manage.py ingest_clicks`) turns journal lines into Click rows in batches. See
docs/decisions/0001-redirect-hot-path.md.
"""
