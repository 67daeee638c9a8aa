#!/bin/sh
# Install the Debian packages ARTV needs to build and test, only those missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) for apt-get.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config ccache
libtorch-dev libopenblas0-pthread libsentencepiece-dev sentencepiece
check nlohmann-json3-dev
libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav
libx264-dev nasm dpkg-dev
opencv-doc python3-imageio
libgloo-dev
zlib1g-dev patchelf
python3-venv"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The FFmpeg build (libavfilter-artv/build-ffmpeg.sh) fetches Debian's FFmpeg source with
# `apt-get source ffmpeg`, which needs a deb-src entry. Debian's images ship only `Types: deb`:
# add the same mirrors as deb-src once, in a file of our own, and refresh the lists.
ensure_deb_src() {
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  deb_sources=/etc/apt/sources.list.d/debian.sources
  if [ ! -f "$deb_sources" ]; then
    echo "setup-deps: no $deb_sources to derive a deb-src entry from; add one by hand to build FFmpeg" >&2
    return 0
  fi
  echo "setup-deps: adding deb-src entries (for apt-get source ffmpeg)"
  sed -n 's/^Types: deb$/Types: deb-src/; p' "$deb_sources" |
    $SUDO tee /etc/apt/sources.list.d/artv-deb-src.sources >/dev/null
  apt_refresh=yes
}
apt_refresh=no
ensure_deb_src

if [ -z "$missing" ]; then
  [ "$apt_refresh" = no ] || $SUDO apt-get update -qq
  echo "setup-deps: all Debian packages present"
  exit 0
fi
echo "setup-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
