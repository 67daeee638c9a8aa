#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): small valid inputs
and one of each kind of rejected input, so that libFuzzer starts past the parsers' first checks.
Run from anywhere; rewrites the generated files and leaves others in place (the model configs are
copied from models/). Names say what a seed is; the rules are in docs/MODEL_FORMAT.md and the
parsers' headers."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# ------------------------------------------------------------------ safetensors
SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "I32": 4, "U32": 4, "I64": 8,
         "U64": 8, "F16": 2, "BF16": 2, "F32": 4, "F64": 8}


def safetensors(header, data, header_len=None):
    h = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    h = h.encode()
    n = len(h) if header_len is None else header_len
    return struct.pack("<Q", n) + h + data


def valid(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape)] laid out in order; data bytes are a counter."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = SIZES[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header, separators=(",", ":"))
    if pad:  # the writer pads the header with spaces so the data starts 8-byte aligned
        h += " " * (-len(h) % 8)
    return safetensors(h, bytes((i * 7 + 1) % 256 for i in range(offset)))


ST = "safetensors"
write(ST, "valid_two", valid([("a", "F32", [2]), ("b", "I8", [4])], pad=False))
write(ST, "valid_every_dtype", valid([(d.lower(), d, [2]) for d in SIZES], {"format": "pt"}))
write(ST, "valid_empty", valid([]))
write(ST, "valid_metadata_null", safetensors('{"__metadata__":null}', b""))
write(ST, "valid_rank0_and_zero_size",
      valid([("scalar", "F32", []), ("none", "F16", [0, 3]), ("none2", "I64", [2, 0]),
             ("m", "U8", [2, 3, 1])]))
write(ST, "valid_unicode", valid([("π.weight", "BF16", [3])], {"note": "π ≈ 3.14, \"q\"\n\\"}))
write(ST, "valid_unsorted_offsets", safetensors(
    '{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},'
    '"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', b"abcd"))
GOOD = ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        '"b":{"dtype":"I8","shape":[4],"data_offsets":[8,12]}}')
bad = {
    "bad_truncated": b"\x10\x00\x00",
    "bad_header_length_limit": safetensors(GOOD, bytes(12), 100_000_001),
    "bad_header_length_past_end": safetensors(GOOD, bytes(12), 5000),
    "bad_header_length_short": safetensors(GOOD, bytes(12), 10),
    "bad_trailing_bytes": safetensors(GOOD, bytes(15)),
    "bad_data_truncated": safetensors(GOOD, bytes(9)),
    "bad_json": safetensors('{"a":', b""),
    "bad_not_object": safetensors("[1,2]", b""),
    "bad_duplicate_name": safetensors(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
        '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"xy"),
    "bad_duplicate_field": safetensors(
        '{"a":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]}}', b"x"),
    "bad_overlap": safetensors(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
        '"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', b"xyz"),
    "bad_hole": safetensors('{"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', b"xyz"),
    "bad_dtype": safetensors('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', b"x"),
    "bad_shape_negative": safetensors('{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}', b"x"),
    "bad_shape_float": safetensors('{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}', b"x"),
    "bad_shape_overflow": safetensors(
        '{"a":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}', bytes(8)),
    "bad_byte_count": safetensors('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}', bytes(8)),
    "bad_offsets_reversed": safetensors('{"a":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}', b"x"),
    "bad_unknown_field": safetensors(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}', b"x"),
    "bad_metadata_value": safetensors('{"__metadata__":{"k":1}}', b""),
}
for name, data in bad.items():
    write(ST, name, data)

# ------------------------------------------------------------------ model config
MC = "model_config"
for model in ("test-tiny", "artv-tiny", "sd21"):
    with open(os.path.join(TOP, "models", model, "config.json"), "rb") as f:
        write(MC, "valid_" + model.replace("-", "_") + ".json", f.read())
minimal = {
    "name": "m",
    "latent": {"channels": 4},
    "vae": {"ch": 32, "ch_mult": [1, 2, 4, 4]},
    "text": {"vocab_size": 64, "context_length": 8, "width": 32, "heads": 2, "layers": 2},
    "unet": {"model_channels": 32, "channel_mult": [1], "attention_resolutions": [],
             "context_dim": 32, "num_head_channels": 32},
    "mask": {"model_channels": 32, "channel_mult": [1], "attention_resolutions": [1],
             "context_dim": 32, "num_head_channels": 32},
    "sampling": {"native_short_side": 64},
}
write(MC, "valid_minimal.json", json.dumps(minimal))
for name, files in {"bad_files_dotdot.json": {"weights": "../x.safetensors"},
                    "bad_files_absolute.json": {"tokenizer": "/etc/passwd"},
                    "bad_files_empty.json": {"weights": ""}}.items():
    write(MC, name, json.dumps(dict(minimal, files=files)))
write(MC, "bad_unknown_key.json", json.dumps(dict(minimal, extra=1)))
write(MC, "bad_json.json", '{"name": "m", "latent": {')
# The oracles' "config" metadata: Python dict literals of the reference constructors.
write(MC, "python_unet.txt",
      "{'use_checkpoint': False, 'use_fp16': False, 'image_size': 16, 'in_channels': 4, "
      "'out_channels': 4, 'model_channels': 32, 'attention_resolutions': [2, 1], "
      "'num_res_blocks': 1, 'channel_mult': [1, 2], 'num_head_channels': 16, "
      "'use_spatial_transformer': True, 'use_linear_in_transformer': True, "
      "'transformer_depth': 1, 'context_dim': 64, 'legacy': False}")
write(MC, "python_vae.txt",
      "{'double_z': True, 'z_channels': 4, 'resolution': 32, 'in_channels': 3, 'out_ch': 3, "
      "'ch': 32, 'ch_mult': (1, 2), 'num_res_blocks': 1, 'attn_resolutions': [], 'dropout': 0.0}")
write(MC, "python_bad_vae_unknown_key.txt",
      "{'double_z': True, 'z_channels': 4, 'ch': 32, 'ch_mult': [1], 'name': None}")
write(MC, "python_bad_unet_legacy.txt",
      "{'model_channels': 32, 'channel_mult': [1], 'attention_resolutions': [], 'legacy': True}")

# ------------------------------------------------------------------ prompt schedule
PS = "prompt_schedule"
prompts = {
    "valid_two": "a red ball rolls left:48|the ball stops:24",
    "valid_bare": "a cat on a sofa",
    "valid_open_last": "sunrise:10|noon",
    "valid_escapes": "ratio 16\\:9 \\| pipe \\\\ slash:3| last : 2 ",
    "valid_unicode": "ein Würfel fällt:5|🎲:10000000",
    "bad_empty": "",
    "bad_blank": " \t\n",
    "bad_zero": "a:0",
    "bad_negative": "a:-1",
    "bad_too_many": "a:10000001",
    "bad_not_number": "a:1x",
    "bad_second_colon": "a:3:4",
    "bad_dangling_escape": "a\\",
    "bad_escape": "a\\n:3",
    "bad_missing_count": "a|b:3",
    "bad_empty_prompt": ":3|b",
    "bad_empty_count": "a:|b",
}
for name, text in prompts.items():
    write(PS, name, text)


# ------------------------------------------------------------------ FFmpeg filter options
# First byte: 0 = artv (continues two 32x32 frames), 1 = artvsrc; the rest is the option string
# as it follows "artv=" in a filtergraph (libavfilter-artv/artv_filter_common.h has the options).
FO = "ffmpeg_options"
ffmpeg_options = {
    "valid_artv_shorthand": (0, "camera pans left:2:steps=2"),
    "valid_artv_every_option": (0, "prompt=left:frames=2:steps=1:sampler=euler:seed=7:"
                                   "cfg_ref=1.5:cfg_anchor=1:cfg_text=3:noise_aug=100:mask=0:"
                                   "anchor=first:gen_size=32x32:dtype=fp32:passthrough=0"),
    "valid_artv_schedule": (0, "prompts=left/1|right:steps=2:anchor=none"),
    "valid_artv_ddim_bf16": (0, "prompt=up:frames=1:steps=1:sampler=ddim:dtype=bf16"),
    "valid_src_size_rate": (1, "prompt=sunrise:size=32x32:rate=4:steps=2"),
    "valid_src_duration": (1, "prompts=sunrise/2|noon:d=0.5:s=48x32:steps=1:sampler=dpmpp_2s_a"),
    "valid_src_escaped": (1, "prompt=ratio 16\\:9 a\\, b:frames=1:steps=1"),
    "valid_src_quoted": (1, "prompt='a: b|c/2':frames=2:steps=1"),
    "bad_both_prompts": (0, "prompt=a:prompts=b/1|c"),
    "bad_frames_and_duration": (1, "frames=2:duration=1"),
    "bad_schedule_count": (1, "prompts=a/0|b"),
    "bad_schedule_missing_count": (1, "prompts=a|b"),
    "bad_unknown_option": (0, "speed=3"),
    "bad_steps_range": (0, "steps=1001"),
    "bad_size_too_big": (1, "size=99999x16"),
    "bad_gen_size_too_big": (0, "gen_size=4096x4096:steps=1"),
    "bad_model_dir": (0, "model=/nonexistent"),
    "bad_device": (1, "device=cuda:7:frames=1"),
    "bad_dtype": (1, "dtype=int3"),
    "bad_seed": (0, "seed=9007199254740993"),
}
for name, (filt, text) in ffmpeg_options.items():
    write(FO, name, bytes([filt]) + text.encode())


# ------------------------------------------------------------------ GStreamer properties
# First byte: 0 = artv (continues two 32x32 test frames), 1 = artvsrc; then "name=value" lines,
# each set from its string as gst-launch does (gst-artv/gstartvsettings.c has the properties).
GP = "gst_properties"
gst_properties = {
    "valid_src_prompt": (1, "prompt=sunrise over the sea\nsteps=2"),
    "valid_src_schedule": (1, "prompts=sunrise:2|noon\nsteps=1\nseed=7\nsampler=euler"),
    "valid_src_escapes": (1, "prompts=ratio 16\\:9 \\| pipe:1|last\nsteps=1\nanchor=none"),
    "valid_src_every_property": (1, "prompt=a\nsteps=1\nsampler=ddim\nseed=18446744073709551615\n"
                                    "cfg-ref=1.5\ncfg-anchor=1\ncfg-text=3\nnoise-aug=100\n"
                                    "device=cpu\nthreads=1\nanchor=first\nnum-buffers=2"),
    "valid_artv_frames": (0, "frames=2\nprompt=left\nsteps=2"),
    "valid_artv_schedule": (0, "frames=3\nprompts=left:1|right\nsteps=1\nsampler=dpmpp-2s-ancestral"),
    "bad_steps_range": (1, "steps=1001"),
    "bad_steps_text": (1, "steps=many"),
    "bad_cfg_negative": (1, "cfg-text=-2\nsteps=1"),
    "bad_schedule_count": (1, "prompts=a:0|b\nsteps=1"),
    "bad_schedule_missing_count": (0, "prompts=a|b\nsteps=1"),
    "bad_model_dir": (1, "model=/nonexistent\nsteps=1"),
    "bad_device": (0, "device=cuda:7\nsteps=1"),
    "bad_sampler": (1, "sampler=nonsense\nsteps=1"),
    "bad_unknown_property": (1, "speed=3\nsteps=1"),
    "bad_frames_range": (0, "frames=1000001\nsteps=1"),
}
for name, (element, text) in gst_properties.items():
    write(GP, name, bytes([element]) + text.encode())
