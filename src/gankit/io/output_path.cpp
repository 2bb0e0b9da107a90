#include "gankit/io/output_path.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "gankit/error.h"

namespace gankit::io {

namespace fs = std::filesystem;

namespace {

bool same_place(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

bool is_protected_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  const std::string ext = lower_extension(path);
  if (ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".safetensors") return true;
  std::ifstream in(path, std::ios::binary);
  char head[9] = {};
  in.read(head, sizeof(head));
  if (in.gcount() >= 4 && std::string(head, 4) == std::string("PK\x03\x04", 4)) return true;  // torch's zip
  return in.gcount() == 9 && head[8] == '{' && head[6] == 0 && head[7] == 0;  // safetensors: u64 length, JSON
}

void check_output_path(const fs::path& out, const std::vector<fs::path>& inputs, bool out_is_folder,
                       const std::string& option) {
  std::error_code ec;
  for (const auto& input : inputs) {
    if (same_place(out, input)) {
      fail("{} {}: is also an input; write somewhere else (gankit never replaces its inputs)", option, out.string());
    }
    if (out_is_folder && fs::is_regular_file(input, ec) && same_place(out, input.has_parent_path() ? input.parent_path() : ".")) {
      fail("{} {}: holds the input {}; writing there could replace it, so choose another folder", option,
           out.string(), input.string());
    }
  }
  if (is_protected_file(out)) {
    fail("{} {}: is a checkpoint or model file; gankit never replaces one, so choose another name", option,
         out.string());
  }
  if (out_is_folder && fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    fail("{} {}: is a file, but a folder is written there", option, out.string());
  }
  if (!out_is_folder && fs::is_directory(out, ec)) {
    fail("{} {}: is a folder, but a file is written there", option, out.string());
  }
}

}  // namespace gankit::io
