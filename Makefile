# stampede — build and test entry points. `make help` lists them.

GO      ?= go
PKGS    := $(shell $(GO) list ./... 2>/dev/null | grep -v /specs)
FUZZTIME ?= 30s

.PHONY: help test test-unit specs lint fuzz bench demo brokers-start brokers-stop report-screenshot

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

test: ## everything CI runs: lint, unit tests with -race, specs against every real peer
	scripts/test.sh

test-unit: ## unit tests with -race; no external servers
	$(GO) test -race -count=1 $(PKGS)

specs: ## the ginkgo specs (needs the brokers: see brokers-start)
	$(GO) test -race -count=1 ./specs/...

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $(PKGS); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench: ## stampede vs go-stomp vs stomp.py, every scenario (~10 min): writes bench/RESULTS.md and bench/charts/
	scripts/bench.sh

brokers-start: ## install (if missing) and start RabbitMQ and ActiveMQ on loopback
	scripts/brokers/all.sh start

brokers-stop: ## stop the brokers started by brokers-start
	scripts/brokers/all.sh stop

demo: ## the main job: a short load test against the embedded broker
	$(GO) run ./cmd/stampede bench

report-screenshot: ## screenshot of a bench report into docs/ (installs chromium)
	scripts/report-screenshot.sh

.PHONY: conformance-report
conformance-report: ## run the conformance specs (needs the brokers) and write docs/CONFORMANCE.md from their results
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && rc=0; \
	$(GO) test -count=1 -json -run '^TestCONF' ./codec/ > "$$tmp/codec.json" || rc=1; \
	$(GO) test -race -count=1 -timeout 30m ./specs/ -ginkgo.focus='CONF-[0-9]|QUIRK ' -ginkgo.json-report="$$tmp/specs.json" || rc=1; \
	$(GO) run ./internal/confreport/cmd -specs "$$tmp/specs.json" -codec "$$tmp/codec.json" -out docs/CONFORMANCE.md || exit 1; \
	if [ $$rc -ne 0 ]; then echo "conformance-report: specs or tests failed; docs/CONFORMANCE.md shows which (❌)" >&2; fi; \
	exit $$rc
