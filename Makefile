# Dianxiaoer (店小二). `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

help: ## show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

setup: ## create both Python environments from the package registries
	@scripts/setup.sh

demo: setup ## run the product: database, demo data, bot model, three services; prints the URL
	@.venvs/reco/bin/python scripts/stack.py demo

stop: ## stop a running demo
	@python3 scripts/stack.py stop

test: ## run every test (unit, rasa validate/test, end-to-end, browser)
	@scripts/setup.sh --browser
	@scripts/test.sh

train: setup ## train the Rasa model if the training data changed
	@.venvs/reco/bin/python scripts/stack.py train

DATASETS ?= ../shared/datasets

bench-reco: setup ## recommender benchmarks: MovieLens ranking, CDNOW CLV and churn, Groceries rules, offer bandit, serving (demo and 100k items)
	@.venvs/reco/bin/python benchmarks/reco.py
	@.venvs/reco/bin/python -m benchmarks.clv
	@.venvs/reco/bin/python benchmarks/churn.py
	@.venvs/reco/bin/python benchmarks/rules.py --datasets $(DATASETS)
	@.venvs/reco/bin/python benchmarks/offers.py
	@.venvs/reco/bin/python benchmarks/serve.py
	@.venvs/reco/bin/python benchmarks/serve.py --catalog synthetic --items 100000 --interactions 1000000 --workers 2
	@.venvs/reco/bin/python benchmarks/summary.py

bench-nlu: setup ## NLU benchmarks (CLINC150, SMP-ECDT 2020); TRAIN=a.yml TEST=b.yml for your own Rasa NLU files
	@PYTHONPATH=. .venvs/rasa/bin/python benchmarks/nlu.py $(if $(TRAIN),--train $(TRAIN) --test $(TEST))

bench-sentiment: setup ## sentiment benchmark (ChnSentiCorp, online_shopping, SST-2); TEST=f.tsv [TRAIN=f.tsv] for your own label<TAB>text
	@PYTHONPATH=. .venvs/rasa/bin/python benchmarks/sentiment.py $(if $(TEST),--test $(TEST)) $(if $(TRAIN),--train $(TRAIN))

train-sentiment: setup ## train the optional sentiment model from ../shared/datasets into var/models/ (never committed)
	@PYTHONPATH=. .venvs/rasa/bin/python scripts/train_sentiment.py

lookups: ## regenerate NLU lookup tables and the jieba dictionary from the catalog
	@.venvs/reco/bin/python scripts/gen_nlu_lookups.py

lock: ## refresh the pinned versions after changing requirements/*.txt
	@.venvs/rasa/bin/pip list --format=freeze --exclude-editable > requirements/rasa.lock
	@.venvs/reco/bin/pip list --format=freeze --exclude-editable > requirements/reco.lock

clean: ## remove trained models, test results and the demo database (keeps the environments)
	rm -rf models var

.PHONY: help setup demo stop test train bench-reco bench-nlu bench-sentiment train-sentiment lookups lock clean
