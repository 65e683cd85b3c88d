/* safetensors.h: saving and loading a network's weights as safetensors.
 *
 * The format (huggingface safetensors): an 8-byte little-endian header length
 * N, N bytes of JSON mapping each tensor name to {"dtype", "shape",
 * "data_offsets": [begin, end]} (offsets into the data that follows), and the
 * raw little-endian data.  dnnc writes F32 tensors named "<layer>.<what>"
 * ("fc1.kernel", "bn.moving_mean") in Keras layouts (net.h), so PyTorch and
 * NumPy tools read them directly.  Loading checks everything against the
 * network before changing anything: a malformed, truncated or mismatched file
 * leaves the weights untouched and explains what is wrong.
 */
#ifndef DNNC_RT_SAFETENSORS_H
#define DNNC_RT_SAFETENSORS_H

#include <stddef.h>

#include "net.h"

/* Writes every parameter of NET to PATH.  Returns 0, or -1 with ERR set. */
int rt_safetensors_save(const rt_net *net, const char *path, char *err, size_t errsize);

/* Reads every parameter of NET from PATH.  Returns 0, or -1 with ERR set and
 * NET unchanged. */
int rt_safetensors_load(rt_net *net, const char *path, char *err, size_t errsize);

#endif
