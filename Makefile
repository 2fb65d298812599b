# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=true
# Where background tasks (PDFs, large renditions) queue: as think_tank/settings.py decides.
TASKS_BACKEND ?= $(if $(REDIS_URL),rq,database)

.PHONY: run worker test install lint format migrate sample serve-prod serve-prod-nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# axe-core, which the browser tests inject into pages to check accessibility (optional).
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped."; fi
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its development tools

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

sample: migrate ## Load the sample articles, authors and demo accounts (development only)
	$(DEV_ENV) $(BIN)/python manage.py load_sample_content
	$(DEV_ENV) $(BIN)/python manage.py create_demo_accounts

run: sample ## Serve the site with sample content on http://127.0.0.1:8000 (and its task worker)
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# With tasks in the database, a worker runs beside the server and stops with it.
	@if [ "$(TASKS_BACKEND)" = "database" ]; then \
	  $(DEV_ENV) $(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  echo "Background tasks: manage.py db_worker (pid $$worker)"; \
	else \
	  echo "Background tasks on $(TASKS_BACKEND): start a worker yourself (make worker)."; \
	fi; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: migrate ## Run the background task worker alone (db_worker; rqworker when REDIS_URL is set)
	@if [ "$(TASKS_BACKEND)" = "rq" ]; then \
	  $(DEV_ENV) $(BIN)/python manage.py rqworker default --with-scheduler --job-class django_tasks_rq.Job; \
	else \
	  $(DEV_ENV) $(BIN)/python manage.py db_worker --queue-name '*'; \
	fi

test: install ## Run the whole test suite (SQLite, or DATABASE_URL when set)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve-prod: install ## gunicorn with production settings (needs DJANGO_SECRET_KEY, DATABASE_URL; REDIS_URL for several machines)
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	@# Workers, timeouts and logs: gunicorn.conf.py (WEB_CONCURRENCY workers, default cores + 1).
	GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py think_tank.wsgi

NGINX_PORT ?= 8080
PUBLISHED_ROOT ?= $(CURDIR)/published
serve-prod-nginx: install ## nginx on NGINX_PORT serving published pages and static files, gunicorn behind it (needs SITE_URL)
	@command -v nginx >/dev/null 2>&1 || { echo "nginx is not installed: apt-get install nginx libnginx-mod-http-brotli-static"; exit 1; }
	@test -n "$(SITE_URL)" || { echo "Set SITE_URL to the address readers use, e.g. SITE_URL=http://$(HOST):$(NGINX_PORT)"; exit 1; }
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	PUBLISHED_ROOT=$(PUBLISHED_ROOT) $(BIN)/python manage.py nginx_conf --standalone \
	  --listen $(HOST):$(NGINX_PORT) --upstream $(HOST):$(PORT) $(if $(filter 0,$(shell id -u)),--user root) \
	  > $(PUBLISHED_ROOT).nginx.conf
	@echo "Readers: http://$(HOST):$(NGINX_PORT)/ (nginx; published pages in $(PUBLISHED_ROOT))"
	@nginx -c $(PUBLISHED_ROOT).nginx.conf -p $(CURDIR) -g 'daemon off;' & nginx=$$!; \
	  trap 'kill $$nginx 2>/dev/null; wait $$nginx 2>/dev/null' EXIT INT TERM; \
	  PUBLISHED_ROOT=$(PUBLISHED_ROOT) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py think_tank.wsgi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
