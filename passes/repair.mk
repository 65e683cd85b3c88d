# passes/repair.mk: repair (dnnc --repair) and mutation (dnnc --mutate):
# change records, repair passes, IR diff, source patcher, statistics, parallel
# trainings, search strategies, minimisation, and their tests.
libdnnc_a_SOURCES += \
	passes/change.c passes/change.h \
	passes/rewrite.c passes/rewrite.h passes/rewrite_passes.h \
	passes/rewrite_act.c passes/rewrite_recipe.c passes/rewrite_arch.c \
	passes/rewrite_weights.c passes/rewrite_data.c passes/rewrite_geometry.c passes/rewrite_table.c \
	passes/repair_suspects.c passes/repair_suspects.h \
	passes/repair_cost.c passes/repair_cost.h passes/repair_data.c passes/repair_reference.c \
	passes/repair_journal.c passes/repair_journal.h passes/repair_stop.c passes/repair_stop.h \
	passes/stats.c passes/stats.h \
	passes/irdiff.c passes/irdiff.h passes/patch.c passes/patch.h \
	passes/pool.c passes/pool.h passes/repair.c passes/repair.h \
	passes/search.c passes/search.h passes/search_guided.c passes/search_random.c \
	passes/search_bohb.c passes/search_autotrainer.c passes/search_space.c passes/search_space.h \
	passes/minimize.c passes/minimize.h passes/repair_report.c passes/repair_report.h \
	passes/mode_repair.c passes/mutate.c passes/mutate.h passes/mode_mutate.c

# ---- tests ----
REPAIR_TEST_UTIL = tests/repair/rtest.c tests/repair/rtest.h
REPAIR_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tests/repair
REPAIR_TESTS = tests/repair/test_rewrite tests/repair/test_stats \
	tests/repair/test_patch tests/repair/test_minimize tests/repair/test_user_act \
	tests/repair/test_cost
check_PROGRAMS += $(REPAIR_TESTS)
TESTS += $(REPAIR_TESTS) tests/repair/repair_e2e.sh tests/repair/mutate.sh tests/repair/journal.sh tests/repair/jobs.sh
EXTRA_DIST += tests/repair/repair_e2e.sh tests/repair/mutate.sh tests/repair/journal.sh tests/repair/jobs.sh
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
