# kube-singleton: `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift 6.
SWIFT ?= swift
APT_PACKAGES := libcurl4-openssl-dev libssl-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test demo bench dist image clean

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

## test: build everything and run every test suite.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	scripts/review-examples.sh >/dev/null
	scripts/validate-manifests.sh

## demo: build, then decide the sample AdmissionReviews under examples/reviews.
demo: build
	scripts/review-examples.sh

## bench: webhook throughput and latency against nginx (see bench/README.md).
bench: deps
	@echo "the benchmark lands with the HTTPS server (singleton-webhook serve)"; exit 1

## dist: krew archive for this platform + manifest with its sha256 (dist/).
dist: deps
	scripts/dist.sh

## image: the webhook container image (needs a Docker engine; not run in CI).
image:
	docker build -f webhook/Dockerfile -t ghcr.io/kube-singleton/singleton-webhook:v$$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/SingletonCore/Version.swift) .

clean:
	rm -rf .build
