"""``rasa data validate`` over the real training data: the only warnings allowed are
"utterance not used in any story or rule" for responses the custom actions (or forms)
use, which Rasa's validator cannot see. ``make test`` runs the validator without
--fail-on-warnings for that reason; this test keeps every other warning an error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ecomai.config import REPO_ROOT
from tests.unit.actions.references import used_by_actions

RASA = Path(sys.executable).with_name("rasa")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "path/to/file.py:100: UserWarning: message" up to the next warning or log line.
WARNING = re.compile(r"^\S+\.py:\d+: (?P<category>\w*Warning): (?P<message>.*?)\s*(?=^\S+\.py:\d+: \w*Warning: "
                     r"|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d |\Z)", re.MULTILINE | re.DOTALL)
LOG_PROBLEM = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?:WARNING|ERROR)\s+(?P<message>.*)$", re.MULTILINE)
UNUSED_UTTERANCE = re.compile(r"The utterance '(?P<name>\w+)' is not used in any story or rule\.")
# Library noise on import, not findings about our data.
IGNORED_CATEGORIES = {"DeprecationWarning", "MovedIn20Warning", "PendingDeprecationWarning"}


def _validate() -> str:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(REPO_ROOT),
           "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [str(RASA), "data", "validate", "--config", "bot/config.yml", "--domain", "bot/domain.yml",
         "--data", "data/nlu.yml", "data/stories.yml", "data/rules.yml"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, output[-4000:]
    assert "Validating utterances..." in output and "Story structure validation..." in output, output[-4000:]
    return output


def _findings(output: str) -> list[str]:
    warnings = [m["message"] for m in WARNING.finditer(output) if m["category"] not in IGNORED_CATEGORIES]
    return warnings + [m["message"] for m in LOG_PROBLEM.finditer(output)]


@pytest.mark.slow
def test_the_only_validator_warnings_are_responses_used_from_actions() -> None:
    domain = yaml.safe_load((REPO_ROOT / "bot" / "domain.yml").read_text())
    output = _validate()

    findings = _findings(output)
    parsed = sum(1 for m in WARNING.finditer(output) if m["category"] == "UserWarning")
    assert parsed == output.count("UserWarning: ")  # the parser saw every warning rasa raised
    unexpected = []
    for message in findings:
        unused = UNUSED_UTTERANCE.fullmatch(message)
        if not (unused and unused["name"] in domain["responses"] and used_by_actions(unused["name"], domain)):
            unexpected.append(message)
    assert unexpected == []


def test_findings_parser_reads_rasa_warnings() -> None:
    """The parser on output shaped like rasa's, so a silent parse can't pass the slow test."""
    sample = ANSI.sub("", (
        "/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_bad_email' is not used in any story "
        "or rule.\n\x1b[0m\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: Issue found in 'data/rules.yml':\n"
        "Found intent 'foo' in stories which is not part of the domain.\n"
        "/x/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected!\n"
        "2024-06-01 10:00:00 INFO     rasa.validator  - Validating utterances...\n"
        "2024-06-01 10:00:00 WARNING  rasa.validator  - The action 'action_x' is used in the stories, "
        "but is not a valid utterance action.\n"))
    assert _findings(sample) == [
        "The utterance 'utter_bad_email' is not used in any story or rule.",
        "Issue found in 'data/rules.yml':\nFound intent 'foo' in stories which is not part of the domain.",
        "rasa.validator  - The action 'action_x' is used in the stories, but is not a valid utterance action.",
    ]
