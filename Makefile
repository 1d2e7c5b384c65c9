# The two set-up commands of the README, and the steps they are made of.
PRESET ?= dev
JOBS ?= $(shell nproc)

.PHONY: deps build test run bench format clean

deps:
	@scripts/install-deps

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

# Installs what is missing, configures, builds and runs every test through ctest.
test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The main job: deploys the GitHub Digest service to stage dev on the local endpoint (started when
# none answers) and calls it through its Function URL.
run: build
	@scripts/main-job

bench:
	@scripts/install-deps --bench
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@bench/run

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
