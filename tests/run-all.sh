#!/usr/bin/env bash
# Installs what the tests need and runs every test: the linters, C++ (CTest),
# Python (pytest, including the lifetimes parity tests and the notebooks) and
# the documentation site (Sphinx, warnings as errors). Safe to run again: each
# step skips what is already in place.
#
# Root is needed only to install missing system packages (with apt-get, as root
# or through sudo). When they are all present the script runs as any user; when
# some are missing and it cannot install them it stops and names them.
#
#   KAMKIT_TEST_VENV       virtual environment for kamkit and its tests (.venv-test)
#   KAMKIT_LIFETIMES_VENV  virtual environment for lifetimes (.venv-lifetimes)
#   KAMKIT_TEST_BUDGET     minutes the whole run may take before it is stopped (45)
#   KAMKIT_SKIP_DOCS=1     leave out the documentation build
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
venv="${KAMKIT_TEST_VENV:-$root/.venv-test}"
export KAMKIT_LIFETIMES_VENV="${KAMKIT_LIFETIMES_VENV:-$root/.venv-lifetimes}"
budget=$((${KAMKIT_TEST_BUDGET:-45} * 60))

step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
die() {
  printf '\nrun-all.sh: %s\n' "$*" >&2
  exit 1
}
# Seconds left of the budget, for `timeout`: a hang stops the run instead of stalling it.
left() {
  local s=$((budget - SECONDS))
  [ "$s" -gt 0 ] || die "over the ${KAMKIT_TEST_BUDGET:-45}-minute budget before: $*"
  echo "$s"
}

# ------------------------------------------------------------------ system
# Each check looks for the file or command itself (no pipes: under pipefail a
# `fc-list | grep -q` fails whenever grep stops reading early).
missing=()
command -v "${CXX:-c++}" >/dev/null 2>&1 || missing+=(g++)
"$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
"$python" -c 'import os, sysconfig; p = sysconfig.get_paths()["include"]; raise SystemExit(not os.path.exists(os.path.join(p, "Python.h")))' \
  >/dev/null 2>&1 || missing+=(python3-dev)
[ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
# The report's Chinese text needs a CJK font; its rendering test and the
# documentation's screenshots need Chromium.
[ -n "$(fc-list 'Noto Sans CJK SC' family 2>/dev/null || true)" ] || missing+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      sudo=(sudo)
    else
      sudo=(none)
    fi
  fi
  if [ "${sudo[*]}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    die "these system packages are missing: ${missing[*]}
Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run this again;
nothing else here needs root."
  fi
  step "installing ${missing[*]} with apt-get"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi

# ------------------------------------------------------------------ Python
step "installing kamkit and its test extras into $venv (compiles the C++ core)"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
export PATH="$venv/bin:$PATH"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet ".[test]"
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null

if [ -f tests/lifetimes/make_env.sh ]; then
  step "preparing lifetimes in $KAMKIT_LIFETIMES_VENV"
  bash tests/lifetimes/make_env.sh
  export KAMKIT_LIFETIMES_PYTHON="$KAMKIT_LIFETIMES_VENV/bin/python"
fi

# ------------------------------------------------------------------ lint
step "ruff and clang-format"
"$venv/bin/ruff" check python tests benchmarks notebooks docs
"$venv/bin/ruff" format --check python tests benchmarks docs
step "mypy (strict, pandas-stubs) and the import layers (import-linter)"
# Configuration in pyproject.toml: [tool.mypy], [tool.importlinter]. ruff's D rules
# (numpydoc) ran above with the rest of ruff's checks.
"$venv/bin/mypy"
PYTHONPATH="$root/python" "$venv/bin/lint-imports" --no-cache  # the source tree, not the install
mapfile -t cpp_files < <(git ls-files 'cpp/*.hpp' 'cpp/*.cpp' 'tests/cpp/*.cpp')
"$venv/bin/clang-format" --dry-run --Werror "${cpp_files[@]}"

# ------------------------------------------------------------------ C++
step "C++ core tests (GoogleTest through CTest)"
build="$root/build/cpp-tests"
cmake -S . -B "$build" -G Ninja \
  -DKAMKIT_BUILD_PYTHON=OFF -DKAMKIT_BUILD_TESTS=ON \
  -DPython_EXECUTABLE="$venv/bin/python" >/dev/null
cmake --build "$build"
timeout "$(left ctest)" ctest --test-dir "$build" --output-on-failure --no-tests=error ||
  die "the C++ tests failed, found no tests, or ran over the budget (exit $?)"

step "C++ core tests under AddressSanitizer and UBSan"
build_san="$root/build/cpp-sanitize"
cmake -S . -B "$build_san" -G Ninja \
  -DKAMKIT_BUILD_PYTHON=OFF -DKAMKIT_BUILD_TESTS=ON -DKAMKIT_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython_EXECUTABLE="$venv/bin/python" >/dev/null
cmake --build "$build_san"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  timeout "$(left ctest-sanitize)" ctest --test-dir "$build_san" --output-on-failure \
  --no-tests=error || die "the C++ tests failed under the sanitizers (exit $?)"

# ------------------------------------------------------------------ Python
step "Python tests (pytest)"
# Run from tests/ so that the installed kamkit is imported, not python/.
status=0
(cd "$root/tests" && timeout "$(left pytest)" "$venv/bin/python" -m pytest \
  -c "$root/pyproject.toml" --rootdir "$root" "$root/tests/python" "$@") || status=$?
case $status in
  0) ;;
  5) die "pytest collected no tests: nothing was checked" ;;
  124) die "pytest ran over the budget and was stopped" ;;
  *) die "the Python tests failed (pytest exit $status)" ;;
esac

step "doctests: the Examples section of every public function and class"
# The installed package; the lifetimes drop-in's own examples are not run yet.
package="$(cd "$root/tests" && "$venv/bin/python" -c 'import kamkit, os; print(os.path.dirname(kamkit.__file__))')"
status=0
(cd "$root/tests" && MPLBACKEND=Agg timeout "$(left doctests)" "$venv/bin/python" -m pytest \
  -c "$root/pyproject.toml" --rootdir "$root" -q --doctest-modules "$package" \
  --ignore="$package/lifetimes") || status=$?
case $status in
  0) ;;
  5) die "the doctests collected nothing: no Examples were run" ;;
  124) die "the doctests ran over the budget and were stopped" ;;
  *) die "the doctests failed (pytest exit $status)" ;;
esac

# ------------------------------------------------------------------ docs
if [ "${KAMKIT_SKIP_DOCS:-0}" != 1 ]; then
  step "documentation (Sphinx, warnings as errors)"
  # -E: every page read afresh; executed notebooks are cached in build/docs/jupyter_cache.
  timeout "$(left sphinx)" "$venv/bin/python" -m sphinx -E -W --keep-going -q -b html \
    "$root/docs" "$root/build/docs/html" || die "the documentation build failed (see above)"
  echo "documentation: $root/build/docs/html/index.html"
fi

step "all tests passed"
