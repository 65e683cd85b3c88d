# passes/local.mk: passes files.
