# sluice: build, test, demo.  See README.md.
#
#   make          build/sluice, build/libsluice.a and the man pages
#                 build/sluice.ini.5 and build/sluice-outputs.5
#   make check    every Criterion test, again under ASan+UBSan, the demo under
#                 ASan+UBSan, one run under valgrind, 250 stress seeds per
#                 shipped config, the fuzz corpora, and a program built
#                 against an installed sluice (check-embed)
#   make demo     run workloads/default.ini into results/demo/, plots, report
#   make deps     install missing Debian packages (apt-get, only if missing)
#   make install  PREFIX=/usr/local (and DESTDIR): the CLI, both libraries
#                 (make builds the shared one, build/libsluice.so, too), the
#                 headers in include/sluice/, sluice.pc, the man pages

CC      ?= cc
PREFIX  ?= /usr/local
VERSION := 0.1.0

PKGS     := gsl inih
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror
DEFS     := -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DSLUICE_VERSION=\"$(VERSION)\"
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(PKG_CFLAGS) -Isim -MMD -MP
LDLIBS   = $(PKG_LIBS) -lcsv -lm
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The library: every .c under the layer folders of sim/ (sim/README.md);
# sim/main.c and sim/sluice_mpi.c are the two programs.
LIB_SRC  := $(sort $(wildcard sim/*/*.c sim/*/*/*.c))
LIB_OBJ  := $(LIB_SRC:sim/%.c=build/obj/%.o)
# ar keeps one member per file name, so two sources of one name in
# different folders would silently lose one of them from libsluice.a.
LIB_NAMES := $(notdir $(LIB_SRC))
ifneq ($(words $(LIB_NAMES)),$(words $(sort $(LIB_NAMES))))
$(error two library sources share a file name (ar would keep only one): $(sort $(foreach n,$(LIB_NAMES),$(if $(filter-out 1,$(words $(filter $(n),$(LIB_NAMES)))),$(n)))))
endif
ASAN_OBJ := $(LIB_SRC:sim/%.c=build/asan/obj/%.o)
# Every tests/*.c: the test_*.c suites and tests/util.c, the helpers they
# share (in build/test_sluice and build/asan/test_sluice alike).
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=build/obj/tests/%.o)
ASAN_TEST_OBJ := $(TEST_SRC:tests/%.c=build/asan/obj/tests/%.o)

# Debian packages: `deps` for building and running (make, make demo),
# `deps-test` adds what the tests need (make check).  Each installs only
# what is missing; a non-root user is told the command to run instead.
# Targets that need packages install them first and then build in a new
# make ($(MAKE) in the recipe, so it shares -j): only that one evaluates
# pkg-config (PKG_CFLAGS, PKG_LIBS) and starts compiling, so with -j no
# compile races the install.
APT_INSTALL = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "make: missing Debian packages; run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

.PHONY: all deps deps-test check test test-asan demo install clean mpi stress
all: deps
	@$(MAKE) --no-print-directory build/sluice build/libsluice.a $(SO_BUILD) build/sluice.ini.5 \
	  build/sluice-outputs.5

deps:
	@missing=""; \
	command -v cc >/dev/null 2>&1 || missing="$$missing build-essential"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	pkg-config --exists gsl 2>/dev/null || missing="$$missing libgsl-dev"; \
	pkg-config --exists inih 2>/dev/null || missing="$$missing libinih-dev"; \
	[ -f /usr/include/csv.h ] || missing="$$missing libcsv-dev"; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	$(APT_INSTALL)

deps-test: deps
	@missing=""; \
	pkg-config --exists criterion 2>/dev/null || missing="$$missing libcriterion-dev"; \
	command -v $(CXX) >/dev/null 2>&1 || missing="$$missing g++"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v mpicc >/dev/null 2>&1 || missing="$$missing libopenmpi-dev"; \
	command -v mpirun >/dev/null 2>&1 || missing="$$missing openmpi-bin"; \
	command -v valgrind >/dev/null 2>&1 || missing="$$missing valgrind"; \
	$(APT_INSTALL)

build/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
build/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags criterion) -c $< -o $@
build/asan/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -c $< -o $@
build/asan/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) $(shell pkg-config --cflags criterion) -c $< -o $@

build/libsluice.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/sluice: build/obj/main.o build/libsluice.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
build/test_sluice: $(TEST_OBJ) build/libsluice.a
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs criterion) $(LDLIBS)

build/asan/libsluice.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/asan/sluice: build/asan/obj/main.o build/asan/libsluice.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)
build/asan/test_sluice: $(ASAN_TEST_OBJ) build/asan/libsluice.a
	$(CC) $(SAN) -o $@ $^ $(shell pkg-config --libs criterion) $(LDLIBS)

# MPI sweeps: build/sluice-mpi (mpicc from libopenmpi-dev).
MPICC ?= mpicc
mpi: deps-test
	@$(MAKE) --no-print-directory build/sluice-mpi
build/obj/sluice_mpi.o: sim/sluice_mpi.c
	@mkdir -p $(dir $@)
	$(MPICC) $(ALL_CFLAGS) -c $< -o $@
build/sluice-mpi: build/obj/sluice_mpi.o build/libsluice.a
	$(MPICC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Tests run from the top folder; SLUICE_BIN is the CLI they drive,
# SLUICE_MPI_BIN the MPI sweep front end.  `make check` builds everything
# (in parallel with -j), then runs the steps below one after the other; a
# failure names its step.  Each step is a target of its own (it expects
# the packages installed: `make deps-test`).
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1
CHECK_BUILD := build/sluice build/test_sluice build/sluice-mpi build/asan/sluice \
	build/asan/test_sluice
CHECK_STEPS := check-unit check-asan check-demo-asan check-valgrind check-stress
# The shipped configurations: what check-stress and `make stress` hunt over.
STRESS_CONFIGS := $(wildcard workloads/*.ini) $(wildcard workloads/sweeps/*_base.ini)
CHECK_STRESS_SEEDS ?= 250
# check-stress runs the two costliest configs for a quarter of their
# run.duration (whole, they take 3/4 of its time); make stress runs them whole.
CHECK_STRESS_SHORT := workloads/sweeps/skew_base.ini:30 workloads/sweeps/checkpoint_base.ini:1800
check_stress_set = $(foreach p,$(CHECK_STRESS_SHORT),$(if $(filter $1:%,$p),--set run.duration=$(lastword $(subst :, ,$p))))
.PHONY: $(CHECK_STEPS)

check: deps-test
	@$(MAKE) --no-print-directory $(CHECK_BUILD)
	@for step in $(CHECK_STEPS); do $(MAKE) --no-print-directory $$step || exit 1; done
test: deps-test
	@$(MAKE) --no-print-directory check-unit
test-asan: deps-test
	@$(MAKE) --no-print-directory check-asan

check-unit: build/sluice build/test_sluice build/sluice-mpi
	SLUICE_BIN=build/sluice SLUICE_MPI_BIN=build/sluice-mpi build/test_sluice --jobs 2
check-asan: build/asan/sluice build/asan/test_sluice build/sluice-mpi
	$(ASAN_ENV) SLUICE_BIN=build/asan/sluice SLUICE_MPI_BIN=build/sluice-mpi \
	  build/asan/test_sluice --jobs 2
# The demo (run, plots, report) under ASan+UBSan, leaks included.
check-demo-asan: build/asan/sluice
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	echo "$(ASAN_ENV) build/asan/sluice run workloads/default.ini --out $$d/demo --report" && \
	$(ASAN_ENV) build/asan/sluice run workloads/default.ini --out $$d/demo --report
# One short run with crashes and checkpoints under valgrind (memcheck).
check-valgrind: build/sluice
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	cmd="valgrind -q --leak-check=full --error-exitcode=1 build/sluice run workloads/faults.ini \
	  --set run.duration=600 --out $$d/faults" && echo "$$cmd" && $$cmd
# CHECK_STRESS_SEEDS seeds of every shipped config; a failing seed prints
# the command that replays it.
check-stress: build/sluice
	@$(foreach f,$(STRESS_CONFIGS),\
	  echo "$(strip build/sluice stress $f --seeds $(CHECK_STRESS_SEEDS) --jobs 2 $(call check_stress_set,$f))" && \
	  build/sluice stress $f --seeds $(CHECK_STRESS_SEEDS) --jobs 2 $(call check_stress_set,$f) &&) true

# A longer hunt for invariant violations: STRESS_SEEDS seeds of every
# shipped config and of the small stress-test config under both sink
# guarantees (about 18 hours on 2 cores for the default; see tests/README.md).
STRESS_SEEDS ?= 100000
STRESS_JOBS  ?= 2
stress: deps
	@$(MAKE) --no-print-directory build/sluice
	@for f in $(STRESS_CONFIGS) tests/data/stress/small.ini; do \
	  echo "build/sluice stress $$f --seeds $(STRESS_SEEDS) --jobs $(STRESS_JOBS)"; \
	  build/sluice stress $$f --seeds $(STRESS_SEEDS) --jobs $(STRESS_JOBS) || exit 1; \
	done
	build/sluice stress tests/data/stress/small.ini --seeds $(STRESS_SEEDS) --jobs $(STRESS_JOBS) \
	  --set stream.guarantee=at_least_once

# The man page of the configuration file, from model/config.c's key table,
# and that of the result files, from measure/columns.c's column table.
build/sluice.ini.5: build/sluice
	build/sluice config --man > $@.tmp && mv $@.tmp $@
build/sluice-outputs.5: build/sluice
	build/sluice config --outputs-man > $@.tmp && mv $@.tmp $@

demo: deps
	@$(MAKE) --no-print-directory build/sluice
	build/sluice run workloads/default.ini --out results/demo --report
	@echo "open results/demo/report.html"

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/sluice $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 build/sluice $(DESTDIR)$(PREFIX)/bin/sluice
	install -m 644 build/libsluice.a $(DESTDIR)$(PREFIX)/lib/libsluice.a
	install -m 755 build/$(SO_FILE) $(DESTDIR)$(PREFIX)/lib/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(PREFIX)/lib/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(PREFIX)/lib/libsluice.so
	install -m 644 sim/sluice.h $(DESTDIR)$(PREFIX)/include/sluice/sluice.h
	for h in $(patsubst sim/%,%,$(wildcard sim/*/*.h sim/*/*/*.h)); do \
	  install -D -m 644 sim/$$h $(DESTDIR)$(PREFIX)/include/sluice/$$h || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' sim/sluice.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sluice.pc
	install -m 644 sim/sluice.1 $(DESTDIR)$(PREFIX)/share/man/man1/sluice.1
	install -m 644 build/sluice.ini.5 $(DESTDIR)$(PREFIX)/share/man/man5/sluice.ini.5
	install -m 644 build/sluice-outputs.5 $(DESTDIR)$(PREFIX)/share/man/man5/sluice-outputs.5
	install -d $(DESTDIR)$(PREFIX)/share/sluice/reports
	cp -R reports/. $(DESTDIR)$(PREFIX)/share/sluice/reports/

# The shared library (issue 15): build/libsluice.so.$(VERSION), soname
# libsluice.so.$(SO_MAJOR), with the links libsluice.so.$(SO_MAJOR) and
# libsluice.so beside it.  Its objects are position-independent copies of
# the library's in build/pic/, so build/libsluice.a and build/sluice are
# the same bytes with or without it.  It is linked against gsl, inih and
# libm (and refuses undefined symbols), so `pkg-config --libs sluice`
# (-lsluice alone) links; `--static` adds what libsluice.a needs.
SO_MAJOR := $(firstword $(subst ., ,$(VERSION)))
SO_NAME  := libsluice.so.$(SO_MAJOR)
SO_FILE  := libsluice.so.$(VERSION)
SO_BUILD := build/$(SO_FILE) build/$(SO_NAME) build/libsluice.so
PIC_OBJ  := $(LIB_SRC:sim/%.c=build/pic/obj/%.o)
build/pic/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@
build/$(SO_FILE): $(PIC_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SO_NAME) -Wl,--no-undefined -o $@ $^ $(LDLIBS)
build/$(SO_NAME): build/$(SO_FILE)
	ln -sf $(SO_FILE) $@
build/libsluice.so: build/$(SO_NAME)
	ln -sf $(SO_NAME) $@
-include $(PIC_OBJ:.o=.d)

# check-embed (a step of make check): installs into a temporary DESTDIR
# with PREFIX=/usr/local, builds tests/embed/example.c against that tree
# with pkg-config, shared and --static, as C and as C++, runs each and
# compares its figures and files with those of `sluice run` (see
# tests/embed/check.sh).
.PHONY: check-embed
check-embed:
	MAKE="$(MAKE)" CC="$(CC)" CXX="$(CXX)" sh tests/embed/check.sh
CHECK_BUILD += $(SO_BUILD)
CHECK_STEPS += check-embed

# Lab graders (workloads/labs/09-watermark, 10-trigger): make lab-grade
# LAB=watermark|trigger [SRC=file.c] builds the student's file with
# warnings as errors, links it with tests/labs/grade_LAB.c and runs it
# (tests/labs/grade.sh).  SRC defaults to the lab's skeleton.
LAB ?= watermark
LAB_SRC_watermark := workloads/labs/09-watermark/my_watermark.c
LAB_SRC_trigger   := workloads/labs/10-trigger/my_trigger.c
LAB_OBJ := build/labs/obj/grade.o build/labs/obj/grade_watermark.o build/labs/obj/grade_trigger.o
build/labs/obj/%.o: tests/labs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/labs -c $< -o $@
.PHONY: lab-grade
lab-grade: deps
	@$(MAKE) --no-print-directory build/libsluice.a $(LAB_OBJ)
	@CC="$(CC)" sh tests/labs/grade.sh $(LAB) $(or $(SRC),$(LAB_SRC_$(LAB)))
CHECK_BUILD += $(LAB_OBJ) build/labs/answers
# The numbers quoted in every workloads/labs/*/ANSWERS.md are recomputed
# (tests/labs/answers.c): check-labs fails on a stale one, labs-answers
# rewrites them (then review the diff and commit).
LAB_SHEETS := $(wildcard workloads/labs/*/ANSWERS.md)
build/labs/answers: build/labs/obj/answers.o build/libsluice.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
.PHONY: labs-answers check-labs
labs-answers: deps
	@$(MAKE) --no-print-directory build/sluice build/labs/answers
	build/labs/answers --update $(LAB_SHEETS)
check-labs: build/sluice build/labs/answers
	SLUICE_BIN=build/sluice build/labs/answers --check $(LAB_SHEETS)
CHECK_STEPS += check-labs
check-unit check-asan: $(LAB_OBJ) build/labs/answers

# Benchmarks (issue 10): build/bench/bench measures the six figures of
# the Performance section and prints them as a table.  A missed target
# never fails the build.  SimPy 2 (python3-simpy) is installed when
# missing (root only; otherwise figure 2 is reported as n/a).
BENCH_PYTHON ?= /usr/bin/python3
BENCH_ARGS   ?=
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_OBJ := $(BENCH_SRC:tests/bench/%.c=build/bench/obj/%.o)
.PHONY: bench
build/bench/obj/%.o: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/bench -c $< -o $@
build/bench/bench: $(BENCH_OBJ) build/libsluice.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
bench: deps
	@$(MAKE) --no-print-directory build/bench/bench
	@missing=""; \
	$(BENCH_PYTHON) -c 'import SimPy.Simulation' 2>/dev/null || missing=" python3-simpy"; \
	( $(APT_INSTALL) ) || true
	build/bench/bench --python $(BENCH_PYTHON) $(BENCH_ARGS)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(ASAN_TEST_OBJ:.o=.d) build/obj/main.d
-include $(BENCH_OBJ:.o=.d)
-include $(LAB_OBJ:.o=.d) build/labs/obj/answers.d

# Fuzzing (issue 14): libFuzzer targets tests/fuzz/fuzz_<t>.c.  `make fuzz`
# builds build/fuzz/<t> with clang (-fsanitize=fuzzer,address,undefined)
# and runs each for FUZZ_SECONDS on a copy of its corpus in build/fuzz/work
# (findings go to build/fuzz/artifacts/).  `make fuzz-merge` adds to
# tests/fuzz/corpus/ the fewest work-corpus inputs that reach new edges
# (libFuzzer -set_cover_merge -use_counters=0; opt-in: it writes the tree).
# `make check` replays the corpora with build/fuzz-replay/<t> (the normal
# compiler, ASan+UBSan, tests/fuzz/replay.c as main): no clang needed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := cfg set trace wm sweep sim
FUZZ_OPTS    ?= -timeout=10 -rss_limit_mb=2048
FUZZ_MAXLEN_cfg := 4096
FUZZ_MAXLEN_set := 1024
FUZZ_MAXLEN_trace := 4096
FUZZ_MAXLEN_wm := 2048
FUZZ_MAXLEN_sweep := 2048
FUZZ_MAXLEN_sim := 2048
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ := $(LIB_SRC:sim/%.c=build/fuzz/obj/%.o)
.PHONY: fuzz fuzz-run fuzz-deps fuzz-merge fuzz-replay check-fuzz-replay
fuzz-deps: deps
	@missing=""; \
	command -v $(FUZZ_CC) >/dev/null 2>&1 || missing="$$missing clang"; \
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' \
	  | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 || missing="$$missing libclang-rt-dev"; \
	$(APT_INSTALL)
build/fuzz/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/obj/fuzz_%.o: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/libsluice.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: build/fuzz/obj/fuzz_%.o build/fuzz/libsluice.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# Packages first, then a new make builds (as for check: no compile races apt).
fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-run
fuzz-run: $(FUZZ_TARGETS:%=build/fuzz/%)
	@mkdir -p build/fuzz/artifacts
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf build/fuzz/work/$$t && mkdir -p build/fuzz/work && cp -R tests/fuzz/corpus/$$t build/fuzz/work/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	  build/fuzz/$$t $(FUZZ_OPTS) -max_len=$$(case $$t in cfg) echo $(FUZZ_MAXLEN_cfg);; \
	    set) echo $(FUZZ_MAXLEN_set);; trace) echo $(FUZZ_MAXLEN_trace);; wm) echo $(FUZZ_MAXLEN_wm);; \
	    sweep) echo $(FUZZ_MAXLEN_sweep);; *) echo $(FUZZ_MAXLEN_sim);; esac) \
	    -dict=tests/fuzz/$$t.dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/artifacts/$$t- build/fuzz/work/$$t || exit 1; \
	done
fuzz-merge: $(FUZZ_TARGETS:%=build/fuzz/%)
	@for t in $(FUZZ_TARGETS); do \
	  [ -d build/fuzz/work/$$t ] || continue; \
	  build/fuzz/$$t -set_cover_merge=1 -use_counters=0 $(FUZZ_OPTS) tests/fuzz/corpus/$$t build/fuzz/work/$$t || exit 1; \
	done

build/fuzz-replay/obj/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -c $< -o $@
build/fuzz-replay/%: build/fuzz-replay/obj/fuzz_%.o build/fuzz-replay/obj/replay.o build/asan/libsluice.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)
fuzz-replay: deps
	@$(MAKE) --no-print-directory check-fuzz-replay
check-fuzz-replay: $(FUZZ_TARGETS:%=build/fuzz-replay/%)
	@for t in $(FUZZ_TARGETS); do \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
	  build/fuzz-replay/$$t tests/fuzz/corpus/$$t || exit 1; \
	done
CHECK_BUILD += $(FUZZ_TARGETS:%=build/fuzz-replay/%)
CHECK_STEPS += check-fuzz-replay
.SECONDARY: $(FUZZ_TARGETS:%=build/fuzz/obj/fuzz_%.o) $(FUZZ_TARGETS:%=build/fuzz-replay/obj/fuzz_%.o) \
  build/fuzz-replay/obj/replay.o
-include $(FUZZ_OBJ:.o=.d) $(FUZZ_TARGETS:%=build/fuzz/obj/fuzz_%.d) $(FUZZ_TARGETS:%=build/fuzz-replay/obj/fuzz_%.d) build/fuzz-replay/obj/replay.d
