// repro_libm.h — MODE=repro: restart once so glibc's libm runs its CPU-independent code.
#pragma once

namespace og::cli {

// Call first in main(). With OG_REPRO (make MODE=repro) re-executes the program with
// GLIBC_TUNABLES masking AVX, AVX2, FMA and FMA4 unless that was done already; otherwise
// does nothing.
void pin_libm_variants(char** argv);

}  // namespace og::cli
