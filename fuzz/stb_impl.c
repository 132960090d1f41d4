/* stb_impl.c — fuzz builds only: Debian's stb_image / stb_image_write headers compiled
 * with their implementations, so the decoder the image target drives is instrumented
 * (coverage for libFuzzer, AddressSanitizer on its memory accesses). It is the same
 * source as the libstb the normal build links (-lstb); only the fuzz build uses this. */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
