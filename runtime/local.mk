# runtime/local.mk: the runtime (tensors, layers, losses, optimisers, training).
# Data loaders are in data.mk.
libdnnc_a_SOURCES += \
	runtime/act.c runtime/act.h \
	runtime/blas.c runtime/blas.h \
	runtime/conv.h runtime/conv_direct.c runtime/conv_im2col.c \
	runtime/init.c runtime/init.h \
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
