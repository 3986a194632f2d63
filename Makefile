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

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAFTLINK_WERROR=ON

build: deps $(BUILD)/build.ninja
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
