// Internal to the shim: the handle type and the exception firewall every entry point goes through.
#pragma once
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <stdexcept>
#include <string>
#include <vector>
#include "include/ctorch.h"

struct ctorch_tensor {
    at::Tensor t;
};

namespace ctorch {

void set_error(const char *op, const std::string &message);

inline const at::Tensor &T(const ctorch_tensor *h) {
    if (h == nullptr) throw std::invalid_argument("null tensor handle");
    return h->t;
}

inline at::Tensor &M(ctorch_tensor *h) {
    if (h == nullptr) throw std::invalid_argument("null tensor handle");
    return h->t;
}

inline c10::optional<at::Tensor> opt(const ctorch_tensor *h) {
    if (h == nullptr) return c10::nullopt;
    return h->t;
}

at::ScalarType scalar_type(int dtype);
/// The device factories create on (`ctorch_set_default_device`); CPU unless set.
at::Device default_device();
int dtype_code(at::ScalarType s);

inline at::IntArrayRef dims(const int64_t *p, int n) {
    if (n < 0 || (n > 0 && p == nullptr)) throw std::invalid_argument("bad dimension list");
    return at::IntArrayRef(p, static_cast<size_t>(n));
}

inline at::IntArrayRef pair(const int64_t *p) { return dims(p, 2); }

/// Runs `body`; converts any C++ exception into the thread-local error and a failure value.
template <class R, class F>
R guarded(const char *op, R failure, F &&body) {
    try {
        return body();
    } catch (const c10::Error &e) {
        set_error(op, e.what_without_backtrace());
    } catch (const std::exception &e) {
        set_error(op, e.what());
    } catch (...) {
        set_error(op, "unknown C++ exception");
    }
    return failure;
}

/// Wraps a tensor-producing body into a new handle (NULL on failure).
template <class F>
ctorch_tensor *make(const char *op, F &&body) {
    return guarded<ctorch_tensor *>(op, nullptr, [&] { return new ctorch_tensor{body()}; });
}

/// Wraps a status-producing body: 0 on success, -1 on failure.
template <class F>
int status(const char *op, F &&body) {
    return guarded<int>(op, -1, [&] {
        body();
        return 0;
    });
}

}  // namespace ctorch
