# passes/diagnose.mk: fault localisation (`dnnc --diagnose`): the pass table,
# the static rules, the dynamic symptoms, the ranking, and their tests.
libdnnc_a_SOURCES += \
	passes/pass.c passes/pass.h \
	passes/suspect.c passes/suspect.h \
	passes/diagnose.c passes/diagnose.h passes/diagnose_int.h \
	passes/diagnose_facts.c passes/diagnose_find.c passes/diagnose_work.c \
	passes/rules_output.c passes/rules_activation.c passes/rules_weights.c \
	passes/rules_structure.c passes/rules_training.c passes/rules_data.c \
	passes/rules_geometry.c passes/rules_batchnorm.c \
	passes/symptoms.c passes/symptoms_map.c passes/probe.c passes/probe.h \
	passes/rank.c \
	passes/mode_diagnose.c

# ---- tests ----
DX_TESTS = tests/diagnose/test_symptoms tests/diagnose/test_rank tests/diagnose/test_api \
	tests/diagnose/test_work
check_PROGRAMS += $(DX_TESTS)
TESTS += $(DX_TESTS) tests/diagnose/diagnose.sh
tests_diagnose_test_symptoms_SOURCES = tests/diagnose/test_symptoms.c
tests_diagnose_test_symptoms_LDADD = $(DNNC_LIBS)
tests_diagnose_test_rank_SOURCES = tests/diagnose/test_rank.c
tests_diagnose_test_rank_LDADD = $(DNNC_LIBS)
tests_diagnose_test_api_SOURCES = tests/diagnose/test_api.c
tests_diagnose_test_api_LDADD = $(DNNC_LIBS)
tests_diagnose_test_work_SOURCES = tests/diagnose/test_work.c
tests_diagnose_test_work_LDADD = $(DNNC_LIBS)
EXTRA_DIST += tests/diagnose/diagnose.sh tests/diagnose/cases examples/faults \
	bench/fault_localisation.sh
