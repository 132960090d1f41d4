#!/usr/bin/env bash
# install — ordgrad as an installed library, used the way a user outside the tree does.
# Run by scripts/run-tests.sh with ORDGRAD_BUILD (e.g. build/fast-openblas) set:
#  1. make install PREFIX=$tmp/prefix for that MODE/BLAS, which must reuse the built
#     library and tool (no rebuild); the prefix already holds a user's files;
#  2. the pkg-config file: prefix, flags, and OpenBLAS only in a BLAS=openblas build;
#  3. every installed header compiles alone (#include <ordgrad/X.h>, pkg-config flags,
#     -fsyntax-only), which catches a missing include or an unrewritten include line;
#  4. every examples/*.cpp, copied to $tmp/work and compiled there with only
#     `g++ -O2 X.cpp $(pkg-config --cflags --libs ordgrad)`, none of its headers from
#     the tree, and run: train_cnn, custom_loss (also --plant-bug, which must fail),
#     predict_total, hello_graph, then any other example;
#  5. make uninstall leaves the prefix exactly as the user had it (plus a file the user
#     added inside a directory install created); DESTDIR staging works the same way.
# Each failure prints one "install check: FAIL ..." line naming the step or example.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${ORDGRAD_BUILD:?ORDGRAD_BUILD (the build directory) is required}
cfg=$(basename "$build")
mode=${cfg%-*} blas=${cfg##*-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix work=$tmp/work
mkdir -p "$work/src" "$work/bin"
failures=0
fail() { echo "install check: FAIL $*"; failures=$((failures + 1)); }
die() { fail "$@"; exit 1; }
# A make of its own: not the jobserver or the variables of the `make test` around it.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$repo" --no-print-directory MODE="$mode" BLAS="$blas" "$@"; }

# 1. install over a prefix that already holds a user's files
mkdir -p "$prefix/lib" "$prefix/share"
echo mine >"$prefix/lib/user-file"
(cd "$prefix" && find . | sort) >"$tmp/before"
mk -q "$build/libordgrad.a" "$build/ordgrad" && fresh=1 || fresh=0
stamps=$(stat -c %Y "$repo/$build/libordgrad.a" "$repo/$build/ordgrad" 2>/dev/null)
mk install PREFIX="$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; die "step install: make install PREFIX=$prefix failed"; }
[ "$fresh" = 1 ] && [ "$stamps" != "$(stat -c %Y "$repo/$build/libordgrad.a" "$repo/$build/ordgrad")" ] &&
  fail "step install: make install rebuilt an up-to-date library or tool"
for f in include/ordgrad/ordgrad.h include/ordgrad/core/tensor.h lib/libordgrad.a bin/ordgrad lib/pkgconfig/ordgrad.pc; do
  [ -f "$prefix/$f" ] || fail "step install: $f not installed"
done
"$prefix/bin/ordgrad" --help >/dev/null 2>&1 || fail "step install: the installed bin/ordgrad --help failed"
echo "installed in $prefix ($mode-$blas)"

# 2. the pkg-config file
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cflags=$(pkg-config --cflags ordgrad) && libs=$(pkg-config --libs ordgrad) || die "step pkg-config: pkg-config --cflags --libs ordgrad failed"
[ "$(pkg-config --variable=prefix ordgrad)" = "$prefix" ] || fail "step pkg-config: prefix is not $prefix"
case "$cflags $libs" in *"$repo"*) fail "step pkg-config: flags name the source tree: $cflags $libs" ;; esac
for want in -std=c++17 -fopenmp "-I$prefix/include"; do
  grep -qw -- "$want" <<<"$cflags" || fail "step pkg-config: Cflags lack $want"
done
for want in -lordgrad -fopenmp -lstb -lz -lm; do
  grep -qw -- "$want" <<<"$libs" || fail "step pkg-config: Libs lack $want"
done
if [ "$blas" = none ]; then
  grep -qi openblas "$prefix/lib/pkgconfig/ordgrad.pc" && fail "step pkg-config: a BLAS=none install names OpenBLAS"
else
  grep -qw -- -lopenblas <<<"$libs" || fail "step pkg-config: Libs lack -lopenblas"
fi
# The other configuration's file, printed without building it.
other=$([ "$blas" = none ] && echo openblas || echo none)
other_pc=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$repo" -s BLAS="$other" PREFIX=/x pkgconfig)
if [ "$other" = none ]; then
  grep -qi openblas <<<"$other_pc" && fail "step pkg-config: make pkgconfig BLAS=none names OpenBLAS"
else
  grep -qw -- -lopenblas <<<"$other_pc" || fail "step pkg-config: make pkgconfig BLAS=openblas lacks -lopenblas"
fi

# 3. every installed header compiles on its own, from outside the tree
cd "$work" || die "step headers: no work directory"
start=$SECONDS
(cd "$prefix/include" && find ordgrad -name '*.h' | sort) >"$tmp/headers"
export cflags
xargs -P "$(nproc)" -I{} bash -c \
  'printf "#include <%s>\n" "$1" | g++ -fsyntax-only -x c++ - $cflags 2>/dev/null || echo "$1"' _ {} \
  <"$tmp/headers" >"$tmp/bad-headers"
while read -r h; do fail "step headers: <$h> does not compile alone with the pkg-config flags"; done <"$tmp/bad-headers"
echo "$(wc -l <"$tmp/headers") installed headers compiled alone, $(wc -l <"$tmp/bad-headers") failed ($((SECONDS - start)) s)"

# 4. the examples, in order, each copied out of the tree, built and run in $work
build_example() {  # name -> 0 when bin/name was built using no header of the tree
  cp "$repo/examples/$1.cpp" "src/$1.cpp"
  # shellcheck disable=SC2046  # the flags are words
  if ! g++ -O2 "src/$1.cpp" $(pkg-config --cflags --libs ordgrad) -MD -MF "src/$1.d" -o "bin/$1" 2>"src/$1.log"; then
    head -n 20 "src/$1.log"
    fail "example $1: does not compile against the installed ordgrad"
    return 1
  fi
  grep -q "$repo" "src/$1.d" && { fail "example $1: compiled with a header from the source tree"; return 1; }
  return 0
}
run_example() {  # name expected_status args... -> runs bin/name args
  local name=$1 want=$2 rc
  shift 2
  timeout 600 "bin/$name" "$@" >"src/$name.out" 2>&1
  rc=$?
  tail -n 4 "src/$name.out" | sed 's/^/   /'
  [ "$rc" -eq "$want" ] || { fail "example $name $*: exit $rc, expected $want"; return 1; }
}
ordered=(train_cnn custom_loss predict_total hello_graph)
others=()
for f in "$repo"/examples/*.cpp; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .cpp)
  [[ " ${ordered[*]} " == *" $n "* ]] || others+=("$n")
done
for name in "${ordered[@]}" "${others[@]}"; do
  start=$SECONDS
  [ -f "$repo/examples/$name.cpp" ] || { fail "example $name: examples/$name.cpp is missing"; continue; }
  build_example "$name" || continue
  case $name in
    train_cnn) run_example "$name" 0 "$work" --quick ;;
    custom_loss) run_example "$name" 0 && run_example "$name" 1 --plant-bug ;;
    predict_total) run_example "$name" 0 "$work/model.ogm" "$work/data" ;;
    *) run_example "$name" 0 ;;
  esac
  echo "example $name: built and ran ($((SECONDS - start)) s)"
done
cd "$tmp" || exit 1

# 5. uninstall: the prefix as the user had it, plus what the user added since
mkdir -p "$prefix/include" && echo mine >"$prefix/include/user.h"
printf './include\n./include/user.h\n' >>"$tmp/before"
mk uninstall PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log"; fail "step uninstall: make uninstall failed"; }
(cd "$prefix" && find . | sort) >"$tmp/after"
left=$(comm -13 <(sort "$tmp/before") "$tmp/after" | paste -sd' ')
gone=$(comm -23 <(sort "$tmp/before") "$tmp/after" | paste -sd' ')
[ -z "$left" ] || fail "step uninstall: left behind: $left"
[ -z "$gone" ] || fail "step uninstall: removed files that were not ordgrad's: $gone"
mk uninstall PREFIX="$prefix" >/dev/null 2>&1 && fail "step uninstall: a second uninstall (no manifest) did not refuse"

# DESTDIR: staged under DESTDIR, the .pc naming the final prefix
stage=$tmp/stage
mk install DESTDIR="$stage" PREFIX=/opt/og >/dev/null 2>&1 || fail "step destdir: make install DESTDIR=$stage failed"
grep -qx 'prefix=/opt/og' "$stage/opt/og/lib/pkgconfig/ordgrad.pc" 2>/dev/null || fail "step destdir: ordgrad.pc does not name prefix /opt/og"
mk uninstall DESTDIR="$stage" PREFIX=/opt/og >/dev/null 2>&1 || fail "step destdir: make uninstall DESTDIR=$stage failed"
[ -z "$(ls -A "$stage/opt/og" 2>/dev/null)" ] || fail "step destdir: uninstall left files in $stage/opt/og"

[ "$failures" -eq 0 ] && echo "install check: passed" || echo "install check: $failures failure(s)"
[ "$failures" -eq 0 ]
