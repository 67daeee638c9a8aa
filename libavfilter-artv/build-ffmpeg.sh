#!/bin/sh
# Build an FFmpeg 5.1 with the artv filters compiled in (libavfilter has no run-time plugins).
#
#   build-ffmpeg.sh --srcdir=ARTV_SRCDIR --builddir=DIR --libartv-dir=DIR [--ffmpeg-source=TREE]
#                   [--cc=CC] [--sanitize=FLAGS] [--fetch-only]
#   --sanitize: the project's -fsanitize=... flags (configure --enable-sanitizers): FFmpeg is
#   built with them too, or the ASan runtime would not load first and ffmpeg could not start.
#   Environment: MAKE, PATCHELF; ARTV_FFMPEG_TARGETS (default "ffmpeg ffprobe").
#
# Layout under --builddir (each step is skipped when its stamp says it is up to date):
#   src/        Debian's FFmpeg source (`apt-get source ffmpeg`), fetched once and kept as a cache
#   tree/       a copy of the FFmpeg tree (src/ffmpeg or --ffmpeg-source, never modified in place)
#               with ffmpeg-5.1-artv.patch applied and the filter sources copied into libavfilter/
#   obj/        FFmpeg's out-of-tree build: static libraries, ffmpeg, ffprobe
#   ffmpeg, ffprobe   links to obj/ffmpeg, obj/ffprobe (rpath: the build tree's libartv)
#   stamps/     what tree/ and obj/ were made from
#
# FFmpeg is static and links the shared libartv; --exclude-libs keeps FFmpeg's own symbols out
# of the executable's dynamic table, so that libartv keeps using the system's libav* it was
# linked with instead of binding to the executable's copies. The programs' rpath (the build
# tree's libartv) is set with patchelf after linking, to keep absolute paths out of configure.
#
# Incremental: a filter source that changed is copied (new mtime, so FFmpeg's make recompiles it
# and relinks); unchanged ones are left alone. A changed patch or source tree rebuilds tree/ from
# the pristine copy (cp keeps mtimes, so only the patched files recompile) and reconfigures.
# Configure runs again only when its arguments change.
#
# Make's jobserver is used when this runs under `make -jN`; otherwise -j$(nproc).
set -eu

srcdir= builddir= libartv_dir= ffmpeg_source= fetch_only=no sanitize=
cc=${CC:-gcc}
for arg in "$@"; do
  case $arg in
    --srcdir=*) srcdir=${arg#*=} ;;
    --builddir=*) builddir=${arg#*=} ;;
    --libartv-dir=*) libartv_dir=${arg#*=} ;;
    --ffmpeg-source=*) ffmpeg_source=${arg#*=} ;;
    --cc=*) cc=${arg#*=} ;;
    --sanitize=*) sanitize=${arg#*=} ;;
    --fetch-only) fetch_only=yes ;;
    *) echo "build-ffmpeg.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[ -n "$srcdir" ] && [ -n "$builddir" ] && [ -n "$libartv_dir" ] || {
  echo "usage: build-ffmpeg.sh --srcdir=DIR --builddir=DIR --libartv-dir=DIR [--ffmpeg-source=DIR] [--cc=CC]" >&2
  exit 2
}

say() { echo "  FFMPEG   $*"; }
die() { echo "build-ffmpeg.sh: error: $*" >&2; exit 1; }
abspath() { (cd "$1" && pwd -P); }

srcdir=$(abspath "$srcdir")
mkdir -p "$builddir"
builddir=$(abspath "$builddir")
stamps=$builddir/stamps
mkdir -p "$stamps"
filter_dir=$srcdir/libavfilter-artv
patch_file=$filter_dir/ffmpeg-5.1-artv.patch
filter_files="vf_artv.c vsrc_artvsrc.c artv_filter_common.c artv_filter_common.h"
started=$(date +%s)

# ------------------------------------------------------------------ 1. the pristine source
fetch_debian_source() {
  dl=$builddir/src
  if [ -f "$stamps/fetched" ] && [ -d "$dl/ffmpeg" ]; then
    return 0
  fi
  command -v dpkg-source >/dev/null || die "dpkg-source not found (apt-get install dpkg-dev), or configure --with-ffmpeg-source=DIR"
  rm -rf "$dl"
  mkdir -p "$dl"
  say "fetching Debian's FFmpeg source (apt-get source ffmpeg)"
  if ! (cd "$dl" && apt-get source --download-only ffmpeg) >"$builddir/fetch.log" 2>&1; then
    tail -5 "$builddir/fetch.log" >&2
    die "apt-get source ffmpeg failed (log: $builddir/fetch.log).
  It needs a deb-src entry: scripts/setup-deps.sh adds one (then apt-get update).
  Or give an FFmpeg 5.1 tree: configure --with-ffmpeg-source=DIR"
  fi
  dsc=$(ls "$dl"/ffmpeg_*.dsc | head -n1)
  (cd "$dl" && dpkg-source -x "$dsc" ffmpeg) >>"$builddir/fetch.log" 2>&1 ||
    die "dpkg-source -x $dsc failed (log: $builddir/fetch.log)"
  basename "$dsc" >"$stamps/fetched"
}

if [ -n "$ffmpeg_source" ]; then
  [ -d "$ffmpeg_source" ] || die "--with-ffmpeg-source: '$ffmpeg_source' is not a directory"
  pristine=$(abspath "$ffmpeg_source")
else
  fetch_debian_source
  pristine=$builddir/src/ffmpeg
fi
[ -f "$pristine/libavfilter/allfilters.c" ] && [ -x "$pristine/configure" ] ||
  die "'$pristine' does not look like an FFmpeg source tree (no libavfilter/allfilters.c or configure)"
release=$(cat "$pristine/RELEASE" 2>/dev/null || echo unknown)
case $release in
  5.1|5.1.*) ;;
  *) echo "build-ffmpeg.sh: warning: '$pristine' is FFmpeg $release, not 5.1; the patch may not apply" >&2 ;;
esac
[ ! -f "$pristine/ffbuild/config.mak" ] ||
  die "'$pristine' was configured in place (ffbuild/config.mak): run 'make distclean' there or give a clean tree"
[ "$fetch_only" = no ] || exit 0

# ------------------------------------------------------------------ 2. the patched tree
tree=$builddir/tree
tree_key="source=$pristine release=$release patch=$(cksum <"$patch_file")"
if [ ! -d "$tree" ] || [ "$(cat "$stamps/tree" 2>/dev/null)" != "$tree_key" ]; then
  say "copying FFmpeg $release from $pristine and applying $(basename "$patch_file")"
  rm -rf "$tree" "$tree.tmp" "$stamps/tree"
  mkdir -p "$tree.tmp"
  # tar keeps modification times: after a patch change only the patched files look new.
  (cd "$pristine" && tar --exclude=./.git --exclude=./.pc -cf - .) | (cd "$tree.tmp" && tar -xpf -)
  (cd "$tree.tmp" && patch -p1 --forward --batch --silent) <"$patch_file" ||
    die "$(basename "$patch_file") does not apply to $pristine (FFmpeg $release)"
  mv "$tree.tmp" "$tree"
  echo "$tree_key" >"$stamps/tree"
fi
for f in $filter_files; do
  if ! cmp -s "$filter_dir/$f" "$tree/libavfilter/$f"; then
    cp "$filter_dir/$f" "$tree/libavfilter/$f"
  fi
done

make_cmd=${MAKE:-make}

# ------------------------------------------------------------------ 3. configure (once per arguments)
# The sanitizer flags go to the link (here) and to the compiler only at make time (ECFLAGS,
# step 4): compiled into configure's probes, ASan's "__odr_asan.ff_extern" symbol makes
# configure take "__odr_asan." for the platform's symbol prefix, and the assembly then defines
# names that the C code cannot find.
obj=$builddir/obj
mkdir -p "$obj"
# Static FFmpeg with its native codecs, (de)muxers, filters and lavfi sources, plus x264 and
# zlib (PNG); no other external library, so the build is the same on every machine.
# No absolute path goes into these arguments (they end up in config.h, which every file
# includes): the same sources in another checkout then hit the same ccache entries.
rel_include=$(realpath -m --relative-to="$obj" "$srcdir/core/include")
rel_libartv=$(realpath -m --relative-to="$obj" "$libartv_dir")
set -- \
  --cc="$cc" \
  --enable-gpl --enable-libx264 \
  --disable-autodetect --enable-zlib --enable-iconv \
  --disable-doc --disable-debug --disable-ffplay \
  --extra-cflags="-I$rel_include" \
  --extra-ldflags="-L$rel_libartv${sanitize:+ $sanitize}" \
  --extra-ldexeflags="-Wl,--exclude-libs,ALL" \
  --extra-libs="-lartv"
configure_key="$tree_key $*"
if [ ! -f "$obj/ffbuild/config.mak" ] || [ "$(cat "$stamps/configure" 2>/dev/null)" != "$configure_key" ]; then
  [ -e "$libartv_dir/libartv.so" ] || die "$libartv_dir/libartv.so not built yet (FFmpeg's configure links against it)"
  say "configuring (log: $obj/configure.log)"
  rm -f "$stamps/configure"
  # Objects made with other arguments go: FFmpeg's make does not rebuild the assembly when only
  # the assembler's flags change (e.g. its symbol prefix). ccache keeps the rebuild cheap.
  [ ! -f "$obj/ffbuild/config.mak" ] || $make_cmd -C "$obj" clean >/dev/null 2>&1 || true
  # configure runs its test programs; with the sanitizers they keep their -lartv (the sanitizer
  # runtimes are linked --no-as-needed), so they must find libartv to start.
  if ! (cd "$obj" && LD_LIBRARY_PATH="$libartv_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$tree/configure" "$@") >"$obj/configure.log" 2>&1; then
    tail -15 "$obj/configure.log" >&2
    [ ! -f "$obj/ffbuild/config.log" ] || tail -25 "$obj/ffbuild/config.log" >&2
    die "FFmpeg's configure failed (logs: $obj/configure.log, $obj/ffbuild/config.log)"
  fi
  grep -q '^CONFIG_ARTV_FILTER=yes' "$obj/ffbuild/config.mak" ||
    die "FFmpeg's configure did not enable the artv filter (is the patch applied in $tree?)"
  echo "$configure_key" >"$stamps/configure"
fi

# ------------------------------------------------------------------ 4. build
case ${MAKEFLAGS:-} in
  *jobserver*) jobs= ;;                      # run under make -jN: share its job slots
  *) jobs=-j$(nproc 2>/dev/null || echo 2) ;;
esac
# ccache rewrites paths under the base directory to relative ones, so that another checkout
# of the project (CI's fresh clone) reuses this one's compilations.
CCACHE_BASEDIR=${CCACHE_BASEDIR:-$builddir}
export CCACHE_BASEDIR
targets=${ARTV_FFMPEG_TARGETS:-ffmpeg ffprobe}
# Until libartv exports the session API (another part of the project, in progress), build the
# libraries with the filters compiled in and link no program: the tests then skip.
if [ -z "${ARTV_FFMPEG_TARGETS:-}" ] &&
   ! nm -D --defined-only "$libartv_dir/libartv.so" 2>/dev/null | grep -q ' T artv_session_new$'; then
  libs="avdevice $(sed -n 's/^avdevice_FFLIBS=//p' "$obj/ffbuild/config.mak")"
  targets="$(for l in $libs; do printf 'lib%s/lib%s.a ' "$l" "$l"; done)fftools/ffmpeg.o fftools/ffprobe.o"
  rm -f "$builddir/ffmpeg" "$builddir/ffprobe" "$obj/ffmpeg" "$obj/ffmpeg_g" "$obj/ffprobe" "$obj/ffprobe_g"
  echo "build-ffmpeg.sh: warning: $libartv_dir/libartv.so has no artv_session_new yet:" \
       "building FFmpeg's libraries with the filters, not linking ffmpeg/ffprobe" >&2
fi
say "building $targets (log: $obj/build.log)"
# shellcheck disable=SC2086
if ! $make_cmd -C "$obj" $jobs ${sanitize:+ECFLAGS="$sanitize"} $targets >"$obj/build.log" 2>&1; then
  grep -E 'error|undefined reference' "$obj/build.log" | head -20 >&2 || true
  tail -15 "$obj/build.log" >&2
  die "building FFmpeg failed (log: $obj/build.log)"
fi
# The build-tree programs find libartv in the build tree (installing them sets $(libdir)).
for p in ffmpeg ffprobe; do
  if [ -x "$obj/$p" ]; then
    "${PATCHELF:-patchelf}" --set-rpath "$libartv_dir" "$obj/$p" ||
      die "patchelf --set-rpath failed on $obj/$p (apt-get install patchelf)"
    ln -sf "obj/$p" "$builddir/$p"
  fi
done
if [ -x "$obj/ffmpeg" ]; then
  say "done in $(( $(date +%s) - started )) s: $builddir/ffmpeg, $builddir/ffprobe"
else
  say "done in $(( $(date +%s) - started )) s: $targets"
fi
