// Hand-made LibTorch archives (the zip torch::serialize writes) for tests of gankit's bounded
// readers: any data.pkl, a class declaration, tensor records, with valid CRCs.
#pragma once
#include <caffe2/serialize/inline_container.h>

#include <cstdint>
#include <map>
#include <string>

namespace gankit::test {

/// A zip archive as LibTorch writes one ("archive/NAME" entries), holding `records`.
inline std::string torch_zip(const std::map<std::string, std::string>& records) {
  std::string bytes;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t n) {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
    for (const auto& [name, content] : records) writer.writeRecord(name, content.data(), content.size());
    writer.writeEndOfFile();
  }
  return bytes;
}

/// A pickle string (BINUNICODE).
inline std::string pickle_str(const std::string& text) {
  const auto n = static_cast<uint32_t>(text.size());
  return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + text;
}

/// A torch::serialize archive whose one attribute `key` holds the pickled `value`, with the
/// class declaration LibTorch writes beside it.
inline std::string torch_zip_with_attribute(const std::string& key, const std::string& value) {
  const std::string pickle = std::string("\x80\x02") + "c__torch__\nModule\n)\x81}(" + pickle_str(key) + value + "ub.";
  return torch_zip({{"data.pkl", pickle},
                    {"code/__torch__.py", "class Module(Module):\n  __parameters__ = []\n  __buffers__ = []\n"},
                    {"constants.pkl", std::string("\x80\x02).", 4)}});
}

}  // namespace gankit::test
