#!/bin/sh
# The second LibTorch: PyPI's `torch` wheel (LibTorch 2.x built with CUDA), installed into a
# virtual environment of its own. Prints the wheel's LibTorch directory (the `torch` package:
# include/, lib/) as the last line of stdout; everything else goes to stderr.
#
#   scripts/setup-torch-wheel.sh          # install if needed, print the directory
#   ./configure --with-libtorch=wheel     # runs this script
#
# Idempotent: a second run installs nothing. The version is pinned (ARTV_TORCH_VERSION changes
# it, for trying another). The environment lives outside the source tree, so every clone and
# every CI run on a machine shares one download (about 4.5 GB with the CUDA libraries):
#   ARTV_TORCH_VENV  its directory (default: ${XDG_CACHE_HOME:-~/.cache}/artv/torch-VERSION)
# Needs Debian's python3-venv (scripts/setup-deps.sh installs it) and PyPI.
set -eu

VERSION=${ARTV_TORCH_VERSION:-2.11.0}
VENV=${ARTV_TORCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/artv/torch-$VERSION}
# Debian's Python, not whatever python3 comes first on PATH: the environment must not depend
# on a user's pyenv or conda.
PYTHON=${ARTV_PYTHON:-/usr/bin/python3}
STAMP=$VENV/.artv-torch-version

say() { echo "setup-torch-wheel: $*" >&2; }
die() { say "$*"; exit 1; }

torch_dir() {
  for d in "$VENV"/lib/python3*/site-packages/torch; do
    [ -f "$d/lib/libtorch.so" ] && [ -f "$d/include/torch/csrc/api/include/torch/version.h" ] &&
      { echo "$d"; return 0; }
  done
  return 1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION" ] && dir=$(torch_dir); then
  say "torch $VERSION present in $VENV"
  echo "$dir"
  exit 0
fi

[ -x "$PYTHON" ] || die "$PYTHON not found: apt-get install python3-venv (or set ARTV_PYTHON)"
if [ ! -x "$VENV/bin/pip" ]; then
  say "creating the virtual environment $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV" >&2 || die "cannot create $VENV: apt-get install python3-venv"
fi
say "installing torch==$VERSION into $VENV (about 4.5 GB; once per machine)"
rm -f "$STAMP"
"$VENV/bin/pip" install --disable-pip-version-check --no-input --progress-bar off \
  "torch==$VERSION" >&2 || die "pip install torch==$VERSION failed (is PyPI reachable?)"
dir=$(torch_dir) || die "the torch $VERSION wheel in $VENV has no LibTorch (include/, lib/libtorch.so)"
echo "$VERSION" >"$STAMP"
say "torch $VERSION installed: $dir"
echo "$dir"
