# runtime/data.mk: dataset loaders, generators and preprocessing.
libdnnc_a_SOURCES += runtime/data.c runtime/data.h runtime/idx.c runtime/idx.h \
	runtime/csv.c runtime/csv.h runtime/generate.c runtime/generate.h
