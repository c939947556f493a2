// Devices: the process-wide default device every factory creates on, moves between devices, and what the
// backend was built with.
#include <atomic>
#include <ATen/Version.h>
#include "shim_common.hpp"

namespace ctorch {

static std::atomic<int> default_type{CT_CPU};
static std::atomic<int> default_index{0};

static at::Device device(int type, int index) {
    switch (type) {
        case CT_CPU: return at::Device(at::kCPU);
        case CT_CUDA: {
            if (!at::hasCUDA())
                throw std::invalid_argument("CUDA is not available (no CUDA device, or a CPU-only build of GPZ)");
            int count = static_cast<int>(at::getNumGPUs());
            if (index < 0 || index >= count)
                throw std::invalid_argument("cuda:" + std::to_string(index) + " does not exist; this machine has " +
                                            std::to_string(count) + " CUDA device(s)");
            return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
        }
    }
    throw std::invalid_argument("unknown device type code " + std::to_string(type));
}

at::Device default_device() { return device(default_type.load(), default_index.load()); }

}  // namespace ctorch

using namespace ctorch;

extern "C" {

int ctorch_cuda_device_count(void) {
    return guarded<int>("cuda_device_count", -1, [] { return at::hasCUDA() ? static_cast<int>(at::getNumGPUs()) : 0; });
}

int ctorch_set_default_device(int type, int index) {
    return status("set_default_device", [&] {
        (void)device(type, index);
        default_index.store(index);
        default_type.store(type);
    });
}

int ctorch_tensor_device(const ctorch_tensor *t, int *index) {
    return guarded<int>("device", -1, [&] {
        auto d = T(t).device();
        if (index != nullptr) *index = d.has_index() ? d.index() : 0;
        if (d.is_cpu()) return static_cast<int>(CT_CPU);
        if (d.is_cuda()) return static_cast<int>(CT_CUDA);
        throw std::invalid_argument("tensor on unsupported device " + d.str());
    });
}

ctorch_tensor *ctorch_to_device(const ctorch_tensor *t, int type, int index) {
    return make("to_device", [&] { return T(t).to(device(type, index)); });
}

const char *ctorch_build_info(void) {
    static const std::string info = [] {
        try {
            std::string onednn = at::hasMKLDNN() ? at::get_mkldnn_version() : std::string("no oneDNN");
            onednn = onednn.substr(0, onednn.find(" ("));
            return "cpu " + at::get_cpu_capability() + ", " + (at::hasMKL() ? "MKL" : "no MKL") + ", " + onednn;
        } catch (...) {
            return std::string("unknown");
        }
    }();
    return info.c_str();
}

}
