# tests/diagnose.mk: tests of fault localisation (passes/diagnose/).
DX_TESTS = tests/diagnose/test_symptoms tests/diagnose/test_rank tests/diagnose/test_api \
	tests/diagnose/test_work
check_PROGRAMS += $(DX_TESTS)
TESTS += $(DX_TESTS) tests/diagnose/diagnose.sh
tests_diagnose_test_symptoms_SOURCES = tests/diagnose/test_symptoms.c $(TEST_HARNESS)
tests_diagnose_test_symptoms_CPPFLAGS = $(TEST_CPPFLAGS)
tests_diagnose_test_symptoms_LDADD = $(DNNC_LIBS)
tests_diagnose_test_rank_SOURCES = tests/diagnose/test_rank.c $(TEST_HARNESS)
tests_diagnose_test_rank_CPPFLAGS = $(TEST_CPPFLAGS)
tests_diagnose_test_rank_LDADD = $(DNNC_LIBS)
tests_diagnose_test_api_SOURCES = tests/diagnose/test_api.c $(TEST_HARNESS)
tests_diagnose_test_api_CPPFLAGS = $(TEST_CPPFLAGS)
tests_diagnose_test_api_LDADD = $(DNNC_LIBS)
tests_diagnose_test_work_SOURCES = tests/diagnose/test_work.c $(TEST_HARNESS)
tests_diagnose_test_work_CPPFLAGS = $(TEST_CPPFLAGS)
tests_diagnose_test_work_LDADD = $(DNNC_LIBS)
EXTRA_DIST += tests/diagnose/diagnose.sh tests/diagnose/cases examples/faults \
	bench/fault_localisation.sh
