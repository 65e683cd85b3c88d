# tests/local.mk: the front-end tests run by make check.
# Shell tests (.sh) speak TAP, so each of their checks counts in the summary.
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = DNNC=$(abs_top_builddir)/dnnc; export DNNC; \
	DNNC_EXTERN_DIR=$(abs_top_builddir)/examples/extern; export DNNC_EXTERN_DIR; \
	ASAN_OPTIONS=exitcode=99:detect_leaks=1; export ASAN_OPTIONS; \
	UBSAN_OPTIONS=halt_on_error=1:exitcode=98:print_stacktrace=1; export UBSAN_OPTIONS;

# The one check harness of the C tests (tests/check.h), in every test program;
# each area's fixtures add their own folder to the include path.
TEST_HARNESS = tests/check.c tests/check.h
TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests

check_PROGRAMS += tests/fuzz_frontend
tests_fuzz_frontend_SOURCES = tests/fuzz_frontend.c $(TEST_HARNESS)
tests_fuzz_frontend_CPPFLAGS = $(TEST_CPPFLAGS)
tests_fuzz_frontend_LDADD = $(DNNC_LIBS)

TESTS += tests/golden.sh tests/cli.sh tests/man_examples.sh tests/user_fn.sh tests/extern_optin.sh \
	tests/extern_roles.sh tests/examples_valid.sh tests/fuzz_frontend
EXTRA_DIST += tests/tap.sh tests/golden.sh tests/golden tests/cli.sh tests/man_examples.sh tests/user_fn.sh tests/extern_optin.sh \
	tests/extern_roles.sh tests/examples_valid.sh examples/healthy

update-golden: dnnc tests/repair/golden_passes
	DNNC=$(abs_top_builddir)/dnnc srcdir=$(srcdir) $(SHELL) $(srcdir)/tests/golden.sh --update
	DNNC=$(abs_top_builddir)/dnnc srcdir=$(srcdir) $(SHELL) $(srcdir)/tests/repair/golden_passes.sh --update
.PHONY: update-golden

# The example library of examples/extern/ (user functions in every role),
# built by `make` and `make check` without libtool: a plain shared object
# that the examples and tests load through LD_LIBRARY_PATH.
EXTERN_LIB = examples/extern/libdnnc_extern.so
noinst_DATA = $(EXTERN_LIB)
CLEANFILES += $(EXTERN_LIB)
EXTRA_DIST += examples/extern
$(EXTERN_LIB): $(srcdir)/examples/extern/extern_fns.c
	@$(MKDIR_P) examples/extern
	$(AM_V_CC)$(CC) -std=c11 $(WARN_CFLAGS) -O2 -fPIC -shared -o $@ $(srcdir)/examples/extern/extern_fns.c -lm
