# tests/runtime.mk: C tests of the runtime (gradient checks, optimisers,
# safetensors, end-to-end training).  Each program prints what it checks and
# exits non-zero on failure.
RT_TEST_UTIL = tests/runtime/testutil.c tests/runtime/testutil.h $(TEST_HARNESS)
RT_TEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(srcdir)/tests/runtime

check_PROGRAMS += tests/runtime/test_gradients
tests_runtime_test_gradients_SOURCES = tests/runtime/test_gradients.c $(RT_TEST_UTIL)
tests_runtime_test_gradients_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_gradients_LDADD = $(DNNC_LIBS)

TESTS += tests/runtime/test_gradients

check_PROGRAMS += tests/runtime/test_optim tests/runtime/test_train tests/runtime/test_safetensors
tests_runtime_test_optim_SOURCES = tests/runtime/test_optim.c $(RT_TEST_UTIL)
tests_runtime_test_optim_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_optim_LDADD = $(DNNC_LIBS)
tests_runtime_test_train_SOURCES = tests/runtime/test_train.c $(RT_TEST_UTIL)
tests_runtime_test_train_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_train_LDADD = $(DNNC_LIBS)
tests_runtime_test_safetensors_SOURCES = tests/runtime/test_safetensors.c $(RT_TEST_UTIL)
tests_runtime_test_safetensors_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_safetensors_LDADD = $(DNNC_LIBS)
TESTS += tests/runtime/test_optim tests/runtime/test_train tests/runtime/test_safetensors

# The command line (needs ./dnnc; TAP, like the other .sh tests).
TESTS += tests/runtime/train_cli.sh
EXTRA_DIST += tests/runtime/train_cli.sh

check_PROGRAMS += tests/runtime/test_init
tests_runtime_test_init_SOURCES = tests/runtime/test_init.c $(RT_TEST_UTIL)
tests_runtime_test_init_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_init_LDADD = $(DNNC_LIBS)
TESTS += tests/runtime/test_init

# Kernel sets (runtime/kernels.h): the sets agree with each other, and the
# gradient, optimiser and training tests pass under each set this CPU runs.
check_PROGRAMS += tests/runtime/test_kernels
tests_runtime_test_kernels_SOURCES = tests/runtime/test_kernels.c $(RT_TEST_UTIL)
tests_runtime_test_kernels_CPPFLAGS = $(RT_TEST_CPPFLAGS)
tests_runtime_test_kernels_LDADD = $(DNNC_LIBS)
TESTS += tests/runtime/test_kernels tests/runtime/kernel_sets.sh
EXTRA_DIST += tests/runtime/kernel_sets.sh
