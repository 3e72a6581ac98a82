# artauction developer commands. Run `make` (or `make help`) for the list.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
BIN := bin/artauction
# Tests keep what they make for a person to look at (the live page's screenshot) under here.
TEST_OUTPUT := test-output
ENSURE_SERVICES := bash scripts/ensure-services.sh
# golangci-lint lives in its own module, pinned there, so its dependencies stay
# out of the service's go.mod; `go tool` builds it once into the build cache.
GOLANGCI_LINT_MODFILE := tools/golangci-lint/go.mod
GOLANGCI_LINT := $(GO) tool -modfile=$(GOLANGCI_LINT_MODFILE) golangci-lint

# The app reads DATABASE_URL and REDIS_URL (see .env.example); the integration
# and black-box tests read these two instead.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The object store of the tests (each test makes a bucket of its own), and its keys.
TEST_S3_ENDPOINT ?= http://127.0.0.1:7070
TEST_S3_ACCESS_KEY_ID ?= artauction
TEST_S3_SECRET_ACCESS_KEY ?= artauction-dev-secret
export TEST_DATABASE_URL TEST_REDIS_URL TEST_S3_ENDPOINT TEST_S3_ACCESS_KEY_ID TEST_S3_SECRET_ACCESS_KEY

# How many instances make cluster runs behind its balancer, and where the balancer listens.
CLUSTER_SIZE ?= 3
CLUSTER_ADDR ?= 127.0.0.1:8080

# Where the bundled object detector (detector/) listens; `make run` and the tests use it.
DETECTOR_ADDR ?= 127.0.0.1:32168
export DETECTOR_ADDR
ENSURE_DETECTOR := bash scripts/ensure-detector.sh

.PHONY: help
help: ## List the targets
	@echo "Usage: make <target>"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: services
services: ## Make sure PostgreSQL and Redis answer at DATABASE_URL and REDIS_URL
	@$(ENSURE_SERVICES)

.PHONY: test-services
test-services: ## Make sure PostgreSQL, Redis and the object store answer at the TEST_* addresses, and HAProxy is installed
	@DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' $(ENSURE_SERVICES)
	@S3_ENDPOINT='$(TEST_S3_ENDPOINT)' S3_ACCESS_KEY_ID='$(TEST_S3_ACCESS_KEY_ID)' \
		S3_SECRET_ACCESS_KEY='$(TEST_S3_SECRET_ACCESS_KEY)' bash scripts/ensure-objectstore.sh
	@bash scripts/ensure-haproxy.sh

.PHONY: objectstore
objectstore: ## Make sure an object store answers at S3_ENDPOINT (a throwaway versitygw on loopback), for IMAGE_STORE=s3
	@bash scripts/ensure-objectstore.sh

.PHONY: stop-services
stop-services: ## Stop the throwaway PostgreSQL, Redis, object store and detector started by the services, objectstore and detector targets
	@bash scripts/stop-services.sh

.PHONY: cluster
cluster: services ## Run CLUSTER_SIZE (3) instances behind HAProxy on CLUSTER_ADDR, images in the object store; Ctrl-C stops them
	@CLUSTER_SIZE='$(CLUSTER_SIZE)' CLUSTER_ADDR='$(CLUSTER_ADDR)' GO='$(GO)' bash scripts/cluster.sh

.PHONY: detector
detector: ## Install and start the bundled object detector on DETECTOR_ADDR (127.0.0.1:32168); returns once it answers
	@$(ENSURE_DETECTOR)

# `make run` searches by photo with the bundled detector unless DETECTION_URL
# is set: to another detector, or empty to turn search by photo off.
.PHONY: run
run: services ## Run the server (migrates at start), with the bundled detector unless DETECTION_URL is set
ifeq ($(origin DETECTION_URL),undefined)
	@$(ENSURE_DETECTOR)
	DETECTION_URL='http://$(DETECTOR_ADDR)' $(GO) run ./cmd/artauction
else
	$(GO) run ./cmd/artauction
endif

.PHONY: migrate
migrate: services ## Apply the database migrations and exit
	$(GO) run ./cmd/artauction migrate

.PHONY: build
build: ## Build a static binary to bin/artauction
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(BIN) ./cmd/artauction

# The fault tests that take longest (a kill -9 under load, each dependency's
# outage, the lock faults): `make test-faults` runs them, `make test` all the rest.
FAULT_TESTS := ^(TestKillNineMidLoadThenRestart|TestLockFaults|TestBiddingAndWatchingThroughARedisOutage|TestMailThroughAnSMTPOutage|TestBiddingThroughAPostgresOutage)$$

.PHONY: test
test: test-services browser detector ## Run all tests but the long fault ones (the detector's, then Go's with the race detector), then short bidbench runs of bids and reads
	@mkdir -p $(TEST_OUTPUT)
	cd detector && npm test
	$(GO) test -race -count=1 -timeout 8m -skip '$(FAULT_TESTS)' -artifacts -outputdir $(CURDIR)/$(TEST_OUTPUT) ./...
	@$(MAKE) --no-print-directory bench-smoke
	@$(MAKE) --no-print-directory bench-read-smoke

.PHONY: test-faults
test-faults: test-services ## The long fault tests: kill -9 under load, Postgres, Redis and SMTP outages, lock faults
	$(GO) test -race -count=1 -timeout 8m -run '$(FAULT_TESTS)' ./test/

.PHONY: browser
browser: ## Make sure headless Chromium and ChromeDriver are installed for the browser test
	@bash scripts/ensure-chromium.sh

.PHONY: bench
bench: test-services ## Compare the four bid-lock strategies against the raw database limit (docs/benchmarks.md)
	$(GO) run ./cmd/bidbench --database-url '$(TEST_DATABASE_URL)' --redis-url '$(TEST_REDIS_URL)' $(BENCH_FLAGS)

.PHONY: bench-smoke
bench-smoke: test-services ## A short bidbench run that fails on any invariant or linearizability violation or 5xx
	$(GO) run ./cmd/bidbench --smoke --database-url '$(TEST_DATABASE_URL)' --redis-url '$(TEST_REDIS_URL)' $(BENCH_FLAGS)

.PHONY: bench-read
bench-read: test-services ## Every catalog read on a 100,000-art catalog against an echo hello-world baseline (docs/benchmarks.md, Reads)
	$(GO) run ./cmd/bidbench read --database-url '$(TEST_DATABASE_URL)' --redis-url '$(TEST_REDIS_URL)' $(BENCH_READ_FLAGS)

.PHONY: bench-read-smoke
bench-read-smoke: test-services ## A short read benchmark on 5,000 arts that fails on any 5xx or a read shape that cannot run
	$(GO) run ./cmd/bidbench read --smoke --database-url '$(TEST_DATABASE_URL)' --redis-url '$(TEST_REDIS_URL)' $(BENCH_READ_FLAGS)

# How long the mixed-load soak of `make chaos` runs.
CHAOS_SOAK ?= 10m

.PHONY: chaos
chaos: test-services ## Longer fault runs (Postgres restart, Redis stop, SMTP down 1 min, kill -9, a CHAOS_SOAK soak); table in test-output/chaos.log
	@mkdir -p $(TEST_OUTPUT)
	CHAOS_SOAK=$(CHAOS_SOAK) $(GO) test -tags chaos -count=1 -timeout 60m -v -run '^TestChaos' ./test/ 2>&1 | tee $(TEST_OUTPUT)/chaos.log

.PHONY: test-strategies
test-strategies: test-services ## Run the black-box tests once under each bid-lock strategy
	for strategy in row named redis optimistic; do \
		echo "== AUCTION_LOCK_STRATEGY=$$strategy"; \
		AUCTION_LOCK_STRATEGY=$$strategy $(GO) test -race -count=1 ./test/; \
	done

# How long each fuzz target runs, and how many workers it uses.
FUZZ_TIME ?= 30s
FUZZ_PARALLEL ?= 2

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZ_TIME (30s) each, one after the other; crashers land in the package's testdata/fuzz
	@GO='$(GO)' FUZZ_TIME='$(FUZZ_TIME)' FUZZ_PARALLEL='$(FUZZ_PARALLEL)' bash scripts/fuzz.sh

.PHONY: test-detector
test-detector: ## Run the detector's own tests (real photos in, labels out; bad input; concurrency)
	@$(ENSURE_DETECTOR) --install-only
	cd detector && npm test

.PHONY: test-unit
test-unit: ## Run the domain and use-case tests (no services needed)
	$(GO) test -race -count=1 ./domain/... ./application/...

# Several checkouts on one machine share golangci-lint's lock: they take turns.
.PHONY: lint
lint: ## Run go vet and golangci-lint (.golangci.yml)
	$(GO) vet ./...
	$(GOLANGCI_LINT) run --allow-serial-runners ./...

.PHONY: check
check: check-fmt check-tidy check-generated lint ## What CI checks besides the tests: formatting, tidy modules, current mocks, lint

.PHONY: check-fmt
check-fmt: ## Fail when gofmt would change a file
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change (run make fmt):"; echo "$$unformatted"; exit 1; fi

.PHONY: check-tidy
check-tidy: ## Fail when go mod tidy would change the service's or the lint tool's go.mod or go.sum
	$(GO) mod tidy -diff
	cd $(dir $(GOLANGCI_LINT_MODFILE)) && $(GO) mod tidy -diff

.PHONY: check-generated
check-generated: ## Fail when go generate would change a file, e.g. a mock behind its port
	@GO='$(GO)' bash scripts/check-generated.sh

.PHONY: generate
generate: ## Regenerate code (mocks)
	$(GO) generate ./...

.PHONY: fmt
fmt: ## Format the code
	$(GO) fmt ./...
	$(GOLANGCI_LINT) fmt ./...

.PHONY: clean
clean: ## Remove build outputs
	rm -rf bin/ coverage.out coverage.html $(TEST_OUTPUT)/
