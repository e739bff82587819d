"""Support-staff accounts and their server-side login sessions (the console's store).

Only hashes are stored: the password's argon2id hash (made by ecomai.console.auth) and
the SHA-256 of each session cookie, so a copy of the database opens no session.
Expiry is decided by the caller's clock and limits (ecomai.console.auth), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ecomai.errors import InvalidInput
from ecomai.store.db import store_errors
from ecomai.store.schema import staff, staff_sessions


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    password_hash: str
    active: bool


@dataclass(frozen=True)
class StaffSession:
    staff_id: int
    username: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


@store_errors()
def add_staff(engine: Engine, username: str, password_hash: str, now: datetime) -> int:
    """Create an account; raises InvalidInput if the username is taken."""
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(staff).values(
                username=username, password_hash=password_hash, created_at=now, active=True))
            return int(result.inserted_primary_key[0])
    except IntegrityError:
        raise InvalidInput(f"staff member {username!r} already exists") from None


@store_errors()
def staff_by_username(engine: Engine, username: str) -> StaffAccount | None:
    with engine.connect() as conn:
        row = conn.execute(select(staff).where(staff.c.username == username)).mappings().first()
    if row is None:
        return None
    return StaffAccount(row["id"], row["username"], row["password_hash"], bool(row["active"]))


@store_errors()
def set_password_hash(engine: Engine, staff_id: int, password_hash: str) -> None:
    """Replace the stored hash (a new password, or a rehash with stronger parameters)."""
    with engine.begin() as conn:
        conn.execute(update(staff).where(staff.c.id == staff_id).values(password_hash=password_hash))


@store_errors()
def create_session(engine: Engine, token_hash: str, staff_id: int, csrf_token: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(staff_sessions).values(
            token_hash=token_hash, staff_id=staff_id, csrf_token=csrf_token, created_at=now, last_seen_at=now))


@store_errors()
def find_session(engine: Engine, token_hash: str) -> StaffSession | None:
    """The session with that cookie hash whose account is still active, else None."""
    s = staff_sessions.c
    query = (select(s.staff_id, staff.c.username, s.csrf_token, s.created_at, s.last_seen_at)
             .join(staff, staff.c.id == s.staff_id)
             .where(s.token_hash == token_hash, staff.c.active.is_(True)))
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return None if row is None else StaffSession(**row)


@store_errors()
def touch_session(engine: Engine, token_hash: str, now: datetime) -> None:
    """Record activity (the idle timeout counts from here)."""
    with engine.begin() as conn:
        conn.execute(update(staff_sessions).where(staff_sessions.c.token_hash == token_hash)
                     .values(last_seen_at=now))


@store_errors()
def end_session(engine: Engine, token_hash: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash))


@store_errors()
def end_expired_sessions(engine: Engine, *, idle_before: datetime, created_before: datetime) -> int:
    """Delete sessions idle since before ``idle_before`` or created before ``created_before``."""
    s = staff_sessions.c
    with engine.begin() as conn:
        result = conn.execute(delete(staff_sessions).where(
            or_(s.last_seen_at < idle_before, s.created_at < created_before)))
        return int(result.rowcount)
