// Neural-network entry points: linear, convolutions, normalisation, activations, pooling, resizing.
#include "shim_common.hpp"

using namespace ctorch;

extern "C" {

ctorch_tensor *ctorch_linear(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b) {
    return make("linear", [&] { return at::linear(T(x), T(w), opt(b)); });
}

ctorch_tensor *ctorch_conv2d(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                             const int64_t *stride, const int64_t *padding, const int64_t *dilation, int64_t groups) {
    return make("conv2d", [&] {
        return at::conv2d(T(x), T(w), opt(b), pair(stride), pair(padding), pair(dilation), groups);
    });
}

ctorch_tensor *ctorch_conv_transpose2d(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                                       const int64_t *stride, const int64_t *padding, const int64_t *output_padding,
                                       const int64_t *dilation, int64_t groups) {
    return make("conv_transpose2d", [&] {
        return at::conv_transpose2d(T(x), T(w), opt(b), pair(stride), pair(padding), pair(output_padding), groups,
                                    pair(dilation));
    });
}

ctorch_tensor *ctorch_batch_norm(const ctorch_tensor *x, const ctorch_tensor *w, const ctorch_tensor *b,
                                 ctorch_tensor *running_mean, ctorch_tensor *running_var, int training,
                                 double momentum, double eps) {
    return make("batch_norm", [&] {
        return at::batch_norm(T(x), opt(w), opt(b), opt(running_mean), opt(running_var), training != 0, momentum, eps,
                              false);
    });
}

ctorch_tensor *ctorch_layer_norm(const ctorch_tensor *x, const int64_t *normalized_shape, int ndim,
                                 const ctorch_tensor *w, const ctorch_tensor *b, double eps) {
    return make("layer_norm", [&] {
        return at::layer_norm(T(x), dims(normalized_shape, ndim), opt(w), opt(b), eps, false);
    });
}

ctorch_tensor *ctorch_dropout(const ctorch_tensor *x, double p, int training) {
    return make("dropout", [&] { return at::dropout(T(x), p, training != 0); });
}

ctorch_tensor *ctorch_leaky_relu(const ctorch_tensor *x, double slope) {
    return make("leaky_relu", [&] { return at::leaky_relu(T(x), slope); });
}

ctorch_tensor *ctorch_prelu(const ctorch_tensor *x, const ctorch_tensor *w) {
    return make("prelu", [&] { return at::prelu(T(x), T(w)); });
}

ctorch_tensor *ctorch_gelu(const ctorch_tensor *x, int approximate) {
    return make("gelu", [&] { return at::gelu(T(x), approximate ? "tanh" : "none"); });
}

ctorch_tensor *ctorch_max_pool2d(const ctorch_tensor *x, const int64_t *kernel, const int64_t *stride,
                                 const int64_t *padding, const int64_t *dilation, int ceil_mode) {
    return make("max_pool2d", [&] {
        return at::max_pool2d(T(x), pair(kernel), pair(stride), pair(padding), pair(dilation), ceil_mode != 0);
    });
}

ctorch_tensor *ctorch_avg_pool2d(const ctorch_tensor *x, const int64_t *kernel, const int64_t *stride,
                                 const int64_t *padding, int ceil_mode, int count_include_pad) {
    return make("avg_pool2d", [&] {
        return at::avg_pool2d(T(x), pair(kernel), pair(stride), pair(padding), ceil_mode != 0, count_include_pad != 0);
    });
}

ctorch_tensor *ctorch_adaptive_avg_pool2d(const ctorch_tensor *x, const int64_t *output_size) {
    return make("adaptive_avg_pool2d", [&] { return at::adaptive_avg_pool2d(T(x), pair(output_size)); });
}

ctorch_tensor *ctorch_upsample_bilinear2d(const ctorch_tensor *x, const int64_t *output_size, int align_corners) {
    return make("upsample_bilinear2d", [&] {
        return at::upsample_bilinear2d(T(x), pair(output_size), align_corners != 0, c10::nullopt, c10::nullopt);
    });
}

}  // extern "C"
