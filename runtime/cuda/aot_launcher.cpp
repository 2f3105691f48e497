//===- aot_launcher.cpp - Launch metis's AOT-compiled GPU kernels ---------===//
//
// The host half of an ahead-of-time metis GPU library: a cubin produced by
// metis-gpu-pipeline{format=bin} is linked in as `metis_cubin` (generated C
// array) and launched through the CUDA driver API. Debian ships no
// libmlir_cuda_runtime, and the GPU machines have no LLVM, so this small
// shim replaces the mgpu* wrappers. Kernels use the bare-pointer ABI: every
// argument is one device pointer. Linked against libcuda (the toolkit's stub
// at build time, the driver's libcuda.so.1 at run time).
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

extern "C" {
extern const unsigned char metis_cubin[];
extern const unsigned long long metis_cubin_size;
}

namespace {

std::mutex mutex;
CUmodule module = nullptr;
std::map<std::string, CUfunction> functions;
thread_local char lastError[512] = "";

int fail(const char *what, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  cuGetErrorName(result, &name);
  cuGetErrorString(result, &text);
  std::snprintf(lastError, sizeof(lastError), "%s: %s (%s)", what,
                name ? name : "CUDA error", text ? text : "no description");
  return result ? int(result) : 1;
}

/// Loads the cubin into the current context (the caller's, e.g. PyTorch's
/// primary context) or, if there is none, device 0's primary context.
int ensureModule() {
  if (module)
    return 0;
  if (CUresult r = cuInit(0))
    return fail("cuInit", r);
  CUcontext context = nullptr;
  if (CUresult r = cuCtxGetCurrent(&context))
    return fail("cuCtxGetCurrent", r);
  if (!context) {
    CUdevice device;
    if (CUresult r = cuDeviceGet(&device, 0))
      return fail("cuDeviceGet", r);
    if (CUresult r = cuDevicePrimaryCtxRetain(&context, device))
      return fail("cuDevicePrimaryCtxRetain", r);
    if (CUresult r = cuCtxSetCurrent(context))
      return fail("cuCtxSetCurrent", r);
  }
  if (CUresult r = cuModuleLoadData(&module, metis_cubin))
    return fail("cuModuleLoadData", r);
  return 0;
}

} // namespace

extern "C" {

/// The message of the last failed call on this thread.
const char *metis_aot_last_error() { return lastError; }

/// Size of the embedded cubin in bytes.
unsigned long long metis_aot_cubin_size() { return metis_cubin_size; }

/// Launches `kernel` on `grid` x `block` threads with `count` device
/// pointers as arguments, on `stream` (0: the legacy default stream).
/// Returns 0, or a CUDA error code (see metis_aot_last_error).
int metis_aot_launch(const char *kernel, const unsigned grid[3],
                     const unsigned block[3],
                     const unsigned long long *pointers, int count,
                     void *stream) {
  CUfunction function;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (int error = ensureModule())
      return error;
    auto it = functions.find(kernel);
    if (it == functions.end()) {
      if (CUresult r = cuModuleGetFunction(&function, module, kernel))
        return fail("cuModuleGetFunction", r);
      functions.emplace(kernel, function);
    } else {
      function = it->second;
    }
  }
  void *params[32];
  if (count < 0 || count > 32)
    return fail("metis_aot_launch: too many arguments", CUDA_ERROR_INVALID_VALUE);
  for (int i = 0; i < count; ++i)
    params[i] = const_cast<unsigned long long *>(&pointers[i]);
  if (CUresult r = cuLaunchKernel(function, grid[0], grid[1], grid[2],
                                  block[0], block[1], block[2],
                                  /*sharedMemBytes=*/0,
                                  static_cast<CUstream>(stream), params,
                                  nullptr))
    return fail("cuLaunchKernel", r);
  return 0;
}

/// Sets `count` 32-bit words at device address `pointer` to `value` on
/// `stream` (the zeroed amax accumulator of the quantize kernels).
int metis_aot_memset32(unsigned long long pointer, unsigned value,
                       unsigned long long count, void *stream) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (int error = ensureModule())
      return error;
  }
  if (CUresult r = cuMemsetD32Async(static_cast<CUdeviceptr>(pointer), value,
                                    count, static_cast<CUstream>(stream)))
    return fail("cuMemsetD32Async", r);
  return 0;
}

/// Waits for `stream`; returns 0 or the (possibly asynchronous) error.
int metis_aot_synchronize(void *stream) {
  if (CUresult r = cuStreamSynchronize(static_cast<CUstream>(stream)))
    return fail("cuStreamSynchronize", r);
  return 0;
}

} // extern "C"
