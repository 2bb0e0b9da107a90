#include "gankit/parallel/group.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "gankit/compat.h"
#include "gankit/error.h"

#if defined(USE_C10D_GLOO) && !defined(GANKIT_WITHOUT_GLOO)
#define GANKIT_HAS_GLOO 1
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#if defined(GANKIT_HAS_GLOO) && defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace gankit::parallel {

namespace {

thread_local Group* current = nullptr;

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

double seconds(std::chrono::milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }

}  // namespace

Group* current_group() { return current; }

CurrentGroup::CurrentGroup(Group* group) : previous_(current) { current = group; }
CurrentGroup::~CurrentGroup() { current = previous_; }

#ifdef GANKIT_HAS_GLOO

bool distributed_available() { return true; }

struct Group::State {
  std::string prefix;  // of gankit's own keys
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<compat::CollectiveBackend> backend;
};

namespace {

/// Gloo's network device: the interface GLOO_SOCKET_IFNAME names (as PyTorch does), loopback for a
/// job on this machine, else the address this host's name resolves to.
std::shared_ptr<gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  if (master_addr == "localhost" || master_addr.rfind("127.", 0) == 0) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

std::shared_ptr<Group> Group::connect(const LaunchEnvironment& env, const GroupOptions& options) {
  auto state = std::make_unique<State>();
  state->prefix = env.store_prefix + "/";
  const std::string where = fmt::format("{}:{}", env.master_addr, env.master_port);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0 && !env.store_served_by_launcher;
    store_options.numWorkers = static_cast<std::size_t>(env.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = options.join_timeout;
    state->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    // Wait here, within the join timeout, until every rank has arrived: creating the process
    // group below waits with the collectives' timeout.
    const std::string joined = state->prefix + "joined", all_joined = state->prefix + "all_joined";
    if (state->store->add(joined, 1) == env.world_size) state->store->set(all_joined, {1});
    state->store->wait({all_joined}, options.join_timeout);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(env.store_prefix + "/c10d", state->store);
#ifdef USE_C10D_NCCL
    if (options.device.is_cuda()) {
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options.timeout;
      state->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, env.rank, env.world_size, nccl_options);
    }
#endif
    if (!state->backend) {
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
      gloo_options->devices.push_back(gloo_device(env.master_addr));
      state->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, env.rank, env.world_size, gloo_options);
    }
    // Every rank is in (the group's creation connects them all); later reads of the store wait as
    // long as collectives do.
    state->store->setTimeout(options.timeout);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    fail("could not join the job at {} as rank {} of {} within {:g} s ({})", where, env.rank, env.world_size,
         seconds(options.join_timeout), first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    fail("could not join the job at {} as rank {} of {} within {:g} s ({})", where, env.rank, env.world_size,
         seconds(options.join_timeout), first_line(e.what()));
  }
  return std::shared_ptr<Group>(new Group(env.rank, env.world_size, options, std::move(state)));
}

template <typename F>
void Group::guarded(const char* what, F&& operation) {
  std::string reason;
  try {
    operation();
    return;
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    reason = first_line(e.what_without_backtrace());
  } catch (const std::exception& e) {
    reason = first_line(e.what());
  }
  // With two ranks the lost one is the other; with more, Gloo's message names only an address.
  const std::string peer = size_ == 2 ? fmt::format("rank {}", 1 - rank_) : "another rank";
  const std::string text = lowercase(reason);
  if (text.find("timed out") != std::string::npos || text.find("timeout") != std::string::npos) {
    fail("no answer from {} within {:g} s during {}: it stopped or is stuck ({})", peer, seconds(options_.timeout),
         what, reason);
  }
  fail("lost {} during {}: it exited or its connection broke ({})", peer, what, reason);
}

Group::Group(int rank, int size, const GroupOptions& options, std::unique_ptr<State> state)
    : rank_(rank), size_(size), options_(options), state_(std::move(state)) {}

Group::~Group() = default;

namespace {

/// Tensors in contiguous runs of one dtype, each run at most `bytes` (a tensor larger than that
/// forms a bucket of its own).
std::vector<std::vector<torch::Tensor>> buckets(const std::vector<torch::Tensor>& tensors, int64_t bytes) {
  std::vector<std::vector<torch::Tensor>> out;
  int64_t filled = 0;
  for (const auto& tensor : tensors) {
    const int64_t size = tensor.numel() * static_cast<int64_t>(tensor.element_size());
    if (out.empty() || out.back().front().scalar_type() != tensor.scalar_type() ||
        out.back().front().device() != tensor.device() || filled + size > bytes) {
      out.emplace_back();
      filled = 0;
    }
    out.back().push_back(tensor);
    filled += size;
  }
  return out;
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
  return torch::cat(flat);
}

void unflatten_into(const torch::Tensor& flat, const std::vector<torch::Tensor>& tensors) {
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    t.copy_(flat.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

}  // namespace

void Group::broadcast(const std::vector<torch::Tensor>& tensors, int root) {
  guarded("a broadcast from rank 0", [&] {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    for (const auto& bucket : buckets(tensors, options_.bucket_bytes)) {
      std::vector<torch::Tensor> flat{flatten(bucket).to(options_.device)};
      state_->backend->broadcast(flat, options)->wait();
      unflatten_into(flat[0], bucket);
    }
  });
}

void Group::average(const std::vector<torch::Tensor>& tensors) {
  guarded("the gradient all-reduce", [&] {
    const auto grouped = buckets(tensors, options_.bucket_bytes);
    std::vector<std::vector<torch::Tensor>> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (const auto& bucket : grouped) {  // all in flight before the first wait
      flats.push_back({flatten(bucket).to(options_.device)});
      works.push_back(state_->backend->allreduce(flats.back()));
    }
    for (size_t i = 0; i < grouped.size(); ++i) {
      works[i]->wait();
      unflatten_into(flats[i][0].div_(size_), grouped[i]);
    }
  });
}

torch::Tensor Group::sum(const torch::Tensor& tensor) {
  std::vector<torch::Tensor> out{tensor.detach().to(options_.device).clone(at::MemoryFormat::Contiguous)};
  guarded("a BatchNorm statistics all-reduce", [&] { state_->backend->allreduce(out)->wait(); });
  return out[0].to(tensor.device());
}

double Group::max(double value) {
  std::vector<torch::Tensor> out{torch::full({1}, value, torch::TensorOptions(torch::kDouble).device(options_.device))};
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::MAX;
  guarded("an all-reduce", [&] { state_->backend->allreduce(out, options)->wait(); });
  return out[0].item<double>();
}

std::string Group::broadcast_bytes(const std::string& bytes_on_root, int root) {
  auto size = torch::full({1}, static_cast<int64_t>(bytes_on_root.size()), torch::kLong);
  broadcast({size}, root);  // (broadcast copies back to these CPU tensors)
  // An empty tensor has no storage (data_ptr() is null, which memcpy must never be given).
  if (size.item<int64_t>() == 0) return {};
  auto bytes = torch::empty({size.item<int64_t>()}, torch::kUInt8);
  if (rank_ == root) std::memcpy(bytes.data_ptr(), bytes_on_root.data(), bytes_on_root.size());
  broadcast({bytes}, root);
  return std::string(reinterpret_cast<const char*>(bytes.data_ptr()), static_cast<size_t>(bytes.numel()));
}

void Group::barrier() {
  guarded("a barrier", [&] { state_->backend->barrier()->wait(); });
}

void Group::publish(const std::string& key, const std::string& value) {
  guarded("a store write", [&] { state_->store->set(state_->prefix + key, std::vector<uint8_t>(value.begin(), value.end())); });
}

std::string Group::fetch(const std::string& key) {
  std::vector<uint8_t> value;
  guarded("a store read", [&] { value = state_->store->get(state_->prefix + key); });
  return std::string(value.begin(), value.end());
}

#else  // a LibTorch built without c10d Gloo: no process groups

bool distributed_available() { return false; }

struct Group::State {};

std::shared_ptr<Group> Group::connect(const LaunchEnvironment& env, const GroupOptions&) {
  fail("WORLD_SIZE={}: this gankit was built against a LibTorch without c10d Gloo, so it cannot train on "
       "several processes",
       env.world_size);
}

Group::Group(int rank, int size, const GroupOptions& options, std::unique_ptr<State> state)
    : rank_(rank), size_(size), options_(options), state_(std::move(state)) {}
Group::~Group() = default;
void Group::broadcast(const std::vector<torch::Tensor>&, int) {}
void Group::average(const std::vector<torch::Tensor>&) {}
torch::Tensor Group::sum(const torch::Tensor& tensor) { return tensor.clone(); }
double Group::max(double value) { return value; }
std::string Group::broadcast_bytes(const std::string& bytes, int) { return bytes; }
void Group::barrier() {}
void Group::publish(const std::string&, const std::string&) {}
std::string Group::fetch(const std::string&) { return {}; }

#endif

}  // namespace gankit::parallel
