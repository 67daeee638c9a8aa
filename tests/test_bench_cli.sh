#!/bin/sh
# `artv bench` end to end on the tiny random model (tests/test-tiny, built by `make check`): the
# table, the JSON report's fields for every ablation and the long session, and bad options. The
# timings of a test run mean nothing (the machine is shared); only their presence and the
# counts that follow from the options are checked.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
MODEL="${ARTV_BUILDDIR:-.}/tests/test-tiny"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

"$ARTV" bench --help >"$tmp/help"
for opt in --model --config --size --dtypes --threads --blas-threads --attention-chunk --mode \
           --steps --frames --ablations --op-profile --long-frames --rss-every --out; do
    check "--help documents $opt" grep -q -- "$opt" "$tmp/help"
done
"$ARTV" --help | grep -q '^  bench ' ; check "artv --help lists bench" test $? -eq 0

"$ARTV" bench --model "$MODEL" --device cpu --dtypes fp32 --threads 1 --size 32x32 --steps 2 \
    --frames 1 --cfg-ref 1.5 --cfg-anchor 2 --cfg-text 3 --long-frames 12 --rss-every 5 --op-profile 5 \
    --out "$tmp/b.json" >"$tmp/table" 2>"$tmp/err"; rc=$?
check "bench succeeds" test "$rc" -eq 0
check "progress on stderr" grep -q 'ablation batch_cfg' "$tmp/err"
check "table: default row" grep -q '^fp32  default (all on)' "$tmp/table"
check "table: U-Net forward at the guidance batch" grep -q 'U-Net forward, batch 4' "$tmp/table"
check "table: long session" grep -q 'frame 10:' "$tmp/table"
check "table: the U-Net's ops" grep -q 'its ops, profiled' "$tmp/table"

if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/b.json" <<'PY' >"$tmp/fields" 2>&1; rc=$?
import json, sys
r = json.load(open(sys.argv[1]))
assert r["machine"]["cpu"] and r["machine"]["threads"] == 1
run, = r["runs"]
assert run["dtype"] == "fp32"
assert run["reference"]["conv_gflops"] > 0 and run["reference"]["matmul_gflops"] > 0
f = run["frame"]
# 2 DPM++ 2S a steps = 3 denoiser calls, 4 guidance conditions each.
assert f["sampler_calls_per_frame"] == 3 and f["guidance_conditions"] == 4, f
assert f["network_rows_per_frame"] == 12 and f["gflop_per_frame"] > 0 and f["peak_rss_mib"] > 0
assert run["unet_forward"]["batch"] == 4 and run["unet_forward"]["gflop"] > 0
ops = run["unet_forward"]["op_profile"]
assert len(ops["ops"]) == 5 and ops["all_ops_calls"] >= sum(o["calls"] for o in ops["ops"]) > 0, ops
assert [o["seconds"] for o in ops["ops"]] == sorted([o["seconds"] for o in ops["ops"]], reverse=True)
names = [a["name"] for a in run["ablations"]]
fused = int(r["machine"]["libtorch"].split(".")[0]) >= 2  # the fused kernel: LibTorch 2.x
assert names == ["batch_cfg", "per_frame_conditions", "inference_mode", "onednn_conv", "onednn_linear"] + \
    (["fused_attention"] if fused else []) + ["channels_last", "blas_threads_all"], names
# Linux lets a process reset its peak RSS: every block then reports its own.
assert r["machine"]["peak_rss"] == "per block of frames", r["machine"]
assert all(a["peak_rss_mib"] > 0 for a in run["ablations"])
assert r["peak_rss_mib"] >= max([f["peak_rss_mib"]] + [a["peak_rss_mib"] for a in run["ablations"]])
for a in run["ablations"]:
    # The same work whatever the switch: same calls, same FLOPs (per-frame conditions redo
    # text, adapter and anchor work per call, so FLOPs may only grow there).
    assert a["sampler_calls_per_frame"] == 3 and a["default_speedup"] > 0, a
    if a["name"] == "per_frame_conditions":
        assert a["gflop_per_frame"] > f["gflop_per_frame"], a
    else:
        assert abs(a["gflop_per_frame"] - f["gflop_per_frame"]) < 1e-6 * f["gflop_per_frame"], a
l = r["long_run"]
assert l["frames"] == 12 and [p["frame"] for p in l["seconds_per_frame_at"]] == [10]
assert [s["frame"] for s in l["rss_series"]] == [1, 5, 10], l["rss_series"]
print("ok")
PY
    check "JSON report fields" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/fields"
fi

"$ARTV" bench --model "$MODEL" --ablations nonsense --dtypes fp32 >/dev/null 2>"$tmp/err"; rc=$?
check "unknown ablation: exit 2" test "$rc" -eq 2
check "unknown ablation: names the known ones" grep -q 'batch_cfg, per_frame_conditions' "$tmp/err"
if ! grep -q '^TORCH_VERSION = 2' "${ARTV_BUILDDIR:-.}/Makefile" 2>/dev/null; then
    "$ARTV" bench --model "$MODEL" --ablations fused_attention --dtypes fp32 >/dev/null 2>"$tmp/err"; rc=$?
    check "fused_attention on LibTorch 1.x: exit 2" test "$rc" -eq 2
    check "fused_attention on LibTorch 1.x: says why" grep -q 'no fused attention kernel' "$tmp/err"
fi
"$ARTV" bench --model "$MODEL" --config x.json >/dev/null 2>&1; rc=$?
check "--model and --config together: exit 2" test "$rc" -eq 2
"$ARTV" bench --model "$tmp/none" >/dev/null 2>"$tmp/err"; rc=$?
check "missing model: exit 1 with a message" test "$rc" -eq 1 -a -s "$tmp/err"

[ "$failures" -eq 0 ]
