# passes/repair/local.mk: repair (dnnc --repair) and mutation (dnnc --mutate):
# change records, repair passes, IR diff, source patcher, statistics, parallel
# trainings, minimisation, the report; the search strategies are in search/.
libdnnc_a_SOURCES += \
	passes/repair/change.c passes/repair/change.h \
	passes/repair/rewrite.c passes/repair/rewrite.h \
	passes/repair/rewrite_act.c passes/repair/rewrite_recipe.c passes/repair/rewrite_arch.c \
	passes/repair/rewrite_weights.c passes/repair/rewrite_data.c passes/repair/rewrite_geometry.c \
	passes/repair/repair_cost.c passes/repair/repair_cost.h passes/repair/repair_data.c \
	passes/repair/repair_reference.c \
	passes/repair/repair_journal.c passes/repair/repair_journal.h \
	passes/repair/repair_stop.c passes/repair/repair_stop.h \
	passes/repair/stats.c passes/repair/stats.h \
	passes/repair/irdiff.c passes/repair/irdiff.h passes/repair/patch.c passes/repair/patch.h \
	passes/repair/pool.c passes/repair/pool.h passes/repair/repair.c passes/repair/repair.h \
	passes/repair/minimize.c passes/repair/minimize.h \
	passes/repair/repair_report.c passes/repair/repair_report.h \
	passes/repair/mutate.c passes/repair/mutate.h \
	passes/repair/search/search.c passes/repair/search/search.h \
	passes/repair/search/search_guided.c passes/repair/search/search_random.c \
	passes/repair/search/search_bohb.c passes/repair/search/search_autotrainer.c \
	passes/repair/search/search_space.c passes/repair/search/search_space.h
