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
opencv-doc python3-imageio"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "setup-deps: all Debian packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
