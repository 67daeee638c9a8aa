#!/bin/bash
# Trains the embedded model, artv-tiny, from scratch: tokenizer, VAE, ARTV networks, export.
# The recipe of models/artv-tiny (docs/MODEL.md has the run that made the shipped weights).
#
#   scripts/train-artv-tiny.sh [RUN_DIR]
#
# Environment (defaults in brackets):
#   ARTV          the artv program [_build/default/tools/artv]
#   DEVICE        cpu | cuda | auto [auto]
#   CONFIG        model config of a fresh run [models/artv-tiny/config.json]
#   VAE_SECONDS   wall-clock budget of the VAE stage [150]; VAE_STEPS caps it in steps [100000]
#   ARTV_SECONDS  wall-clock budget of the ARTV stage [330]; ARTV_STEPS [100000]
#   FOOTAGE       real clips (captions file) [data/real_footage.jsonl]
#   PHOTOS        photo list of the renderer [data/photos.jsonl]
#   THREADS       LibTorch threads [0 = all CPUs]
#   TRAIN_ARGS    more `artv train` options for both stages (e.g. "--encode-batch 64" on a GPU)
#   FOCUS_SECONDS wall-clock budget of stage 5, the focused continuation [0 = skipped];
#                 FOCUS_STEPS caps it in steps [100000]
#   FAST_SECONDS  wall-clock budget of stage 6, fast motion [0 = skipped]; FAST_STEPS caps it
#                 in steps [100000]; FAST_BATCH its batch [32]
#   DECODER_SECONDS wall-clock budget of stage 7, the VAE decoder alone [0 = skipped];
#                 DECODER_STEPS caps it in steps [100000]
#   MIX_SECONDS   wall-clock budget of stage 8, the evaluation's speeds and sizes [0 = skipped];
#                 MIX_STEPS caps it in steps [100000]; MIX_BATCH its batch [256]
#   MOTION_SECONDS wall-clock budget of stage 9, the motion embedding [0 = skipped];
#                 MOTION_STEPS caps it in steps [100000]
#   WARP_SECONDS  wall-clock budget of stage 10, the motion warp [0 = skipped]; WARP_STEPS
#                 caps it in steps [100000]
#   OBJECTS_SECONDS, COLOUR_SECONDS wall-clock budgets of stages 11 and 12, the decoder on
#                 object clips and on green and purple objects [0 = skipped]; OBJECTS_STEPS,
#                 COLOUR_STEPS cap them in steps [100000]
# Each stage is time-boxed: at its budget it gets SIGINT, writes its checkpoint at the next
# step and stops; a second call with the same RUN_DIR goes on from the checkpoints (--resume).
# The exported model lands in RUN_DIR/artv-tiny (fp16), ready to copy to models/artv-tiny.
set -eu -o pipefail   # pipefail: an export piped through tee must stop the script when it fails
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUN=${1:-$TOP/_build/train-artv-tiny}
ARTV=${ARTV:-$TOP/_build/default/tools/artv}
DEVICE=${DEVICE:-auto}
FOOTAGE=${FOOTAGE:-$TOP/data/real_footage.jsonl}
PHOTOS=${PHOTOS:-$TOP/data/photos.jsonl}
CONFIG=${CONFIG:-$TOP/models/artv-tiny/config.json}
mkdir -p "$RUN"
LOG=$RUN/train.log
# The references' measured motion (artv.motion_embed, motion_warp) joined at stages 9 and 10:
# a fresh run starts without it, as the shipped weights did. The warp in pixels
# (motion_warp_pixels) is switched on after stage 10, without training (the sixth release).
sed -e 's/"motion_embed": true/"motion_embed": false/' -e 's/"motion_warp": true/"motion_warp": false/' \
  -e 's/"motion_warp_pixels": true/"motion_warp_pixels": false/' "$CONFIG" > "$RUN/config-base.json"
CONFIG=$RUN/config-base.json

DATA="--data renderer,$FOOTAGE --data-weights 4,1 --photos $PHOTOS --data-cache $RUN/clip-cache --threads ${THREADS:-0} ${TRAIN_ARGS:-}"

# The pans and tilts, each 3x the weight of the zooms and the still camera (stages 5, 6, 8);
# with the straight object motions, each 3x the weight of standing still (stages 6, 8).
PANS="--renderer-camera-motions pan_left,pan_left,pan_left,pan_right,pan_right,pan_right,tilt_up,tilt_up,tilt_up,tilt_down,tilt_down,tilt_down,zoom_in,zoom_out,still"
STRAIGHT="--renderer-object-motions left,left,left,right,right,right,up,up,up,down,down,down,still $PANS"

# stage NAME SECONDS ARGS...: `artv train` of the stage NAME begins with (vae, artv) into RUN/NAME:
# a fresh run, or --resume when NAME already holds a checkpoint.
stage() {
  name=$1 seconds=$2; shift 2
  resume=""
  [ -f "$RUN/$name/latest.safetensors" ] && resume=--resume
  echo "== $name $(date +%T) ($seconds s budget) $resume" | tee -a "$LOG"
  # --foreground: SIGINT goes to artv alone (which checkpoints), not to this script.
  status=0
  timeout --foreground -s INT "$seconds" "$ARTV" train "${name%%-*}" --device "$DEVICE" $resume \
    --out-dir "$RUN/$name" "$@" >>"$LOG" 2>&1 </dev/null || status=$?
  # 124: the budget ran out and artv stopped with a checkpoint; 130: the same, seen by artv.
  case $status in 0|124|130) ;; *) echo "train $name failed (status $status): see $LOG" >&2; exit 1 ;; esac
  grep -E '^step|^checkpoint|^stopped' "$LOG" | tail -3 || true   # no such line yet is no error
}

# export_run NAME OUT DTYPE [ARGS...]: RUN/NAME's weights (EMA) as the model OUT. A stage whose
# budget ran out before its first step has nothing to export: say so rather than let the next
# stage start from a model that is not there.
export_run() {
  name=$1 out=$2 dtype=$3; shift 3
  [ -f "$RUN/$name/latest.safetensors" ] ||
    { echo "train-artv-tiny: stage $name stopped before its first checkpoint; give it more seconds and run again (see $LOG)" >&2; exit 1; }
  "$ARTV" train export --run "$RUN/$name" --out "$out" --dtype "$dtype" "$@" | tee -a "$LOG"
}

# export_stage NAME: RUN/NAME's weights in fp16 as RUN/artv-tiny-SUFFIX (NAME = STAGE-SUFFIX),
# the model the next stage starts from.
export_stage() {
  OUT=$RUN/artv-tiny-${1#*-}
  export_run "$1" "$OUT" fp16
}

# 1. The tokenizer, on every caption the data can produce.
[ -f "$RUN/tokenizer.model" ] ||
  "$ARTV" train tokenizer --data "renderer,$FOOTAGE" --photos "$PHOTOS" --vocab-size 512 \
    --data-cache "$RUN/clip-cache" --out "$RUN/tokenizer.model" >>"$LOG" 2>&1

# 2. The VAE (L1 + tiny KL), then its export: the frozen encoder/decoder of stage 3.
stage vae "${VAE_SECONDS:-150}" --model-config "$CONFIG" $DATA \
  --steps "${VAE_STEPS:-100000}" --batch-size 32 --lr 3e-4 --warmup-steps 50 \
  --log-every 50 --checkpoint-every 1000
export_run vae "$RUN/vae-model" fp32 --tokenizer "$RUN/tokenizer.model"

# 3. The ARTV networks: 45% animate (a still frame; only the text says how to move), 35%
#    continue, 20% text-to-video, with the pooled text embedding of the model config.
stage artv "${ARTV_SECONDS:-330}" --model-config "$CONFIG" --init-from "$RUN/vae-model" $DATA \
  --steps "${ARTV_STEPS:-100000}" --batch-size 64 --lr 4e-4 --warmup-steps 200 \
  --p-mode-animate 0.45 --p-mode-continue 0.35 --p-mode-t2v 0.2 \
  --log-every 100 --checkpoint-every 1000

# 4. The stage-3 weights: EMA in fp16.
export_run artv "$RUN/artv-tiny" fp16
OUT=$RUN/artv-tiny

# 5. The focused continuation (docs/MODEL.md): from the stage-3 model, batch 32, fp32, half
#    the samples animate, with the renderer weighted toward the straight motions and the pans
#    and tilts that only text can start (each 3x the other motions' weight; 40% camera clips).
if [ "${FOCUS_SECONDS:-0}" -gt 0 ]; then
  stage artv-focus "$FOCUS_SECONDS" --init-from "$RUN/artv-tiny" --init-all $DATA \
    --steps "${FOCUS_STEPS:-100000}" --batch-size 32 --lr 4e-4 --warmup-steps 50 --precision fp32 \
    --p-mode-animate 0.5 --p-mode-continue 0.3 --p-mode-t2v 0.2 \
    --renderer-object-motions left,left,left,right,right,right,up,up,up,down,down,down,up_left,up_right,down_left,down_right,bouncing,growing,shrinking,rotating,still \
    $PANS --renderer-camera-share 0.4 --log-every 10 --checkpoint-every 100
  export_stage artv-focus
fi
# 6. Fast motion (docs/MODEL.md "The shipped artv-tiny"): from the model so far, objects and
#    camera moving 5-7 px/frame (the straight motions and pans/tilts weighted 3x), 55% animate,
#    renderer and real footage 6:1. The shipped model had 1,051 such steps at batch 32 on a CPU,
#    then 2,634 at batch 128 on an H100 (FAST_BATCH=128).
if [ "${FAST_SECONDS:-0}" -gt 0 ]; then
  stage artv-fast "$FAST_SECONDS" --init-from "$OUT" --init-all $DATA --data-weights 6,1 \
    --steps "${FAST_STEPS:-100000}" --batch-size "${FAST_BATCH:-32}" --lr 4e-4 --warmup-steps 50 --precision fp32 \
    --p-mode-animate 0.55 --p-mode-continue 0.25 --p-mode-t2v 0.2 \
    $STRAIGHT \
    --renderer-camera-share 0.4 --renderer-min-speed 5 --renderer-max-speed 7 \
    --renderer-min-object-size 0.12 --renderer-max-object-size 0.22 \
    --log-every 20 --checkpoint-every 200
  export_stage artv-fast
fi
# 7. The decoder (docs/MODEL.md "Stage 5: the decoder"): the VAE decoder of the model so far
#    trained on with its encoder frozen, so every latent and the diffusion networks stay valid;
#    the export takes those networks from the model so far. The shipped decoder had 3,187
#    steps at batch 16 (bf16 on an AMX CPU, 80 minutes).
if [ "${DECODER_SECONDS:-0}" -gt 0 ]; then
  stage vae-decoder "$DECODER_SECONDS" --init-from "$OUT" --vae-train decoder $DATA \
    --steps "${DECODER_STEPS:-100000}" --batch-size 16 --lr 3e-4 --warmup-steps 20 \
    --log-every 10 --checkpoint-every 100
  export_stage vae-decoder
fi
# 8. The evaluation's speeds and sizes (docs/MODEL.md "Stage 6"): the diffusion networks of
#    the model so far (same VAE, same latents), objects and camera at 2-7 px/frame (the
#    renderer's default 2-4 and stage 6's 5-7), objects 0.14-0.28 of the short side, a pool of
#    16,384 renderer clips (4x the default), half the samples animate. The shipped model had
#    1,446 steps at batch 256 on an H100 (410 + 215 s resumed).
if [ "${MIX_SECONDS:-0}" -gt 0 ]; then
  stage artv-mix "$MIX_SECONDS" --init-from "$OUT" --init-all $DATA --data-weights 6,1 \
    --steps "${MIX_STEPS:-100000}" --batch-size "${MIX_BATCH:-256}" --lr 4e-4 --warmup-steps 50 --precision fp32 \
    --p-mode-animate 0.5 --p-mode-continue 0.3 --p-mode-t2v 0.2 \
    --renderer-clips 16384 --latent-cache-mb 4096 \
    $STRAIGHT \
    --renderer-camera-share 0.35 --renderer-min-speed 2 --renderer-max-speed 7 \
    --renderer-min-object-size 0.14 --renderer-max-object-size 0.28 \
    --log-every 20 --checkpoint-every 200
  export_stage artv-mix
fi
# 9 and 10. The references' motion (docs/MODEL.md "Stage 12"): phase correlation between the
#    two reference frames, embedded into the time embedding (9, zero-initialised), then also
#    moving the masked diffusion's static reference on by it (10). From the model so far, batch
#    32, fp32, half the samples continue (30% of those uncaptioned), objects 2-4 px/frame,
#    pans and tilts 1-7. The shipped model had 1,100 steps of stage 9 and 2,400 of stage 10
#    on a 2-core CPU (49 + 95 minutes).
MOTION="--data-weights 6,1 --batch-size 32 --lr 2e-4 --warmup-steps 50 --precision fp32 \
  --p-mode-animate 0.3 --p-mode-continue 0.5 --p-mode-t2v 0.2 --p-drop-text-continue 0.3 \
  --latent-cache-mb 4096 $STRAIGHT --renderer-camera-share 0.5 \
  --renderer-min-speed 2 --renderer-max-speed 4 --renderer-min-camera-speed 1 --renderer-max-camera-speed 7 \
  --renderer-min-object-size 0.14 --renderer-max-object-size 0.28 --log-every 20 --checkpoint-every 200"
# motion_stage NAME KEY SECONDS STEPS: the model so far with artv.KEY turned on, trained on the
# mix above into RUN/NAME and exported.
motion_stage() {
  mname=$1 key=$2 mseconds=$3 steps=$4
  sed "s/\"$key\": false/\"$key\": true/" "$OUT/config.json" > "$RUN/config-${mname#*-}.json"
  stage "$mname" "$mseconds" --model-config "$RUN/config-${mname#*-}.json" --init-from "$OUT" --init-all \
    $DATA $MOTION --steps "$steps"
  export_stage "$mname"
}
if [ "${MOTION_SECONDS:-0}" -gt 0 ]; then
  motion_stage artv-motion motion_embed "$MOTION_SECONDS" "${MOTION_STEPS:-100000}"
fi
if [ "${WARP_SECONDS:-0}" -gt 0 ]; then
  motion_stage artv-warp motion_warp "$WARP_SECONDS" "${WARP_STEPS:-100000}"
  # x_ref only enters the masked mix, not the networks: the same weights, moved in pixels.
  sed -i 's/"motion_warp_pixels": false/"motion_warp_pixels": true/' "$OUT/config.json"
fi
# 11 and 12. The decoder on the objects' colours (docs/MODEL.md "Stage 17"): the decoder alone
#    again (encoder frozen, as stage 7), on object clips (camera clips 10%, real footage a
#    seventh), L1 + L2; stage 12 draws green and purple objects 3x as often as each other
#    colour: the encoder puts them near black, blue and gray, and the decoder drew them so.
#    The shipped decoder had 418 steps of stage 11 and 200 of stage 12 at batch 16 on a
#    2-core CPU (41 + 19 minutes).
DECODER="--vae-train decoder $DATA --data-weights 6,1 --renderer-camera-share 0.1 --renderer-clips 8192 \
  --batch-size 16 --lr 3e-4 --warmup-steps 20 --precision fp32 --vae-l2 1 --log-every 10 --checkpoint-every 100"
if [ "${OBJECTS_SECONDS:-0}" -gt 0 ]; then
  stage vae-objects "$OBJECTS_SECONDS" --init-from "$OUT" $DECODER --steps "${OBJECTS_STEPS:-100000}"
  export_stage vae-objects
fi
if [ "${COLOUR_SECONDS:-0}" -gt 0 ]; then
  stage vae-colour "$COLOUR_SECONDS" --init-from "$OUT" $DECODER --steps "${COLOUR_STEPS:-100000}" \
    --renderer-colours green,green,green,purple,purple,purple,red,blue,yellow,orange,white,black,gray
  export_stage vae-colour
fi
echo "train-artv-tiny: $OUT (copy its files to models/artv-tiny); log: $LOG"
