# Two commands do everything on a fresh machine: `make run` and `make test`.
# Rasa 3.6 needs Python 3.10: we take $(PYTHON) if given, else the newest 3.10 that
# pyenv knows, else python3.10 on PATH.
SHELL := /bin/bash
PYTHON ?= $(shell v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$$)' | sort -V | tail -1); \
	if [ -n "$$v" ]; then PYENV_VERSION=$$v python3.10 -c 'import sys; print(sys.executable)' 2>/dev/null; \
	else command -v python3.10; fi)
VENV := .venv
BIN := $(VENV)/bin
# No network at run time: Rasa's telemetry and error reporting stay off, and
# transformers/huggingface never try the hub.
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export OMP_WAIT_POLICY := PASSIVE
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

RASA_DATA := data/nlu.yml data/stories.yml data/rules.yml
# Training runs ecomai/nlu and shared ecomai modules (device placement, worker processes):
# any of them changing makes `rasa train` run, and its fingerprint (bot/components.py,
# the import closure of ecomai.nlu.train) decides whether our model really retrains.
RASA_INPUTS := bot/config.yml bot/domain.yml $(RASA_DATA) $(wildcard bot/*.py) $(wildcard data/sentiment/*.csv) \
	$(wildcard ecomai/nlu/*.py) $(wildcard ecomai/*.py)
MODEL_STAMP := models/ecomai.tar.gz

.PHONY: run test env db train validate rasa-test unit e2e clean browser
run: env db train
	$(BIN)/ecomai serve --demo

test: env db train browser
	$(BIN)/python -m pytest -m "not slow" -q
	$(BIN)/rasa data validate --config bot/config.yml --domain bot/domain.yml --data $(RASA_DATA) --fail-on-warnings
	$(MAKE) --no-print-directory rasa-test
	$(BIN)/python -m pytest -m slow -q

env: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 not found: install it or pass PYTHON=/path/to/python3.10"; exit 1; }
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 10), "Rasa 3.6 needs Python 3.10"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt "pip==24.2" "setuptools==70.3.0" wheel
	$(BIN)/pip install -q -c constraints.txt -e ".[rasa,ml,dev,bench]"
	touch $@

# The widget's browser tests drive Debian's chromium through Playwright (no browser download).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }

db: env var/.seeded
var/.seeded: $(wildcard data/shop/*)
	$(BIN)/ecomai db init
	@mkdir -p var && touch $@

# The recommender learns from the seeded shop's interactions; until it exists the shop
# serves popularity, so it is trained with everything else.
RECOMMENDER := models/recommender/model.npz
train: env $(MODEL_STAMP) $(RECOMMENDER)
$(RECOMMENDER): var/.seeded
	$(BIN)/ecomai train recommend

$(MODEL_STAMP): $(RASA_INPUTS)
	$(BIN)/rasa train --config bot/config.yml --domain bot/domain.yml --data $(RASA_DATA) --out models --fixed-model-name ecomai --quiet
	touch $@

validate: env
	$(BIN)/rasa data validate --config bot/config.yml --domain bot/domain.yml --data $(RASA_DATA) --fail-on-warnings

# `rasa test` on the whole project trips on .rasa/ cache files, so name the stories.
# Core tests predict actions without running them, so no action server is needed.
rasa-test: env train
	$(BIN)/rasa test core --model models/ecomai.tar.gz --stories tests/test_stories.yml --out results --fail-on-prediction-errors --quiet

clean:
	rm -rf models results var .rasa
