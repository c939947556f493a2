// Tensor lifecycle, creation, shape, element-wise, reduction and runtime entry points.
#include <malloc.h>
#include <algorithm>
#include <cmath>
#include <memory>
#include <sched.h>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>
#include "shim_common.hpp"

namespace ctorch {

static thread_local std::string last_error;

void set_error(const char *op, const std::string &message) {
    try {
        std::string first = message.substr(0, message.find('\n'));
        last_error = std::string(op) + ": " + first;
    } catch (...) {
        last_error.clear();
    }
}

at::ScalarType scalar_type(int dtype) {
    switch (dtype) {
        case CT_FLOAT32: return at::kFloat;
        case CT_FLOAT64: return at::kDouble;
        case CT_INT64: return at::kLong;
        case CT_BOOL: return at::kBool;
    }
    throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}

int dtype_code(at::ScalarType s) {
    switch (s) {
        case at::kFloat: return CT_FLOAT32;
        case at::kDouble: return CT_FLOAT64;
        case at::kLong: return CT_INT64;
        case at::kBool: return CT_BOOL;
        default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(s));
    }
}

static at::TensorOptions options(int dtype) {
    return at::TensorOptions().dtype(scalar_type(dtype)).device(default_device());
}

/// Process start-up: the malloc settings that stop glibc from mmap/munmap-ing every activation, and one
/// intra-op thread per available core (libtorch defaults to 1 on these machines). Environment wins.
__attribute__((constructor)) static void configure_runtime() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 33554432);
    if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 1 << 30);
    if (std::getenv("MALLOC_TOP_PAD_") == nullptr) mallopt(M_TOP_PAD, 268435456);
    int threads = 0;
    if (const char *env = std::getenv("GPZ_NUM_THREADS")) threads = std::atoi(env);
    if (threads <= 0) {
        cpu_set_t set;
        threads = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                               : static_cast<int>(std::thread::hardware_concurrency());
    }
    try {
        at::set_num_threads(threads > 0 ? threads : 1);
    } catch (...) {
    }
}

}  // namespace ctorch

using namespace ctorch;

extern "C" {

const char *ctorch_last_error(void) { return ctorch::last_error.c_str(); }

int ctorch_set_num_threads(int n) {
    return status("set_num_threads", [&] {
        if (n < 1) throw std::invalid_argument("thread count must be ≥ 1, got " + std::to_string(n));
        at::set_num_threads(n);
    });
}

int ctorch_get_num_threads(void) { return guarded<int>("get_num_threads", -1, [] { return at::get_num_threads(); }); }

const char *ctorch_version(void) { return TORCH_VERSION; }

int ctorch_manual_seed(uint64_t seed) { return status("manual_seed", [&] { at::manual_seed(seed); }); }

int ctorch_set_grad_enabled(int enabled) {
    return guarded<int>("set_grad_enabled", -1, [&] {
        int previous = c10::GradMode::is_enabled() ? 1 : 0;
        c10::GradMode::set_enabled(enabled != 0);
        return previous;
    });
}

int ctorch_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

void ctorch_free(ctorch_tensor *t) { delete t; }

ctorch_tensor *ctorch_from_data(const void *data, int dtype, const int64_t *shape, int ndim) {
    return make("from_data", [&] {
        auto sizes = dims(shape, ndim);
        auto out = at::empty(sizes, at::TensorOptions().dtype(scalar_type(dtype)));
        size_t bytes = static_cast<size_t>(out.numel()) * out.element_size();
        if (bytes > 0) {
            if (data == nullptr) throw std::invalid_argument("null data pointer");
            std::memcpy(out.data_ptr(), data, bytes);
        }
        auto target = default_device();
        return target.is_cpu() ? out : out.to(target);
    });
}

int ctorch_dtype(const ctorch_tensor *t) { return guarded<int>("dtype", -1, [&] { return dtype_code(T(t).scalar_type()); }); }

int ctorch_ndim(const ctorch_tensor *t) { return guarded<int>("ndim", -1, [&] { return static_cast<int>(T(t).dim()); }); }

int ctorch_shape(const ctorch_tensor *t, int64_t *out, int capacity) {
    return guarded<int>("shape", -1, [&] {
        auto sizes = T(t).sizes();
        if (capacity > 0 && out == nullptr) throw std::invalid_argument("null output pointer");
        for (int i = 0; i < capacity && i < static_cast<int>(sizes.size()); ++i) out[i] = sizes[i];
        return static_cast<int>(sizes.size());
    });
}

int64_t ctorch_numel(const ctorch_tensor *t) { return guarded<int64_t>("numel", -1, [&] { return T(t).numel(); }); }

int ctorch_copy_out(const ctorch_tensor *t, int dtype, void *dst, int64_t count) {
    return status("copy_out", [&] {
        auto src = T(t).detach().to(at::kCPU).to(scalar_type(dtype)).contiguous();
        if (src.numel() != count)
            throw std::invalid_argument("destination holds " + std::to_string(count) + " elements, tensor has " +
                                        std::to_string(src.numel()));
        if (count > 0 && dst == nullptr) throw std::invalid_argument("null destination pointer");
        if (count > 0) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(count) * src.element_size());
    });
}

ctorch_tensor *ctorch_full(const int64_t *shape, int ndim, double value, int dtype) {
    return make("full", [&] { return at::full(dims(shape, ndim), value, options(dtype)); });
}

ctorch_tensor *ctorch_randn(const int64_t *shape, int ndim, int dtype) {
    return make("randn", [&] { return at::randn(dims(shape, ndim), options(dtype)); });
}

ctorch_tensor *ctorch_rand(const int64_t *shape, int ndim, int dtype) {
    return make("rand", [&] { return at::rand(dims(shape, ndim), options(dtype)); });
}

ctorch_tensor *ctorch_randint(int64_t low, int64_t high, const int64_t *shape, int ndim) {
    return make("randint", [&] { return at::randint(low, high, dims(shape, ndim), options(CT_INT64)); });
}

ctorch_tensor *ctorch_randperm(int64_t n) {
    return make("randperm", [&] { return at::randperm(n, options(CT_INT64)); });
}

ctorch_tensor *ctorch_arange(double start, double end, double step, int dtype) {
    return make("arange", [&] { return at::arange(start, end, step, options(dtype)); });
}

ctorch_tensor *ctorch_reshape(const ctorch_tensor *t, const int64_t *shape, int ndim) {
    return make("reshape", [&] { return T(t).reshape(dims(shape, ndim)); });
}

ctorch_tensor *ctorch_view(const ctorch_tensor *t, const int64_t *shape, int ndim) {
    return make("view", [&] { return T(t).view(dims(shape, ndim)); });
}

ctorch_tensor *ctorch_permute(const ctorch_tensor *t, const int64_t *d, int ndim) {
    return make("permute", [&] { return T(t).permute(dims(d, ndim)); });
}

ctorch_tensor *ctorch_transpose(const ctorch_tensor *t, int64_t d0, int64_t d1) {
    return make("transpose", [&] { return T(t).transpose(d0, d1); });
}

ctorch_tensor *ctorch_slice(const ctorch_tensor *t, int64_t dim, int64_t start, int64_t end, int64_t step) {
    return make("slice", [&] { return T(t).slice(dim, start, end, step); });
}

ctorch_tensor *ctorch_index_select(const ctorch_tensor *t, int64_t dim, const ctorch_tensor *index) {
    return make("index_select", [&] { return T(t).index_select(dim, T(index)); });
}

ctorch_tensor *ctorch_gather(const ctorch_tensor *t, int64_t dim, const ctorch_tensor *index) {
    return make("gather", [&] { return T(t).gather(dim, T(index)); });
}

static std::vector<at::Tensor> list(const ctorch_tensor *const *ts, int n) {
    if (n <= 0 || ts == nullptr) throw std::invalid_argument("empty tensor list");
    std::vector<at::Tensor> v;
    v.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return v;
}

ctorch_tensor *ctorch_cat(const ctorch_tensor *const *ts, int n, int64_t dim) {
    return make("cat", [&] { return at::cat(list(ts, n), dim); });
}

ctorch_tensor *ctorch_stack(const ctorch_tensor *const *ts, int n, int64_t dim) {
    return make("stack", [&] { return at::stack(list(ts, n), dim); });
}

ctorch_tensor *ctorch_flatten(const ctorch_tensor *t, int64_t start, int64_t end) {
    return make("flatten", [&] { return T(t).flatten(start, end); });
}

ctorch_tensor *ctorch_unsqueeze(const ctorch_tensor *t, int64_t dim) {
    return make("unsqueeze", [&] { return T(t).unsqueeze(dim); });
}

ctorch_tensor *ctorch_squeeze(const ctorch_tensor *t, int64_t dim) {
    return make("squeeze", [&] { return T(t).squeeze(dim); });
}

ctorch_tensor *ctorch_expand(const ctorch_tensor *t, const int64_t *shape, int ndim) {
    return make("expand", [&] { return T(t).expand(dims(shape, ndim)); });
}

ctorch_tensor *ctorch_contiguous(const ctorch_tensor *t) {
    return make("contiguous", [&] { return T(t).contiguous(); });
}

ctorch_tensor *ctorch_to_dtype(const ctorch_tensor *t, int dtype) {
    return make("to_dtype", [&] { return T(t).to(scalar_type(dtype)); });
}

ctorch_tensor *ctorch_clone(const ctorch_tensor *t) {
    return make("clone", [&] { return T(t).clone(); });
}

ctorch_tensor *ctorch_one_hot(const ctorch_tensor *labels, int64_t classes) {
    return make("one_hot", [&] { return at::one_hot(T(labels), classes); });
}

ctorch_tensor *ctorch_unary(int op, const ctorch_tensor *t) {
    return make("unary", [&] {
        const at::Tensor &x = T(t);
        switch (op) {
            case CT_NEG: return at::neg(x);
            case CT_EXP: return at::exp(x);
            case CT_LOG: return at::log(x);
            case CT_SQRT: return at::sqrt(x);
            case CT_ABS: return at::abs(x);
            case CT_SIGMOID: return at::sigmoid(x);
            case CT_TANH: return at::tanh(x);
            case CT_RELU: return at::relu(x);
            case CT_SIGN: return at::sign(x);
            case CT_FLOOR: return at::floor(x);
            case CT_ROUND: return at::round(x);
            case CT_SIN: return at::sin(x);
            case CT_COS: return at::cos(x);
            case CT_LOG1P: return at::log1p(x);
            case CT_SQUARE: return at::mul(x, x);
            case CT_RSQRT: return at::rsqrt(x);
            case CT_LOGICAL_NOT: return at::logical_not(x);
            case CT_ISNAN: return at::isnan(x);
            case CT_ISFINITE: return at::isfinite(x);
            case CT_RECIPROCAL: return at::reciprocal(x);
        }
        throw std::invalid_argument("unknown unary op " + std::to_string(op));
    });
}

static at::Tensor apply_binary(int op, const at::Tensor &a, const at::Tensor &b) {
    switch (op) {
        case CT_ADD: return at::add(a, b);
        case CT_SUB: return at::sub(a, b);
        case CT_MUL: return at::mul(a, b);
        case CT_DIV: return at::div(a, b);
        case CT_POW: return at::pow(a, b);
        case CT_MAXIMUM: return at::maximum(a, b);
        case CT_MINIMUM: return at::minimum(a, b);
        case CT_EQ: return at::eq(a, b);
        case CT_NE: return at::ne(a, b);
        case CT_LT: return at::lt(a, b);
        case CT_LE: return at::le(a, b);
        case CT_GT: return at::gt(a, b);
        case CT_GE: return at::ge(a, b);
        case CT_AND: return at::logical_and(a, b);
        case CT_OR: return at::logical_or(a, b);
        case CT_RSUB: return at::sub(b, a);
        case CT_RDIV: return at::div(b, a);
        case CT_RPOW: return at::pow(b, a);
    }
    throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

ctorch_tensor *ctorch_binary(int op, const ctorch_tensor *a, const ctorch_tensor *b) {
    return make("binary", [&] { return apply_binary(op, T(a), T(b)); });
}

ctorch_tensor *ctorch_binary_scalar(int op, const ctorch_tensor *a, double s) {
    return make("binary_scalar", [&] {
        const at::Tensor &x = T(a);
        bool integral = at::isIntegralType(x.scalar_type(), true) && std::isfinite(s) && std::trunc(s) == s &&
                        s >= -9.223372036854775808e18 && s < 9.223372036854775808e18;
        at::Scalar v = integral ? at::Scalar(static_cast<int64_t>(s)) : at::Scalar(s);
        switch (op) {
            case CT_ADD: return at::add(x, v);
            case CT_SUB: return at::sub(x, v);
            case CT_MUL: return at::mul(x, v);
            case CT_DIV: return at::div(x, v);
            case CT_POW: return at::pow(x, v);
            case CT_RSUB: return at::rsub(x, v);
            case CT_RDIV: return at::mul(at::reciprocal(x), v);
            case CT_RPOW: return at::pow(v, x);
            case CT_MAXIMUM: return at::clamp_min(x, v);
            case CT_MINIMUM: return at::clamp_max(x, v);
            case CT_EQ: return at::eq(x, v);
            case CT_NE: return at::ne(x, v);
            case CT_LT: return at::lt(x, v);
            case CT_LE: return at::le(x, v);
            case CT_GT: return at::gt(x, v);
            case CT_GE: return at::ge(x, v);
        }
        throw std::invalid_argument("unknown scalar op " + std::to_string(op));
    });
}

ctorch_tensor *ctorch_clamp(const ctorch_tensor *t, double lo, double hi, int has_lo, int has_hi) {
    return make("clamp", [&] {
        c10::optional<at::Scalar> l = has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt;
        c10::optional<at::Scalar> h = has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt;
        return at::clamp(T(t), l, h);
    });
}

ctorch_tensor *ctorch_where(const ctorch_tensor *cond, const ctorch_tensor *a, const ctorch_tensor *b) {
    return make("where", [&] { return at::where(T(cond), T(a), T(b)); });
}

ctorch_tensor *ctorch_reduce(int op, const ctorch_tensor *t, const int64_t *d, int ndims, int keepdim) {
    return make("reduce", [&] {
        const at::Tensor &x = T(t);
        bool all = ndims == 0;
        auto ds = all ? at::IntArrayRef() : dims(d, ndims);
        bool keep = keepdim != 0;
        switch (op) {
            case CT_SUM: return all ? x.sum() : x.sum(ds, keep);
            case CT_MEAN: return all ? x.mean() : x.mean(ds, keep);
            case CT_AMAX: return all ? x.max() : x.amax(ds, keep);
            case CT_AMIN: return all ? x.min() : x.amin(ds, keep);
            case CT_PROD: {
                if (all) return x.prod();
                at::Tensor r = x;
                std::vector<int64_t> sorted(ds.begin(), ds.end());
                for (auto &v : sorted) v = c10::maybe_wrap_dim(v, x.dim());
                std::sort(sorted.rbegin(), sorted.rend());
                if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
                    throw std::invalid_argument("a dimension appears more than once in the reduction list");
                for (auto v : sorted) r = r.prod(v, keep);
                return r;
            }
            case CT_LOGSUMEXP: {
                if (all) return at::logsumexp(x.flatten(), {0}, false);
                return at::logsumexp(x, ds, keep);
            }
        }
        throw std::invalid_argument("unknown reduction " + std::to_string(op));
    });
}

ctorch_tensor *ctorch_var(const ctorch_tensor *t, const int64_t *d, int ndims, int64_t correction, int keepdim) {
    return make("var", [&] {
        c10::optional<at::IntArrayRef> ds = ndims == 0 ? c10::nullopt : c10::optional<at::IntArrayRef>(dims(d, ndims));
        return at::var(T(t), ds, c10::optional<int64_t>(correction), keepdim != 0);
    });
}

ctorch_tensor *ctorch_argmax(const ctorch_tensor *t, int64_t dim, int all_dims, int keepdim) {
    return make("argmax", [&] {
        return all_dims ? at::argmax(T(t)) : at::argmax(T(t), dim, keepdim != 0);
    });
}

ctorch_tensor *ctorch_argmin(const ctorch_tensor *t, int64_t dim, int all_dims, int keepdim) {
    return make("argmin", [&] {
        return all_dims ? at::argmin(T(t)) : at::argmin(T(t), dim, keepdim != 0);
    });
}

ctorch_tensor *ctorch_softmax(const ctorch_tensor *t, int64_t dim) {
    return make("softmax", [&] { return at::softmax(T(t), dim); });
}

ctorch_tensor *ctorch_log_softmax(const ctorch_tensor *t, int64_t dim) {
    return make("log_softmax", [&] { return at::log_softmax(T(t), dim); });
}

ctorch_tensor *ctorch_matmul(const ctorch_tensor *a, const ctorch_tensor *b) {
    return make("matmul", [&] { return at::matmul(T(a), T(b)); });
}

int ctorch_fft2(const ctorch_tensor *t, int norm, ctorch_tensor **real, ctorch_tensor **imag) {
    return status("fft2", [&] {
        if (real == nullptr || imag == nullptr) throw std::invalid_argument("null output pointer");
        const char *names[] = {"backward", "ortho", "forward"};
        if (norm < 0 || norm > 2) throw std::invalid_argument("unknown FFT normalisation " + std::to_string(norm));
        auto spectrum = at::fft_fft2(T(t), c10::nullopt, {-2, -1}, std::string(names[norm]));
        auto re = std::make_unique<ctorch_tensor>(ctorch_tensor{at::real(spectrum).contiguous()});
        auto im = std::make_unique<ctorch_tensor>(ctorch_tensor{at::imag(spectrum).contiguous()});
        *real = re.release();
        *imag = im.release();
    });
}

int ctorch_set_requires_grad(ctorch_tensor *t, int flag) {
    return status("set_requires_grad", [&] { M(t).requires_grad_(flag != 0); });
}

int ctorch_requires_grad(const ctorch_tensor *t) {
    return guarded<int>("requires_grad", -1, [&] { return T(t).requires_grad() ? 1 : 0; });
}

int ctorch_backward(const ctorch_tensor *t, const ctorch_tensor *gradient, int retain_graph) {
    return status("backward", [&] {
        at::Tensor g = gradient == nullptr ? at::Tensor() : gradient->t;
        T(t).backward(g, c10::optional<bool>(retain_graph != 0), false);
    });
}

int ctorch_grad(const ctorch_tensor *t, ctorch_tensor **out) {
    return guarded<int>("grad", -1, [&] {
        if (out == nullptr) throw std::invalid_argument("null output pointer");
        const at::Tensor &g = T(t).grad();
        if (!g.defined()) {
            *out = nullptr;
            return 0;
        }
        *out = new ctorch_tensor{g};
        return 1;
    });
}

int ctorch_zero_grad(ctorch_tensor *t) {
    return status("zero_grad", [&] {
        auto &g = M(t).mutable_grad();
        if (g.defined()) g = at::Tensor();
    });
}

ctorch_tensor *ctorch_detach(const ctorch_tensor *t) {
    return make("detach", [&] { return T(t).detach(); });
}

int ctorch_copy_(ctorch_tensor *dst, const ctorch_tensor *src) {
    return status("copy_", [&] { at::NoGradGuard off; M(dst).copy_(T(src)); });
}

int ctorch_index_copy_(ctorch_tensor *t, int64_t dim, const ctorch_tensor *index, const ctorch_tensor *src) {
    return status("index_copy_", [&] { at::NoGradGuard off; M(t).index_copy_(dim, T(index), T(src)); });
}

int ctorch_fill_(ctorch_tensor *t, double value) {
    return status("fill_", [&] { at::NoGradGuard off; M(t).fill_(value); });
}

int ctorch_add_(ctorch_tensor *t, const ctorch_tensor *other, double alpha) {
    return status("add_", [&] { at::NoGradGuard off; M(t).add_(T(other), alpha); });
}

int ctorch_mul_scalar_(ctorch_tensor *t, double s) {
    return status("mul_", [&] { at::NoGradGuard off; M(t).mul_(s); });
}

int ctorch_addcmul_(ctorch_tensor *t, const ctorch_tensor *a, const ctorch_tensor *b, double value) {
    return status("addcmul_", [&] { at::NoGradGuard off; M(t).addcmul_(T(a), T(b), value); });
}

int ctorch_addcdiv_(ctorch_tensor *t, const ctorch_tensor *a, const ctorch_tensor *b, double value) {
    return status("addcdiv_", [&] { at::NoGradGuard off; M(t).addcdiv_(T(a), T(b), value); });
}

int ctorch_uniform_(ctorch_tensor *t, double lo, double hi) {
    return status("uniform_", [&] { at::NoGradGuard off; M(t).uniform_(lo, hi); });
}

int ctorch_normal_(ctorch_tensor *t, double mean, double std) {
    return status("normal_", [&] { at::NoGradGuard off; M(t).normal_(mean, std); });
}

}  // extern "C"
