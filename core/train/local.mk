# core/train: the training pipeline (docs/TRAINING.md), included by the top-level Makefile.am.
libartv_la_SOURCES += \
	core/train/train_config.h core/train/train_config.cpp \
	core/train/parameters.h core/train/parameters.cpp \
	core/train/draw_seed.h core/train/draw_seed.cpp \
	core/train/adamw.h core/train/adamw.cpp \
	core/train/ema.h core/train/ema.cpp \
	core/train/checkpoint.h core/train/checkpoint.cpp \
	core/train/stop_signal.h core/train/stop_signal.cpp \
	core/train/distributed.h core/train/distributed.cpp \
	core/train/progress_log.h core/train/progress_log.cpp \
	core/train/trainer.h core/train/trainer.cpp \
	core/train/worker_pool.h core/train/worker_pool.cpp \
	core/train/frame_tensor.h core/train/frame_tensor.cpp \
	core/train/latent_cache.h core/train/latent_cache.cpp \
	core/train/mdm_loss.h core/train/mdm_loss.cpp \
	core/train/artv_task.h core/train/artv_task.cpp \
	core/train/vae_task.h core/train/vae_task.cpp \
	core/train/tokenizer_training.h core/train/tokenizer_training.cpp \
	core/train/training_data.h core/train/training_data.cpp \
	core/train/stages.h core/train/stages.cpp
