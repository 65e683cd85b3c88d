# tests/local.mk: the test programs and scripts run by make check.
