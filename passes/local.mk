# passes/local.mk: the contract shared by diagnosis and repair (the pass
# table, the suspect list); the passes themselves are in passes/diagnose/
# and passes/repair/.
libdnnc_a_SOURCES += \
	passes/pass.c passes/pass.h \
	passes/suspect.c passes/suspect.h
