# splitsim - top-level entry points.  CMake does the building; this file gives the two
# commands the README promises (`make demo`, `make test`) and a few more.
#
#   make demo    install what is missing, build, run the bundled scenarios
#   make test    build and run every test (unit, golden, bad input) through ctest
#   make bench   build with -O2 and run the benchmark program
#   make fuzz    build the libFuzzer target (clang) and fuzz the loader for FUZZ_SECONDS

BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

.PHONY: all deps build demo test bench fuzz clean
MAKEFLAGS += --no-print-directory

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) --log-level=WARNING $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The demo builds quietly (the log is kept in $(BUILD)/build.log and shown if it fails):
# what it runs and finds is what the reader reads.
demo: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) --log-level=WARNING $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory >$(BUILD)/build.log 2>&1 || \
	    { cat $(BUILD)/build.log; exit 1; }
	@echo "==> built $(BUILD)/splitsim"
	@bash scripts/demo.sh $(BUILD)/splitsim

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
	cmake --build build-bench -j $(JOBS) --target splitsim-bench
	./build-bench/splitsim-bench

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSPLITSIM_FUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS) --target fuzz_load
	bash scripts/fuzz.sh build-fuzz/fuzz_load $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-bench build-fuzz build-clang build-asan
