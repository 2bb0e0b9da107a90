// The pickles inside PyTorch and LibTorch files (torch.save's .pth files, the data.pkl of a
// TorchScript or torch::serialize archive), decoded by gankit's own unpickler rather than
// Python's or LibTorch's: it knows the opcodes of protocols 2 to 4 that these files use, builds
// plain values only (a GLOBAL is a name, never called) and is bounded: no recursion, a cap on the
// values it makes, every length checked against the bytes left before anything is allocated.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gankit::io::pickle {

/// A storage named by a persistent id: its dtype from the storage class, its bytes read after the
/// pickle (zip: the record data/KEY; legacy .pth: the data section).
struct Storage {
  std::string key;
  torch::ScalarType dtype = torch::kFloat;
  int64_t numel = 0;  ///< the element count the persistent id states
  /// A legacy storage view: `numel` elements of `root` from `root_offset` on.
  std::shared_ptr<Storage> root;
  int64_t root_offset = 0;
  torch::Tensor data;  ///< 1-D, `dtype`; undefined until read
};

/// torch._utils._rebuild_tensor_v2's arguments: a strided view of a storage.
struct TensorRef {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  bool requires_grad = false;
};

enum class Kind {
  kNone,
  kBool,
  kInt,
  kBigInt,
  kFloat,
  kString,
  kBytes,
  kTuple,
  kList,
  kDict,
  kGlobal,
  kObject,
  kStorage,
  kTensor
};

/// One unpickled value. Containers point at other values of the same arena, so deep or cyclic
/// structures (which a corrupt file may build) are freed without recursion; whoever walks them
/// must bound the depth.
struct Value {
  Kind kind = Kind::kNone;
  /// kBool, kInt.
  int64_t integer = 0;
  /// kFloat.
  double real = 0;
  /// kString, kBytes, kBigInt (little-endian bytes), kGlobal and kObject ("module.name"); kList:
  /// the element type TorchScript stated ("int", "float", "bool", or a tag like "List[str]"), if any.
  std::string text;
  /// kTuple, kList; kDict: key, value, key, value, ... in insertion order.
  std::vector<Value*> items;
  /// kDict: where in `items` each str key is.
  std::unique_ptr<std::unordered_map<std::string, size_t>> string_keys;
  /// kDict: a collections.OrderedDict.
  bool ordered = false;
  /// kObject: the state BUILD gave it (a TorchScript object's attribute dict), or nullptr.
  Value* state = nullptr;
  std::shared_ptr<Storage> storage;   ///< kStorage
  std::shared_ptr<TensorRef> tensor;  ///< kTensor
};

/// "a list", "an OrderedDict", "a torch.nn.modules.linear.Linear object", ... for messages.
std::string describe(const Value& value);

/// Storage classes named by persistent ids (torch.FloatStorage, ...) and the dtypes they hold.
std::optional<torch::ScalarType> storage_dtype(const std::string& global);

/// Decodes one pickle into Values. REDUCE and NEWOBJ of a name it does not know make an opaque
/// object that records the name; only the tensor rebuild functions, OrderedDict and TorchScript's
/// typed-list builders are understood. Every opcode consumes at least one byte.
class Unpickler {
 public:
  /// Returns the value a persistent id (BINPERSID) stands for.
  using PersistentLoad = std::function<Value*(Unpickler&, Value* pid)>;
  /// Called with every global the pickle names ("module.name"); throws to refuse it.
  using CheckGlobal = std::function<void(const std::string& global)>;

  static constexpr size_t kMaxValues = size_t{1} << 22;  // ~0.5 GB; a state_dict needs ~20 a tensor

  /// `name` (the file) and `part` (e.g. "data.pkl") are used in errors.
  Unpickler(std::string_view data, size_t start, std::string name, std::string part,
            PersistentLoad persistent_load = {}, CheckGlobal check_global = {});

  /// Runs to STOP and returns the pickled object; `end()` is then the byte after STOP.
  Value* load();
  size_t end() const { return pos_; }

  /// gankit::Error "NAME: corrupt PART at byte N (opcode X: what)".
  [[noreturn]] void corrupt(std::string_view what) const;

  /// A new value of the arena; too many is an error.
  Value* make(Kind kind);

 private:
  std::string opcode_name() const;
  std::string_view take(size_t n);
  uint64_t little_endian(size_t n);
  std::string line();
  size_t length(size_t n_bytes);

  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* value) { stack_.push_back(value); }
  Value* pop();
  Value* top();
  std::vector<Value*> pop_mark();

  Value* make_int(int64_t v);
  Value* make_text(Kind kind, std::string_view text);
  Value* make_sequence(Kind kind, std::vector<Value*> items);
  Value* make_dict(bool ordered);
  Value* make_long(std::string_view bytes);
  Value* make_global(std::string global);

  void set_item(Value* dict, Value* key, Value* value);
  void append(Value* list, Value* item);
  /// Runs the current opcode if it pushes a scalar, a string or a global (false otherwise).
  bool scalar_op();
  /// Runs the current opcode if it builds a container, calls or memoizes (false otherwise).
  bool build_op();
  Value* reduce(Value* callable, Value* args);
  Value* rebuild_tensor(const std::string& function, Value* args);
  Value* typed_list(const std::string& function, Value* args);

  std::string_view data_;
  size_t pos_;
  std::string name_, part_;
  PersistentLoad persistent_load_;
  CheckGlobal check_global_;
  size_t op_start_ = 0;
  uint8_t op_ = 0;
  std::deque<Value> arena_;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value*> memo_;
};

/// The storages one file's pickle names, by key (the same key may be named many times).
class StorageTable {
 public:
  explicit StorageTable(std::string name) : name_(std::move(name)) {}

  /// persistent_load: ('storage', storage class, key, location, numel[, view_metadata]) -> storage;
  /// ('module', class, source file, source) (legacy whole-module pickles) -> the class.
  Value* load(Unpickler& unpickler, Value* pid);

  /// The storages that hold their own bytes (not views), in first-use order.
  std::vector<std::shared_ptr<Storage>> roots() const;
  std::shared_ptr<Storage> find(const std::string& key) const;

 private:
  std::shared_ptr<Storage> get(const std::string& key, torch::ScalarType dtype, int64_t numel);

  std::string name_;
  std::map<std::string, std::shared_ptr<Storage>> by_key_;
  std::vector<std::shared_ptr<Storage>> order_;
};

/// The strided view of its storage a rebuilt tensor describes, after checking that it stays inside
/// the storage; `key` names the tensor and `name` the file in errors.
torch::Tensor checked_view(const TensorRef& ref, const std::string& key, const std::string& name);

/// A contiguous copy of checked_view (its own memory).
torch::Tensor materialize(const TensorRef& ref, const std::string& key, const std::string& name);

/// A 1-D tensor of `dtype` holding a copy of `bytes` (a whole number of elements; `what` names them).
torch::Tensor tensor_from_bytes(const char* bytes, size_t n, torch::ScalarType dtype, const std::string& what,
                                const std::string& name);

}  // namespace gankit::io::pickle
