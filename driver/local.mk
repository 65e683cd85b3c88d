# driver/local.mk: the dnnc program: the command line and one file per mode
# (--train/--eval, --diagnose, --repair, --mutate), on top of every layer.
dnnc_SOURCES = driver/driver.c driver/driver.h driver/mode_train.c \
	driver/mode_diagnose.c driver/mode_repair.c driver/mode_mutate.c
