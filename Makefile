# CardGate — build, test and demo. `make help` lists the targets.
SHELL := /bin/bash
APT_PACKAGES := pcscd libpcsclite-dev vsmartcard-vpcd opensc libsqlite3-dev sqlite3 pkg-config libstdc++-12-dev curl python3 util-linux faketime weasyprint poppler-utils fonts-ipafont-gothic fonts-ipaexfont-gothic
SWIFT ?= swift

.PHONY: help demo deps build release release-test install test pcscd-start pcscd-stop clean fuzz fuzz-full

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

demo: deps ## Build, then play a scripted day on the virtual rig (hardware/demo.sh); stops what it started
	$(SWIFT) build --product cardgate
	$(SWIFT) build --product vcard
	hardware/demo.sh

deps: ## Install the Debian packages the build and the tests need (only those missing)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "deps: all present"; fi

build: deps ## Debug build of every target
	$(SWIFT) build

# The release build links the Swift runtime and Foundation statically: the daemon at rest then keeps 37–39 MB
# resident instead of 45 (Benchmarks/README.md, "Memory at rest").
RELEASE := -c release --static-swift-stdlib

release: deps ## Release build (what an installation runs; Swift runtime linked in)
	$(SWIFT) build $(RELEASE)

release-test: deps ## The end-to-end suites against the release cardgate an installation runs (about 15 min)
	$(SWIFT) build $(RELEASE) --product cardgate
	@hardware/pcscd-virtual.sh start
	@set -o pipefail; rc=0; $(SWIFT) build --build-tests && \
	CARDGATE_TEST_PRODUCTS=$$($(SWIFT) build $(RELEASE) --show-bin-path) $(SWIFT) test --skip-build --no-parallel --filter IntegrationTests || rc=$$?; \
	hardware/pcscd-virtual.sh stop; exit $$rc

install: ## Install on this machine as root: account, groups, folders, binary, systemd unit (hardware/install.sh)
	$(SWIFT) build $(RELEASE) --product cardgate
	hardware/install.sh

pcscd-start: ## Start the private pcscd with the virtual readers
	hardware/pcscd-virtual.sh start

pcscd-stop: ## Stop the private pcscd
	hardware/pcscd-virtual.sh stop

# Tests run one at a time: the pcscd restart test would disturb every other card test running beside it.
test: deps ## Build and run every test, with the private pcscd running (stopped afterwards, pass or fail)
	@hardware/pcscd-virtual.sh start
	@set -o pipefail; rc=0; $(SWIFT) build --build-tests && $(SWIFT) test --skip-build --no-parallel || rc=$$?; \
	hardware/pcscd-virtual.sh stop; exit $$rc

clean: ## Remove build products and the run folder
	rm -rf .build run

FUZZ_SECONDS ?= 60
fuzz: ## Build the libFuzzer + ASan targets (Fuzz/) and run each for FUZZ_SECONDS (default 60)
	Fuzz/run.sh --seconds $(FUZZ_SECONDS)

fuzz-full: ## The full campaign: each fuzz target to 1,000,000 inputs (hours on 2 CPUs; not run by CI)
	Fuzz/run.sh --runs 1000000

.PHONY: api-fuzz
api-fuzz: deps ## Fuzz the local API against docs/openapi.yaml with Schemathesis on a throw-away daemon (hardware/api-fuzz/run.sh)
	hardware/api-fuzz/run.sh
