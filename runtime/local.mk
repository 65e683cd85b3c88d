# runtime/local.mk: runtime files.
