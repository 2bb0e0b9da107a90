// What a config says about the networks, and what the data tells them.
#pragma once
#include <cstdint>
#include <string>

namespace gankit::models {

/// The `[model]` section of a config.
struct ModelOptions {
  /// Registry name: see models::model_table() (`gankit info --models` lists them).
  std::string name = "dcgan";
  /// Length of the noise vector z.
  int64_t z_dim = 100;
  /// Base width (channels or units); 0 = the architecture's reference width.
  int64_t width = 0;
};

/// The data's shape, resolved from the data set when a run starts and stored with the run.
struct DataShape {
  int64_t channels = 1;
  int64_t image_size = 32;
  int64_t num_classes = 0;  ///< 0 = unlabelled
};

}  // namespace gankit::models
