# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "METIS"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.metis_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

bin_dir = os.path.join(config.metis_obj_root, "bin")
lib_dir = os.path.join(config.metis_obj_root, "lib")
config.substitutions.append(("%metis_libs", lib_dir))
config.substitutions.append(("%metis_src", config.metis_src_root))
config.substitutions.append(("%mlir_include", config.mlir_include_dir))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%llvm_lib_dir", config.llvm_lib_dir))

# MLIR_OPT_CHECK_IR_ROUNDTRIP=1 makes every metis-opt invocation also check
# the textual and bytecode round trip, as in upstream's lit.cfg.py.
metis_opt = "metis-opt"
if os.environ.get("MLIR_OPT_CHECK_IR_ROUNDTRIP"):
    metis_opt = ToolSubst("metis-opt", extra_args=["--verify-roundtrip"],
                          unresolved="fatal")

tools = [
    metis_opt,
    "mlir-opt",
    "mlir-runner",
    "mlir-translate",
    "mlir-tblgen",
    "FileCheck",
]
llvm_config.add_tool_substitutions(tools, [bin_dir, config.llvm_tools_dir])

# GPU-related features: ptxas assembles PTX for any target without a GPU.
ptxas = "/usr/local/cuda/bin/ptxas"
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# Prefix for running an uninstrumented tool (stock mlir-opt) that loads the
# plugin: a sanitized plugin needs the shared sanitizer runtime preloaded.
plugin_env = ""
if config.metis_sanitizers in ("ON", "1", "TRUE", "True"):
    config.available_features.add("sanitizers")
    plugin_env = "env LD_PRELOAD=" + config.metis_asan_runtime
    # Leak checks are off: MLIR's global registries are intentionally leaked.
    # User poisoning is off: LLVM's BumpPtrAllocator poisons memory from
    # header code compiled into metis's instrumented objects, which Debian's
    # uninstrumented libMLIR.so then reuses without unpoisoning (a false
    # "use-after-poison" in the MLIR parser).
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0:allow_user_poisoning=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
config.substitutions.append(("%plugin_env", plugin_env))
