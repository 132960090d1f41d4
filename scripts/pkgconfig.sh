#!/usr/bin/env bash
# pkgconfig.sh PREFIX VERSION CFLAGS LIBS REQUIRES_PRIVATE — print ordgrad.pc.
# The Makefile passes the flags of the configuration being installed, so the file
# names OpenBLAS only when the library was built with it (BLAS=openblas).
# libordgrad is static only, so Libs carries every library a program needs to link
# (`g++ prog.cpp $(pkg-config --cflags --libs ordgrad)`). Requires.private names the
# dependencies that have .pc files of their own, so `pkg-config --static` adds what
# a fully static link needs beyond them (e.g. OpenBLAS's -lgfortran).
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: pkgconfig.sh PREFIX VERSION CFLAGS LIBS REQUIRES_PRIVATE" >&2; exit 2; }
cat <<EOF
prefix=$1
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: ordgrad
Description: deep learning from scratch in C++17, with ordinal losses as graph nodes
Version: $2
Requires.private: $5
Cflags: -I\${includedir} $3
Libs: -L\${libdir} -lordgrad $4
EOF
