#include "gankit/io/torch_state_dict.h"

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "gankit/error.h"

namespace gankit::io {

namespace {

// ---- what the pickles hold ----

/// A storage named by a persistent id: its dtype from the storage class, its bytes read after the
/// pickle (zip: the record data/KEY; legacy: the data section).
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
/// structures (which a corrupt file may build) are freed without recursion.
struct Value {
  Kind kind = Kind::kNone;
  /// kBool, kInt.
  int64_t integer = 0;
  /// kFloat.
  double real = 0;
  /// kString, kBytes, kBigInt (little-endian bytes), kGlobal and kObject ("module.name").
  std::string text;
  /// kTuple, kList; kDict: key, value, key, value, ... in insertion order.
  std::vector<Value*> items;
  /// kDict: where in `items` each str key is.
  std::unique_ptr<std::unordered_map<std::string, size_t>> string_keys;
  /// kDict: a collections.OrderedDict.
  bool ordered = false;
  std::shared_ptr<Storage> storage;   ///< kStorage
  std::shared_ptr<TensorRef> tensor;  ///< kTensor
};

/// "a list", "an OrderedDict", "a torch.nn.modules.linear.Linear object", ... for messages.
std::string describe(const Value& value) {
  switch (value.kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "a bool";
    case Kind::kInt:
    case Kind::kBigInt:
      return "an int";
    case Kind::kFloat:
      return "a float";
    case Kind::kString:
      return "a str";
    case Kind::kBytes:
      return "a bytes object";
    case Kind::kTuple:
      return "a tuple";
    case Kind::kList:
      return "a list";
    case Kind::kDict:
      return value.ordered ? "an OrderedDict" : "a dict";
    case Kind::kGlobal:
      return "the global " + value.text;
    case Kind::kObject:
      return "a " + value.text + " object";
    case Kind::kStorage:
      return "a storage";
    case Kind::kTensor:
      return "a tensor";
  }
  return "a value";
}

/// Storage classes named by persistent ids (torch.FloatStorage, ...) and the dtypes they hold.
std::optional<torch::ScalarType> storage_dtype(const std::string& global) {
  static const std::map<std::string, torch::ScalarType> kTypes = {
      {"torch.FloatStorage", torch::kFloat},
      {"torch.DoubleStorage", torch::kDouble},
      {"torch.HalfStorage", torch::kHalf},
      {"torch.BFloat16Storage", torch::kBFloat16},
      {"torch.LongStorage", torch::kLong},
      {"torch.IntStorage", torch::kInt},
      {"torch.ShortStorage", torch::kShort},
      {"torch.CharStorage", torch::kChar},
      {"torch.ByteStorage", torch::kByte},
      {"torch.BoolStorage", torch::kBool},
      {"torch.ComplexFloatStorage", torch::kComplexFloat},
      {"torch.ComplexDoubleStorage", torch::kComplexDouble},
  };
  const auto found = kTypes.find(global);
  if (found == kTypes.end()) return std::nullopt;
  return found->second;
}

// ---- the unpickler ----

/// Decodes one pickle (protocols 2 to 4, the opcodes torch.save's pickles use) into Values. It
/// builds plain data only: a GLOBAL is a name, REDUCE/NEWOBJ of a name it does not know is an
/// opaque object that records the name, and only the tensor rebuild functions and OrderedDict
/// are understood. Every read is bounds-checked; every opcode consumes at least one byte.
class Unpickler {
 public:
  /// Returns the value a persistent id (BINPERSID) stands for.
  using PersistentLoad = std::function<Value*(Unpickler&, Value* pid)>;

  /// `name` (the file) and `part` (e.g. "data.pkl") are used in errors.
  Unpickler(std::string_view data, size_t start, std::string name, std::string part,
            PersistentLoad persistent_load = {})
      : data_(data),
        pos_(start),
        name_(std::move(name)),
        part_(std::move(part)),
        persistent_load_(std::move(persistent_load)) {}

  /// Runs to STOP and returns the pickled object; `end()` is then the byte after STOP.
  Value* load();
  size_t end() const { return pos_; }

  [[noreturn]] void corrupt(std::string_view what) const {
    fail("{}: corrupt {} at byte {} (opcode {}: {})", name_, part_, op_start_, opcode_name(), what);
  }

  Value* make(Kind kind) {
    if (arena_.size() >= kMaxValues) fail("{}: {} holds too many objects for a state_dict", name_, part_);
    arena_.emplace_back();
    arena_.back().kind = kind;
    return &arena_.back();
  }

 private:
  static constexpr size_t kMaxValues = size_t{1} << 22;  // ~0.5 GB; a state_dict needs ~20 a tensor

  std::string opcode_name() const {
    if (op_ >= 0x20 && op_ < 0x7f) return fmt::format("'{}'", static_cast<char>(op_));
    return fmt::format("0x{:02x}", op_);
  }

  std::string_view take(size_t n) {
    if (n > data_.size() - pos_) {
      fail("{}: truncated ({} ends at byte {}, inside opcode {} that starts at byte {})", name_, part_,
           data_.size(), opcode_name(), op_start_);
    }
    const auto bytes = data_.substr(pos_, n);
    pos_ += n;
    return bytes;
  }
  uint64_t little_endian(size_t n) {
    const auto bytes = take(n);
    uint64_t value = 0;
    for (size_t i = n; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
    return value;
  }
  std::string line() {
    const size_t end = data_.find('\n', pos_);
    if (end == std::string_view::npos) take(data_.size() - pos_ + 1);  // reports the truncation
    const auto text = data_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return std::string(text);
  }
  /// A length that must fit in the bytes left (so a corrupt length never allocates).
  size_t length(size_t n_bytes) {
    const uint64_t n = little_endian(n_bytes);
    if (n > data_.size() - pos_) take(data_.size() - pos_ + 1);
    return static_cast<size_t>(n);
  }

  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(Value* value) { stack_.push_back(value); }
  Value* pop() {
    if (stack_.size() <= floor()) corrupt("stack underflow");
    Value* value = stack_.back();
    stack_.pop_back();
    return value;
  }
  Value* top() {
    if (stack_.size() <= floor()) corrupt("stack underflow");
    return stack_.back();
  }
  std::vector<Value*> pop_mark() {
    if (marks_.empty()) corrupt("no MARK");
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }

  Value* make_int(int64_t v) {
    Value* value = make(Kind::kInt);
    value->integer = v;
    return value;
  }
  Value* make_text(Kind kind, std::string_view text) {
    Value* value = make(kind);
    value->text = std::string(text);
    return value;
  }
  Value* make_sequence(Kind kind, std::vector<Value*> items) {
    Value* value = make(kind);
    value->items = std::move(items);
    return value;
  }
  Value* make_dict(bool ordered) {
    Value* value = make(Kind::kDict);
    value->ordered = ordered;
    value->string_keys = std::make_unique<std::unordered_map<std::string, size_t>>();
    return value;
  }
  /// LONG1/LONG4: little-endian two's complement; up to 8 bytes an int, longer a big int.
  Value* make_long(std::string_view bytes) {
    if (bytes.size() > 8) return make_text(Kind::kBigInt, bytes);
    uint64_t v = 0;
    for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
    if (!bytes.empty() && bytes.size() < 8 && (static_cast<uint8_t>(bytes.back()) & 0x80)) {
      v |= ~uint64_t{0} << (8 * bytes.size());  // sign-extend
    }
    int64_t signed_v;
    std::memcpy(&signed_v, &v, sizeof v);
    return make_int(signed_v);
  }

  void set_item(Value* dict, Value* key, Value* value) {
    if (dict->kind != Kind::kDict) corrupt("setting an item of " + describe(*dict));
    if (key->kind == Kind::kString) {
      const auto [at, inserted] = dict->string_keys->emplace(key->text, dict->items.size());
      if (!inserted) {  // Python keeps the first position and takes the last value
        dict->items[at->second + 1] = value;
        return;
      }
    }
    dict->items.push_back(key);
    dict->items.push_back(value);
  }
  void append(Value* list, Value* item) {
    if (list->kind != Kind::kList) corrupt("appending to " + describe(*list));
    list->items.push_back(item);
  }

  Value* reduce(Value* callable, Value* args);
  Value* rebuild_tensor(const std::string& function, Value* args);

  std::string_view data_;
  size_t pos_;
  std::string name_, part_;
  PersistentLoad persistent_load_;
  size_t op_start_ = 0;
  uint8_t op_ = 0;
  std::deque<Value> arena_;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Value*> memo_;
};

Value* Unpickler::load() {
  for (;;) {
    op_start_ = pos_;
    op_ = static_cast<uint8_t>(take(1)[0]);
    switch (op_) {
      case 0x80:  // PROTO
        take(1);
        break;
      case 0x95:  // FRAME (protocol 4): only a buffering hint
        take(8);
        break;
      case '.':  // STOP
        return pop();
      case 'N':  // NONE
        push(make(Kind::kNone));
        break;
      case 0x88:    // NEWTRUE
      case 0x89: {  // NEWFALSE
        Value* value = make(Kind::kBool);
        value->integer = op_ == 0x88;
        push(value);
        break;
      }
      case 'J':  // BININT
        push(make_int(static_cast<int32_t>(little_endian(4))));
        break;
      case 'K':  // BININT1
        push(make_int(static_cast<int64_t>(little_endian(1))));
        break;
      case 'M':  // BININT2
        push(make_int(static_cast<int64_t>(little_endian(2))));
        break;
      case 0x8a:  // LONG1
        push(make_long(take(length(1))));
        break;
      case 0x8b: {  // LONG4
        const auto n = static_cast<int32_t>(little_endian(4));
        if (n < 0) corrupt("negative length");
        push(make_long(take(static_cast<size_t>(n))));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian IEEE 754 double
        const auto bytes = take(8);
        uint64_t bits = 0;
        for (char c : bytes) bits = (bits << 8) | static_cast<uint8_t>(c);
        Value* value = make(Kind::kFloat);
        std::memcpy(&value->real, &bits, sizeof bits);
        push(value);
        break;
      }
      case 'X':  // BINUNICODE
        push(make_text(Kind::kString, take(length(4))));
        break;
      case 0x8c:  // SHORT_BINUNICODE
        push(make_text(Kind::kString, take(length(1))));
        break;
      case 0x8d:  // BINUNICODE8
        push(make_text(Kind::kString, take(length(8))));
        break;
      case 'T': {  // BINSTRING (Python 2 str; torch.load decodes it to str)
        const auto n = static_cast<int32_t>(little_endian(4));
        if (n < 0) corrupt("negative length");
        push(make_text(Kind::kString, take(static_cast<size_t>(n))));
        break;
      }
      case 'U':  // SHORT_BINSTRING
        push(make_text(Kind::kString, take(length(1))));
        break;
      case 'B':  // BINBYTES
        push(make_text(Kind::kBytes, take(length(4))));
        break;
      case 'C':  // SHORT_BINBYTES
        push(make_text(Kind::kBytes, take(length(1))));
        break;
      case 0x8e:  // BINBYTES8
        push(make_text(Kind::kBytes, take(length(8))));
        break;
      case 'c': {  // GLOBAL "module\nname\n"
        std::string module = line();
        const std::string name = line();
        push(make_text(Kind::kGlobal, module + "." + name));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        Value* name = pop();
        Value* module = pop();
        if (name->kind != Kind::kString || module->kind != Kind::kString)
          corrupt("a global's name is not a str");
        push(make_text(Kind::kGlobal, module->text + "." + name->text));
        break;
      }
      case '(':  // MARK
        marks_.push_back(stack_.size());
        break;
      case '1':  // POP_MARK
        pop_mark();
        break;
      case '0':  // POP
        pop();
        break;
      case '2':  // DUP
        push(top());
        break;
      case ')':  // EMPTY_TUPLE
        push(make_sequence(Kind::kTuple, {}));
        break;
      case 't':  // TUPLE
        push(make_sequence(Kind::kTuple, pop_mark()));
        break;
      case 0x85:    // TUPLE1
      case 0x86:    // TUPLE2
      case 0x87: {  // TUPLE3
        std::vector<Value*> items(op_ - 0x84);
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        push(make_sequence(Kind::kTuple, std::move(items)));
        break;
      }
      case ']':  // EMPTY_LIST
        push(make_sequence(Kind::kList, {}));
        break;
      case 'l':  // LIST
        push(make_sequence(Kind::kList, pop_mark()));
        break;
      case '}':  // EMPTY_DICT
        push(make_dict(false));
        break;
      case 'd': {  // DICT
        const auto items = pop_mark();
        if (items.size() % 2 != 0) corrupt("an odd number of keys and values");
        Value* dict = make_dict(false);
        for (size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        push(dict);
        break;
      }
      case 'a': {  // APPEND
        Value* item = pop();
        append(top(), item);
        break;
      }
      case 'e': {  // APPENDS
        const auto items = pop_mark();
        Value* list = top();
        for (Value* item : items) append(list, item);
        break;
      }
      case 's': {  // SETITEM
        Value* value = pop();
        Value* key = pop();
        set_item(top(), key, value);
        break;
      }
      case 'u': {  // SETITEMS
        const auto items = pop_mark();
        if (items.size() % 2 != 0) corrupt("an odd number of keys and values");
        Value* dict = top();
        for (size_t i = 0; i < items.size(); i += 2) set_item(dict, items[i], items[i + 1]);
        break;
      }
      case 'q':  // BINPUT
        memo_[little_endian(1)] = top();
        break;
      case 'r':  // LONG_BINPUT
        memo_[little_endian(4)] = top();
        break;
      case 0x94: {  // MEMOIZE
        Value* value = top();
        memo_[memo_.size()] = value;
        break;
      }
      case 'h':    // BINGET
      case 'j': {  // LONG_BINGET
        const uint64_t key = little_endian(op_ == 'h' ? 1 : 4);
        const auto found = memo_.find(key);
        if (found == memo_.end()) corrupt(fmt::format("memo entry {} is missing", key));
        push(found->second);
        break;
      }
      case 'Q': {  // BINPERSID
        Value* pid = pop();
        if (!persistent_load_) corrupt("a persistent id where none is expected");
        push(persistent_load_(*this, pid));
        break;
      }
      case 'R': {  // REDUCE
        Value* args = pop();
        Value* callable = pop();
        push(reduce(callable, args));
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args)
        Value* args = pop();
        Value* cls = pop();
        if (cls->kind != Kind::kGlobal || args->kind != Kind::kTuple) corrupt("NEWOBJ of a non-class");
        push(cls->text == "collections.OrderedDict" ? make_dict(true) : make_text(Kind::kObject, cls->text));
        break;
      }
      case 'b': {  // BUILD: the state of an object. An OrderedDict's is its attributes (a state_dict's
                   // _metadata), an opaque object's whatever it pickled: both are dropped.
        pop();
        top();
        break;
      }
      default:
        fail("{}: unsupported pickle opcode {} at byte {} of {} (not a torch.save state_dict?)", name_,
             opcode_name(), op_start_, part_);
    }
  }
}

Value* Unpickler::reduce(Value* callable, Value* args) {
  if (callable->kind != Kind::kGlobal) corrupt("calling " + describe(*callable));
  if (args->kind != Kind::kTuple) corrupt("call arguments are " + describe(*args) + ", not a tuple");
  const std::string& function = callable->text;
  if (function == "collections.OrderedDict") {
    if (!args->items.empty()) corrupt("OrderedDict with arguments");
    return make_dict(true);
  }
  if (function == "torch._utils._rebuild_tensor_v2" || function == "torch._utils._rebuild_tensor") {
    return rebuild_tensor(function, args);
  }
  if (function == "torch._utils._rebuild_parameter" ||
      function == "torch._utils._rebuild_parameter_with_state") {
    // (data, requires_grad, backward_hooks[, state]): a Parameter wrapping a rebuilt tensor.
    if (args->items.size() < 3 || args->items.size() > 4 || args->items[0]->kind != Kind::kTensor) {
      corrupt(function + " with unexpected arguments");
    }
    return args->items[0];
  }
  // Anything else stays a name: nothing is run, and the caller says what the file holds.
  return make_text(Kind::kObject, function);
}

Value* Unpickler::rebuild_tensor(const std::string& function, Value* args) {
  // _rebuild_tensor(storage, storage_offset, size, stride) and _rebuild_tensor_v2(..., requires_grad,
  // backward_hooks[, metadata]).
  const auto& a = args->items;
  const bool v2 = function.back() == '2';
  const bool arity_ok = v2 ? (a.size() == 6 || a.size() == 7) : a.size() == 4;
  if (!arity_ok || a[0]->kind != Kind::kStorage || a[1]->kind != Kind::kInt || a[2]->kind != Kind::kTuple ||
      a[3]->kind != Kind::kTuple || a[2]->items.size() != a[3]->items.size()) {
    corrupt(function + " with unexpected arguments");
  }
  auto tensor = std::make_shared<TensorRef>();
  tensor->storage = a[0]->storage;
  tensor->offset = a[1]->integer;
  for (size_t i = 0; i < a[2]->items.size(); ++i) {
    const Value* size = a[2]->items[i];
    const Value* stride = a[3]->items[i];
    if (size->kind != Kind::kInt || stride->kind != Kind::kInt)
      corrupt("a tensor size or stride is not an int");
    tensor->sizes.push_back(size->integer);
    tensor->strides.push_back(stride->integer);
  }
  Value* value = make(Kind::kTensor);
  value->tensor = std::move(tensor);
  return value;
}

// ---- storages and tensors ----

/// The storages one file's pickle names, by key (the same key may be named many times).
class StorageTable {
 public:
  explicit StorageTable(std::string name) : name_(std::move(name)) {}

  /// persistent_load: ('storage', storage class, key, location, numel[, view_metadata]) -> storage;
  /// ('module', class, source file, source) (legacy whole-module pickles) -> the class.
  Value* load(Unpickler& unpickler, Value* pid) {
    if (pid->kind != Kind::kTuple || pid->items.empty() || pid->items[0]->kind != Kind::kString) {
      unpickler.corrupt("a persistent id that is " + describe(*pid));
    }
    const auto& id = pid->items;
    if (id[0]->text == "module" && id.size() == 4) return id[1];
    if (id[0]->text != "storage" || (id.size() != 5 && id.size() != 6)) {
      unpickler.corrupt("an unknown persistent id '" + id[0]->text + "'");
    }
    if (id[1]->kind != Kind::kGlobal || id[2]->kind != Kind::kString || id[4]->kind != Kind::kInt ||
        id[4]->integer < 0) {
      unpickler.corrupt("a storage id with unexpected fields");
    }
    const auto dtype = storage_dtype(id[1]->text);
    if (!dtype) fail("{}: unsupported storage type {}", name_, id[1]->text);
    auto storage = get(id[2]->text, *dtype, id[4]->integer);
    if (id.size() == 6 && id[5]->kind != Kind::kNone) {
      // A view of the root storage (files from before torch 0.4): (view key, offset, numel).
      const Value* view = id[5];
      if (view->kind != Kind::kTuple || view->items.size() != 3 || view->items[0]->kind != Kind::kString ||
          view->items[1]->kind != Kind::kInt || view->items[2]->kind != Kind::kInt ||
          view->items[1]->integer < 0 || view->items[2]->integer < 0) {
        unpickler.corrupt("a storage view with unexpected fields");
      }
      auto view_storage = get(view->items[0]->text, *dtype, view->items[2]->integer);
      if (view_storage == storage) unpickler.corrupt("a storage that views itself");
      view_storage->root = storage;
      view_storage->root_offset = view->items[1]->integer;
      storage = view_storage;
    }
    Value* value = unpickler.make(Kind::kStorage);
    value->storage = std::move(storage);
    return value;
  }

  /// The storages that hold their own bytes (not views), in first-use order.
  std::vector<std::shared_ptr<Storage>> roots() const {
    std::vector<std::shared_ptr<Storage>> out;
    for (const auto& storage : order_) {
      if (!storage->root) out.push_back(storage);
    }
    return out;
  }
  std::shared_ptr<Storage> find(const std::string& key) const {
    const auto found = by_key_.find(key);
    return found == by_key_.end() ? nullptr : found->second;
  }

 private:
  std::shared_ptr<Storage> get(const std::string& key, torch::ScalarType dtype, int64_t numel) {
    auto& storage = by_key_[key];
    if (!storage) {
      storage = std::make_shared<Storage>();
      storage->key = key;
      storage->dtype = dtype;
      storage->numel = numel;
      order_.push_back(storage);
    } else if (storage->dtype != dtype) {
      fail("{}: storage {} is named with two dtypes ({} and {})", name_, key, c10::toString(storage->dtype),
           c10::toString(dtype));
    }
    return storage;
  }

  std::string name_;
  std::map<std::string, std::shared_ptr<Storage>> by_key_;
  std::vector<std::shared_ptr<Storage>> order_;
};

/// The 1-D data of a storage, a window of its root's for a legacy view.
torch::Tensor storage_data(const Storage& storage, const std::string& name) {
  if (!storage.root) {
    if (!storage.data.defined()) fail("{}: storage {} is missing", name, storage.key);
    return storage.data;
  }
  if (storage.root->root)
    fail("{}: storage {} views storage {}, itself a view", name, storage.key, storage.root->key);
  const auto root = storage_data(*storage.root, name);
  if (storage.root_offset > root.numel() || storage.numel > root.numel() - storage.root_offset) {
    fail("{}: storage view {} reaches past the end of storage {}", name, storage.key, storage.root->key);
  }
  return root.narrow(0, storage.root_offset, storage.numel);
}

int64_t checked_add(int64_t a, int64_t b, const std::string& name, const std::string& key) {
  if (b > std::numeric_limits<int64_t>::max() - a) fail("{}: tensor {} has impossible sizes", name, key);
  return a + b;
}
int64_t checked_mul(int64_t a, int64_t b, const std::string& name, const std::string& key) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a)
    fail("{}: tensor {} has impossible sizes", name, key);
  return a * b;
}

/// A contiguous copy of the strided view a rebuilt tensor describes, after checking that it stays
/// inside its storage.
torch::Tensor materialize(const TensorRef& ref, const std::string& key, const std::string& name) {
  const auto data = storage_data(*ref.storage, name);
  int64_t numel = 1, last = ref.offset;
  if (ref.offset < 0) fail("{}: tensor {} has a negative storage offset", name, key);
  for (size_t i = 0; i < ref.sizes.size(); ++i) {
    if (ref.sizes[i] < 0 || ref.strides[i] < 0)
      fail("{}: tensor {} has a negative size or stride", name, key);
    numel = checked_mul(numel, ref.sizes[i], name, key);
    if (ref.sizes[i] > 0)
      last = checked_add(last, checked_mul(ref.sizes[i] - 1, ref.strides[i], name, key), name, key);
  }
  if (numel == 0) return torch::empty(ref.sizes, torch::TensorOptions().dtype(data.scalar_type()));
  if (last >= data.numel()) {
    fail("{}: tensor {} reaches element {} of storage {}, which holds {}", name, key, last, ref.storage->key,
         data.numel());
  }
  // as_strided's offset counts from the start of the underlying buffer (a legacy view starts later).
  return data.as_strided(ref.sizes, ref.strides, data.storage_offset() + ref.offset)
      .clone(at::MemoryFormat::Contiguous);
}

/// A 1-D tensor of `dtype` holding a copy of `bytes`.
torch::Tensor tensor_from_bytes(const char* bytes, size_t n, torch::ScalarType dtype, const std::string& what,
                                const std::string& name) {
  const size_t element = c10::elementSize(dtype);
  if (n % element != 0)
    fail("{}: {} holds {} bytes, not a whole number of {}", name, what, n, c10::toString(dtype));
  auto data = torch::empty({static_cast<int64_t>(n / element)}, torch::TensorOptions().dtype(dtype));
  if (n > 0) std::memcpy(data.data_ptr(), bytes, n);
  return data;
}

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
  for (const auto& [key, ref] : entries) out.emplace_back(key, materialize(*ref, key, name));
  return out;
}

// ---- the zip format ----

/// PyTorchStreamReader's view of bytes already in memory.
class BytesAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BytesAdapter(const std::string& bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    n = std::min<size_t>(n, bytes_.size() - pos);
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

 private:
  const std::string& bytes_;
};

/// PyTorchStreamReader allocates a record's declared size before reading it, so a 2 KB file could
/// ask for gigabytes (fuzz target state_dict): every record the central directory lists must fit
/// in the file (torch.save stores records uncompressed). Zip64 sizes are left to miniz.
void check_zip_record_sizes(const std::string& bytes, const std::string& name) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint64_t n = bytes.size();
  const auto u16 = [&](uint64_t at) { return uint64_t{b[at]} | uint64_t{b[at + 1]} << 8; };
  const auto u32 = [&](uint64_t at) { return u16(at) | u16(at + 2) << 16; };
  if (n < 22) return;
  for (uint64_t eocd = n - 22; n - eocd <= 22 + 65535; --eocd) {  // the end-of-central-directory record
    if (u32(eocd) == 0x06054b50) {
      uint64_t at = u32(eocd + 16);
      for (uint64_t i = 0, entries = u16(eocd + 10); i < entries && at + 46 <= n && u32(at) == 0x02014b50; ++i) {
        for (const uint64_t size : {u32(at + 20), u32(at + 24)}) {  // compressed, uncompressed
          if (size != 0xFFFFFFFF && size > n) {
            fail("{}: not a readable .pth zip archive, truncated or corrupt (a record of {} bytes in a file "
                 "of {})", name, size, n);
          }
        }
        at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32);
      }
      return;
    }
    if (eocd == 0) return;
  }
}

NamedTensors decode_zip(const std::string& bytes, const std::string& name) {
  check_zip_record_sizes(bytes, name);
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(std::make_shared<BytesAdapter>(bytes));
  } catch (const c10::Error& error) {
    const std::string what = error.what_without_backtrace();
    fail("{}: not a readable .pth zip archive, truncated or corrupt ({})", name,
         what.substr(0, what.find('\n')));
  }
  if (zip->hasRecord("constants.pkl"))
    fail("{}: a TorchScript archive (torch.jit.save), not a state_dict", name);
  if (!zip->hasRecord("data.pkl")) fail("{}: a zip archive without data.pkl, not a torch.save file", name);
  if (zip->hasRecord("byteorder")) {
    const auto [order, size] = zip->getRecord("byteorder");
    if (std::string(static_cast<const char*>(order.get()), size) != "little") {
      fail("{}: a big-endian file, which gankit cannot read", name);
    }
  }
  const auto [pickle, pickle_size] = zip->getRecord("data.pkl");
  StorageTable storages(name);
  Unpickler unpickler(std::string_view(static_cast<const char*>(pickle.get()), pickle_size), 0, name,
                      "data.pkl", [&](Unpickler& u, Value* pid) { return storages.load(u, pid); });
  const auto entries = state_dict_entries(*unpickler.load(), name);
  for (const auto& storage : storages.roots()) {
    const std::string record = "data/" + storage->key;
    if (!zip->hasRecord(record)) fail("{}: storage {} is missing", name, record);
    const auto [data, size] = zip->getRecord(record);
    storage->data =
        tensor_from_bytes(static_cast<const char*>(data.get()), size, storage->dtype, record, name);
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
    storage->data = tensor_from_bytes(bytes.data() + pos, n, storage->dtype, "storage " + key->text, name);
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
