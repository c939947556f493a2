// Neural-network entry points: linear, convolutions, normalisation, activations, pooling, resizing.
#include <torch/csrc/autograd/custom_function.h>
#include "shim_common.hpp"

using namespace ctorch;

namespace {

/// A transposed convolution computed as the input-gradient of the convolution that it transposes.
/// libtorch 1.13 runs conv_transpose2d on CPU through im2col + GEMM; the backward-data of conv2d runs through
/// oneDNN and is several times faster. Gradients: d/dx is a plain conv2d of the incoming gradient, d/dw is the
/// conv2d weight-gradient with the roles of input and output exchanged, d/db is a sum.
struct FastConvTranspose2d : public torch::autograd::Function<FastConvTranspose2d> {
    static at::Tensor forward(torch::autograd::AutogradContext *ctx, const at::Tensor &x, const at::Tensor &w,
                              std::vector<int64_t> stride, std::vector<int64_t> padding,
                              std::vector<int64_t> output_padding, std::vector<int64_t> dilation) {
        int64_t n = x.size(0), h = x.size(2), wd = x.size(3);
        int64_t out_c = w.size(1);
        int64_t oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (w.size(2) - 1) + output_padding[0] + 1;
        int64_t ow = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (w.size(3) - 1) + output_padding[1] + 1;
        auto shape_only = at::empty({n, out_c, oh, ow}, x.options());
        auto grads = at::convolution_backward(x.contiguous(), shape_only, w, c10::nullopt, stride, padding, dilation,
                                              false, {0, 0}, 1, {true, false, false});
        ctx->save_for_backward({x, w});
        ctx->saved_data["stride"] = stride;
        ctx->saved_data["padding"] = padding;
        ctx->saved_data["dilation"] = dilation;
        ctx->saved_data["out_h"] = oh;
        ctx->saved_data["out_w"] = ow;
        return std::get<0>(grads);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grad_outputs) {
        auto saved = ctx->get_saved_variables();
        const at::Tensor &x = saved[0];
        const at::Tensor &w = saved[1];
        auto stride = ctx->saved_data["stride"].toIntVector();
        auto padding = ctx->saved_data["padding"].toIntVector();
        auto dilation = ctx->saved_data["dilation"].toIntVector();
        at::Tensor g = grad_outputs[0].contiguous();
        bool need_x = ctx->needs_input_grad(0), need_w = ctx->needs_input_grad(1);
        at::Tensor gx, gw;
        if (need_x) gx = at::conv2d(g, w, {}, stride, padding, dilation, 1);
        if (need_w) {
            auto grads = at::convolution_backward(x.contiguous(), g, w, c10::nullopt, stride, padding, dilation, false,
                                                  {0, 0}, 1, {false, true, false});
            gw = std::get<1>(grads);
        }
        return {gx, gw, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

std::vector<int64_t> vec2(const int64_t *p) { return {pair(p)[0], pair(p)[1]}; }

}  // namespace

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
                                       const int64_t *dilation, int64_t groups, int fast) {
    return make("conv_transpose2d", [&] {
        const at::Tensor &input = T(x);
        const at::Tensor &weight = T(w);
        bool bias_fits = b == nullptr || (b->t.dim() == 1 && weight.dim() == 4 && b->t.size(0) == weight.size(1) &&
                                           b->t.scalar_type() == weight.scalar_type());
        bool eligible = fast && groups == 1 && input.dim() == 4 && weight.dim() == 4 && weight.size(1) >= 4 &&
                        input.size(1) == weight.size(0) && input.scalar_type() == weight.scalar_type() &&
                        bias_fits && pair(output_padding)[0] < pair(stride)[0] &&
                        pair(output_padding)[1] < pair(stride)[1];
        if (!eligible)
            return at::conv_transpose2d(input, weight, opt(b), pair(stride), pair(padding), pair(output_padding),
                                        groups, pair(dilation));
        at::Tensor y = FastConvTranspose2d::apply(input, weight, vec2(stride), vec2(padding), vec2(output_padding),
                                                  vec2(dilation));
        if (b != nullptr) y = y + b->t.view({1, -1, 1, 1});
        return y;
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
