"""Two-step verification of password logins: an authenticator app (TOTP, RFC 6238, with
pyotp) and ten single-use recovery codes.

The app's shared secret is stored encrypted with `core.crypto`; recovery codes are stored as
SHA-256 hashes only and shown once. A code from the app is accepted one time step (30 s)
either side of now (clocks drift) and only for a step later than the last accepted one, so a
code that worked cannot be used again. Every change is written to the audit log of each
organization the person is a member of (`signals.audit_event`: governance records it), and
so is each recovery code used. The login's own second step and its throttle are in
`views/two_factor.py`; the organization policy is in `accounts/two_factor.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError

from ..models import Membership, RecoveryCode, TotpDevice, User
from ..signals import audit_event

ISSUER = "Portevoix"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # 32 symbols, 5 bits each
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 4, 4  # 80 random bits: no use guessing one
VALID_WINDOW = 1  # time steps accepted either side of now
TOTP = "totp"
RECOVERY = "recovery"


@dataclass(frozen=True)
class TwoFactorSetup:
    """An authenticator app being set up: its secret (for typing it by hand) and the
    otpauth:// address the QR code holds."""

    secret: str
    uri: str


# --- Reads used by the pages


def two_factor_enabled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def two_factor_pending_setup(user: User) -> TwoFactorSetup | None:
    """The app being set up (begun, not yet confirmed with a code), or None."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return None
    secret = crypto.decrypt(device.secret_sealed)
    return TwoFactorSetup(secret=secret, uri=_uri(user, secret))


def two_factor_login_user(user_id: object) -> User | None:
    """The active person a login's second step is for (the id the session kept)."""
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Writes


@transaction.atomic
def two_factor_begin(*, user: User) -> TwoFactorSetup:
    """Start setting up an authenticator app: a new secret (replacing an unconfirmed one)."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise Conflict(_("Two-step verification is already on."))
    secret = pyotp.random_base32()  # 160 bits
    if device is None:
        TotpDevice.objects.create(user=user, secret_sealed=crypto.encrypt(secret))
    else:
        device.secret_sealed = crypto.encrypt(secret)
        device.last_step = 0
        device.save(update_fields=["secret_sealed", "last_step"])
    return TwoFactorSetup(secret=secret, uri=_uri(user, secret))


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Turn two-step verification on with a first code from the app. Returns the recovery
    codes, in clear, to show once."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    )
    if device is None:
        raise Conflict(_("Start the set-up again."))
    step = _totp_step(device, code)
    if step is None:
        raise _wrong_code()
    device.confirmed_at = clock.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _recovery_codes_replace(user)
    _audit(user, "accounts.two_factor_on", after={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> str | None:
    """Check a code of the second step: TOTP when the app's code matched (its time step is
    used up), RECOVERY when an unused recovery code matched (it is used up and audited),
    None otherwise (no device, wrong code, a code already used)."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return None
    digits = "".join(code.split())
    if digits.isdigit() and len(digits) == 6:
        step = _totp_step(device, digits)
        if step is None:
            return None
        device.last_step = step
        device.save(update_fields=["last_step"])
        return TOTP
    normalized = _normalize_recovery(code)
    if len(normalized) != RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH:
        return None
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_recovery_hash(user, normalized), used_at__isnull=True
    ).update(used_at=clock.now())
    if not used:
        return None
    _audit(user, "accounts.recovery_code_used", after={"left": recovery_codes_left(user)})
    return RECOVERY


@transaction.atomic
def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-step verification off: asks a current code (from the app, or a recovery
    code). The device and the recovery codes are deleted."""
    if two_factor_verify(user=user, code=code) is None:
        raise _wrong_code()
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _audit(user, "accounts.two_factor_off", before={"enabled": True}, after={"enabled": False})


@transaction.atomic
def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a current code."""
    if two_factor_verify(user=user, code=code) is None:
        raise _wrong_code()
    codes = _recovery_codes_replace(user)
    _audit(user, "accounts.recovery_codes_new", after={"recovery_codes": len(codes)})
    return codes


# --- Helpers


def _uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _totp_step(device: TotpDevice, code: str) -> int | None:
    """The time step whose code `code` is (now, or one step either side), if later than the
    last accepted step."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(crypto.decrypt(device.secret_sealed))
    now_step = totp.timecode(clock.now())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if step > device.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _wrong_code() -> DomainError:
    message = _("This code is not right, or it was already used. Try the next one.")
    return DomainError(message, field_errors={"code": [message]})


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_hash(user: User, normalized: str) -> str:
    return hashlib.sha256(f"{user.pk}:{normalized}".encode()).hexdigest()


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        raw = "".join(
            secrets.choice(RECOVERY_ALPHABET)
            for _n in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH)
        )
        try:
            with transaction.atomic():
                RecoveryCode.objects.create(user=user, code_hash=_recovery_hash(user, raw))
        except IntegrityError:  # pragma: no cover - an 80-bit collision
            continue
        size = RECOVERY_GROUP_LENGTH
        codes.append("-".join(raw[i : i + size] for i in range(0, len(raw), size)))
    return codes


def _audit(
    user: User,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One audit entry in each organization the person is an active member of."""
    organization_ids = Membership.objects.filter(user=user, is_active=True).values_list(
        "organization_id", flat=True
    )
    for organization_id in organization_ids:
        audit_event.send(
            sender=User,
            organization_id=organization_id,
            actor=user,
            action=action,
            object_type="accounts.user",
            object_id=user.pk,
            before=before,
            after=after,
        )
