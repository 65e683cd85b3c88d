# runtime/local.mk: the runtime (tensors, layers, losses, optimisers, training).
# Data loaders are in data.mk.
libdnnc_a_SOURCES += \
	runtime/act.c runtime/act.h \
	runtime/blas.c runtime/blas.h \
	runtime/conv.h runtime/conv_im2col.c \
	runtime/init.c runtime/init.h \
	runtime/kernels.c runtime/kernels.h \
	runtime/layer.c runtime/layer.h runtime/layer_batchnorm.c runtime/layer_conv.c \
	runtime/layer_dense.c runtime/layer_dropout.c runtime/layer_pool.c \
	runtime/layer_shape.c \
	runtime/loss.c runtime/loss.h \
	runtime/mem.c runtime/mem.h \
	runtime/monitor.c runtime/monitor.h \
	runtime/net.c runtime/net.h \
	runtime/optim.c runtime/optim.h \
	runtime/progress.c runtime/progress.h \
	runtime/result.h \
	runtime/safetensors.c runtime/safetensors.h \
	runtime/rng.c runtime/rng.h \
	runtime/simd.h \
	runtime/target.c runtime/target.h \
	runtime/train.c runtime/train.h \
	runtime/workers.c runtime/workers.h \
	runtime/user_fn.c runtime/user_fn.h

# The kernel sources (runtime/kernels.h), compiled once per kernel set into
# objects whose functions carry the set's name, all of them in libdnnc.a;
# kernels.c picks a set at start-up.  A set's instruction-set flags are
# appended to CFLAGS for its objects only (GNU make target-specific
# variables), so that they win over any -march in the user's CFLAGS; the
# baseline set is compiled with the build's CFLAGS as they are.
RT_KERNEL_SOURCES = runtime/conv_direct.c runtime/layer_kernels.c runtime/optim_kernels.c \
	runtime/rng_kernels.c
noinst_LIBRARIES += runtime/libkernels_baseline.a
runtime_libkernels_baseline_a_SOURCES = $(RT_KERNEL_SOURCES)
runtime_libkernels_baseline_a_CPPFLAGS = $(AM_CPPFLAGS) -DRT_KERNEL_SET=baseline
libdnnc_a_LIBADD = $(runtime_libkernels_baseline_a_OBJECTS)
if DNNC_X86_KERNEL_SETS
noinst_LIBRARIES += runtime/libkernels_avx2.a runtime/libkernels_avx512.a
runtime_libkernels_avx2_a_SOURCES = $(RT_KERNEL_SOURCES)
runtime_libkernels_avx2_a_CPPFLAGS = $(AM_CPPFLAGS) -DRT_KERNEL_SET=avx2
$(runtime_libkernels_avx2_a_OBJECTS): CFLAGS += $(DNNC_AVX2_CFLAGS)
runtime_libkernels_avx512_a_SOURCES = $(RT_KERNEL_SOURCES)
runtime_libkernels_avx512_a_CPPFLAGS = $(AM_CPPFLAGS) -DRT_KERNEL_SET=avx512
$(runtime_libkernels_avx512_a_OBJECTS): CFLAGS += $(DNNC_AVX512_CFLAGS)
libdnnc_a_LIBADD += $(runtime_libkernels_avx2_a_OBJECTS) $(runtime_libkernels_avx512_a_OBJECTS)
endif
# (automake does not see through the variables to make them prerequisites)
EXTRA_libdnnc_a_DEPENDENCIES = $(libdnnc_a_LIBADD)
