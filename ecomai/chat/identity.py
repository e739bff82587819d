"""Customer identity tokens: the shop's site signs who is logged in, the bot verifies it.

The site and the bot share ``ECOMAI_TOKEN_SECRET``; a token is an HS256 JWT with ``sub``
(customer id), ``iat`` and ``exp``. We use PyJWT rather than our own HMAC code because
token parsing is where hand-rolled code goes wrong (algorithm confusion, timing leaks).
"""

from __future__ import annotations

import time

from typing import Any

import jwt

from ecomai.errors import InvalidInput, InvalidToken

_ALGORITHM = "HS256"
# Clock skew tolerated between the shop's web servers and the bot, in seconds.
_LEEWAY_S = 30


def _require_secret(secret: str) -> None:
    if not secret:
        raise InvalidInput("token secret must not be empty")


def sign_customer_token(
    secret: str, customer_id: str, *, ttl_s: int = 3600, now: float | None = None
) -> str:
    """Sign a token saying ``customer_id`` is logged in, valid for ``ttl_s`` seconds.

    Args:
        secret: the shared HMAC key.
        customer_id: the shop's customer id, e.g. ``C0001``.
        ttl_s: lifetime in seconds; short, because a leaked token is a stolen login.
        now: Unix time to sign at (tests pass a fixed clock).

    Raises:
        InvalidInput: empty secret or customer id, or a non-positive ttl.
    """
    _require_secret(secret)
    if not customer_id:
        raise InvalidInput("customer_id must not be empty")
    if ttl_s <= 0:
        raise InvalidInput(f"ttl_s must be positive, got {ttl_s}")
    issued = int(time.time() if now is None else now)
    claims = {"sub": customer_id, "iat": issued, "exp": issued + ttl_s}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def verify_customer_token(secret: str, token: str, *, now: float | None = None) -> str:
    """Return the customer id a valid token names.

    Only HS256 is accepted, so a token cannot pick a weaker algorithm (or ``none``).

    Args:
        secret: the shared HMAC key.
        token: the compact JWT the site handed to the widget.
        now: Unix time to check expiry against (tests pass a fixed clock).

    Raises:
        InvalidToken: bad signature, expired, not yet valid, malformed, or missing claims.
        InvalidInput: empty secret (a configuration error, not the shopper's).
    """
    _require_secret(secret)
    if not isinstance(token, str) or not token:
        raise InvalidToken("empty token")
    options: dict[str, Any] = {"require": ["sub", "exp", "iat"]}
    if now is not None:
        # PyJWT checks time against the real clock; with a given clock we check it ourselves.
        options.update(verify_exp=False, verify_iat=False)
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options=options, leeway=_LEEWAY_S  # type: ignore[arg-type]
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
    if now is not None:
        _check_times(claims, now)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("'sub' is not a non-empty string")
    return subject


def _check_times(claims: dict, now: float) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise InvalidToken("'exp' and 'iat' must be numbers")
    if now > exp + _LEEWAY_S:
        raise InvalidToken("token expired")
    if iat > now + _LEEWAY_S:
        raise InvalidToken("token issued in the future")
