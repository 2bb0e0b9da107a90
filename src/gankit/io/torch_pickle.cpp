#include "gankit/io/torch_pickle.h"

#include <cstring>
#include <limits>
#include <map>

#include "gankit/error.h"

namespace gankit::io::pickle {

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

Unpickler::Unpickler(std::string_view data, size_t start, std::string name, std::string part,
                     PersistentLoad persistent_load, CheckGlobal check_global)
    : data_(data),
      pos_(start),
      name_(std::move(name)),
      part_(std::move(part)),
      persistent_load_(std::move(persistent_load)),
      check_global_(std::move(check_global)) {}

void Unpickler::corrupt(std::string_view what) const {
  fail("{}: corrupt {} at byte {} (opcode {}: {})", name_, part_, op_start_, opcode_name(), what);
}

Value* Unpickler::make(Kind kind) {
  if (arena_.size() >= kMaxValues) fail("{}: {} holds too many objects for a state_dict", name_, part_);
  arena_.emplace_back();
  arena_.back().kind = kind;
  return &arena_.back();
}

std::string Unpickler::opcode_name() const {
  if (op_ >= 0x20 && op_ < 0x7f) return fmt::format("'{}'", static_cast<char>(op_));
  return fmt::format("0x{:02x}", op_);
}

std::string_view Unpickler::take(size_t n) {
  if (n > data_.size() - pos_) {
    fail("{}: truncated ({} ends at byte {}, inside opcode {} that starts at byte {})", name_, part_,
         data_.size(), opcode_name(), op_start_);
  }
  const auto bytes = data_.substr(pos_, n);
  pos_ += n;
  return bytes;
}

uint64_t Unpickler::little_endian(size_t n) {
  const auto bytes = take(n);
  uint64_t value = 0;
  for (size_t i = n; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string Unpickler::line() {
  const size_t end = data_.find('\n', pos_);
  if (end == std::string_view::npos) take(data_.size() - pos_ + 1);  // reports the truncation
  const auto text = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return std::string(text);
}

/// A length that must fit in the bytes left (so a corrupt length never allocates).
size_t Unpickler::length(size_t n_bytes) {
  const uint64_t n = little_endian(n_bytes);
  if (n > data_.size() - pos_) take(data_.size() - pos_ + 1);
  return static_cast<size_t>(n);
}

Value* Unpickler::pop() {
  if (stack_.size() <= floor()) corrupt("stack underflow");
  Value* value = stack_.back();
  stack_.pop_back();
  return value;
}

Value* Unpickler::top() {
  if (stack_.size() <= floor()) corrupt("stack underflow");
  return stack_.back();
}

std::vector<Value*> Unpickler::pop_mark() {
  if (marks_.empty()) corrupt("no MARK");
  std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
  stack_.resize(marks_.back());
  marks_.pop_back();
  return items;
}

Value* Unpickler::make_int(int64_t v) {
  Value* value = make(Kind::kInt);
  value->integer = v;
  return value;
}

Value* Unpickler::make_text(Kind kind, std::string_view text) {
  Value* value = make(kind);
  value->text = std::string(text);
  return value;
}

Value* Unpickler::make_sequence(Kind kind, std::vector<Value*> items) {
  Value* value = make(kind);
  value->items = std::move(items);
  return value;
}

Value* Unpickler::make_dict(bool ordered) {
  Value* value = make(Kind::kDict);
  value->ordered = ordered;
  value->string_keys = std::make_unique<std::unordered_map<std::string, size_t>>();
  return value;
}

/// LONG1/LONG4: little-endian two's complement; up to 8 bytes an int, longer a big int.
Value* Unpickler::make_long(std::string_view bytes) {
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

Value* Unpickler::make_global(std::string global) {
  if (check_global_) check_global_(global);
  return make_text(Kind::kGlobal, global);
}

void Unpickler::set_item(Value* dict, Value* key, Value* value) {
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

void Unpickler::append(Value* list, Value* item) {
  if (list->kind != Kind::kList) corrupt("appending to " + describe(*list));
  list->items.push_back(item);
}

Value* Unpickler::load() {
  for (;;) {
    op_start_ = pos_;
    op_ = static_cast<uint8_t>(take(1)[0]);
    if (op_ == '.') return pop();  // STOP
    if (!scalar_op() && !build_op()) {
      fail("{}: unsupported pickle opcode {} at byte {} of {} (not a torch.save state_dict?)", name_,
           opcode_name(), op_start_, part_);
    }
  }
}

bool Unpickler::scalar_op() {
  switch (op_) {
    case 0x80:  // PROTO
      take(1);
      break;
    case 0x95:  // FRAME (protocol 4): only a buffering hint
      take(8);
      break;
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
      push(make_global(module + "." + name));
      break;
    }
    case 0x93: {  // STACK_GLOBAL
      Value* name = pop();
      Value* module = pop();
      if (name->kind != Kind::kString || module->kind != Kind::kString)
        corrupt("a global's name is not a str");
      push(make_global(module->text + "." + name->text));
      break;
    }
    default:
      return false;
  }
  return true;
}

bool Unpickler::build_op() {
  switch (op_) {
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
                 // _metadata), dropped; an opaque object keeps it (a TorchScript object's attributes).
      Value* state = pop();
      Value* object = top();
      if (object->kind == Kind::kObject && object->state == nullptr) object->state = state;
      break;
    }
    default:
      return false;
  }
  return true;
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
  if (function.rfind("torch.jit._pickle.", 0) == 0) return typed_list(function, args);
  // Anything else stays a name: nothing is run, and the caller says what the file holds.
  return make_text(Kind::kObject, function);
}

Value* Unpickler::typed_list(const std::string& function, Value* args) {
  // TorchScript's pickler writes a list of a known element type as build_intlist((list,)) (and
  // build_doublelist, build_boollist), others as restore_type_tag(list, "List[str]").
  static const std::map<std::string, std::string> kBuilders = {
      {"torch.jit._pickle.build_intlist", "int"},
      {"torch.jit._pickle.build_doublelist", "float"},
      {"torch.jit._pickle.build_boollist", "bool"},
  };
  const auto& a = args->items;
  const auto builder = kBuilders.find(function);
  if (builder != kBuilders.end() && a.size() == 1 && a[0]->kind == Kind::kList) {
    a[0]->text = builder->second;
    return a[0];
  }
  if (function == "torch.jit._pickle.restore_type_tag" && a.size() == 2 && a[0]->kind == Kind::kList &&
      a[1]->kind == Kind::kString) {
    a[0]->text = a[1]->text;
    return a[0];
  }
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
  tensor->requires_grad = v2 && a[4]->kind == Kind::kBool && a[4]->integer != 0;
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

Value* StorageTable::load(Unpickler& unpickler, Value* pid) {
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

std::vector<std::shared_ptr<Storage>> StorageTable::roots() const {
  std::vector<std::shared_ptr<Storage>> out;
  for (const auto& storage : order_) {
    if (!storage->root) out.push_back(storage);
  }
  return out;
}
std::shared_ptr<Storage> StorageTable::find(const std::string& key) const {
  const auto found = by_key_.find(key);
  return found == by_key_.end() ? nullptr : found->second;
}

std::shared_ptr<Storage> StorageTable::get(const std::string& key, torch::ScalarType dtype, int64_t numel) {
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

/// The 1-D data of a storage, a window of its root's for a legacy view.
namespace {

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

}  // namespace

/// A contiguous copy of the strided view a rebuilt tensor describes, after checking that it stays
/// inside its storage.
torch::Tensor checked_view(const TensorRef& ref, const std::string& key, const std::string& name) {
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
  return data.as_strided(ref.sizes, ref.strides, data.storage_offset() + ref.offset);
}

torch::Tensor materialize(const TensorRef& ref, const std::string& key, const std::string& name) {
  return checked_view(ref, key, name).clone(at::MemoryFormat::Contiguous);
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

}  // namespace gankit::io::pickle
