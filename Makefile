# The MES in two commands: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test setup lint format messages services clean-venv

run: setup
	$(PY) manage.py load_demo
	$(PY) manage.py run_plant

test: $(STAMP) services
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMP) services
	$(PY) manage.py create_database
	$(PY) manage.py migrate --no-input -v 1
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) -c "from dispatch.scheduling import tabu; tabu.warm_up()"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

services: $(STAMP)
	$(PY) manage.py check_services

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles \
		--ignore='planning/*' --ignore='dispatch/*' --ignore='equipment/*' \
		--ignore='quality/*' --ignore='materials/*' --ignore='tests/*'
	for app in planning dispatch equipment quality materials; do \
		(cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans); done

clean-venv:
	rm -rf $(VENV)
