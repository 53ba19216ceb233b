# kube-singleton: `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift 6.
SWIFT ?= swift
# mmdebstrap: the Debian root filesystems the release tests run in (scripts/rootfs.sh).
APT_PACKAGES := libcurl4-openssl-dev libssl-dev pkg-config curl mmdebstrap
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build format test fuzz demo bench soak dist image image-test image-deps image-rootfs embed clean

all: build

## deps: install the system libraries the package links (libcurl, OpenSSL) if missing.
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		echo "installing $(APT_PACKAGES)"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

## test: check the formatting, build everything, run every Swift test suite, each fuzz target briefly (TEST_FUZZ_SECONDS
## each), then the end-to-end scripts (scripts/e2e.sh):
## offline verdicts, strict schema validation of deploy/ and install output, deploy/ applied to the
## sandbox, the krew archive (built, then run in a Debian root without Swift), the Dockerfile's
## build context, the image's filesystem run as the pod runs it, the demo. The release builds
## and the Debian roots are cached in .build (CONTRIBUTING.md: what a cold cache costs).
## TEST_WIDTH: test cases run at most this many at a time. Unbounded (Swift Testing's default)
## every case starts at once, and an async test's next step waits behind all of them on the pool
## of one thread per core: about 10 s on two cores, as long as a server's production timeouts.
## SWIFTNIO_STRICT: work scheduled on an event loop that has shut down crashes the run instead
## of being dropped with a line on stderr (a task that would never resume).
TEST_WIDTH ?= 8
TEST_FUZZ_SECONDS ?= 5
test: deps
	scripts/format.sh --check
	$(SWIFT) build --build-tests
	SWIFTNIO_STRICT=1 SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(SWIFT) test --skip-build
	FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) FUZZ_RUNS= FUZZ_JOBS= FUZZ_TARGETS= SWIFT=$(SWIFT) scripts/fuzz.sh
	scripts/e2e.sh

## format: rewrite the Swift sources as .swift-format says (make test checks it).
format:
	scripts/format.sh

## fuzz: libFuzzer + AddressSanitizer on the review path, the plugin's YAML readers and the
## sandbox's request parsing (Fuzz/), FUZZ_SECONDS each (default 60); FUZZ_RUNS=N runs N
## executions instead, FUZZ_TARGETS picks targets. Crashing inputs: .build-fuzz/crashes/.
fuzz:
	SWIFT=$(SWIFT) scripts/fuzz.sh

## demo: build, then the narrated scenario: sandbox API server, the real webhook installed by the
## plugin, real kubectl (scripts/demo.sh); then the offline verdicts of examples/reviews.
demo: build
	scripts/demo.sh
	scripts/review-examples.sh

## bench: webhook vs nginx (req/s, p50/p99, RSS, ratio lines) and the 10k-workload cache; a few minutes.
bench: deps
	bench/run.sh

## soak: load and fault figures for docs/reliability.md (bench/soak.py): thousands of TLS
## connections, rotation and SIGTERM under load, a hanging, absent or failing API server.
soak: build
	python3 bench/soak.py

## dist: krew archive for this platform + manifest with its sha256 (dist/); the release
## recipe of scripts/release-build.sh, static Swift runtime: the binary needs glibc and libcurl.
dist: deps
	scripts/dist.sh

## image-rootfs ROOTFS=DIR: the filesystem webhook/Dockerfile's runtime stage produces, made
## without Docker (bookworm minbase by mmdebstrap, its packages, the release binary). Needs root.
image-rootfs: deps
	@[ -n "$(ROOTFS)" ] || { echo "usage: make image-rootfs ROOTFS=DIR" >&2; exit 2; }
	scripts/image-rootfs.sh "$(ROOTFS)"

## embed: regenerate Sources/SingletonCLI/Install/DeployManifests.swift, the copy of deploy/
## that `kubectl singleton install` carries (scripts/embed-manifests.sh). Run it after changing
## deploy/: EmbeddedManifestsTests fails until then.
embed:
	scripts/embed-manifests.sh

## image: the webhook container image (scripts/image.sh): `docker build` where a Docker engine
## runs; else podman (installed if missing), with the base images made locally, as no registry
## is reachable from CI machines (scripts/image-bases.sh). A release build with LTO: many
## minutes the first time, cached by layer afterwards. Not part of `make test`.
image: image-deps
	scripts/image.sh

## image-test: `make image`, then the image run with the pod's settings (UID 65532, read-only
## root, the Secret volume) and the image-rootfs test's checks: TLS verdicts, certificate
## rotation under load, SIGTERM with nothing lost (scripts/image-test.sh).
image-test: image
	$(SWIFT) build --product singleton-sandbox
	scripts/image-test.sh

image-deps: deps
	@if ! docker info >/dev/null 2>&1 && ! dpkg -s podman runc >/dev/null 2>&1; then \
		echo "installing podman runc"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc; \
	fi

clean:
	rm -rf .build .build-fuzz
