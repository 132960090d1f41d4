# ordgrad — build, test, demo, bench.
#   make            library build/libordgrad.a and the tool build/ordgrad
#   make test       doctest suites (prints "N passed, M failed")
#   make demo       the main job on built-in data
#   make bench      throughput and memory figures
#   make MODE=repro  bits that do not depend on the CPU: ordgrad's fixed-order gemm
#                    (BLAS=fixed) instead of OpenBLAS, -O2, no -march, no FMA contraction;
#                    ARCH=x86-64-v3 (any -march value) builds it for that ISA level in
#                    build/repro-fixed-x86-64-v3, with the same bits (scripts/checks/repro-isa.sh)
#   make MODE=debug / MODE=asan      BLAS=none for the naive gemm, BLAS=fixed for ours
#   make test SAN=1 the same suites and binary under Address+UB sanitizers (MODE=asan)
#   make install [PREFIX=/usr/local] [DESTDIR=]   headers (include/ordgrad/), libordgrad.a,
#                   the tool and lib/pkgconfig/ordgrad.pc, of the MODE/BLAS already built
#   make uninstall [PREFIX=...] [DESTDIR=]         remove what that install recorded
#   make MPI=1      the tool for data-parallel training under mpirun (Open MPI, Debian's
#                   libopenmpi-dev and openmpi-bin), in build/<mode>-<blas>-mpi;
#                   docs/distributed.md. The default build has no MPI.
# Missing Debian packages are installed by scripts/install-deps.sh (apt-get as root).

ifeq ($(SAN),1)
  MODE := asan
endif
MODE ?= fast
ifeq ($(MODE),repro)
  BLAS ?= fixed
  ifeq ($(BLAS),openblas)
    $(error MODE=repro needs BLAS=fixed or none: OpenBLAS picks its kernels by CPU)
  endif
endif
BLAS ?= openblas
CXX ?= g++
ARCH ?=
BUILD := build/$(MODE)-$(BLAS)$(if $(ARCH),-$(ARCH))$(if $(filter 1,$(MPI)),-mpi)

# -Wno-psabi: GCC notes that 32-byte vector types (layers/winograd_transforms.h,
# core/gemm_fixed.cpp) pass differently without AVX; they never cross a file boundary.
CXXFLAGS := -std=c++17 -Wall -Wextra -Wno-psabi -fopenmp -I. -MMD -MP
ifeq ($(MODE),fast)
  # No AVX-512: GCC 12.2's SLP vectoriser miscompiles some AVX-512 code here
  # (const std::vector<double> v = {1, 1, 0, 0} became {1, 1, 1, 1}); AVX2 is safe.
  CXXFLAGS += -O3 -march=$(or $(ARCH),native) -mno-avx512f
else ifeq ($(MODE),repro)
  # Every float operation as written: no FMA contraction (one rounding instead of two),
  # no -ffast-math reassociation; the default -march is the x86-64 baseline. GCC's
  # vectoriser keeps each lane's order and never vectorises a float reduction without
  # -fassociative-math, so ARCH only changes speed.
  # OG_REPRO: the tool restarts itself with glibc's libm pinned to its baseline code
  # (apps/repro_libm.cpp).
  CXXFLAGS += -O2 -ffp-contract=off -DOG_REPRO $(if $(ARCH),-march=$(ARCH))
else ifeq ($(MODE),debug)
  CXXFLAGS += -O0 -g
else ifeq ($(MODE),asan)
  # Any undefined behaviour aborts (no recovery), so a finding fails the run.
  CXXFLAGS += -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address,undefined
  # LeakSanitizer checks every exit (the test binary and each ordgrad it runs); no
  # suppressions are needed: libgomp and OpenBLAS report no leaks here.
  SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
endif
ifeq ($(BLAS),none)
  CXXFLAGS += -DOG_NO_BLAS
else ifeq ($(BLAS),fixed)
  CXXFLAGS += -DOG_NO_BLAS -DOG_FIXED_GEMM
else
  BLAS_INC := -I/usr/include/x86_64-linux-gnu/openblas-pthread
  BLAS_LIB := -lopenblas
  CXXFLAGS += $(BLAS_INC)
endif
# Open MPI as Debian installs it (mpicxx --showme); only core/comm_mpi.cpp calls it.
ifeq ($(MPI),1)
  CXXFLAGS += -DOG_MPI -I/usr/lib/x86_64-linux-gnu/openmpi/include -I/usr/lib/x86_64-linux-gnu/openmpi/include/openmpi
  MPI_LIB := -lmpi
  DEPS_EXTRA := libopenmpi-dev openmpi-bin
endif
LDFLAGS += -fopenmp
LDLIBS += $(BLAS_LIB) $(MPI_LIB) -lstb -lz -lm

LIB_SRC := $(wildcard core/*.cpp core/ops/*.cpp layers/*.cpp losses/*.cpp optim/*.cpp io/*.cpp model/*.cpp)
APP_SRC := $(wildcard apps/*.cpp)
TEST_SRC := $(wildcard tests/*.cpp)
LIB_OBJ := $(LIB_SRC:%.cpp=$(BUILD)/%.o)
APP_OBJ := $(APP_SRC:%.cpp=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/%.o)
LIB := $(BUILD)/libordgrad.a
BIN := $(BUILD)/ordgrad
TEST_BIN := $(BUILD)/ordgrad-tests

.PHONY: all bin deps test demo bench fashion clean loc install uninstall pkgconfig
all: deps $(BIN)
	@ln -sf $(BIN) ordgrad

# The library and the tool only, without the ./ordgrad link (scripts/checks/repro-isa.sh).
bin: $(BIN)

deps:
	@bash scripts/install-deps.sh $(DEPS_EXTRA)

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# The fixed-order gemm promises gemm_naive's bits in every mode, so never an FMA.
$(BUILD)/core/gemm_fixed.o: CXXFLAGS += -ffp-contract=off

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(APP_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) $(APP_OBJ) $(LIB) $(LDLIBS) -o $@

# The tests also drive the subcommands (all of apps/ but main.cpp).
CLI_OBJ := $(filter-out $(BUILD)/apps/main.o,$(APP_OBJ))
$(TEST_BIN): $(TEST_OBJ) $(CLI_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) $(TEST_OBJ) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

# Outside the sanitizer build, scripts/checks/*.sh run after the suites (one case each):
# they build other configurations and programs against an installed prefix.
test: deps $(TEST_BIN) $(BIN)
	@$(SAN_ENV) OMP_NUM_THREADS=2 ORDGRAD_BIN=$(BIN) ORDGRAD_BUILD=$(BUILD) \
	  $(if $(filter asan,$(MODE)),,ORDGRAD_CHECKS=1) bash scripts/run-tests.sh $(TEST_BIN)

# Installing (scripts/install.sh). The public headers are every .h of the library
# directories plus the umbrella ordgrad.h; no public header depends on OG_NO_BLAS, so a
# program needs the OpenBLAS include directory only to match the library's own build.
PREFIX ?= /usr/local
# ordgrad.pc needs a version; there is no release yet. Written once, in core/version.h.
VERSION := $(shell sed -n 's/.*kVersion = "\(.*\)";.*/\1/p' core/version.h)
PUBLIC_H := ordgrad.h $(foreach d,core layers losses optim io model,$(wildcard $(d)/*.h $(d)/*/*.h))
# An installed MODE=asan library needs its sanitizers in the program too.
PC_SAN := $(filter -fsanitize=%,$(LDFLAGS))
PC_CFLAGS := $(strip -std=c++17 -fopenmp $(PC_SAN) $(BLAS_INC))
PC_LIBS := $(strip -fopenmp $(PC_SAN) $(LDLIBS))
PC_REQUIRES := $(strip $(if $(BLAS_LIB),openblas) zlib)
PC = bash scripts/pkgconfig.sh "$(PREFIX)" "$(VERSION)" "$(PC_CFLAGS)" "$(PC_LIBS)" "$(PC_REQUIRES)"

# Depends on the built files only, so after `make` it copies and rebuilds nothing.
install: $(LIB) $(BIN)
	@$(PC) | bash scripts/install.sh "$(DESTDIR)$(PREFIX)" $(LIB) $(BIN) - $(PUBLIC_H)

uninstall:
	@bash scripts/uninstall.sh "$(DESTDIR)$(PREFIX)"

# Print the ordgrad.pc this configuration would install (scripts/checks/install.sh reads it).
pkgconfig:
	@$(PC)

demo: all
	./$(BIN) demo

# GNU time (/usr/bin/time -v) gives the streaming run's peak RSS; the data-parallel part
# runs the MPI build (docs/distributed.md).
bench: all
	@bash scripts/install-deps.sh time libopenmpi-dev openmpi-bin
	bash scripts/bench.sh $(BIN)
	@$(MAKE) --no-print-directory MPI=1 bin
	bash scripts/bench_mpi.sh $(BUILD)-mpi/ordgrad

# The reference recipe on Fashion-MNIST (Debian's dataset-fashion-mnist), then eval.
fashion: all
	@bash scripts/install-deps.sh dataset-fashion-mnist
	./$(BIN) train --data fashion-mnist --model fashion-cnn --loss ce --optimizer sgd --lr 0.05 \
	  --momentum 0.9 --batch 64 --epochs 3 --seed $(or $(SEED),0) --out runs/fashion-seed$(or $(SEED),0)
	./$(BIN) eval --model runs/fashion-seed$(or $(SEED),0)/model.ogm --data fashion-mnist:test --json

loc:
	@wc -l core/*.h core/*.cpp core/ops/*.cpp | tail -n 1 | awk '{print "core/: " $$1 " lines"}'
	@cat $(LIB_SRC) $(APP_SRC) $(wildcard */*.h) | wc -l | awk '{print "all but tests/: " $$1 " lines"}'

clean:
	rm -rf build ordgrad

include fuzz/fuzz.mk

-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
