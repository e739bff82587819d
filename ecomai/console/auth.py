"""Staff authentication: argon2id passwords, server-side sessions with idle and absolute
expiry, per-session CSRF tokens, and login throttling.

Why these choices:
- argon2id (argon2-cffi's RFC 9106 defaults) is the current OWASP recommendation; a hash
  made with weaker parameters is upgraded on the next successful login.
- Sessions live in the database (only the SHA-256 of the cookie is stored), so logout
  and expiry are real: a copied cookie stops working the moment the row is gone,
  which a signed-cookie session cannot promise.
- An unknown username costs one hash verification too, and gets the same error as a
  wrong password, so neither timing nor wording tells which names exist.
- Throttling is in memory (the console is one process): per username and per client
  address, failures in a sliding window. A restart forgets it, which an attacker cannot
  trigger from outside.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from ecomai.console.options import ConsoleOptions
from ecomai.errors import AuthenticationFailed, InvalidInput, TooManyAttempts
from ecomai.store import staff as staff_store
from ecomai.store.staff import StaffSession

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a bound keeps a login request cheap
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen at most this often per session

DEFAULT_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Naive UTC, the store's convention."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return username


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    """The argon2id PHC string for ``password``; raises InvalidInput if it is too weak."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"password must be {MIN_PASSWORD}..{MAX_PASSWORD} characters")
    return hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def add_staff_member(engine: Engine, username: str, password: str, *, now: datetime | None = None,
                     hasher: PasswordHasher = DEFAULT_HASHER) -> int:
    """Create a staff account (what ``ecomai staff add`` runs)."""
    return staff_store.add_staff(engine, check_username(username), hash_password(password, hasher),
                                 now or utc_now())


class LoginThrottle:
    """Failed logins per key in a sliding window; thread-safe, bounded in memory."""

    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self._max, self._window, self._clock, self._max_keys = max_failures, window_s, clock, max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        """Raises TooManyAttempts if any key has used up its failures."""
        now = self._clock()
        with self._lock:
            if any(len(self._recent(key, now)) >= self._max for key in keys):
                raise TooManyAttempts("too many failed logins; try again in a few minutes")

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= self._max_keys:  # drop keys whose failures all expired
                self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@dataclass(frozen=True)
class LoggedIn:
    token: str  # the cookie value; only its hash is stored
    session: StaffSession


class Authenticator:
    """Logs staff in and out and answers "whose session is this cookie?"."""

    def __init__(self, engine: Engine, options: ConsoleOptions, clock: Clock = utc_now,
                 throttle: LoginThrottle | None = None, hasher: PasswordHasher = DEFAULT_HASHER) -> None:
        self._engine, self._options, self._clock, self._hasher = engine, options, clock, hasher
        self._throttle = throttle or LoginThrottle(options.max_login_failures, options.login_window_s)
        self._dummy_hash = hasher.hash(secrets.token_hex(16))  # verified for unknown names

    def login(self, username: str, password: str, client: str) -> LoggedIn:
        """Raises TooManyAttempts before checking anything once a key is throttled, and
        AuthenticationFailed for a wrong name or password (or a disabled account)."""
        keys = (f"user:{username.lower()}", f"client:{client}")
        self._throttle.check(*keys)
        account = staff_store.staff_by_username(self._engine, username) if USERNAME.fullmatch(username) else None
        try:
            self._hasher.verify(account.password_hash if account else self._dummy_hash, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            account = None
        if account is None or not account.active:
            self._throttle.failed(*keys)
            raise AuthenticationFailed("wrong username or password")
        self._throttle.forget(keys[0])
        if self._hasher.check_needs_rehash(account.password_hash):
            staff_store.set_password_hash(self._engine, account.id, self._hasher.hash(password))
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock()
        staff_store.create_session(self._engine, token_hash(token), account.id, csrf, now)
        return LoggedIn(token, StaffSession(account.id, account.username, csrf, now, now))

    def session(self, token: str | None) -> StaffSession | None:
        """The live session for a cookie value, or None (unknown, expired or disabled);
        an expired session is deleted on sight."""
        if not token:
            return None
        hashed = token_hash(token)
        found = staff_store.find_session(self._engine, hashed)
        if found is None:
            return None
        now = self._clock()
        idle = timedelta(seconds=self._options.idle_timeout_s)
        if now - found.last_seen_at > idle or now - found.created_at > timedelta(
                seconds=self._options.absolute_timeout_s):
            staff_store.end_session(self._engine, hashed)
            return None
        if now - found.last_seen_at > TOUCH_EVERY:
            staff_store.touch_session(self._engine, hashed, now)
        return found

    def logout(self, token: str | None) -> None:
        if token:
            staff_store.end_session(self._engine, token_hash(token))

    def sweep(self) -> int:
        """Delete every expired session (the console runs this now and then)."""
        now = self._clock()
        return staff_store.end_expired_sessions(
            self._engine, idle_before=now - timedelta(seconds=self._options.idle_timeout_s),
            created_before=now - timedelta(seconds=self._options.absolute_timeout_s))
