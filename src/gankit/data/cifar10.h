// CIFAR-10 in its binary form: records of 1 label byte + 3072 pixel bytes (R, G, B planes of
// 32x32, row-major), five training batches and one test batch. The JPEG re-encoding
// (cifar10-jpeg/{train,test}/<class>/*.jpg) is an image folder; cifar10_image_root finds it.
#pragma once
#include <filesystem>
#include <string>

#include "gankit/data/loader.h"

namespace gankit::data {

/// One binary batch file: images uint8 [N,3,32,32], labels int64 [N], num_classes 10.
ImageSet read_cifar10_batch(const std::filesystem::path& file);

/// Whether `path` is a .bin file or a folder holding the binary batches (directly or in the
/// official archive's cifar-10-batches-bin/ sub-folder).
bool is_cifar10_binary(const std::filesystem::path& path);

/// A .bin file, or the `split` batches of a binary folder (train: data_batch_1..5.bin, test:
/// test_batch.bin), concatenated.
ImageSet read_cifar10_binary(const std::filesystem::path& path, const std::string& split);

/// For the image layout: path/split when `path` holds train/ and test/, else `path` (the class
/// folders themselves).
std::filesystem::path cifar10_image_root(const std::filesystem::path& path,
                                         const std::string& split);

}  // namespace gankit::data
