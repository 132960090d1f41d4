# fuzz/fuzz.mk — libFuzzer targets, one per loader (docs/fuzzing.md). Included by the
# Makefile; uses its LIB_SRC and APP_SRC.
#   make fuzz                          build build/fuzz/fuzz_<name> for every target
#   make fuzz-run FUZZ_SECONDS=20      replay fuzz/corpus/<name> and fuzz/regressions/<name>,
#                                      then fuzz each target for FUZZ_SECONDS (fuzz/run.sh)
# The library, the apps (but main.cpp) and the targets are built with clang++
# -fsanitize=fuzzer-no-link,address,undefined, no BLAS (the naive gemm), and linked with
# -fsanitize=fuzzer. stb_image is compiled from Debian's header (fuzz/stb_impl.c) so the
# image decoder is instrumented too; it gets AddressSanitizer but not UBSan (its UB is
# not ours to fix; its memory errors are).

FUZZ_CXX ?= clang++
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := image csv model idx loss_spec args architecture safetensors
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++17 -O1 -g -fopenmp -I. -MMD -MP -DOG_NO_BLAS $(FUZZ_SAN) \
  -fsanitize=fuzzer-no-link
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link

FUZZ_LIB_OBJ := $(patsubst %.cpp,$(FUZZ_DIR)/%.o,$(LIB_SRC) $(filter-out apps/main.cpp,$(APP_SRC))) \
  $(FUZZ_DIR)/fuzz/stb_impl.o
FUZZ_LIB := $(FUZZ_DIR)/libordgrad-fuzz.a
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_BINS)

fuzz-run: fuzz
	@bash fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_DIR)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz/stb_impl.o: fuzz/stb_impl.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CXX) -fopenmp $(FUZZ_SAN) -fsanitize=fuzzer $^ -lz -lm -o $@

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BINS:$(FUZZ_DIR)/%=$(FUZZ_DIR)/fuzz/%.d)
