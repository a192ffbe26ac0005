#!/usr/bin/env bash
# `make run`: migrate a SQLite database in var/, load the demo organization (once), and serve
# with granian plus the background worker, the click ingester and the listening stream worker.
# Safe to run again: the data is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s var/secret_key ]; then
    .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
    chmod 600 var/secret_key
  fi
  SECRET_KEY="$(cat var/secret_key)"
fi
export SECRET_KEY
if [ -z "${FIELD_ENCRYPTION_KEY:-}" ]; then
  if [ ! -s var/field_encryption_key ]; then
    .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > var/field_encryption_key
    chmod 600 var/field_encryption_key
  fi
  FIELD_ENCRYPTION_KEY="$(cat var/field_encryption_key)"
fi
export FIELD_ENCRYPTION_KEY
# Web push (notifications): a VAPID key of this installation, made once (P-256, base64url).
if [ -z "${VAPID_PRIVATE_KEY:-}" ]; then
  if [ ! -s var/vapid_private_key ]; then
    .venv/bin/python -c 'import base64; from cryptography.hazmat.primitives.asymmetric import ec; k = ec.generate_private_key(ec.SECP256R1()); print(base64.urlsafe_b64encode(k.private_numbers().private_value.to_bytes(32, "big")).rstrip(b"=").decode())' > var/vapid_private_key
    chmod 600 var/vapid_private_key
  fi
  VAPID_PRIVATE_KEY="$(cat var/vapid_private_key)"
fi
export VAPID_PRIVATE_KEY
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SERVE_MEDIA="${SERVE_MEDIA:-1}"
export PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
# The local peers of the networks (scripts/peers/*.sh) listen on 127.0.0.1: let the demo reach them.
export SOCIAL_ALLOWED_PRIVATE_HOSTS="${SOCIAL_ALLOWED_PRIVATE_HOSTS:-127.0.0.1,localhost}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py serve
