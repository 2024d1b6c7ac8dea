# fuzz/fuzz.mk - libFuzzer harnesses for the C core, and the C tests under sanitizers.
# A fragment of the main Makefile (`include fuzz/fuzz.mk`); it also works as
# `make -f Makefile -f fuzz/fuzz.mk <target>`. Run from the repository root.
#
#   make fuzz-build    build/fuzz/fuzz_<target> for every fuzz/c/fuzz_<target>.c (ASan, UBSan, libFuzzer)
#   make fuzz-smoke    per target: replay fuzz/corpus/<target>/ and the regression inputs of past
#                      findings in fuzz/crashes/<target>/, then fuzz FUZZ_SMOKE_SECONDS (5) on a
#                      temporary copy of the corpus; fails if any target crashes
#   make fuzz          per target: fuzz FUZZ_SECONDS (60); new inputs go to build/fuzz/corpus/<target>/,
#                      the committed corpus is only read; prints the executions per target
#   make csan          every tests/c/test_*.c with the library under ASan + UBSan, in build/csan/
#   make fuzz-seeds    regenerate fuzz/corpus/ with fuzz/make_seeds.py (python3, stdlib only)
#
# FUZZ_TARGETS="ret sret" narrows the set. One fuzzer process runs at a time.
# Variant: FUZZ_OUT=build/fuzz-noavx2 FUZZ_EXTRA_CFLAGS=-DLSAP_NO_AVX2 fuzzes the portable LSAP kernels
# (on an AVX2 machine the default build only runs the AVX2 clones).
# Crash inputs land in build/fuzz/artifacts/<target>/; logs in build/fuzz/logs/.
# Only the clang that ships with the Swift toolchain is needed (it carries the
# libFuzzer, ASan and UBSan runtimes, and ld.lld next to it).

ifndef V2G_FUZZ_MK_INCLUDED
V2G_FUZZ_MK_INCLUDED := 1
FUZZ_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

ifeq ($(origin FUZZ_CC),undefined)
FUZZ_CC := $(dir $(realpath $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)))clang
endif
FUZZ_PYTHON        ?= python3
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_EXTRA_CFLAGS  ?=

FUZZ_OUT ?= build/fuzz
CSAN_OUT ?= build/csan

FUZZ_LIB_SRC := $(wildcard CSources/CV2G/*.c)
FUZZ_LIB_HDR := $(wildcard include/v2g/*.h CSources/CV2G/*.h)
FUZZ_ALL_TARGETS := $(sort $(patsubst fuzz/c/fuzz_%.c,%,$(wildcard fuzz/c/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL_TARGETS)

FUZZ_BASE_CFLAGS := -std=c11 -Wall -Wextra -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -Iinclude
FUZZ_LDFLAGS     := -fuse-ld=lld
FUZZ_LIB_OBJ     := $(patsubst CSources/CV2G/%.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRC))
FUZZ_BINS        := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_ALL_TARGETS))
# Per-run options: inputs up to 4 KiB (every harness bounds its problem well below that), a 10 s
# hang limit per input, crash inputs kept under build/.
FUZZ_RUN_FLAGS = -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/
FUZZ_ENV = ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
           UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

CSAN_CFLAGS := $(FUZZ_BASE_CFLAGS) -fsanitize=address,undefined
CSAN_OBJ    := $(patsubst CSources/CV2G/%.c,$(CSAN_OUT)/obj/%.o,$(FUZZ_LIB_SRC))
CSAN_TESTS  := $(patsubst tests/c/%.c,$(CSAN_OUT)/%,$(filter-out tests/c/check.c,$(wildcard tests/c/test_*.c)))

.PHONY: fuzz-build fuzz-smoke fuzz fuzz-seeds csan
.SECONDARY: $(FUZZ_LIB_OBJ) $(CSAN_OBJ)

# ---------------------------------------------------------------- libFuzzer binaries
$(FUZZ_OUT)/obj/%.o: CSources/CV2G/%.c $(FUZZ_LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_EXTRA_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_OUT)/fuzz_%: fuzz/c/fuzz_%.c $(wildcard fuzz/c/*.h) $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) $(FUZZ_EXTRA_CFLAGS) -fsanitize=fuzzer,address,undefined $(FUZZ_LDFLAGS) \
	  $< $(FUZZ_LIB_OBJ) -o $@ -lm

fuzz-build: $(FUZZ_BINS)

# ---------------------------------------------------------------- runs (strictly one fuzzer at a time)
fuzz-smoke: fuzz-build
	@fail=""; for t in $(FUZZ_TARGETS); do \
	  bin=$(FUZZ_OUT)/fuzz_$$t; corpus=fuzz/corpus/$$t; log=$(FUZZ_OUT)/logs/smoke-$$t.log; \
	  mkdir -p $(FUZZ_OUT)/artifacts/$$t $(FUZZ_OUT)/logs; \
	  if [ ! -x $$bin ] || [ -z "$$(ls -A $$corpus 2>/dev/null)" ]; then \
	    echo "fuzz-smoke $$t: missing binary or empty corpus $$corpus"; fail="$$fail $$t"; continue; fi; \
	  tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/v2g-fuzz-$$t.XXXXXX"); cp -R $$corpus/. $$tmp/; \
	  known=$$(ls -d fuzz/crashes/$$t/* 2>/dev/null | grep -v '\.md$$'); \
	  start=$$(date +%s); ok=1; \
	  $(FUZZ_ENV) $$bin $(FUZZ_RUN_FLAGS) $$corpus/* $$known > $$log 2>&1 || ok=0; \
	  if [ $$ok = 1 ]; then \
	    $(FUZZ_ENV) $$bin $(FUZZ_RUN_FLAGS) -print_final_stats=1 -max_total_time=$(FUZZ_SMOKE_SECONDS) \
	      $$tmp >> $$log 2>&1 || ok=0; fi; \
	  rm -rf $$tmp; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	  if [ $$ok = 1 ]; then \
	    echo "fuzz-smoke $$t: ok, $$(ls -A $$corpus | wc -l) seeds and $$(echo $$known | wc -w) regression inputs replayed, $${execs:-0} executions in $$(( $$(date +%s) - start )) s"; \
	  else \
	    echo "fuzz-smoke $$t: FAILED (log $$log, inputs in $(FUZZ_OUT)/artifacts/$$t/)"; tail -n 40 $$log; fail="$$fail $$t"; fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz-smoke failed:$$fail"; exit 1; fi

fuzz: fuzz-build
	@fail=""; for t in $(FUZZ_TARGETS); do \
	  bin=$(FUZZ_OUT)/fuzz_$$t; out=$(FUZZ_OUT)/corpus/$$t; log=$(FUZZ_OUT)/logs/fuzz-$$t.log; \
	  mkdir -p $$out $(FUZZ_OUT)/artifacts/$$t $(FUZZ_OUT)/logs; \
	  start=$$(date +%s); ok=1; \
	  $(FUZZ_ENV) $$bin $(FUZZ_RUN_FLAGS) -print_final_stats=1 -max_total_time=$(FUZZ_SECONDS) \
	    $$out fuzz/corpus/$$t > $$log 2>&1 || ok=0; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	  cov=$$(grep -o 'cov: [0-9]*' $$log | tail -n 1); \
	  if [ $$ok = 1 ]; then \
	    echo "fuzz $$t: $${execs:-0} executions in $$(( $$(date +%s) - start )) s, $$cov, $$(ls -A $$out | wc -l) inputs in $$out, no crash"; \
	  else \
	    echo "fuzz $$t: CRASH after $$(( $$(date +%s) - start )) s (log $$log, inputs in $(FUZZ_OUT)/artifacts/$$t/)"; \
	    tail -n 40 $$log; fail="$$fail $$t"; fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz found crashes in:$$fail"; exit 1; fi

fuzz-seeds:
	$(FUZZ_PYTHON) fuzz/make_seeds.py

# ---------------------------------------------------------------- C tests under ASan + UBSan
$(CSAN_OUT)/obj/%.o: CSources/CV2G/%.c $(FUZZ_LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSAN_CFLAGS) -c $< -o $@

$(CSAN_OUT)/test_%: tests/c/test_%.c $(wildcard tests/c/*.h) $(CSAN_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSAN_CFLAGS) $(FUZZ_LDFLAGS) $< $(CSAN_OBJ) -o $@ -lm

csan: $(CSAN_TESTS)
	@fail=""; for t in $(CSAN_TESTS); do \
	  log=$$t.log; start=$$(date +%s); ok=1; \
	  $(FUZZ_ENV) $$t > $$log 2>&1 || ok=0; \
	  grep -Eq '[0-9]+ passed, 0 failed' $$log || ok=0; \
	  grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' $$log && ok=0; \
	  if [ $$ok = 1 ]; then echo "csan $$t: $$(grep -E 'passed, 0 failed' $$log | tail -n 1) ($$(( $$(date +%s) - start )) s)"; \
	  else echo "csan $$t: FAILED"; tail -n 40 $$log; fail="$$fail $$t"; fi; \
	done; \
	if [ -n "$$fail" ]; then echo "csan failed:$$fail"; exit 1; fi

.DEFAULT_GOAL := $(FUZZ_SAVED_DEFAULT_GOAL)
endif
