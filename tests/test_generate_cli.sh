#!/bin/sh
# `artv generate` and `artv init-random` end to end on a tiny random model: T2V to MP4 and to a
# PNG sequence, animating a still, continuing a clip, determinism, option errors, SIGINT.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
SRC="${ARTV_SRCDIR:-.}"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
have_ffprobe=no
command -v ffprobe >/dev/null 2>&1 && have_ffprobe=yes
# frames_of FILE: "WIDTH,HEIGHT,FRAMES" of the first video stream
frames_of() {
    ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$1"
}
png_size() { # "WIDTH HEIGHT" from the IHDR chunk
    od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}

"$ARTV" init-random --config "$SRC/models/test-tiny/config.json" \
    --tokenizer "$SRC/tests/data/tiny-tokenizer.model" --seed 1 --out "$tmp/model" >"$tmp/init.out"
check "init-random succeeds" test $? -eq 0
check "init-random writes config, weights and tokenizer" \
    test -s "$tmp/model/config.json" -a -s "$tmp/model/model.safetensors" -a -s "$tmp/model/tokenizer.model"
"$ARTV" init-random --config "$SRC/models/test-tiny/config.json" --out "$tmp/nope" 2>"$tmp/err"; rc=$?
check "init-random without a tokenizer fails with a hint" test "$rc" -eq 1
check "init-random names --tokenizer" grep -q -- "--tokenizer" "$tmp/err"

"$ARTV" generate --help >"$tmp/help"
for opt in --model --prompt --prompts --input --include-input --output --frames --size --fps \
           --gen-size --max-size --steps --sampler --eta --seed --cfg-ref --cfg-anchor --cfg-text \
           --cfg-text-t2v --noise-aug --anchor --no-mask --device --dtype --threads --quiet; do
    check "--help documents $opt" grep -q -- "$opt" "$tmp/help"
done
"$ARTV" --help | grep -q '^  generate ' ; check "artv --help lists generate" test $? -eq 0
"$ARTV" --help | grep -q '^  init-random ' ; check "artv --help lists init-random" test $? -eq 0

G="$ARTV generate --model $tmp/model --steps 1 --sampler ddim --device cpu --dtype fp32 --threads 1"

# T2V to MP4; stderr is not a terminal: one plain line per frame.
$G --prompt "a red ball rolls left" --frames 3 -o "$tmp/t2v.mp4" 2>"$tmp/t2v.err"; rc=$?
check "T2V to MP4 succeeds" test "$rc" -eq 0
check "plain progress lines" grep -q '^frame 3/3 ' "$tmp/t2v.err"
check "T2V MP4 exists" test -s "$tmp/t2v.mp4"
[ "$have_ffprobe" = yes ] && check "T2V MP4 has 3 frames of 64x64" test "$(frames_of "$tmp/t2v.mp4")" = "64,64,3"

# PNG sequence at another output size, twice with the same seed: identical files.
mkdir -p "$tmp/a" "$tmp/b"
$G --prompts "a blue box:2|a green star:1" --size 40x30 --seed 5 -q -o "$tmp/a/f_%03d.png"; rc=$?
check "schedule to PNGs succeeds" test "$rc" -eq 0
check "the schedule's total (3) frames are written" test "$(ls "$tmp/a" | wc -l)" -eq 3
check "PNGs have the output size" test "$(png_size "$tmp/a/f_000.png" 2>/dev/null || png_size "$tmp/a/f_001.png")" = "40 30"
$G --prompts "a blue box:2|a green star:1" --size 40x30 --seed 5 -q -o "$tmp/b/f_%03d.png"
same=yes
for f in "$tmp"/a/*.png; do cmp -s "$f" "$tmp/b/$(basename "$f")" || same=no; done
check "same seed, same frames" test "$same" = yes
mkdir -p "$tmp/c"
$G --prompts "a blue box:2|a green star:1" --size 40x30 --seed 6 -q -o "$tmp/c/f_%03d.png"
diff=no
for f in "$tmp"/a/*.png; do cmp -s "$f" "$tmp/c/$(basename "$f")" || diff=yes; done
check "another seed, other frames" test "$diff" = yes

# Animate a still; continue a clip with its frames written first.
first=$(ls "$tmp"/a/*.png | head -n 1)
$G --input "$first" --prompt "it moves" --frames 2 -q -o "$tmp/ti2v.mp4"; rc=$?
check "animating a PNG succeeds" test "$rc" -eq 0
[ "$have_ffprobe" = yes ] && check "TI2V keeps the image size" test "$(frames_of "$tmp/ti2v.mp4")" = "40,30,2"
$G --input "$tmp/t2v.mp4" --include-input --frames 2 -q -o "$tmp/cont.mp4"; rc=$?
check "continuing a clip succeeds" test "$rc" -eq 0
[ "$have_ffprobe" = yes ] && check "input + generated frames" test "$(frames_of "$tmp/cont.mp4")" = "64,64,5"

# Errors: usage (exit 2) and failures (exit 1), each with a sentence.
expect() { # expect RC PATTERN DESCRIPTION -- ARGS...
    want="$1"; pattern="$2"; desc="$3"; shift 4
    $G "$@" -o "$tmp/err.mp4" 2>"$tmp/err"; got=$?
    check "$desc exits $want" test "$got" -eq "$want"
    check "$desc says why" grep -q -- "$pattern" "$tmp/err"
}
expect 2 "--steps needs a whole number" "--steps 0" -- --steps 0
expect 2 "--cfg-text needs a finite number" "--cfg-text nan" -- --cfg-text nan
expect 2 "dpmpp_2s_ancestral" "an unknown sampler" -- --sampler heun
expect 2 'paper, first or none, got "last"' "an unknown anchor policy" -- --anchor last
expect 2 "character 3" "a bad schedule" -- --prompts "a:x"
expect 2 "--size needs WIDTHxHEIGHT" "a bad size" -- --size 0x10
expect 2 "--size needs WIDTHxHEIGHT" "a size past int (not wrapped to 16x64)" -- --size 4294967312x64
expect 2 "--size needs WIDTHxHEIGHT" "a size with trailing text" -- --size 64x64x2
expect 2 "multiples of 16" "a bad generation size" -- --gen-size 70x64
expect 1 "CUDA requested but no CUDA device is available" "--device cuda without CUDA" -- --device cuda
expect 1 "does not exist" "a missing model" -- --model "$tmp/missing"
expect 1 "$tmp/nothing.mp4" "a missing input" -- --input "$tmp/nothing.mp4"
"$ARTV" generate --model "$tmp/model" 2>"$tmp/err"; rc=$?
check "no output exits 2" test "$rc" -eq 2

# interrupt SIGNAL OUTPUT: a long generation into OUTPUT gets SIGNAL once 2 frames are done;
# sets rc and leaves stderr in $tmp/SIGNAL.err.
interrupt() {
    $G --prompt "a long video" --frames 100000 -o "$2" 2>"$tmp/$1.err" &
    pid=$!
    n=0
    while ! grep -q '^frame 2/' "$tmp/$1.err" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
    kill -"$1" "$pid"
    wait "$pid"; rc=$?
}
# SIGINT stops between denoising steps; the frames done so far are kept, exit 130.
interrupt INT "$tmp/int.mp4"
check "SIGINT exits 130" test "$rc" -eq 130
check "SIGINT is reported" grep -q "interrupted by SIGINT after" "$tmp/INT.err"
check "the partial video is kept" test -s "$tmp/int.mp4"
check "no temporary video is left" test -z "$(ls "$tmp" | grep '\.part')"
if [ "$have_ffprobe" = yes ]; then
    nf=$(frames_of "$tmp/int.mp4" | cut -d, -f3)
    check "the partial video is readable with >= 2 frames" test "${nf:-0}" -ge 2
fi
# SIGTERM (a service manager stopping the job) the same way, exit 143; PNGs written so far stay.
mkdir -p "$tmp/term"
interrupt TERM "$tmp/term/f_%05d.png"
check "SIGTERM exits 143" test "$rc" -eq 143
check "SIGTERM is reported" grep -q "interrupted by SIGTERM after" "$tmp/TERM.err"
done_frames=$(sed -n 's/^frame \([0-9]*\)\/.*/\1/p' "$tmp/TERM.err" | tail -n 1)
check "every finished frame is a complete PNG" \
    test "$(ls "$tmp"/term/*.png | wc -l)" -ge 2 -a "$(ls "$tmp"/term/*.png | wc -l)" -ge "${done_frames:-99}"
for f in "$tmp"/term/*.png; do
    check "$(basename "$f") has the PNG end chunk" test "$(tail -c 8 "$f" | od -An -c | tr -d ' ')" = 'IEND256B`202'
done
check "no temporary PNG is left" test -z "$(ls -a "$tmp/term" | grep -v '\.png$' | grep -v '^\.\.*$')"
# A signal before the first frame is done (1000 steps make it long): nothing to keep, so no
# empty video is left. The writer's temporary file appears just before the first frame starts.
$G --prompt "a long first frame" --steps 1000 --frames 2 -o "$tmp/empty.mp4" 2>"$tmp/empty.err" &
pid=$!
n=0
while [ -z "$(ls "$tmp" | grep '^empty\.mp4\.part')" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT "$pid"
wait "$pid"; rc=$?
check "SIGINT before the first frame exits 130" test "$rc" -eq 130
check "... says nothing was written" grep -q "before the first frame; nothing written" "$tmp/empty.err"
check "... and leaves no file" test -z "$(ls "$tmp" | grep '^empty\.mp4')"

echo "$failures failure(s)"
test "$failures" -eq 0
