# make demo   set up .venv, run the study on the embedded default, write results.duckdb, serve the dashboard
# make test   set up .venv and run the test suite
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
ROOT   := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install demo test dashboard lab bench clean

install: $(VENV)/.installed

# PYTHONWARNINGS=ignore: setuptools' notes on how an editable install works, a screen of them on every install
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	PYTHONWARNINGS=ignore $(PY) -m pip install -q -e '.[test,bench]'
	touch $@

demo: install
	$(VENV)/bin/xlt demo --port $(PORT)

test: install
	$(VENV)/bin/pytest -q

dashboard: install
	$(VENV)/bin/xlt dashboard --port $(PORT)

lab: install
	$(PY) -c "from xlt_core.runner import ensure_kernel; ensure_kernel()"  # the kernel that dies with its parent
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser --notebook-dir notebooks $(ROOT)

bench: install
	for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf runs results.duckdb
