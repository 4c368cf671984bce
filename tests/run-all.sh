#!/usr/bin/env bash
# Installs what the tests need and runs every test: C++ (CTest), Python
# (pytest, including the lifetimes parity tests and the notebooks) and the
# linters. Safe to run again: each step skips what is already in place.
#
#   KAMKIT_TEST_VENV       virtual environment for kamkit and its tests (.venv-test)
#   KAMKIT_LIFETIMES_VENV  virtual environment for lifetimes (.venv-lifetimes)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
venv="${KAMKIT_TEST_VENV:-$root/.venv-test}"
export KAMKIT_LIFETIMES_VENV="${KAMKIT_LIFETIMES_VENV:-$root/.venv-lifetimes}"

step() { printf '\n==> %s\n' "$*"; }

# ------------------------------------------------------------------ system
apt_packages=()
[ -f /usr/include/gtest/gtest.h ] || apt_packages+=(libgtest-dev)
# The report's Chinese text needs a CJK font; its rendering test needs Chromium.
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || apt_packages+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
if [ ${#apt_packages[@]} -gt 0 ]; then
  step "installing ${apt_packages[*]} with apt-get"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}"
fi

# ------------------------------------------------------------------ Python
step "installing kamkit and its test extras into $venv"
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
mapfile -t cpp_files < <(git ls-files 'cpp/*.hpp' 'cpp/*.cpp' 'tests/cpp/*.cpp')
"$venv/bin/clang-format" --dry-run --Werror "${cpp_files[@]}"

# ------------------------------------------------------------------ C++
step "C++ core tests (GoogleTest through CTest)"
build="$root/build/cpp-tests"
cmake -S . -B "$build" -G Ninja \
  -DKAMKIT_BUILD_PYTHON=OFF -DKAMKIT_BUILD_TESTS=ON \
  -DPython_EXECUTABLE="$venv/bin/python" >/dev/null
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure

# ------------------------------------------------------------------ Python
step "Python tests (pytest)"
# Run from tests/ so that the installed kamkit is imported, not python/.
cd "$root/tests"
"$venv/bin/python" -m pytest -c "$root/pyproject.toml" --rootdir "$root" "$root/tests/python" "$@"
