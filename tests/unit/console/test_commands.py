"""The console's CLI commands against a temp database (ECOMAI_DATABASE_URL)."""

import csv
import io
import json
import sys
from datetime import datetime

import pytest
import yaml

from ecomai.cli import main
from ecomai.store.reviews import review_message
from ecomai.store.staff import staff_by_username
from ecomai.store.transcripts import transcript


@pytest.fixture
def env(log_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOMAI_DATABASE_URL", str(log_engine.url))
    monkeypatch.setenv("ECOMAI_VAR_DIR", str(tmp_path))
    return log_engine


def test_staff_add_reads_the_password_from_stdin(env, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["staff", "add", "sam", "--password-stdin"]) == 0
    assert staff_by_username(env, "sam").password_hash.startswith("$argon2id$")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["staff", "add", "kim", "--password-stdin"]) == 1
    assert "password must be" in capsys.readouterr().err and staff_by_username(env, "kim") is None


def test_export_nlu_and_conversations(env, tmp_path) -> None:
    (first, *_rest) = transcript(env, "s-order")
    review_message(env, first.id, intent="order_status", reviewer="sam", now=datetime(2024, 6, 2))
    assert main(["export", "nlu", "--out", str(tmp_path / "nlu.yml")]) == 0
    data = yaml.safe_load((tmp_path / "nlu.yml").read_text())
    assert data["nlu"] == [{"intent": "order_status",
                            "examples": "- where is my parcel, mail name@example.com\n"}]

    assert main(["export", "conversations", "--out", str(tmp_path / "log.csv"), "--from", "2024-06-02"]) == 0
    rows = list(csv.DictReader((tmp_path / "log.csv").open()))
    assert {r["session_id"] for r in rows} == {"s-angry", "s-voice", "s-lost"}
    assert main(["export", "conversations", "--out", str(tmp_path / "log.json"), "--unmasked"]) == 0
    exported = json.loads((tmp_path / "log.json").read_text())
    assert "alice@example.com" in json.dumps(exported)  # --unmasked keeps what was typed
