# tests/repair.mk: tests of repair and mutation (passes/repair/).
REPAIR_TEST_UTIL = tests/repair/rtest.c tests/repair/rtest.h $(TEST_HARNESS)
REPAIR_TEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(srcdir)/tests/repair
REPAIR_TESTS = tests/repair/test_rewrite tests/repair/test_stats \
	tests/repair/test_patch tests/repair/test_minimize tests/repair/test_user_act \
	tests/repair/test_cost
check_PROGRAMS += $(REPAIR_TESTS)
TESTS += $(REPAIR_TESTS) tests/repair/repair_e2e.sh tests/repair/mutate.sh tests/repair/golden_passes.sh tests/repair/journal.sh tests/repair/jobs.sh
EXTRA_DIST += tests/repair/repair_e2e.sh tests/repair/mutate.sh tests/repair/golden_passes.sh tests/golden/passes \
	tests/repair/journal.sh tests/repair/jobs.sh

# Golden IR-in/IR-out tests of the repair passes and the patcher: the tool
# prints one pass's edits on one program; golden_passes.sh compares.
check_PROGRAMS += tests/repair/golden_passes
tests_repair_golden_passes_SOURCES = tests/repair/golden_passes.c
tests_repair_golden_passes_LDADD = $(DNNC_LIBS)
tests_repair_test_rewrite_SOURCES = tests/repair/test_rewrite.c $(REPAIR_TEST_UTIL)
tests_repair_test_rewrite_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_rewrite_LDADD = $(DNNC_LIBS)
tests_repair_test_stats_SOURCES = tests/repair/test_stats.c $(REPAIR_TEST_UTIL)
tests_repair_test_stats_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_stats_LDADD = $(DNNC_LIBS)
tests_repair_test_patch_SOURCES = tests/repair/test_patch.c $(REPAIR_TEST_UTIL)
tests_repair_test_patch_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_patch_LDADD = $(DNNC_LIBS)
tests_repair_test_minimize_SOURCES = tests/repair/test_minimize.c $(REPAIR_TEST_UTIL)
tests_repair_test_minimize_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_minimize_LDADD = $(DNNC_LIBS)
tests_repair_test_user_act_SOURCES = tests/repair/test_user_act.c $(REPAIR_TEST_UTIL)
tests_repair_test_user_act_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_user_act_LDADD = $(DNNC_LIBS)
tests_repair_test_cost_SOURCES = tests/repair/test_cost.c $(REPAIR_TEST_UTIL)
tests_repair_test_cost_CPPFLAGS = $(REPAIR_TEST_CPPFLAGS)
tests_repair_test_cost_LDADD = $(DNNC_LIBS)
