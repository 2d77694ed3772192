# siphon -- top-level commands. `make run` and `make test` work on a fresh Debian 12 machine:
# both install what they need with apt (scripts/setup.sh), build, then run.
BUILD      ?= build
BENCH_BUILD ?= build-bench
BENCH_ARGS ?=
SOAK_SECONDS ?= 600
ASAN_BUILD ?= build-asan
PYTHON3    ?= /usr/bin/python3
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all deps deps-test build run test unit integration compat cfg-check test-asan \
        bench soak fuzz compat-record clean

all: build

deps:
	@bash scripts/setup.sh build

deps-test:
	@bash scripts/setup.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Runs the embedded default configuration in the foreground, logging to stderr.
run: build
	./$(BUILD)/siphon -DD -E

test: deps-test build
	$(MAKE) --no-print-directory unit cfg-check integration compat test-asan

unit:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 120

cfg-check:
	$(PYTHON3) tests/cfg/check_configs.py --bin $(BUILD)/siphon

integration:
	SIPHON_BIN=$(abspath $(BUILD)/siphon) $(PYTHON3) -m pytest -q -x tests/integration

compat:
	$(PYTHON3) tests/compat/run_compat.py --server siphon --bin $(abspath $(BUILD)/siphon) -j 4

# The unit suite and the hostile-input integration tests once more under ASan+UBSan.
test-asan: deps-test
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIPHON_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300
	SIPHON_BIN=$(abspath $(ASAN_BUILD)/siphon) SIPHON_ASAN=1 $(PYTHON3) -m pytest -q -x tests/integration -m "not slow"

compat-record:
	@bash scripts/setup.sh bench
	$(PYTHON3) tests/compat/run_compat.py --server kamailio --record -j 4
	$(PYTHON3) tests/compat/run_compat.py --server kamailio -j 4
	$(PYTHON3) tests/compat/run_compat.py --lint

bench:
	@bash scripts/setup.sh bench
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPHON_BENCH=ON -DSIPHON_TESTS=OFF $(CMAKE_ARGS)
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	$(PYTHON3) bench/run.py --build $(BENCH_BUILD) $(BENCH_ARGS)

# Mixed SIP+HTTP load for SOAK_SECONDS (default 600): fails on any error reply, any lost
# request, or RSS growth above 5% after the warm-up.
soak: build
	$(PYTHON3) bench/soak.py --bin $(BUILD)/siphon --seconds $(SOAK_SECONDS)

fuzz:
	@bash scripts/setup.sh fuzz
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSIPHON_FUZZ=ON -DSIPHON_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS)
	bash fuzz/run.sh build-fuzz $(or $(FUZZ_SECONDS),600)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) build-fuzz
