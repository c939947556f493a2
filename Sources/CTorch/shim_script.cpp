// TorchScript modules: a model exported from PyTorch (python/gpz_export.py) loaded with its extra files, its
// stages called as functions with autograd, its parameters and buffers exposed as tensor handles.
#include <torch/script.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include "shim_common.hpp"

struct ctorch_script {
    torch::jit::Module module;
    std::string extra;
};

namespace ctorch {

static const torch::jit::Module &S(const ctorch_script *h) {
    if (h == nullptr) throw std::invalid_argument("null script handle");
    return h->module;
}

static torch::jit::Module &MS(ctorch_script *h) {
    if (h == nullptr) throw std::invalid_argument("null script handle");
    return h->module;
}

static void check_name(const char *name) {
    if (name == nullptr) throw std::invalid_argument("null name");
}

}  // namespace ctorch

using namespace ctorch;

extern "C" {

ctorch_script *ctorch_script_load(const char *path, const char *extra_name) {
    return guarded<ctorch_script *>("script_load", nullptr, [&]() -> ctorch_script * {
        check_name(path);
        // The plain interpreter: no profiling re-optimisation between calls, so every call runs the same ops
        // (autograd included) and results are reproducible.
        torch::jit::setGraphExecutorOptimize(false);
        torch::jit::ExtraFilesMap extra;
        if (extra_name != nullptr) extra[extra_name] = "";
        auto module = torch::jit::load(path, at::Device(at::kCPU), extra);
        module.eval();
        auto handle = new ctorch_script{std::move(module), extra_name != nullptr ? extra[extra_name] : ""};
        return handle;
    });
}

void ctorch_script_free(ctorch_script *s) { delete s; }

const char *ctorch_script_extra(const ctorch_script *s, int64_t *length) {
    return guarded<const char *>("script_extra", nullptr, [&] {
        if (s == nullptr) throw std::invalid_argument("null script handle");
        if (length != nullptr) *length = static_cast<int64_t>(s->extra.size());
        return s->extra.c_str();
    });
}

ctorch_script *ctorch_script_child(const ctorch_script *s, const char *name) {
    return guarded<ctorch_script *>("script_child", nullptr, [&]() -> ctorch_script * {
        check_name(name);
        const auto &module = S(s);
        if (!module.hasattr(name)) throw std::invalid_argument(std::string("the archive has no module '") + name + "'");
        auto value = module.attr(name);
        if (!value.isModule()) throw std::invalid_argument(std::string("'") + name + "' is not a module");
        return new ctorch_script{value.toModule(), ""};
    });
}

ctorch_tensor *ctorch_script_tensor(const ctorch_script *s, const char *name) {
    return make("script_tensor", [&] {
        check_name(name);
        const auto &module = S(s);
        if (!module.hasattr(name)) throw std::invalid_argument(std::string("the archive has no tensor '") + name + "'");
        auto value = module.attr(name);
        if (!value.isTensor()) throw std::invalid_argument(std::string("'") + name + "' is not a tensor");
        return value.toTensor();
    });
}

ctorch_tensor *ctorch_script_forward(ctorch_script *s, const ctorch_tensor *x) {
    return make("script_forward", [&] {
        auto &module = MS(s);
        auto out = module.forward({T(x)});
        if (!out.isTensor()) throw std::invalid_argument("forward returned a " + out.tagKind() + ", not a tensor");
        return out.toTensor();
    });
}

int ctorch_script_train(ctorch_script *s, int on) {
    return status("script_train", [&] { MS(s).train(on != 0); });
}

int ctorch_script_to_device(ctorch_script *s) {
    return status("script_to_device", [&] { MS(s).to(default_device()); });
}

/* Parameters (kind 0) or buffers (kind 1) of the module and its descendants: the count, and with `index` in range
   the tensor and its dotted name (valid until the next call on this thread). */
int64_t ctorch_script_tensor_count(const ctorch_script *s, int kind) {
    return guarded<int64_t>("script_tensor_count", -1, [&] {
        const auto &module = S(s);
        return static_cast<int64_t>(kind == 0 ? module.named_parameters().size() : module.named_buffers().size());
    });
}

ctorch_tensor *ctorch_script_tensor_at(const ctorch_script *s, int kind, int64_t index, const char **name) {
    return make("script_tensor_at", [&] {
        static thread_local std::string last_name;
        const auto &module = S(s);
        int64_t position = 0;
        auto pick = [&](const auto &list) -> at::Tensor {
            for (const auto &item : list) {
                if (position++ == index) {
                    last_name = item.name;
                    if (name != nullptr) *name = last_name.c_str();
                    return item.value;
                }
            }
            throw std::out_of_range("tensor index " + std::to_string(index) + " out of range");
        };
        return kind == 0 ? pick(module.named_parameters()) : pick(module.named_buffers());
    });
}

}  // extern "C"
