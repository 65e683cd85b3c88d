# passes/diagnose/local.mk: fault localisation (`dnnc --diagnose`): the
# static rules, the dynamic symptoms and the ranking.
libdnnc_a_SOURCES += \
	passes/diagnose/diagnose.c passes/diagnose/diagnose.h passes/diagnose/diagnose_int.h \
	passes/diagnose/diagnose_facts.c passes/diagnose/diagnose_find.c passes/diagnose/diagnose_work.c \
	passes/diagnose/rules_output.c passes/diagnose/rules_activation.c passes/diagnose/rules_weights.c \
	passes/diagnose/rules_structure.c passes/diagnose/rules_training.c passes/diagnose/rules_data.c \
	passes/diagnose/rules_geometry.c passes/diagnose/rules_batchnorm.c \
	passes/diagnose/symptoms.c passes/diagnose/symptoms_map.c \
	passes/diagnose/probe.c passes/diagnose/probe.h \
	passes/diagnose/rank.c
