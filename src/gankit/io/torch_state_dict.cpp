#include "gankit/io/torch_state_dict.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <string_view>

#include "gankit/error.h"
#include "gankit/io/torch_pickle.h"
#include "gankit/io/zip_reader.h"

namespace gankit::io {

namespace {

using pickle::describe;
using pickle::Kind;
using pickle::StorageTable;
using pickle::TensorRef;
using pickle::Unpickler;
using pickle::Value;

/// The top-level object's (key, tensor) pairs; anything but a dict of str -> tensor is an error.
std::vector<std::pair<std::string, const TensorRef*>> state_dict_entries(const Value& top,
                                                                         const std::string& name) {
  if (top.kind != Kind::kDict) {
    std::string hint;
    if (top.kind == Kind::kObject) hint = "; torch.save(model.state_dict(), f) writes a state_dict";
    fail("{}: not a state_dict (holds {}{})", name, describe(top), hint);
  }
  std::vector<std::pair<std::string, const TensorRef*>> entries;
  for (size_t i = 0; i < top.items.size(); i += 2) {
    const Value& key = *top.items[i];
    const Value& value = *top.items[i + 1];
    if (key.kind != Kind::kString) fail("{}: not a state_dict (a key is {}, not a str)", name, describe(key));
    if (value.kind != Kind::kTensor) {
      fail("{}: not a state_dict (key '{}' holds {}, not a tensor)", name, key.text, describe(value));
    }
    entries.emplace_back(key.text, value.tensor.get());
  }
  return entries;
}

NamedTensors materialize_all(const std::vector<std::pair<std::string, const TensorRef*>>& entries,
                             const std::string& name) {
  NamedTensors out;
  out.reserve(entries.size());
  for (const auto& [key, ref] : entries) out.emplace_back(key, pickle::materialize(*ref, key, name));
  return out;
}

// ---- the zip format ----

/// The zip entry `name` under the archive's one top folder (torch.save names it after the file).
const ZipEntry* record(const ZipReader& zip, const std::string& prefix, const std::string& name) {
  return zip.find(prefix + name);
}

NamedTensors decode_zip(const std::string& bytes, const std::string& name) {
  const ZipReader zip(bytes, name);
  if (zip.entries().empty()) fail("{}: an empty zip archive, not a torch.save file", name);
  const std::string& first = zip.entries().front().name;
  const std::string prefix = first.substr(0, first.find('/') + 1);
  if (record(zip, prefix, "constants.pkl"))
    fail("{}: a TorchScript archive (torch.jit.save), not a state_dict", name);
  const ZipEntry* pickle_entry = record(zip, prefix, "data.pkl");
  if (!pickle_entry) fail("{}: a zip archive without data.pkl, not a torch.save file", name);
  if (const ZipEntry* order = record(zip, prefix, "byteorder")) {
    if (zip.read(*order, 64) != "little") fail("{}: a big-endian file, which gankit cannot read", name);
  }
  std::string buffer;
  const auto pickle_bytes = zip.read_into(*pickle_entry, buffer);
  StorageTable storages(name);
  Unpickler unpickler(pickle_bytes, 0, name, "data.pkl",
                      [&](Unpickler& u, Value* pid) { return storages.load(u, pid); });
  const auto entries = state_dict_entries(*unpickler.load(), name);
  for (const auto& storage : storages.roots()) {
    const std::string key = "data/" + storage->key;
    const ZipEntry* entry = record(zip, prefix, key);
    if (!entry) fail("{}: storage {} is missing", name, key);
    std::string inflated;
    const auto data = zip.read_into(*entry, inflated);
    storage->data = pickle::tensor_from_bytes(data.data(), data.size(), storage->dtype, key, name);
  }
  return materialize_all(entries, name);
}

// ---- the legacy format ----

/// Checks the pickles before the object (torch.save's magic number, protocol version 1001, a
/// little-endian sys_info); returns where the object's pickle starts.
size_t check_legacy_header(const std::string& bytes, const std::string& name) {
  // The magic number 0x1950a86a20f9469cfc6c, as LONG1's little-endian bytes.
  static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  const Value* magic = nullptr;
  Unpickler magic_pickle(bytes, 0, name, "magic number");
  try {
    magic = magic_pickle.load();
  } catch (const Error&) {
    magic = nullptr;
  }
  if (magic == nullptr || magic->kind != Kind::kBigInt || magic->text != kMagic) {
    fail("{}: not a .pth file (a pickle, but without torch.save's magic number)", name);
  }
  Unpickler version_pickle(bytes, magic_pickle.end(), name, "protocol version");
  const Value* version = version_pickle.load();
  if (version->kind != Kind::kInt || version->integer != 1001) {
    fail("{}: unsupported legacy .pth protocol version ({})", name,
         version->kind == Kind::kInt ? std::to_string(version->integer) : describe(*version));
  }
  Unpickler sys_info_pickle(bytes, version_pickle.end(), name, "sys_info");
  const Value* sys_info = sys_info_pickle.load();
  if (sys_info->kind != Kind::kDict)
    fail("{}: corrupt legacy .pth header (sys_info is {})", name, describe(*sys_info));
  const auto little = sys_info->string_keys->find("little_endian");
  if (little != sys_info->string_keys->end()) {
    const Value* flag = sys_info->items[little->second + 1];
    if (flag->kind == Kind::kBool && flag->integer == 0)
      fail("{}: a big-endian file, which gankit cannot read", name);
  }
  return sys_info_pickle.end();
}

/// Reads the storage key list at `pos` and each storage's bytes after it into `storages`.
void read_legacy_storages(const std::string& bytes, size_t pos, StorageTable& storages,
                          const std::string& name) {
  Unpickler keys_pickle(bytes, pos, name, "the storage key list");
  const Value* keys = keys_pickle.load();
  if (keys->kind != Kind::kList)
    fail("{}: corrupt legacy .pth (the storage key list is {})", name, describe(*keys));
  pos = keys_pickle.end();
  for (const Value* key : keys->items) {
    if (key->kind != Kind::kString)
      fail("{}: corrupt legacy .pth (a storage key is {})", name, describe(*key));
    const auto storage = storages.find(key->text);
    if (!storage || storage->root) fail("{}: corrupt legacy .pth (unknown storage key {})", name, key->text);
    if (bytes.size() - pos < 8)
      fail("{}: truncated (storage {} ends at byte {})", name, key->text, bytes.size());
    uint64_t count = 0;
    for (size_t i = 8; i-- > 0;) count = (count << 8) | static_cast<uint8_t>(bytes[pos + i]);
    pos += 8;
    const size_t element = c10::elementSize(storage->dtype);
    if (count > (bytes.size() - pos) / element) {
      fail("{}: truncated (storage {} needs {} bytes, {} are left)", name, key->text,
           count > std::numeric_limits<uint64_t>::max() / element ? std::string("more than 2^64")
                                                                  : std::to_string(count * element),
           bytes.size() - pos);
    }
    const size_t n = static_cast<size_t>(count) * element;
    storage->data =
        pickle::tensor_from_bytes(bytes.data() + pos, n, storage->dtype, "storage " + key->text, name);
    pos += n;
  }
}

NamedTensors decode_legacy(const std::string& bytes, const std::string& name) {
  const size_t object_start = check_legacy_header(bytes, name);
  StorageTable storages(name);
  Unpickler object_pickle(bytes, object_start, name, "the pickle",
                          [&](Unpickler& u, Value* pid) { return storages.load(u, pid); });
  const auto entries = state_dict_entries(*object_pickle.load(), name);
  read_legacy_storages(bytes, object_pickle.end(), storages, name);
  return materialize_all(entries, name);
}

/// The first line of a LibTorch error, without its backtrace.
std::string first_line(const c10::Error& error) {
  const std::string what = error.what_without_backtrace();
  return what.substr(0, what.find('\n'));
}

}  // namespace

NamedTensors decode_state_dict(const std::string& bytes, const std::string& name) {
  try {
    if (bytes.empty()) fail("{}: not a .pth file (empty)", name);
    if (bytes.compare(0, 2, "PK") == 0) return decode_zip(bytes, name);
    if (bytes.size() > 262 && bytes.compare(257, 5, "ustar") == 0) {
      fail(
          "{}: a tar-format .pth file (PyTorch before 0.4), which gankit cannot read; "
          "load it and save it again with torch.save",
          name);
    }
    if (static_cast<uint8_t>(bytes[0]) == 0x80) return decode_legacy(bytes, name);
    fail("{}: not a .pth file (neither a zip archive nor a legacy torch.save pickle)", name);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& error) {
    fail("{}: cannot read ({})", name, first_line(error));
  } catch (const std::bad_alloc&) {
    fail("{}: out of memory (corrupt sizes?)", name);
  }
}

NamedTensors read_state_dict(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || std::filesystem::is_directory(path)) {
    fail("{}: cannot read .pth file (no such file or not readable)", path.string());
  }
  std::string bytes(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) fail("{}: cannot read .pth file (read error)", path.string());
  return decode_state_dict(bytes, path.string());
}

}  // namespace gankit::io