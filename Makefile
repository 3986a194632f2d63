# SPDX-License-Identifier: MIT
# The two commands of the quick start, and a few more. Everything builds in build/.
BUILD ?= build
JOBS ?= $(shell nproc)
SIMULATE = $(BUILD)/apps/simulate/simulate
NODE = $(BUILD)/apps/node/node

.PHONY: all deps build test run sim sweep clean

all: build

deps:
	@scripts/install-deps.sh

# PGO=1 (the default): simulate's libraries are built twice, first instrumented in
# $(BUILD)/pgo-train, which scripts/pgo-train.sh runs on the scenario library to record what
# the simulator executes, then optimised with that profile in $(BUILD). PGO=0 builds once
# (quicker while editing the core: with PGO every change trains again and rebuilds them all).
PGO ?= 1
PGO_TRAIN = $(BUILD)/pgo-train
PGO_PROFILE = $(abspath $(BUILD))/pgo-profile
CONFIGURE = cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAFTLINK_WERROR=ON

build: deps
ifeq ($(PGO),1)
	$(CONFIGURE) -S . -B $(PGO_TRAIN) -DRAFTLINK_PGO=generate -DRAFTLINK_PGO_DIR=$(PGO_PROFILE)
	cmake --build $(PGO_TRAIN) -j $(JOBS) --target simulate
	scripts/pgo-train.sh $(PGO_TRAIN)/apps/simulate/simulate $(PGO_PROFILE)
	$(CONFIGURE) -S . -B $(BUILD) -DRAFTLINK_PGO=use -DRAFTLINK_PGO_DIR=$(PGO_PROFILE)
else
	$(CONFIGURE) -S . -B $(BUILD) -DRAFTLINK_PGO=
endif
	cmake --build $(BUILD) -j $(JOBS)

## make test: install dependencies, build, run every test (unit, simulation, checks).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

## make run: a 3-node cluster on loopback (HTTP 8001-8003, Raft 7001-7003, data in ./data).
run: build
	scripts/run-cluster.sh $(NODE)

## make sim: the simulation demo, the seed's start-up and first election.
sim: build
	$(SIMULATE) run sim/scenarios/seed-startup.json

## make sweep SCENARIO=sim/scenarios/leader-crash.json SEEDS=1..1000
SCENARIO ?= sim/scenarios/leader-crash.json
SEEDS ?= 1..1000
sweep: build
	$(SIMULATE) sweep $(SCENARIO) --seeds $(SEEDS)

clean:
	rm -rf $(BUILD)
