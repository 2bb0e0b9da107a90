// ArchiveTrees in tensor files: the tensors by dotted path ("generator.body.0.weight"), the
// structure as JSON in the metadata, so Python reads both without gankit or LibTorch:
//
//   __metadata__["format"]  = "gankit-archive/1"
//   __metadata__["archive"] = ARCHIVE, where
//     ARCHIVE = [[KEY, ENTRY], ...]                                  (in the archive's order)
//     ENTRY   = {"archive": ARCHIVE}
//             | {"parameter" | "buffer" | "tensor": TENSOR_NAME, "requires_grad": BOOL}
//             | {"value": VALUE}
//     VALUE   = {"none": null} | {"bool": B} | {"int": N} | {"str": S}
//             | {"float": X}  (X a number, or "nan", "inf", "-inf")
//             | {"tuple": [VALUE, ...]}
//             | {"list": [ELEMENT, ...], "of": "int" | "float" | "bool" | "str"}  (ELEMENTs bare)
#pragma once
#include <string>

#include "gankit/io/archive_tree.h"
#include "gankit/io/tensor_file.h"

namespace gankit::io {

constexpr const char* kArchiveFormat = "gankit-archive/1";

/// The tensor file holding `tree` (its tensors shared, not copied).
TensorFile archive_to_tensor_file(const ArchiveTree& tree);

/// The tree a tensor file holds; `name` is the file in errors (gankit::Error "NAME: what"). Every
/// tensor must be named exactly once by the structure; keys, depth and values are checked as
/// archive_tree.h says.
ArchiveTree archive_from_tensor_file(const TensorFile& file, const std::string& name);

}  // namespace gankit::io
