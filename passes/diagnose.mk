# passes/diagnose.mk: fault localisation (`dnnc --diagnose`): the pass table,
# the static rules, the dynamic symptoms, the ranking, and their tests.
libdnnc_a_SOURCES += \
	passes/pass.c passes/pass.h \
	passes/suspect.c passes/suspect.h \
	passes/diagnose.c passes/diagnose.h passes/diagnose_int.h \
	passes/diagnose_facts.c passes/diagnose_find.c \
	passes/rules_output.c passes/rules_activation.c passes/rules_weights.c \
	passes/rules_structure.c passes/rules_training.c passes/rules_data.c \
	passes/symptoms.c passes/symptoms_map.c \
	passes/rank.c \
	passes/mode_diagnose.c
