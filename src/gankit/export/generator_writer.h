// A generator's whole forward, format-neutral: its inputs, the steps around its layers (label
// embedding, reshapes, skips, the inpainting composite) and its output, written once for every
// format through a GeneratorWriter. The contract (DESIGN.md, "Exports"): inputs `z` float32 [N,Z]
// and `label` int64 [N], or `image` [N,C,H,W] (and `mask` [N,1,H,W], 1 = hole); output [N,C,H,W]
// in [-1, 1].
#pragma once
#include "gankit/export/exported_generator.h"
#include "gankit/export/layer_writer.h"

namespace gankit::exporter {

class GeneratorWriter : public LayerWriter {
 public:
  /// An input [N, dims...]: float32, or int64 labels [N] when `labels`.
  virtual std::string input(const std::string& name, bool labels, const std::vector<int64_t>& dims) = 0;
  /// Rows of `table` [K,D] picked by `labels` [N] -> [N,D].
  virtual std::string embedding(const torch::Tensor& table, const std::string& labels, const std::string& name) = 0;
  /// `a` and `b` joined along axis 1.
  virtual std::string concat(const std::string& a, const std::string& b, const std::string& name) = 0;
  /// `x` [N,...] viewed as [N, dims...]; one dim may be -1 (inferred).
  virtual std::string reshape(const std::string& x, const std::vector<int64_t>& dims, const std::string& name) = 0;
  /// image ⊙ (1 − mask): the known pixels.
  virtual std::string keep_known(const std::string& image, const std::string& mask, const std::string& name) = 0;
  /// known + painted ⊙ mask: the composite.
  virtual std::string paste(const std::string& known, const std::string& painted, const std::string& mask,
                            const std::string& name) = 0;
  /// `x` is the result, [N, dims...].
  virtual void output(const std::string& x, const std::vector<int64_t>& dims) = 0;
};

/// Writes `generator`'s forward through `writer`; a generator class without one is a gankit::Error.
void write_generator(GeneratorWriter& writer, const ExportedGenerator& generator);

}  // namespace gankit::exporter
