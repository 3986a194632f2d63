# SPDX-License-Identifier: MIT
# The two commands of the quick start, and a few more. Everything builds in build/.
BUILD ?= build
JOBS ?= $(shell nproc)
SIMULATE = $(BUILD)/apps/simulate/simulate

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

## make run: the main job; for now the seed's start-up and first election, simulated.
run: build
	$(SIMULATE) run sim/scenarios/seed-startup.json

## make sim: same as run (the simulation demo).
sim: run

## make sweep SCENARIO=sim/scenarios/leader-crash.json SEEDS=1..1000
SCENARIO ?= sim/scenarios/leader-crash.json
SEEDS ?= 1..1000
sweep: build
	$(SIMULATE) sweep $(SCENARIO) --seeds $(SEEDS)

clean:
	rm -rf $(BUILD)
