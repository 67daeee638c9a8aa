# core/data: sources and tests of this part (included by the top-level Makefile.am)

# Frames and video files (core/io, owned by the data part): RGB24 frames, PNG/JPEG, video
# decoding with frame-rate resampling, MP4/PNG-sequence writing. libav only, no LibTorch.
libartv_la_SOURCES += \
	core/io/image.h core/io/image.cpp \
	core/io/av_decoder.h core/io/av_decoder.cpp \
	core/io/video_reader.h core/io/video_reader.cpp \
	core/io/video_writer.h core/io/video_writer.cpp

# Training and evaluation data: the procedural renderer (vocabulary, specs, drawing, photos),
# captions files, clip sources (renderer, real videos, memory) and the sample drawer.
libartv_la_SOURCES += \
	core/data/rng.h \
	core/data/clip_spec.h core/data/clip_spec.cpp \
	core/data/photo_library.h core/data/photo_library.cpp \
	core/data/renderer.h core/data/renderer.cpp \
	core/data/caption_file.h core/data/caption_file.cpp \
	core/data/clip_cache.h core/data/clip_cache.cpp \
	core/data/dataset.h core/data/dataset.cpp \
	core/data/sample_drawer.h core/data/sample_drawer.cpp

EXTRA_DIST += data/README.md data/real_footage.jsonl data/photos.jsonl data/.gitignore
