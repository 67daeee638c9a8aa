// RGB24 frames of the data layer (io/image.h) as the networks' image tensors and back.
#pragma once

#include <vector>

#include <ATen/core/Tensor.h>

#include "io/image.h"

namespace artv {

// [N, 3, H, W] float32 in [0, 1]; all frames must have the same size (ARTV_ERR_INVALID_ARGUMENT).
at::Tensor frames_to_tensor(const std::vector<const Frame *> &frames);
// [3, H, W] or [1, 3, H, W] in [0, 1] (clamped) -> an RGB24 frame.
Frame tensor_to_frame(const at::Tensor &image);

}  // namespace artv
