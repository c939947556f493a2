/*
 * ctorch.h — the pure-C boundary between GPZ (Swift) and libtorch (C++).
 *
 * Contract of every entry point:
 *   - it never lets a C++ exception escape: each body catches std::exception and (...);
 *   - it checks every handle for NULL before use;
 *   - on failure it returns NULL (handle results) or -1 (int results) and leaves a
 *     message in a thread-local buffer, read with ctorch_last_error().
 * Tensors are opaque heap handles owned by the caller and released with ctorch_free().
 */
#ifndef CTORCH_H
#define CTORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ctorch_tensor ctorch_tensor;

/* Element types understood by the shim. */
enum { CT_FLOAT32 = 0, CT_FLOAT64 = 1, CT_INT64 = 2, CT_BOOL = 3 };

/* ---- errors and runtime ---- */
const char *ctorch_last_error(void);
int ctorch_set_num_threads(int n);
int ctorch_get_num_threads(void);
/* The libtorch version the shim was built against, e.g. "2.13.0". */
const char *ctorch_version(void);
/* What selects the kernels: CPU capability, MKL, oneDNN version (e.g. "cpu AVX512, MKL yes, oneDNN v3.12"). */
const char *ctorch_build_info(void);

/* ---- devices ---- */
enum { CT_CPU = 0, CT_CUDA = 1 };
/* Number of CUDA devices libtorch sees (0 in a CPU-only build or without a GPU). */
int ctorch_cuda_device_count(void);
/* Sets the process-wide device every factory creates on (and from_data copies to); fails for a missing device. */
int ctorch_set_default_device(int type, int index);
/* The tensor's device type (CT_CPU / CT_CUDA), its index written to *index; -1 on failure. */
int ctorch_tensor_device(const ctorch_tensor *t, int *index);
ctorch_tensor *ctorch_to_device(const ctorch_tensor *t, int type, int index);
int ctorch_manual_seed(uint64_t seed);
/* Grad mode is thread-local in libtorch. Returns the previous mode (0/1) or -1. */
int ctorch_set_grad_enabled(int enabled);
int ctorch_is_grad_enabled(void);

/* ---- TorchScript modules (models exported from PyTorch) ---- */
typedef struct ctorch_script ctorch_script;
/* Loads a TorchScript archive on the CPU in evaluation mode; reads the extra file `extra_name` (may be NULL). */
ctorch_script *ctorch_script_load(const char *path, const char *extra_name);
void ctorch_script_free(ctorch_script *s);
/* The extra file's bytes (owned by the handle; empty when the archive has none), its length in *length. */
const char *ctorch_script_extra(const ctorch_script *s, int64_t *length);
/* The sub-module stored as attribute `name` (a new handle sharing the module's parameters). */
ctorch_script *ctorch_script_child(const ctorch_script *s, const char *name);
/* The tensor attribute or buffer `name`. */
ctorch_tensor *ctorch_script_tensor(const ctorch_script *s, const char *name);
/* forward(x), recorded for autograd like any other op. */
ctorch_tensor *ctorch_script_forward(ctorch_script *s, const ctorch_tensor *x);
int ctorch_script_train(ctorch_script *s, int on);
/* Moves the parameters and buffers to the default device (ctorch_set_default_device). */
int ctorch_script_to_device(ctorch_script *s);
/* kind 0: parameters, 1: buffers (recursive). The count, or -1. */
int64_t ctorch_script_tensor_count(const ctorch_script *s, int kind);
/* The index-th of them; its dotted name in *name (valid until the next call on this thread). */
ctorch_tensor *ctorch_script_tensor_at(const ctorch_script *s, int kind, int64_t index, const char **name);

/* ---- lifecycle and metadata ---- */
void ctorch_free(ctorch_tensor *t);
ctorch_tensor *ctorch_from_data(const void *data, int dtype, const int64_t *shape, int ndim);
int ctorch_dtype(const ctorch_tensor *t);
int ctorch_ndim(const ctorch_tensor *t);
/* Writes min(ndim, capacity) sizes into out; returns ndim. */
int ctorch_shape(const ctorch_tensor *t, int64_t *out, int capacity);
int64_t ctorch_numel(const ctorch_tensor *t);
/* Converts to dtype and copies `count` elements (must equal numel) in row-major order. */
int ctorch_copy_out(const ctorch_tensor *t, int dtype, void *dst, int64_t count);

/* ---- creation ---- */
ctorch_tensor *ctorch_full(const int64_t *shape, int ndim, double value, int dtype);
ctorch_tensor *ctorch_randn(const int64_t *shape, int ndim, int dtype);
ctorch_tensor *ctorch_rand(const int64_t *shape, int ndim, int dtype);
ctorch_tensor *ctorch_randint(int64_t low, int64_t high, const int64_t *shape, int ndim);
ctorch_tensor *ctorch_randperm(int64_t n);
ctorch_tensor *ctorch_arange(double start, double end, double step, int dtype);

/* ---- shape and indexing ---- */
ctorch_tensor *ctorch_reshape(const ctorch_tensor *t, const int64_t *shape, int ndim);
ctorch_tensor *ctorch_view(const ctorch_tensor *t, const int64_t *shape, int ndim);
ctorch_tensor *ctorch_permute(const ctorch_tensor *t, const int64_t *dims, int ndim);
ctorch_tensor *ctorch_transpose(const ctorch_tensor *t, int64_t d0, int64_t d1);
ctorch_tensor *ctorch_slice(const ctorch_tensor *t, int64_t dim, int64_t start, int64_t end, int64_t step);
ctorch_tensor *ctorch_index_select(const ctorch_tensor *t, int64_t dim, const ctorch_tensor *index);
ctorch_tensor *ctorch_gather(const ctorch_tensor *t, int64_t dim, const ctorch_tensor *index);
ctorch_tensor *ctorch_cat(const ctorch_tensor *const *ts, int n, int64_t dim);
ctorch_tensor *ctorch_stack(const ctorch_tensor *const *ts, int n, int64_t dim);
ctorch_tensor *ctorch_flatten(const ctorch_tensor *t, int64_t start, int64_t end);
ctorch_tensor *ctorch_unsqueeze(const ctorch_tensor *t, int64_t dim);
ctorch_tensor *ctorch_squeeze(const ctorch_tensor *t, int64_t dim);
ctorch_tensor *ctorch_expand(const ctorch_tensor *t, const int64_t *shape, int ndim);
ctorch_tensor *ctorch_contiguous(const ctorch_tensor *t);
ctorch_tensor *ctorch_to_dtype(const ctorch_tensor *t, int dtype);
ctorch_tensor *ctorch_clone(const ctorch_tensor *t);
ctorch_tensor *ctorch_one_hot(const ctorch_tensor *labels, int64_t classes);

/* ---- element-wise ---- */
enum {
    CT_NEG = 0, CT_EXP, CT_LOG, CT_SQRT, CT_ABS, CT_SIGMOID, CT_TANH, CT_RELU, CT_SIGN,
    CT_FLOOR, CT_ROUND, CT_SIN, CT_COS, CT_LOG1P, CT_SQUARE, CT_RSQRT, CT_LOGICAL_NOT,
    CT_ISNAN, CT_ISFINITE, CT_RECIPROCAL
};
ctorch_tensor *ctorch_unary(int op, const ctorch_tensor *t);

enum {
    CT_ADD = 0, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM,
    CT_EQ, CT_NE, CT_LT, CT_LE, CT_GT, CT_GE, CT_AND, CT_OR, CT_RSUB, CT_RDIV, CT_RPOW
};
ctorch_tensor *ctorch_binary(int op, const ctorch_tensor *a, const ctorch_tensor *b);
/* Tensor ⊕ scalar; CT_RSUB / CT_RDIV / CT_RPOW mean scalar ⊕ tensor. */
ctorch_tensor *ctorch_binary_scalar(int op, const ctorch_tensor *a, double s);
ctorch_tensor *ctorch_clamp(const ctorch_tensor *t, double lo, double hi, int has_lo, int has_hi);
ctorch_tensor *ctorch_where(const ctorch_tensor *cond, const ctorch_tensor *a, const ctorch_tensor *b);

/* ---- reductions (dims NULL / ndims 0 = all dims) ---- */
enum { CT_SUM = 0, CT_MEAN, CT_AMAX, CT_AMIN, CT_PROD, CT_LOGSUMEXP };
ctorch_tensor *ctorch_reduce(int op, const ctorch_tensor *t, const int64_t *dims, int ndims, int keepdim);
ctorch_tensor *ctorch_var(const ctorch_tensor *t, const int64_t *dims, int ndims, int64_t correction, int keepdim);
/* dim < 0 with all_dims != 0 means over the flattened tensor. */
ctorch_tensor *ctorch_argmax(const ctorch_tensor *t, int64_t dim, int all_dims, int keepdim);
ctorch_tensor *ctorch_argmin(const ctorch_tensor *t, int64_t dim, int all_dims, int keepdim);
ctorch_tensor *ctorch_softmax(const ctorch_tensor *t, int64_t dim);
ctorch_tensor *ctorch_log_softmax(const ctorch_tensor *t, int64_t dim);

/* ---- linear algebra, spectral ---- */
ctorch_tensor *ctorch_matmul(const ctorch_tensor *a, const ctorch_tensor *b);
/* 2-D FFT over the last two dims; norm: 0 "backward", 1 "ortho", 2 "forward". Writes real/imag parts. */
int ctorch_fft2(const ctorch_tensor *t, int norm, ctorch_tensor **real, ctorch_tensor **imag);

/* ---- autograd ---- */
int ctorch_set_requires_grad(ctorch_tensor *t, int flag);
int ctorch_requires_grad(const ctorch_tensor *t);
/* gradient may be NULL for a scalar. */
int ctorch_backward(const ctorch_tensor *t, const ctorch_tensor *gradient, int retain_graph);
/* Returns 1 and sets *out when a gradient exists, 0 (and *out = NULL) when none, -1 on error. */
int ctorch_grad(const ctorch_tensor *t, ctorch_tensor **out);
int ctorch_zero_grad(ctorch_tensor *t);
ctorch_tensor *ctorch_detach(const ctorch_tensor *t);

/* ---- in-place updates (for optimisers and state loading; run them without grad) ---- */
/* self[index[i]] along dim = src[i] */
int ctorch_index_copy_(ctorch_tensor *t, int64_t dim, const ctorch_tensor *index, const ctorch_tensor *src);
int ctorch_copy_(ctorch_tensor *dst, const ctorch_tensor *src);
int ctorch_fill_(ctorch_tensor *t, double value);
int ctorch_add_(ctorch_tensor *t, const ctorch_tensor *other, double alpha);
int ctorch_mul_scalar_(ctorch_tensor *t, double s);
int ctorch_addcmul_(ctorch_tensor *t, const ctorch_tensor *a, const ctorch_tensor *b, double value);
int ctorch_addcdiv_(ctorch_tensor *t, const ctorch_tensor *a, const ctorch_tensor *b, double value);
int ctorch_uniform_(ctorch_tensor *t, double lo, double hi);
int ctorch_normal_(ctorch_tensor *t, double mean, double std);

/* ---- neural-network functions (bias / weight arguments may be NULL) ---- */
ctorch_tensor *ctorch_linear(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b);
ctorch_tensor *ctorch_conv2d(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                             const int64_t *stride, const int64_t *padding, const int64_t *dilation, int64_t groups);
ctorch_tensor *ctorch_conv_transpose2d(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                                       const int64_t *stride, const int64_t *padding, const int64_t *output_padding,
                                       const int64_t *dilation, int64_t groups);
ctorch_tensor *ctorch_batch_norm(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                                 ctorch_tensor *running_mean, ctorch_tensor *running_var, int training,
                                 double momentum, double eps);
ctorch_tensor *ctorch_layer_norm(const ctorch_tensor *x, const int64_t *normalized_shape, int ndim,
                                 const ctorch_tensor *w, const ctorch_tensor *b, double eps);
ctorch_tensor *ctorch_dropout(const ctorch_tensor *x, double p, int training);
ctorch_tensor *ctorch_leaky_relu(const ctorch_tensor *x, double slope);
ctorch_tensor *ctorch_prelu(const ctorch_tensor *x, const ctorch_tensor *w);
/* approximate: 0 exact (erf), 1 tanh. */
ctorch_tensor *ctorch_gelu(const ctorch_tensor *x, int approximate);
ctorch_tensor *ctorch_max_pool2d(const ctorch_tensor *x, const int64_t *kernel, const int64_t *stride,
                                 const int64_t *padding, const int64_t *dilation, int ceil_mode);
ctorch_tensor *ctorch_avg_pool2d(const ctorch_tensor *x, const int64_t *kernel, const int64_t *stride,
                                 const int64_t *padding, int ceil_mode, int count_include_pad);
ctorch_tensor *ctorch_adaptive_avg_pool2d(const ctorch_tensor *x, const int64_t *output_size);
/* Bilinear resize of an (N, C, H, W) tensor to output_size (H', W'). */
ctorch_tensor *ctorch_upsample_bilinear2d(const ctorch_tensor *x, const int64_t *output_size, int align_corners);

#ifdef __cplusplus
}
#endif

#endif
