#!/bin/sh
# Builds `artv` against the torch wheel's CUDA LibTorch and gathers what a GPU machine needs to
# train artv-tiny there (docs/MODEL.md, "The shipped artv-tiny"): the program, libartv, the
# training data and the recipe, in one directory that the device tool can carry.
#
#   scripts/gpu-bundle.sh [BUNDLE_DIR]        (default: _build/gpu-bundle, ignored by git)
#
# Needs: the torch wheel (scripts/setup-torch-wheel.sh installs it when missing), and the
# default build's FFmpeg (configure --enable-ffmpeg), whose
# static libavformat/libavcodec replace Debian's shared ones: the GPU machine has no libav.
# There, with the bundle carried:  sh BUNDLE/train.sh   (DEVICE=cuda, budgets from the env).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/_build/gpu-bundle}
TORCH=$("$TOP/scripts/setup-torch-wheel.sh" | tail -n 1)
FF=$TOP/_build/default/ffmpeg-build/obj
die() { echo "gpu-bundle: $*" >&2; exit 1; }
[ -n "$TORCH" ] && [ -f "$TORCH/lib/libtorch_cuda.so" ] || die "the torch wheel in $TORCH has no CUDA library"
[ -f "$FF/libavcodec/libavcodec.a" ] || die "no static libav in $FF (build with --enable-ffmpeg first)"

# 1. The wheel build (out of tree, configured once).
export CCACHE_BASEDIR="$TOP" CCACHE_NOHASHDIR=true
mkdir -p "$TOP/_build/wheel"
cd "$TOP/_build/wheel"
if [ ! -f Makefile ]; then
  LIBAV_CFLAGS=" " LIBAV_LIBS="-L$FF/libavformat -L$FF/libavcodec -L$FF/libswscale -L$FF/libavutil \
-L$FF/libswresample -Wl,--exclude-libs,ALL -lavformat -lavcodec -lswscale -lswresample -lavutil \
-lx264 -lz -lm -lpthread" "$TOP/configure" --with-libtorch="$TORCH" --disable-ffmpeg --disable-gstreamer
fi
make -j"$(nproc)" tools/artv

# 2. The bundle: program and library (stripped; the torch libraries are the machine's own),
#    the one shared library the static libav needs, the data with paths made relative.
rm -rf "$OUT" && mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/data/footage" "$OUT/data/photos" "$OUT/scripts" "$OUT/models/artv-tiny"
cp tools/.libs/artv "$OUT/bin/artv"
cp -L .libs/libartv.so.0 "$OUT/lib/"
cp -L "$(ldconfig -p | sed -n 's/.*libx264.so.164 .*=> //p' | head -1)" "$OUT/lib/"
strip "$OUT/bin/artv" "$OUT/lib/libartv.so.0"
cp "$TOP/scripts/train-artv-tiny.sh" "$OUT/scripts/"
cp "$TOP/models/artv-tiny/config.json" "$OUT/models/artv-tiny/"
python3 - "$TOP" "$OUT" <<'PY'
import json, os, shutil, sys
top, out = sys.argv[1:]
def bundle(src, sub):
    lines = []
    for line in open(os.path.join(top, src)):
        s = line.strip()
        if not s or s.startswith('#'):
            lines.append(line); continue
        j = json.loads(s)
        p = j['path'] if os.path.isabs(j['path']) else os.path.join(top, os.path.dirname(src), j['path'])
        name = os.path.basename(os.path.dirname(p)) + '_' + os.path.basename(p)
        shutil.copy(p, os.path.join(out, 'data', sub, name))
        j['path'] = sub + '/' + name
        lines.append(json.dumps(j) + '\n')
    open(os.path.join(out, 'data', os.path.basename(src)), 'w').writelines(lines)
bundle('data/real_footage.jsonl', 'footage')
bundle('data/photos.jsonl', 'photos')
PY
cat >"$OUT/train.sh" <<'SH'
#!/bin/sh
# On the GPU machine: the recipe with this bundle's program and data, torch from its Python.
K=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$K/lib:$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib"
ARTV=$K/bin/artv DEVICE=${DEVICE:-cuda} TRAIN_ARGS=${TRAIN_ARGS:---encode-batch 64} FOOTAGE=$K/data/real_footage.jsonl PHOTOS=$K/data/photos.jsonl \
  exec bash "$K/scripts/train-artv-tiny.sh" "${1:-/tmp/run}"
SH
chmod +x "$OUT/train.sh"
du -sh "$OUT"
# Packed as well: the bundle (~41 MB) and the source tree (~31 MB) together pass the device
# tool's 64 MiB; packed (~27 MB) they fit. There: mkdir K && tar -C K -xJf BUNDLE.tar.xz
tar -C "$OUT" -cJf "$OUT.tar.xz" .
echo "gpu-bundle: $OUT and $OUT.tar.xz (carry one; files come back at most 16 MiB each: split the weights)"
