"""Customer tokens: only an unexpired HS256 token signed with our secret names a customer."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from ecomai.chat.identity import sign_customer_token, verify_customer_token
from ecomai.errors import InvalidInput, InvalidToken

SECRET = "s3cret-shared-with-the-shop-website-and-long-enough-for-hs512-0123456789"
NOW = 1_700_000_000


def test_round_trip_with_fixed_clock() -> None:
    token = sign_customer_token(SECRET, "C0001", ttl_s=600, now=NOW)
    assert verify_customer_token(SECRET, token, now=NOW + 599) == "C0001"


def test_round_trip_with_real_clock() -> None:
    assert verify_customer_token(SECRET, sign_customer_token(SECRET, "C0002")) == "C0002"


def test_claims_are_sub_iat_exp() -> None:
    token = sign_customer_token(SECRET, "C0001", ttl_s=60, now=NOW)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims == {"sub": "C0001", "iat": NOW, "exp": NOW + 60}


def test_expired_token_is_refused_after_leeway() -> None:
    token = sign_customer_token(SECRET, "C0001", ttl_s=60, now=NOW)
    assert verify_customer_token(SECRET, token, now=NOW + 60 + 29) == "C0001"
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token, now=NOW + 60 + 31)


def test_expired_token_is_refused_with_real_clock() -> None:
    token = sign_customer_token(SECRET, "C0001", ttl_s=60, now=time.time() - 3600)
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token)


def test_token_from_the_future_is_refused() -> None:
    token = sign_customer_token(SECRET, "C0001", now=NOW + 3600)
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token, now=NOW)


def test_wrong_secret_is_refused() -> None:
    token = sign_customer_token("another-secret-of-sufficient-length-0123", "C0001")
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_forged_payload_with_original_signature_is_refused() -> None:
    header, _, signature = sign_customer_token(SECRET, "C0002").split(".")
    forged = ".".join([header, _b64({"sub": "C0001", "iat": NOW, "exp": 2 * NOW}), signature])
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, forged)


def test_alg_none_is_refused() -> None:
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': 'C0001', 'iat': NOW, 'exp': 2 * NOW})}."
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, unsigned)


def test_other_hmac_algorithm_is_refused() -> None:
    token = jwt.encode({"sub": "C0001", "iat": NOW, "exp": 2 * NOW}, SECRET, algorithm="HS512")
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token)


@pytest.mark.parametrize("claims", [{"iat": NOW, "exp": 2 * NOW}, {"sub": "C1", "exp": 2 * NOW}, {"sub": "C1", "iat": NOW}, {"sub": "", "iat": NOW, "exp": 2 * NOW}])
def test_missing_or_empty_claims_are_refused(claims: dict) -> None:
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token, now=NOW)
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 500, "Bearer abc.def.ghi"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_customer_token(SECRET, token)


def test_empty_secret_is_a_configuration_error() -> None:
    with pytest.raises(InvalidInput):
        sign_customer_token("", "C0001")
    with pytest.raises(InvalidInput):
        verify_customer_token("", "a.b.c")


@pytest.mark.parametrize("kwargs", [{"customer_id": ""}, {"customer_id": "C0001", "ttl_s": 0}])
def test_sign_refuses_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(InvalidInput):
        sign_customer_token(SECRET, **kwargs)


def test_invalid_token_code_is_stable() -> None:
    assert InvalidToken.code == "invalid_token"
