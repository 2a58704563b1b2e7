# The front door: build our libzmq, the examples (each twice: against ours
# and against the system libzmq), the demo, the tests and the benchmark.
#
#   make demo       set up, build, run the C++ client (ours) against pyzmq
#   make test       everything CI checks
#   make examples   build/ours/NAME and build/sys/NAME for every program
#   make interop    examples, then the pytest suite in python-interop/
#   make pyzmq-suite   pyzmq's own tests, on its bundled libzmq and on ours
#   make bench      ours against the system libzmq, side by side
#   make check-peripherals   interop with the system libzmq posing as ours
#
# OURS_LIB is the directory holding our libzmq.so and libzmq.so.5, OURS_INC
# the one holding our zmq.h. Left at their defaults, `make lib` builds them
# with cargo; point them elsewhere (say at a directory of symlinks to the
# system libzmq, and its include directory) to exercise all but the library.

OURS_LIB ?= build/lib
OURS_INC ?= include
CARGO ?= cargo
CARGO_TARGET_DIR ?= target
PYTHON ?= .venv/bin/python
# make's built-in default for CC is cc; the examples document gcc.
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin CXX),default)
CXX := g++
endif

# Absolute, so the rpath baked into build/ours binaries works from any
# directory. Computed here at build time; build/ is never committed.
OURS_LIB_ABS := $(abspath $(OURS_LIB))

# Only build the Rust library when the default location is in use.
LIB_DEP := $(if $(filter build/lib build/lib/,$(OURS_LIB)),lib,)

EXAMPLE_SRCS := $(wildcard c-examples/*.c c-examples/*.cpp)
BENCH_SRCS := $(wildcard c-examples/bench/*.c)
PROGRAMS := $(basename $(notdir $(EXAMPLE_SRCS)))
BENCHES := $(basename $(notdir $(BENCH_SRCS)))

OURS_FLAGS = -I$(OURS_INC) -L$(OURS_LIB) -Wl,-rpath,$(OURS_LIB_ABS)
CONFIG_STAMP := build/ours/.ours-lib

.PHONY: all setup lib check-ours-lib examples bench-programs demo test rust-checks pyzmq-suite \
        interop bench sys-as-ours check-peripherals bench-sys-as-ours clean FORCE

all: examples

setup:
	bash .ci/run setup

lib:
	$(CARGO) build --release -p zmq-capi
	mkdir -p build/lib
	# Copy then rename, so programs running on the old library keep it.
	cp $(CARGO_TARGET_DIR)/release/libzmq.so build/lib/libzmq.so.tmp
	mv -f build/lib/libzmq.so.tmp build/lib/libzmq.so
	ln -sf libzmq.so build/lib/libzmq.so.5
	cp $(CARGO_TARGET_DIR)/release/libzmq.a build/lib/libzmq.a.tmp
	mv -f build/lib/libzmq.a.tmp build/lib/libzmq.a

check-ours-lib: $(LIB_DEP)
	@test -e $(OURS_LIB)/libzmq.so -a -e $(OURS_LIB)/libzmq.so.5 || \
	  { echo "no libzmq.so and libzmq.so.5 in OURS_LIB=$(OURS_LIB):" \
	         "run 'make lib' or set OURS_LIB"; exit 1; }
	@test -e $(OURS_INC)/zmq.h || \
	  { echo "no zmq.h in OURS_INC=$(OURS_INC); set OURS_INC"; exit 1; }

# Rebuild build/ours when OURS_LIB or OURS_INC point somewhere else.
$(CONFIG_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(OURS_LIB_ABS) $(abspath $(OURS_INC))' | cmp -s - $@ || \
	  echo '$(OURS_LIB_ABS) $(abspath $(OURS_INC))' > $@

# The compile lines are the plain ones a user types; build/ours only adds
# our include and library directories.
build/ours/%: c-examples/%.cpp $(CONFIG_STAMP) | check-ours-lib
	$(CXX) $< -o $@ $(OURS_FLAGS) -lzmq
build/ours/%: c-examples/%.c c-examples/common.h $(CONFIG_STAMP) | check-ours-lib
	$(CC) $< -o $@ $(OURS_FLAGS) -lzmq
build/ours/%: c-examples/bench/%.c c-examples/bench/bench.h $(CONFIG_STAMP) | check-ours-lib
	$(CC) -Wall $< -o $@ $(OURS_FLAGS) -lzmq -lpthread
build/sys/%: c-examples/%.cpp
	@mkdir -p $(@D)
	$(CXX) $< -o $@ -lzmq
build/sys/%: c-examples/%.c c-examples/common.h
	@mkdir -p $(@D)
	$(CC) $< -o $@ -lzmq
build/sys/%: c-examples/bench/%.c c-examples/bench/bench.h
	@mkdir -p $(@D)
	$(CC) -Wall $< -o $@ -lzmq -lpthread

# together.c compiles the other examples in (see its header).
build/ours/together build/sys/together: $(filter-out c-examples/together.c,$(wildcard c-examples/*.c))

examples: $(addprefix build/ours/,$(PROGRAMS)) $(addprefix build/sys/,$(PROGRAMS))

bench-programs: $(addprefix build/ours/,$(BENCHES)) $(addprefix build/sys/,$(BENCHES)) build/pingpong

# Plain tcp sockets, no ZeroMQ: a reference for round trips (see README).
build/pingpong: c-examples/bench/reference/pingpong.c
	@mkdir -p $(@D)
	$(CC) -Wall -O2 $< -o $@

# Our C++ client against the pyzmq server (the real libzmq in pyzmq's wheel).
demo: setup $(LIB_DEP) examples
	@port=$$($(PYTHON) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	  $(PYTHON) python-interop/server.py "tcp://127.0.0.1:$$port" 1 & server=$$!; \
	  trap 'kill $$server 2>/dev/null' EXIT; \
	  echo "pyzmq server on port $$port; our client build/ours/client_get-time-of-day asks:"; \
	  build/ours/client_get-time-of-day "tcp://127.0.0.1:$$port" 1 && wait $$server

rust-checks:
	$(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	# The C-level tests load target/debug/libzmq.so: build the cdylib first.
	$(CARGO) build --workspace
	$(CARGO) test --workspace

interop: examples bench-programs
	OURS_LIB=$(OURS_LIB_ABS) $(PYTHON) -m pytest -q -p no:asyncio python-interop

# pyzmq's own test suite on pyzmq's bundled libzmq and on ours: fails on any
# test that passes on the bundled one only (python-interop/pyzmq_suite.py).
pyzmq-suite: setup $(LIB_DEP)
	$(PYTHON) python-interop/pyzmq_suite.py $(OURS_LIB_ABS)/libzmq.so.5 build/pyzmq-suite

test: setup $(LIB_DEP) rust-checks examples interop pyzmq-suite

bench: bench-programs
	python3 c-examples/bench/run.py --ours build/ours --sys build/sys
	$(CARGO) bench -p zmq-core --bench micro

# The system libzmq standing in for ours: checks everything around the
# library (examples, interop tests, bench) before the Rust library exists.
SYS_LIBDIR = $(shell pkg-config --variable=libdir libzmq)
SYS_AS_OURS = OURS_LIB=build/sys-as-ours \
  OURS_INC=$(shell pkg-config --variable=includedir libzmq) \
  OURS_ZMQ_VERSION=$(shell pkg-config --modversion libzmq)

sys-as-ours:
	mkdir -p build/sys-as-ours
	ln -sf $(SYS_LIBDIR)/libzmq.so.5 build/sys-as-ours/libzmq.so.5
	ln -sf $(SYS_LIBDIR)/libzmq.so.5 build/sys-as-ours/libzmq.so

check-peripherals: setup sys-as-ours
	$(MAKE) interop $(SYS_AS_OURS)

bench-sys-as-ours: sys-as-ours
	$(MAKE) bench $(SYS_AS_OURS)

clean:
	rm -rf build
