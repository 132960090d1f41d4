// version.h — ordgrad's version: the one place it is written (the Makefile's pkg-config
// file reads it from here; exported files record it).
#pragma once

namespace og {
constexpr const char* kVersion = "0.1.0";
}  // namespace og
