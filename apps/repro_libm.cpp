// repro_libm.cpp — in `make MODE=repro`, pin glibc's libm to its baseline (SSE2) code.
//
// glibc picks exp, log, log1p, erf, sin, cos, tanh, ... (double) at load time by CPU:
// FMA variants where FMA and AVX2 exist, FMA4 ones on some AMD parts. They round
// differently (the double versions gave other bits for some inputs here), and ordgrad uses
// them in weight initialisation and in the losses. The choice is made before main() runs
// and cannot be changed afterwards, so the repro binary restarts itself once with the
// glibc.cpu.hwcaps tunable masking those features. Elsewhere this is a no-op.
#include "apps/repro_libm.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

namespace og::cli {

void pin_libm_variants(char** argv) {
#ifdef OG_REPRO
  static const char kMarker[] = "OG_REPRO_LIBM_PINNED";
  if (std::getenv(kMarker)) return;  // already restarted: never loop
  static const char kMask[] = "glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX";
  const char* old = std::getenv("GLIBC_TUNABLES");
  // Ours goes last: of two hwcaps entries the later one wins.
  const std::string tunables = old && *old ? std::string(old) + ":" + kMask : std::string(kMask);
  setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  setenv(kMarker, "1", 1);
  execv("/proc/self/exe", argv);
  // Only reached if the restart failed: results would then follow this CPU's libm.
  std::fprintf(stderr, "ordgrad: warning: could not restart with baseline libm (MODE=repro): results may depend on the CPU\n");
#else
  (void)argv;
#endif
}

}  // namespace og::cli
