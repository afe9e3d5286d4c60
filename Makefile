# penpal-infra: `make demo` is the first thing to run; `make test` runs every test tier.
SHELL := /bin/bash
ENV := . toolchain/env.sh &&

.PHONY: setup demo test lint unit e2e bench

setup:  ## venv, pulumi CLI + language host, provider plugins, actionlint (cached under ~/.cache/penpal-infra)
	./toolchain/setup.sh

demo: setup  ## simulators on 127.0.0.1 + file backend: `pulumi up` of stack staging, outputs, a no-change preview
	$(ENV) python -m tests.harness.demo

lint: setup
	$(ENV) ruff check . && mypy .

test: setup lint  ## every tier: simulators, fidelity (official clients), client/provider, unit (mocks), toolchain, end-to-end
	$(ENV) pytest -q

bench: setup  ## engine time and API calls per operation for 10, 30 and 100 services at 0 and 50 ms, plus an empty-program baseline
	$(ENV) python -m tests.harness.bench
