#include "gankit/io/archive_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>

#include "gankit/io/archive_json.h"
#include "gankit/io/archive_module.h"
#include "gankit/io/tensor_file.h"
#include "gankit/io/torch_archive.h"
#include "gankit/io/zip_reader.h"

namespace gankit::io {

namespace fs = std::filesystem;

namespace {

using Problem = ArchiveError::Problem;

/// The first line of an error message, without "NAME: " in front when it starts so.
std::string reason_of(const std::string& message, const std::string& name) {
  std::string reason = message.substr(0, message.find('\n'));
  if (reason.rfind(name + ": ", 0) == 0) reason.erase(0, name.size() + 2);
  return reason;
}

/// decode(), with any failure but an ArchiveError turned into one of `problem`.
template <typename Decode>
ArchiveTree classified(const std::string& name, Problem problem, Decode&& decode) {
  try {
    return decode();
  } catch (const ArchiveError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw ArchiveError(Problem::kDamaged, name, "sizes too large to allocate");
  } catch (const c10::Error& error) {
    throw ArchiveError(problem, name, reason_of(error.what_without_backtrace(), name));
  } catch (const std::exception& error) {
    throw ArchiveError(problem, name, reason_of(error.what(), name));
  }
}

}  // namespace

ArchiveTree archive_tree(const torch::serialize::OutputArchive& archive) {
  return tree_of_module(module_of(archive));
}

std::string encode_archive_file(const ArchiveTree& tree) {
  return encode_tensor_file(archive_to_tensor_file(tree));
}

void write_archive_file(const fs::path& path, const ArchiveTree& tree) {
  write_tensor_file(path, archive_to_tensor_file(tree));
}

ArchiveTree decode_archive_file(std::shared_ptr<const std::string> bytes, const std::string& name) {
  if (looks_like_tensor_file(*bytes)) {
    return classified(name, Problem::kDamaged, [&] {
      return archive_from_tensor_file(decode_tensor_file(std::move(bytes), name), name);
    });
  }
  if (looks_like_zip(*bytes)) {
    return classified(name, Problem::kDamaged, [&] { return decode_torch_archive(std::move(bytes), name); });
  }
  throw ArchiveError(Problem::kForeign, name,
                     bytes->empty() ? "unreadable: an empty file"
                                    : "unreadable: neither a gankit tensor file nor a LibTorch archive");
}

ArchiveTree read_archive_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || fs::is_directory(path)) {
    throw ArchiveError(Problem::kForeign, path.string(),
                       fmt::format("cannot read ({})", std::strerror(errno)));
  }
  auto bytes = std::make_shared<std::string>();
  try {
    bytes->resize(static_cast<size_t>(in.tellg()));
  } catch (const std::bad_alloc&) {
    throw ArchiveError(Problem::kForeign, path.string(), "too large to read into memory");
  }
  in.seekg(0);
  in.read(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!in) throw ArchiveError(Problem::kDamaged, path.string(), "cannot read (a read error)");
  return decode_archive_file(std::move(bytes), path.string());
}

void load_into(ArchiveTree tree, torch::serialize::InputArchive& archive, const std::string& name) {
  classified(name, Problem::kDamaged, [&] {
    torch::serialize::OutputArchive rebuilt;
    write_tree(tree, rebuilt);
    read_from(archive, module_of(rebuilt));
    return ArchiveTree();
  });
}

}  // namespace gankit::io
