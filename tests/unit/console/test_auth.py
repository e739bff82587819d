from datetime import datetime

import pytest
from argon2 import PasswordHasher

from ecomai.console.auth import Authenticator, LoginThrottle, add_staff_member, check_username
from ecomai.console.options import ConsoleOptions
from ecomai.errors import AuthenticationFailed, InvalidInput, TooManyAttempts
from ecomai.store.staff import staff_by_username

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_window_slides() -> None:
    ticks = Ticks()
    throttle = LoginThrottle(2, 60, clock=ticks)
    throttle.failed("user:sam")
    ticks.now = 30
    throttle.failed("user:sam")
    with pytest.raises(TooManyAttempts):
        throttle.check("user:sam", "client:1.2.3.4")
    throttle.check("user:kim")  # other keys are unaffected
    ticks.now = 61  # the first failure left the window
    throttle.check("user:sam")


def test_throttle_memory_is_bounded() -> None:
    ticks = Ticks()
    throttle = LoginThrottle(1, 10, clock=ticks, max_keys=5)
    for i in range(5):
        throttle.failed(f"client:{i}")
    ticks.now = 20
    throttle.failed("client:new")
    assert len(throttle._failures) == 1


@pytest.mark.parametrize("name", ["", "-sam", "a" * 65, "sam smith", "sam/../x"])
def test_bad_usernames(name) -> None:
    with pytest.raises(InvalidInput):
        check_username(name)


def test_account_lifecycle(log_engine) -> None:
    add_staff_member(log_engine, "sam", "long enough pw", hasher=CHEAP, now=datetime(2024, 1, 1))
    with pytest.raises(InvalidInput, match="already exists"):
        add_staff_member(log_engine, "sam", "another long pw", hasher=CHEAP)
    with pytest.raises(InvalidInput, match="password must be"):
        add_staff_member(log_engine, "kim", "short", hasher=CHEAP)
    assert staff_by_username(log_engine, "sam").password_hash.startswith("$argon2id$")


def test_weaker_hash_is_upgraded_on_login(log_engine) -> None:
    add_staff_member(log_engine, "sam", "long enough pw", hasher=CHEAP)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    auth = Authenticator(log_engine, ConsoleOptions(), hasher=stronger)
    logged_in = auth.login("sam", "long enough pw", "127.0.0.1")
    assert auth.session(logged_in.token).username == "sam"
    assert "m=2048,t=2" in staff_by_username(log_engine, "sam").password_hash
    with pytest.raises(AuthenticationFailed):
        auth.login("sam", "wrong password!", "127.0.0.1")
    assert auth.session("forged") is None and auth.session(None) is None
