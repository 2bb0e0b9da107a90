#include "gankit/config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "gankit/compute/precision.h"
#include "gankit/data/masks.h"
#include "gankit/data/pairs.h"
#include "gankit/data/transforms.h"
#include "gankit/error.h"
#include "gankit/losses/adversarial.h"
#include "gankit/losses/penalty.h"
#include "gankit/models/registry.h"
#include "gankit/nn/diff_augment.h"

namespace gankit::config {

namespace {

namespace fs = std::filesystem;

/// Calls visit(section, key, field) for every config field, in the order config.toml lists them.
/// The one list of keys: reading, writing and `keys()` all walk it.
template <typename Visit>
void for_each_field(Config& c, Visit&& visit) {
  visit("model", "name", c.model.name);
  visit("model", "z_dim", c.model.z_dim);
  visit("model", "width", c.model.width);

  visit("data", "name", c.data.name);
  visit("data", "path", c.data.path);
  visit("data", "split", c.data.split);
  visit("data", "image_size", c.data.image_size);
  visit("data", "channels", c.data.channels);
  visit("data", "fit", c.data.fit);
  visit("data", "load_size", c.data.load_size);
  visit("data", "hflip", c.data.hflip);
  visit("data", "pairs", c.data.pairs);
  visit("data", "direction", c.data.direction);
  visit("data", "holdout", c.data.holdout);
  visit("data", "max_memory_mb", c.data.max_memory_mb);
  visit("data", "max_image_pixels", c.data.max_image_pixels);
  visit("data", "workers", c.data.workers);
  visit("data", "prefetch", c.data.prefetch);

  visit("train", "steps", c.train.steps);
  visit("train", "epochs", c.train.epochs);
  visit("train", "batch_size", c.train.batch_size);
  visit("train", "seed", c.train.seed);
  visit("train", "lr_g", c.train.lr_g);
  visit("train", "lr_d", c.train.lr_d);
  visit("train", "betas", c.train.betas);
  visit("train", "n_critic", c.train.n_critic);
  visit("train", "loss", c.train.loss);
  visit("train", "optimizer", c.train.optimizer);
  visit("train", "clip", c.train.clip);
  visit("train", "penalty", c.train.penalty);
  visit("train", "penalty_weight", c.train.penalty_weight);
  visit("train", "label_smoothing", c.train.label_smoothing);
  visit("train", "label_noise", c.train.label_noise);
  visit("train", "diffaugment", c.train.diffaugment);
  visit("train", "l1_weight", c.train.l1_weight);
  visit("train", "adversarial_weight", c.train.adversarial_weight);
  visit("train", "mask", c.train.mask);
  visit("train", "lr_decay_steps", c.train.lr_decay_steps);
  visit("train", "fake_class_loss", c.train.fake_class_loss);
  visit("train", "ema", c.train.ema);
  visit("train", "log_every", c.train.log_every);
  visit("train", "sample_every", c.train.sample_every);
  visit("train", "eval_every", c.train.eval_every);
  visit("train", "eval_features", c.train.eval_features);
  visit("train", "eval_samples", c.train.eval_samples);
  visit("train", "checkpoint_every", c.train.checkpoint_every);
  visit("train", "device", c.train.device);
  visit("train", "precision", c.train.precision);
  visit("train", "threads", c.train.threads);
  visit("train", "sync_bn", c.train.sync_bn);

  visit("report", "smoothing", c.report.smoothing);
  visit("report", "tensorboard", c.report.tensorboard);
  visit("report", "gif_frames", c.report.gif_frames);
}

/// The longest string value a key may hold (paths included): longer is a broken or hostile file,
/// and every error would echo it.
constexpr size_t kMaxStringLength = 4096;

std::string node_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

[[noreturn]] void wrong_type(const std::string& source, const std::string& key, const char* wanted,
                             const toml::node& node) {
  fail("{}: {} must be {}, got {}", source, key, wanted, node_type_name(node));
}

void assign(std::string& field, const toml::node& node, const std::string& source, const std::string& key) {
  if (!node.is_string()) wrong_type(source, key, "a string", node);
  field = *node.value<std::string>();
  if (field.size() > kMaxStringLength) {
    fail("{}: {} is {} characters long; at most {}", source, key, field.size(), kMaxStringLength);
  }
}
void assign(int64_t& field, const toml::node& node, const std::string& source, const std::string& key) {
  if (!node.is_integer()) wrong_type(source, key, "an integer", node);
  field = *node.value<int64_t>();
}
void assign(double& field, const toml::node& node, const std::string& source, const std::string& key) {
  if (!node.is_number()) wrong_type(source, key, "a number", node);
  field = *node.value<double>();
  if (!std::isfinite(field)) fail("{}: {} = {} is invalid: must be a finite number", source, key, field);
}
void assign(bool& field, const toml::node& node, const std::string& source, const std::string& key) {
  if (!node.is_boolean()) wrong_type(source, key, "true or false", node);
  field = *node.value<bool>();
}
void assign(std::array<double, 2>& field, const toml::node& node, const std::string& source,
            const std::string& key) {
  const auto* array = node.as_array();
  if (array == nullptr || array->size() != 2 || !(*array)[0].is_number() || !(*array)[1].is_number()) {
    fail("{}: {} must be an array of two numbers, e.g. [0.5, 0.999]", source, key);
  }
  field = {*(*array)[0].value<double>(), *(*array)[1].value<double>()};
  if (!std::isfinite(field[0]) || !std::isfinite(field[1])) {
    fail("{}: {} = [{}, {}] is invalid: must be finite numbers", source, key, field[0], field[1]);
  }
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

[[noreturn]] void unknown_key(const std::string& source, const std::string& key) {
  if (key.size() > 64) fail("{}: unknown key '{}…' ({} characters)", source, key.substr(0, 64), key.size());
  std::string best;
  size_t best_distance = 4;  // suggest only close matches
  for (const auto& candidate : Config::keys()) {
    const size_t d = edit_distance(key, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  if (!best.empty()) fail("{}: unknown key '{}' (did you mean '{}'?)", source, key, best);
  fail("{}: unknown key '{}' (valid sections: [model], [data], [train], [report]; see README)", source, key);
}

/// Applies a parsed TOML table (file or override) to the config.
void apply(Config& config, const toml::table& table, const std::string& source) {
  for (const auto& [section_key, section_node] : table) {
    const std::string section(section_key.str());
    const auto* section_table = section_node.as_table();
    if (section_table == nullptr) {
      if (section == "model" || section == "data" || section == "train" || section == "report") {
        fail("{}: '{}' must be a table ([{}])", source, section, section);
      }
      unknown_key(source, section);
    }
    for (const auto& [name_key, value] : *section_table) {
      const std::string key = section + "." + std::string(name_key.str());
      bool found = false;
      for_each_field(config, [&](const char* s, const char* n, auto& field) {
        if (!found && section == s && name_key.str() == n) {
          assign(field, value, source, key);
          config.explicit_keys.insert(key);
          found = true;
        }
      });
      if (!found) unknown_key(source, key);
    }
  }
}

/// The line of the first non-ASCII byte outside strings and comments, where TOML allows none, or
/// 0: toml++ 3.3 (Debian 12) reaches __builtin_unreachable() on some such characters (found by
/// fuzzing), so they must never reach it.
size_t non_ascii_code_line(const std::string& text) {
  enum class State { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral } state = State::Code;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool triple = i + 2 < text.size() && text[i + 1] == c && text[i + 2] == c;
    if (c == '\n') ++line;
    switch (state) {
      case State::Code:
        if (static_cast<unsigned char>(c) >= 0x80) return line;
        if (c == '#') state = State::Comment;
        if (c == '"' || c == '\'') {
          state = c == '"' ? (triple ? State::MultiBasic : State::Basic) : (triple ? State::MultiLiteral : State::Literal);
          if (triple) i += 2;
        }
        break;
      case State::Comment:
        if (c == '\n') state = State::Code;
        break;
      case State::Basic:
      case State::MultiBasic:
        if (c == '\\') {
          if (i + 1 < text.size() && text[i + 1] == '\n') ++line;
          ++i;  // the escaped character cannot close the string
        } else if (c == '"' && (state == State::Basic || triple)) {
          if (state == State::MultiBasic) i += 2;
          state = State::Code;
        } else if (c == '\n' && state == State::Basic) {
          state = State::Code;  // an unterminated string: toml++ reports it
        }
        break;
      case State::Literal:
      case State::MultiLiteral:
        if (c == '\'' && (state == State::Literal || triple)) {
          if (state == State::MultiLiteral) i += 2;
          state = State::Code;
        } else if (c == '\n' && state == State::Literal) {
          state = State::Code;
        }
        break;
    }
  }
  return 0;
}

toml::table parse_toml(const std::string& text, const std::string& source) {
  if (const size_t line = non_ascii_code_line(text)) {
    fail("{}:{}: invalid TOML: a non-ASCII character outside a string or comment", source, line);
  }
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    fail("{}:{}: invalid TOML: {}", source, e.source().begin.line, e.description());
  }
}

/// A string as TOML: 'literal' where it can be, else a "basic" string with escapes. toml++ 3.3's
/// formatter writes a string holding a newline as a multi-line literal even when it holds three
/// quotes, which does not read back (found by fuzzing: config.toml must read back as written).
std::string toml_string(const std::string& text) {
  const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7F; };
  const bool literal = std::none_of(text.begin(), text.end(), [&](char c) {
    return c == '\'' || control(static_cast<unsigned char>(c));
  });
  if (literal) return "'" + text + "'";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (control(byte)) {
      out += fmt::format("\\u{:04X}", byte);
    } else {
      out += c;  // UTF-8 passes through: toml++ only accepts valid UTF-8 in strings
    }
  }
  return out + "\"";
}

template <typename T>
std::string toml_value(const T& value) {
  std::ostringstream out;
  if constexpr (std::is_same_v<T, std::string>) {
    out << toml_string(value);
  } else if constexpr (std::is_same_v<T, std::array<double, 2>>) {
    // Element by element: toml++ 3.3's array formatter converts a negative double to size_t
    // when it counts columns (undefined behaviour; found by fuzzing).
    out << '[' << toml::value<double>(value[0]) << ", " << toml::value<double>(value[1]) << ']';
  } else {
    out << toml::value<T>(value);
  }
  return out.str();
}

template <typename T>
void check(bool ok, const char* key, const T& value, const std::string& rule) {
  if (!ok) fail("config: {} = {} is invalid: {}", key, toml_value(value), rule);
}

/// `value` must be a name of `table`; the message lists them.
template <typename E>
void check_one_of(const EnumTable<E>& table, const char* key, const std::string& value) {
  check(table.contains(value), key, value, "use " + table.names(" or "));
}

/// The [data] rules.
void validate_data(const data::DataOptions& data) {
  check_one_of(data::fits(), "data.fit", data.fit);
  check_one_of(data::splits(), "data.split", data.split);
  check(data.image_size >= 0 && data.image_size <= 2048, "data.image_size", data.image_size,
        "must be 0 (native) or up to 2048");
  check(data.max_image_pixels >= 1, "data.max_image_pixels", data.max_image_pixels, "must be at least 1");
  check(data.channels == 0 || data.channels == 1 || data.channels == 3, "data.channels", data.channels,
        "use 0 (as stored), 1 or 3");
  check(data.load_size == 0 || (data.load_size >= data.image_size && data.load_size <= 4096), "data.load_size",
        data.load_size, "must be 0 (off) or from data.image_size up to 4096");
  check_one_of(data::pairings(), "data.pairs", data.pairs);
  check_one_of(data::directions(), "data.direction", data.direction);
  check(!data::parse_b_to_a(data.direction) || !data.pairs.empty(), "data.direction", data.direction,
        "BtoA needs paired data: set data.pairs");
  check(data.holdout >= 0, "data.holdout", data.holdout, "must be 0 (off) or more");
  check(data.max_memory_mb >= 0, "data.max_memory_mb", data.max_memory_mb, "must be 0 or more");
  check(data.workers >= 0 && data.workers <= 1024, "data.workers", data.workers, "must be 0 (auto) or up to 1024");
  check(data.prefetch >= 1, "data.prefetch", data.prefetch, "must be at least 1");
}

/// The [train] rules of the optimisation: length, rates, losses, penalties, augmentation.
void validate_optimisation(const TrainOptions& train) {
  check(train.steps >= 0, "train.steps", train.steps, "must be 0 or more");
  check(train.epochs >= 0, "train.epochs", train.epochs, "must be 0 or more");
  check(train.steps > 0 || train.epochs > 0, "train.steps", train.steps,
        "set train.steps or train.epochs above 0");
  check(train.batch_size >= 1 && train.batch_size <= 65536, "train.batch_size", train.batch_size,
        "must be in 1..65536");
  check(train.seed >= 0, "train.seed", train.seed, "must be 0 or more");
  check(train.lr_g > 0, "train.lr_g", train.lr_g, "must be positive");
  check(train.lr_d > 0, "train.lr_d", train.lr_d, "must be positive");
  for (double beta : train.betas) {
    check(beta >= 0 && beta < 1, "train.betas", train.betas, "each beta must be in [0, 1)");
  }
  check(train.n_critic >= 1, "train.n_critic", train.n_critic, "must be at least 1");
  const auto loss = losses::parse_adversarial_loss(train.loss);  // throws listing the valid names
  check_one_of(optimizers(), "train.optimizer", train.optimizer);
  check(train.clip >= 0, "train.clip", train.clip, "must be 0 (off) or positive");
  losses::parse_penalty(train.penalty);  // throws listing the valid names
  check(train.penalty_weight >= 0, "train.penalty_weight", train.penalty_weight, "must be 0 or more");
  check(train.label_smoothing >= 0 && train.label_smoothing < 0.5, "train.label_smoothing",
        train.label_smoothing, "must be in [0, 0.5); 0 = off");
  check(train.label_noise >= 0 && train.label_noise < 0.5, "train.label_noise", train.label_noise,
        "must be in [0, 0.5); 0 = off");
  const bool has_targets = loss == losses::AdversarialLoss::Bce || loss == losses::AdversarialLoss::Lsgan;
  check(has_targets || train.label_smoothing == 0, "train.label_smoothing", train.label_smoothing,
        "applies to the bce and lsgan losses, which have real/fake targets; train.loss is " + train.loss);
  check(has_targets || train.label_noise == 0, "train.label_noise", train.label_noise,
        "applies to the bce and lsgan losses, which have real/fake targets; train.loss is " + train.loss);
  nn::DiffAugmentPolicy::parse(train.diffaugment);  // throws naming the bad policy
}

/// The [train] rules of the recipes' weights and the run's bookkeeping.
void validate_bookkeeping(const TrainOptions& train) {
  check(train.l1_weight >= 0, "train.l1_weight", train.l1_weight, "must be 0 or more");
  check(train.adversarial_weight >= 0, "train.adversarial_weight", train.adversarial_weight,
        "must be 0 or more");
  check_one_of(data::mask_kinds(), "train.mask", train.mask);
  check(train.lr_decay_steps >= 0, "train.lr_decay_steps", train.lr_decay_steps, "must be 0 (off) or more");
  check(train.ema >= 0 && train.ema < 1, "train.ema", train.ema, "must be in [0, 1); 0 = off");
  check(train.log_every >= 1, "train.log_every", train.log_every, "must be at least 1");
  check(train.sample_every >= 0, "train.sample_every", train.sample_every, "must be 0 or more");
  check(train.eval_every >= 0, "train.eval_every", train.eval_every, "must be 0 or more");
  check(train.eval_samples >= 2, "train.eval_samples", train.eval_samples, "must be 2 or more");
  check(train.checkpoint_every >= 0, "train.checkpoint_every", train.checkpoint_every, "must be 0 or more");
  check_one_of(device_choices(), "train.device", train.device);
  check_one_of(compute::precisions(), "train.precision", train.precision);
  check(train.threads >= 0 && train.threads <= 1024, "train.threads", train.threads,
        "must be 0 (all cores) or up to 1024 (more than the cores is capped to them)");
  check(train.eval_samples <= 1000000, "train.eval_samples", train.eval_samples, "must be at most 1,000,000");
}

}  // namespace

Config Config::from_toml(const std::string& text, const std::string& source) {
  Config config;
  apply(config, parse_toml(text, source), source);
  return config;
}

Config Config::from_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in || fs::is_directory(path)) fail("{}: no such config file", path.string());
  std::error_code ec;
  if (fs::file_size(path, ec) > (1u << 20)) fail("{}: over 1 MB; not a gankit config", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return from_toml(text.str(), path.string());
}

namespace {

/// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF),
/// as TOML requires of every string: a config.toml must read back as the values the run used.
bool is_utf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                          : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    if (length == 0 || text.size() - i < length) return false;
    uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3F);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (length == 4 && (code < 0x10000 || code > 0x10FFFF))) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

void Config::set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string source = "--set " + assignment;
  if (eq == std::string::npos || eq == 0) fail("{}: expected KEY=VALUE, e.g. train.steps=300", source);
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  const auto dot = key.find('.');
  if (dot == std::string::npos) unknown_key(source, key);
  // VALUE is TOML (300, 2e-4, true, [0.5, 0.999], "x"); a bare word is taken as a string.
  toml::table line;
  bool parsed = false;
  if (non_ascii_code_line(value) == 0) {  // non-ASCII outside quotes is never TOML: a bare word
    try {
      line = toml::parse("v = " + value);
      parsed = true;
    } catch (const toml::parse_error&) {
    }
  }
  if (!parsed) {
    // A bare word: TOML would have refused bytes that are not UTF-8, and config.toml could not
    // hold them (they would read back as other characters).
    if (!is_utf8(value)) fail("{}: the value is not valid UTF-8 text", source);
    line.insert("v", value);
  }
  toml::table section;
  section.insert(key.substr(dot + 1), *line.get("v"));
  toml::table root;
  root.insert(key.substr(0, dot), std::move(section));
  apply(*this, root, source);
}

void Config::apply_model_recipe() {
  for (const char* assignment : models::find_model(model.name).recipe) {
    const std::string text(assignment);
    if (explicit_keys.count(text.substr(0, text.find('='))) == 0) set(text);
  }
}

void Config::validate() const {
  const auto& entry = models::find_model(model.name);  // throws listing the valid names
  // Only pix2pix decays its learning rates; elsewhere the key would be silently ignored.
  if (train.lr_decay_steps > 0 && entry.kind != models::ModelKind::ImageToImage) {
    fail("train.lr_decay_steps: only the pix2pix recipe decays its learning rates (model {} does not); "
         "leave it 0",
         model.name);
  }
  check(model.z_dim >= 1 && model.z_dim <= 4096, "model.z_dim", model.z_dim, "must be in 1..4096");
  check(model.width >= 0 && model.width <= 2048, "model.width", model.width,
        "must be 0 (reference width) or up to 2048");
  validate_data(data);
  validate_optimisation(train);
  validate_bookkeeping(train);
  check(report.smoothing >= 0 && report.smoothing < 1, "report.smoothing", report.smoothing,
        "must be in [0, 1); 0 = raw curves");
  check(report.gif_frames >= 1, "report.gif_frames", report.gif_frames, "must be at least 1");
}

std::string Config::to_toml() const {
  std::ostringstream out;
  std::string current;
  for_each_field(const_cast<Config&>(*this), [&](const char* section, const char* name, auto& field) {
    if (current != section) {
      out << (current.empty() ? "" : "\n") << '[' << section << "]\n";
      current = section;
    }
    out << name << " = " << toml_value(field) << '\n';
  });
  return out.str();
}

std::string Config::value_text(const std::string& key) const {
  std::string text;
  for_each_field(const_cast<Config&>(*this), [&](const char* section, const char* name, auto& field) {
    if (key == std::string(section) + "." + name) text = toml_value(field);
  });
  return text;
}

std::vector<std::string> Config::keys() {
  std::vector<std::string> keys;
  Config config;
  for_each_field(config, [&](const char* section, const char* name, auto&) {
    keys.push_back(std::string(section) + "." + name);
  });
  return keys;
}

fs::path resolve_config_path(const std::string& name_or_path) {
  if (fs::is_regular_file(name_or_path)) return name_or_path;
  const bool bare = name_or_path.find('/') == std::string::npos;
  if (bare) {
    for (const auto& dir : {fs::path("configs"), fs::path(GANKIT_CONFIG_DIR)}) {
      for (const std::string suffix : {"", ".toml"}) {
        const fs::path candidate = dir / (name_or_path + suffix);
        if (fs::is_regular_file(candidate)) return candidate;
      }
    }
    fail("{}: no such config (looked for a file, and in ./configs and {})", name_or_path, GANKIT_CONFIG_DIR);
  }
  fail("{}: no such config file", name_or_path);
}

}  // namespace gankit::config
