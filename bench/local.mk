# bench/local.mk: bench files.
