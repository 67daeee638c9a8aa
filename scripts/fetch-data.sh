#!/bin/sh
# Fetch the real footage and photographs listed in data/real_footage.jsonl and
# data/photos.jsonl, from Debian packages. Idempotent: a second run does nothing.
#
#   opencv-doc, python3-imageio   installed with apt-get (videos and photos under /usr/share
#                                 and /usr/lib/python3; small dependency sets). scripts/setup-deps.sh
#                                 installs them too, since tests read them.
#   python3-mecavideo, node-opencv  only their example videos are wanted: installing them would
#                                 pull ~440 MB of PyQt6/OpenCV/Node, so the .deb is fetched with
#                                 `apt-get download` and the videos are unpacked into data/footage/
#                                 (git-ignored; paths in real_footage.jsonl are relative to data/).
#   python3-skimage               only data/coffee.png, a photo in no data list, for the check
#                                 of animating an unseen photo (docs/MODEL.md): unpacked the same
#                                 way into data/footage/unseen/.
#
# Needs root (or sudo) only for apt-get install. Usage: scripts/fetch-data.sh
set -eu
cd "$(dirname "$0")/.."
DEST=data/footage

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
updated=no
apt_update() {
  if [ "$updated" = no ]; then
    $SUDO apt-get update -qq
    updated=yes
  fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=""
for p in opencv-doc python3-imageio; do
  installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "fetch-data: installing:$missing"
  apt_update
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# unpack PACKAGE DIR-IN-PACKAGE SUBDIR [FILE]: copy the package's videos (or only FILE) into
# $DEST/SUBDIR.
unpack() {
  pkg=$1 from=$2 sub=$3 file=${4:-}
  if [ -f "$DEST/$sub/.complete" ]; then
    return 0
  fi
  if ! apt-cache show "$pkg" >/dev/null 2>&1; then
    apt_update
  fi
  if ! apt-cache show "$pkg" >/dev/null 2>&1; then
    echo "fetch-data: $pkg is not in this system's package lists; its files will be skipped" >&2
    return 0
  fi
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt-get download runs as _apt
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download -qq "$pkg")
  dpkg-deb -x "$tmp"/*.deb "$tmp/root"
  mkdir -p "$DEST/$sub"
  if [ -n "$file" ]; then
    cp "$tmp/root$from/$file" "$DEST/$sub/"
  else
    find "$tmp/root$from" -maxdepth 1 -type f \
      \( -name '*.avi' -o -name '*.mp4' -o -name '*.mov' -o -name '*.ogv' -o -name '*.mkv' \) \
      -exec cp {} "$DEST/$sub/" \;
  fi
  touch "$DEST/$sub/.complete"
  rm -rf "$tmp"
  trap - EXIT
  echo "fetch-data: $pkg files in $DEST/$sub: $(ls "$DEST/$sub" | tr '\n' ' ')"
}

unpack python3-mecavideo /usr/share/pymecavideo/data/video pymecavideo
unpack node-opencv /usr/share/doc/node-opencv/examples/files node-opencv
unpack python3-skimage /usr/lib/python3/dist-packages/skimage/data unseen coffee.png

echo "fetch-data: done (data/real_footage.jsonl, data/photos.jsonl)"
