# Frontdesk: the two commands a newcomer needs are `make run` and `make test`.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
DATA     ?= ./pb_data
ADDR     ?= 127.0.0.1:8090
STATICCHECK_VERSION := v0.8.2
GOBIN    := $(shell $(GO) env GOPATH)/bin

.PHONY: run build test lint deps bench clean

## run: serve Frontdesk with the demo practice on http://127.0.0.1:8090 (no model needed)
run:
	$(GO) run . serve --dir $(DATA) --http $(ADDR)

## build: a stripped binary with the version stamped in, at bin/frontdesk
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/frontdesk .

## test: install what the tests need, check formatting and lint, run every test with -race
test: deps lint
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: gofmt, go vet and staticcheck
lint: $(GOBIN)/staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN)/staticcheck ./...

$(GOBIN)/staticcheck:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## deps: Debian packages the tests use (chromium for the widget's browser tests)
deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (browser tests)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## bench: the load benchmark (see BENCHMARKS.md)
bench:
	$(GO) run ./bench

clean:
	rm -rf bin
