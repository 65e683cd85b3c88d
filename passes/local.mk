# passes/local.mk: analysis, repair and mutation passes and their modes
# (the files are listed in passes/diagnose.mk and passes/repair.mk).
