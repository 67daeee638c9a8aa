#!/bin/sh
# `artv eval` end to end on the tiny random model (tests/test-tiny, built by `make check`): every
# suite on 2 clips, 4 steps, 4 frames; the JSON must have every mode's fields and the markdown
# its tables. The numbers of a random model mean nothing; only their presence is checked.
set -u
ARTV="${ARTV_BUILDDIR:-.}/tools/artv"
MODEL="${ARTV_BUILDDIR:-.}/tests/test-tiny"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    desc="$1"; shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; failures=$((failures + 1)); fi
}
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT

"$ARTV" eval --help >"$tmp/help"
for opt in --suites --modes --clips --frames --drift-frames --sampler --steps --cfg-ref --cfg-anchor --cfg-text --cfg-text-t2v --cfg-sigma-min --cfg-rescale --noise-aug --anchor --no-mask \
           --continuation-prompt --seed --out --model --real-footage --text-scales --photo-split; do
    check "--help documents $opt" grep -q -- "$opt" "$tmp/help"
done
"$ARTV" --help | grep -q '^  eval ' ; check "artv --help lists eval" test $? -eq 0

# A short real clip for the real-tail suite: 24 frames of T2V from the tiny model itself.
"$ARTV" generate --model "$MODEL" --steps 1 --sampler ddim --device cpu --dtype fp32 --threads 1 \
    --prompt "a red ball" --frames 24 -q -o "$tmp/clip.mp4"
check "a clip for the real suite" test -s "$tmp/clip.mp4"
# and a line whose video is not there (footage not fetched): reported, not silently dropped.
printf '{"path": "clip.mp4", "caption": "a red ball"}\n{"path": "gone.mp4", "caption": "a blue ball"}\n' >"$tmp/real.jsonl"

E="$ARTV eval --model $MODEL --device cpu --dtype fp32 --threads 1 --clips 2 --steps 4 --frames 4"
$E --suites object,camera,continuation,conflict,drift,real,text_scale --drift-frames 6 --drift-clips 1 \
    --text-scales 1,7.5 --horizons 1,4 --real-footage "$tmp/real.jsonl" --out "$tmp/r.json" 2>"$tmp/err"; rc=$?
check "eval succeeds" test "$rc" -eq 0
check "progress on stderr" grep -q '^eval object animate clip 2/2' "$tmp/err"
check "markdown next to the JSON" test -s "$tmp/r.md"
check "the markdown names the video not evaluated" grep -q 'gone.mp4' "$tmp/r.md"

# Every field the brief asks for, per mode, as JSON numbers (or null where nothing was found).
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/r.json" <<'PY' >"$tmp/fields" 2>&1; rc=$?
import json, sys
r = json.load(open(sys.argv[1]))
s = r["suites"]
def num(v): return v is None or isinstance(v, (int, float))
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("missing:", what); ok = False
for mode in ("continue", "animate", "t2v"):
    for k in ("direction_accuracy", "persistence", "colour_fidelity", "colour_error"):
        need(num(s["object"][mode].get(k, "x")), "object." + mode + "." + k)
    need(s["object"][mode]["clips"] == 2, "object." + mode + ".clips == 2")
    # the clip's true frames through the VAE: one figure for every mode, the mean of the clips'
    o = s["object"]
    need(o[mode].get("vae_direction_accuracy") == o["continue"].get("vae_direction_accuracy"), "object." + mode + ".vae_direction_accuracy")
    vp = sum(c["vae"]["found_frames"] / 4 for c in o["clips"]) / len(o["clips"])
    need(abs(o[mode].get("vae_persistence", -1) - vp) < 1e-9, "object." + mode + ".vae_persistence is the clips' mean")
    need(num(s["camera"][mode].get("direction_accuracy", "x")), "camera." + mode + ".direction_accuracy")
for mode in ("continue", "animate"):  # the modes that feed frames: is the picture kept?
    cam = s["camera"][mode]
    for k in ("picture_kept", "picture_kept_vae", "picture_kept_frozen"):
        need(isinstance(cam.get(k), (int, float)) and 0 <= cam[k] <= 1, "camera." + mode + "." + k)
    need(cam["picture_kept_frozen"] > 0.8, "the fed frame is the picture, moved")
    need(cam["picture_kept_frozen"] > cam["picture_kept"], "a random model keeps less of the picture than the fed frame")
need("picture_kept" not in s["camera"]["t2v"], "no picture to keep in t2v")
need(all(isinstance(c["animate"]["picture_kept"], (int, float)) for c in s["camera"]["clips"]), "per-clip picture kept")
for mode in ("animate", "t2v"):
    for k in ("colour_shift", "sharpness_ratio", "flicker"):
        need(isinstance(s["drift"][mode].get(k), (int, float)), "drift." + mode + "." + k)
c = s["continuation"]["continue"]
for k in ("kept", "keeps_direction", "keeps_speed", "mean_speed_ratio", "speed_correlation"):
    need(num(c.get(k, "x")), "continuation." + k)
for k in ("picture_kept", "picture_kept_vae", "picture_kept_frozen"):
    need(isinstance(c.get(k), (int, float)) and 0 <= c[k] <= 1, "continuation." + k)
need(c["picture_kept_frozen"] > c["picture_kept"], "continuation: a random model keeps less of the picture than the fed frame")
need(all(isinstance(x["picture_kept"], (int, float)) for x in s["continuation"]["clips"]), "continuation: per-clip picture kept")
h = s["real"]["continue"]["horizons"]
for hz in ("1", "4"):
    need(h[hz]["clips"] == 1, "real horizon " + hz + " has the clip")
    for b in ("model", "freeze_last", "freeze_last_vae"):
        need(isinstance(h[hz][b]["psnr"], float) and 0 <= h[hz][b]["ssim"] <= 1, "real." + hz + "." + b)
need(h["1"]["freeze_last"]["psnr"] > h["1"]["model"]["psnr"], "freezing beats a random model")
need(len(s["real"]["problems"]) == 1 and "gone.mp4" in s["real"]["problems"][0], "real: the missing video is reported")
for test in ("conflict", "switch"):
    need(s["conflict"][test]["clips"] == 2 and num(s["conflict"][test].get("text_wins", "x")), "conflict." + test)
    need(num(s["conflict"][test].get("mean_frames_to_win", "x")), "conflict." + test + ".mean_frames_to_win")
need(num(s["conflict"]["switch"].get("first_prompt_direction_accuracy", "x")), "switch first prompt")
for scale in ("1", "7.5"):
    need(num(s["text_scale"][scale].get("object_direction_accuracy", "x")), "text_scale." + scale)
need(r["settings"]["steps"] == 4 and r["settings"]["use_mask"] is True, "settings")
need(r["settings"]["anchor"] == "paper", "the paper's anchor by default")
need(r["settings"]["photo_split"] == "eval", "held-out photos by default")
need(r["settings"]["continuation_prompt"] == "caption", "the continuation suite prompts with the caption by default")
sys.exit(0 if ok else 1)
PY
    check "every mode's fields in the JSON" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/fields"
fi
check "markdown has the mode columns" grep -q '^| metric | continue | animate | t2v |' "$tmp/r.md"

# Ablation switches reach the settings; bad options are usage errors.
$E --suites object --modes animate --clips 1 --no-mask --cfg-ref 2 --cfg-anchor 1.25 --cfg-text 3 --cfg-text-t2v 4.5 \
    --cfg-sigma-min 0.5 --cfg-rescale 0.25 --noise-aug 0 --sampler ddim --anchor none -q --out "$tmp/a.json"; rc=$?
check "ablation run succeeds" test "$rc" -eq 0
check "--sampler recorded" grep -q '"sampler": "ddim"' "$tmp/a.json"
check "--no-mask recorded" grep -q '"use_mask": false' "$tmp/a.json"
check "--cfg-text recorded" grep -q '"cfg_text": 3' "$tmp/a.json"
check "--cfg-ref recorded" grep -q '"cfg_ref": 2' "$tmp/a.json"
check "--cfg-anchor recorded" grep -q '"cfg_anchor": 1.25' "$tmp/a.json"
check "--cfg-text-t2v recorded" grep -q '"cfg_text_t2v": 4.5' "$tmp/a.json"
check "--cfg-sigma-min recorded" grep -q '"cfg_sigma_min": 0.5' "$tmp/a.json"
check "--cfg-rescale recorded" grep -q '"cfg_rescale": 0.25' "$tmp/a.json"
check "--anchor recorded" grep -q '"anchor": "none"' "$tmp/a.json"
check "only the animate mode ran" test "$(grep -c '"continue"' "$tmp/a.json")" -eq 0
$E --suites continuation --continuation-prompt none -q --out "$tmp/c.json"; rc=$?
check "continuation without a prompt succeeds" test "$rc" -eq 0
check "--continuation-prompt recorded" grep -q '"continuation_prompt": "none"' "$tmp/c.json"
$E --suites continuation --continuation-prompt text --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown continuation prompt is a usage error" test "$rc" -eq 2
check "the message names the choices" grep -q 'caption or none, got "text"' "$tmp/err"
$E --suites camera --modes animate --clips 1 --photo-split train -q --out "$tmp/p.json"; rc=$?
check "the camera suite on the training photos succeeds" test "$rc" -eq 0
check "--photo-split recorded" grep -q '"photo_split": "train"' "$tmp/p.json"
$E --suites camera --photo-split test --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown photo split is a usage error" test "$rc" -eq 2
check "the message names the splits" grep -q '"test" is not one of: train, eval' "$tmp/err"
$E --suites nonsense --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown suite is a usage error" test "$rc" -eq 2
check "the message names the suite" grep -q nonsense "$tmp/err"
$E --modes sideways --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown mode is a usage error" test "$rc" -eq 2
$E --suites object --anchor last --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown anchor policy is a usage error" test "$rc" -eq 2
check "the message names the policies" grep -q 'paper, first or none, got "last"' "$tmp/err"
$E --suites object --sampler heun --out "$tmp/b.json" 2>"$tmp/err"; rc=$?
check "an unknown sampler is refused" test "$rc" -ne 0
check "the message names the sampler" grep -q heun "$tmp/err"
check "and nothing is written" test ! -e "$tmp/b.json"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
exit 0
