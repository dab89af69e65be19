# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app ecommunity
export FLASK_DEBUG ?= 1

.PHONY: run test test-fast lint translations extract-messages update-catalogs install clean-instance

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
	  echo "python3 -m venv is unavailable, trying virtualenv"; \
	  $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv -q $(VENV); } || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Compiled catalogues are build products; fuzzy entries are never compiled.
translations: install
	@$(BIN)/pybabel compile -d ecommunity/translations

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project=ecommunity --copyright-holder="ecommunity contributors" \
	  -o ecommunity/translations/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -N -i ecommunity/translations/messages.pot -d ecommunity/translations

# npm packages used by the site audit (axe-core, vnu-jar); skipped where npm is missing.
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	 else echo "npm not found: the accessibility and HTML audit will be skipped"; fi

run: translations
	@mkdir -p instance
	$(FLASK) db upgrade
	@if [ ! -f instance/.demo-seeded ]; then $(FLASK) seed-demo && touch instance/.demo-seeded; \
	 else $(FLASK) seed-demo | sed -n '1,20p'; fi
	@echo "Serving on http://127.0.0.1:$(PORT)  (stop with Ctrl-C)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check ecommunity tests bench migrations/env.py wsgi.py

test: translations lint node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Unit and HTTP tests only (no browser, no audit): the quick loop while coding.
test-fast: translations
	$(BIN)/python -m pytest -m "not browser and not audit" $(PYTEST_ARGS)

clean-instance:
	rm -rf instance
