# lit configuration of irc-gpu: one suite over tests/lit (golden and CLI tests),
# tests/errors (one file per diagnostic) and tests/e2e (programs run on the
# interpreter, with their inputs and expected outputs).
#
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/tests
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv tests/lit/cli   (-Dbuild_dir=DIR)
import os

import lit.formats

if not hasattr(config, "ircgpu_binary_dir"):
    # Run on the source tree: load the site configuration of a build, which
    # loads this file again with the paths filled in.
    source_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build_dir = lit_config.params.get("build_dir", os.path.join(source_dir, "build"))
    site = os.path.join(os.path.abspath(build_dir), "tests", "lit.site.cfg.py")
    if not os.path.exists(site):
        lit_config.fatal("no %s: build first (scripts/build.sh) or pass -Dbuild_dir=DIR" % site)
    lit_config.load_config(config, site)
else:
    config.name = "irc-gpu"
    config.test_format = lit.formats.ShTest(execute_external=True)
    config.suffixes = [".vir", ".test"]
    config.test_source_root = os.path.join(config.ircgpu_source_dir, "tests")
    config.test_exec_root = os.path.join(config.ircgpu_binary_dir, "tests")
    # unit/ is GoogleTest, device/ runs only on a GPU machine, fuzz/ is
    # libFuzzer targets and their corpus (ctest replays it), tools/ holds
    # helper scripts, Inputs/ folders hold test data.
    config.excludes = ["unit", "device", "tools", "fuzz", "Inputs"]

    irc_gpu = os.path.join(config.ircgpu_tools_dir, "irc-gpu")
    config.substitutions.append(("%irc-gpu", irc_gpu))
    config.substitutions.append(("%python", config.python_executable))
    # %mknpy writes and reads .npy files with the standard library only.
    config.substitutions.append(
        ("%mknpy", "%s %s" % (config.python_executable,
                              os.path.join(config.ircgpu_source_dir, "tests", "tools", "mknpy.py"))))
    config.environment["PATH"] = os.pathsep.join(
        [config.ircgpu_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
    # ptxas validates emitted PTX where a CUDA toolkit is installed (CI
    # machines without one skip those tests).
    ptxas = os.environ.get("IRCGPU_PTXAS", "/usr/local/cuda/bin/ptxas")
    if os.path.exists(ptxas):
        config.available_features.add("ptxas")
        config.substitutions.append(("%ptxas", ptxas))
    # The AMDGPU validation tests read code objects with LLVM's own tools.
    config.substitutions.append(("%llvm-bin", config.llvm_tools_dir))
    # Math on AMDGPU links OCML from rocm-device-libs (scripts/setup.sh).
    rocm_libs = os.environ.get("IRC_GPU_ROCM_DEVICE_LIBS",
                               "/usr/lib/x86_64-linux-gnu/amdgcn/bitcode")
    if os.path.exists(os.path.join(rocm_libs, "ocml.bc")):
        config.available_features.add("ocml")
    # A CUDA driver changes what `run --device auto|cuda` does: tests of the
    # no-driver behaviour are UNSUPPORTED where one is installed.
    import ctypes
    try:
        ctypes.CDLL("libcuda.so.1")
        config.available_features.add("cuda-driver")
    except OSError:
        pass
    # The HIP runtime (libamdhip64, as irc-gpu finds it) and an AMD GPU
    # (/dev/kfd, the ROCm kernel driver) decide what `run --device hip` says:
    # without a GPU it is always "no HIP device", then why.
    try:
        ctypes.CDLL("libamdhip64.so.5")
        config.available_features.add("hip-runtime")
    except OSError:
        pass
    if os.path.exists("/dev/kfd"):
        config.available_features.add("amd-gpu")
    # --emit cubin needs libnvJitLink (CUDA toolkit), found as irc-gpu finds it.
    cuda = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    if any(os.path.exists(os.path.join(d, "libnvJitLink.so.13"))
           for d in (os.path.join(cuda, "lib64"), "/usr/local/cuda/lib64")):
        config.available_features.add("nvjitlink")
    # Tests never touch the user's compiled-module cache.
    config.environment["IRC_GPU_CACHE_DIR"] = "off"
