# fuzz/swift/fuzz-swift.mk - libFuzzer harnesses for what the Swift layers read from the network, files and
# the command line: gossip frames and block bodies (FuzzFrames), `v2g match` jobs (FuzzMatchJob), node configs
# (FuzzConfig), forecast CSVs (FuzzCSV), charging stations' OCPP-J messages (FuzzOCPP). A fragment of the main Makefile; run from the repository root.
#
#   make fuzz-swift-build    build the five harnesses (ASan + libFuzzer) in .build-fuzz/
#   make fuzz-swift-smoke    per target: replay fuzz/swift/corpus/<Target>/, then fuzz FUZZ_SWIFT_SMOKE_SECONDS (5)
#                            on a temporary copy of it; fails if any target crashes
#   make fuzz-swift          per target: fuzz FUZZ_SWIFT_SECONDS (60); new inputs go to build/fuzz-swift/corpus/
#   make fuzz-swift-seeds    regenerate fuzz/swift/corpus/ with fuzz/swift/make_seeds.py
#
# FUZZ_SWIFT_TARGETS="FuzzConfig" narrows the set. Crash inputs land in build/fuzz-swift/artifacts/<Target>/.

ifndef V2G_FUZZ_SWIFT_MK_INCLUDED
V2G_FUZZ_SWIFT_MK_INCLUDED := 1
FUZZ_SWIFT_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SWIFT                    ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
FUZZ_SWIFT_ALL_TARGETS   := FuzzFrames FuzzMatchJob FuzzConfig FuzzCSV FuzzOCPP
FUZZ_SWIFT_TARGETS       ?= $(FUZZ_SWIFT_ALL_TARGETS)
FUZZ_SWIFT_SECONDS       ?= 60
FUZZ_SWIFT_SMOKE_SECONDS ?= 5
FUZZ_SWIFT_SCRATCH       := $(abspath .build-fuzz)
FUZZ_SWIFT_BIN           := $(FUZZ_SWIFT_SCRATCH)/debug
FUZZ_SWIFT_OUT           ?= build/fuzz-swift
# TOMLKit leaks a few bytes per parse error (upstream), so leak detection would stop FuzzConfig on its first
# bad input; address errors still stop every target. The Swift runtime's backtracer is off so a crash reaches
# libFuzzer's handler (which saves the input) at once.
FUZZ_SWIFT_ENV       = SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0}
FUZZ_SWIFT_RUN_FLAGS = -max_len=16384 -timeout=10 -rss_limit_mb=4096 -artifact_prefix=$(FUZZ_SWIFT_OUT)/artifacts/$$t/

.PHONY: fuzz-swift-build fuzz-swift-smoke fuzz-swift fuzz-swift-seeds

fuzz-swift-build:
	cd fuzz/swift && $(SWIFT) build --scratch-path $(FUZZ_SWIFT_SCRATCH) \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld

fuzz-swift-smoke: fuzz-swift-build
	@fail=""; for t in $(FUZZ_SWIFT_TARGETS); do \
	  bin=$(FUZZ_SWIFT_BIN)/$$t; corpus=fuzz/swift/corpus/$$t; log=$(FUZZ_SWIFT_OUT)/logs/smoke-$$t.log; \
	  mkdir -p $(FUZZ_SWIFT_OUT)/artifacts/$$t $(FUZZ_SWIFT_OUT)/logs; \
	  tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/v2g-fuzz-$$t.XXXXXX"); cp -R $$corpus/. $$tmp/; \
	  start=$$(date +%s); ok=1; \
	  $(FUZZ_SWIFT_ENV) $$bin $(FUZZ_SWIFT_RUN_FLAGS) $$corpus/* > $$log 2>&1 || ok=0; \
	  if [ $$ok = 1 ]; then \
	    $(FUZZ_SWIFT_ENV) $$bin $(FUZZ_SWIFT_RUN_FLAGS) -print_final_stats=1 -max_total_time=$(FUZZ_SWIFT_SMOKE_SECONDS) \
	      $$tmp >> $$log 2>&1 || ok=0; fi; \
	  rm -rf $$tmp; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	  if [ $$ok = 1 ]; then \
	    echo "fuzz-swift-smoke $$t: ok, $$(ls -A $$corpus | wc -l) seeds replayed, $${execs:-0} executions in $$(( $$(date +%s) - start )) s"; \
	  else \
	    echo "fuzz-swift-smoke $$t: FAILED (log $$log, inputs in $(FUZZ_SWIFT_OUT)/artifacts/$$t/)"; tail -n 40 $$log; \
	    fail="$$fail $$t"; fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz-swift-smoke failed:$$fail"; exit 1; fi

fuzz-swift: fuzz-swift-build
	@fail=""; for t in $(FUZZ_SWIFT_TARGETS); do \
	  bin=$(FUZZ_SWIFT_BIN)/$$t; out=$(FUZZ_SWIFT_OUT)/corpus/$$t; log=$(FUZZ_SWIFT_OUT)/logs/fuzz-$$t.log; \
	  mkdir -p $$out $(FUZZ_SWIFT_OUT)/artifacts/$$t $(FUZZ_SWIFT_OUT)/logs; \
	  start=$$(date +%s); ok=1; \
	  $(FUZZ_SWIFT_ENV) $$bin $(FUZZ_SWIFT_RUN_FLAGS) -print_final_stats=1 -max_total_time=$(FUZZ_SWIFT_SECONDS) \
	    $$out fuzz/swift/corpus/$$t > $$log 2>&1 || ok=0; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	  if [ $$ok = 1 ]; then \
	    echo "fuzz-swift $$t: $${execs:-0} executions in $$(( $$(date +%s) - start )) s, $$(ls -A $$out | wc -l) inputs in $$out, no crash"; \
	  else \
	    echo "fuzz-swift $$t: CRASH after $$(( $$(date +%s) - start )) s (log $$log, inputs in $(FUZZ_SWIFT_OUT)/artifacts/$$t/)"; \
	    tail -n 40 $$log; fail="$$fail $$t"; fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz-swift found crashes in:$$fail"; exit 1; fi

fuzz-swift-seeds:
	python3 fuzz/swift/make_seeds.py

.DEFAULT_GOAL := $(FUZZ_SWIFT_SAVED_DEFAULT_GOAL)
endif
