// The process group's collectives and SyncBatchNorm, with two ranks as two threads of this
// process over loopback (Gloo and the TCPStore do not care which process a rank lives in).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <thread>

#include "gankit/error.h"
#include "gankit/nn/sync_batch_norm.h"
#include "gankit/parallel/global_draw.h"
#include "gankit/parallel/gradient_averaging.h"
#include "gankit/parallel/group.h"
#include "gankit/parallel/local_launcher.h"

#ifndef GANKIT_WITHOUT_GLOO
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace gankit::parallel {
namespace {

/// Runs body(group) on `ranks` threads, each one rank of a fresh job; rethrows the first failure.
void on_ranks(int ranks, const std::function<void(Group&)>& body, GroupOptions options = {},
              bool store_served_by_launcher = false, int port = 0) {
  if (port == 0) port = free_local_port();
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        torch::set_num_threads(1);
        LaunchEnvironment env{rank, ranks, rank, "127.0.0.1", port};
        env.store_served_by_launcher = store_served_by_launcher;
        auto group = Group::connect(env, options);
        CurrentGroup current(group.get());
        body(*group);
      } catch (...) {
        errors[static_cast<size_t>(rank)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

TEST(Group, BroadcastAverageSumMaxAndBytes) {
  GroupOptions options;
  options.bucket_bytes = 64;  // several buckets: 16 floats each
  on_ranks(
      2,
      [](Group& group) {
        const double r = group.rank();
        // broadcast: rank 0's values everywhere, tensors of two dtypes and odd sizes
        std::vector<torch::Tensor> tensors{torch::full({3, 7}, r + 1), torch::full({5}, r + 10, torch::kDouble),
                                           torch::arange(40, torch::kFloat) * (r + 1)};
        group.broadcast(tensors);
        EXPECT_TRUE(torch::equal(tensors[0], torch::full({3, 7}, 1.0)));
        EXPECT_TRUE(torch::equal(tensors[1], torch::full({5}, 10.0, torch::kDouble)));
        EXPECT_TRUE(torch::equal(tensors[2], torch::arange(40, torch::kFloat)));
        // average: (1 + 2) / 2 over 3 buckets and a tensor larger than a bucket
        std::vector<torch::Tensor> grads{torch::full({10}, r + 1), torch::arange(30, torch::kFloat) * (r + 1)};
        group.average(grads);
        EXPECT_TRUE(torch::allclose(grads[0], torch::full({10}, 1.5)));
        EXPECT_TRUE(torch::allclose(grads[1], torch::arange(30, torch::kFloat) * 1.5));
        // sum leaves its input alone
        const auto input = torch::full({4}, r + 1);
        EXPECT_TRUE(torch::equal(group.sum(input), torch::full({4}, 3.0)));
        EXPECT_TRUE(torch::equal(input, torch::full({4}, r + 1)));
        EXPECT_EQ(group.max(r * 5 - 1), 4.0);
        std::string big(100000, 'x');
        big[99999] = 'y';
        EXPECT_EQ(group.broadcast_bytes(group.rank() == 0 ? big : "ignored"), big);
        EXPECT_EQ(group.broadcast_bytes(""), "");
        if (group.rank() == 0) group.publish("greeting", "hello from 0");
        EXPECT_EQ(group.fetch("greeting"), "hello from 0");
        group.barrier();
      },
      options);
}

#ifndef GANKIT_WITHOUT_GLOO
TEST(Group, JoinsAStoreTheLauncherServes) {
  // torchrun's agent (TORCHELASTIC_USE_AGENT_STORE=True) serves the store; every rank is a client.
  c10d::TCPStoreOptions served;
  served.port = 0;
  served.isServer = true;
  served.waitWorkers = false;
  c10d::TCPStore agent("127.0.0.1", served);
  on_ranks(
      2, [](Group& group) { EXPECT_EQ(group.sum(torch::ones({2})).sum().item<double>(), 4.0); }, {},
      /*store_served_by_launcher=*/true, agent.getPort());
}
#endif

TEST(Group, DrawRowsGivesEachRankItsRowsOfTheGlobalDraw) {
  const auto global = [] {
    torch::manual_seed(7);
    return torch::randn({6, 3});
  }();
  std::vector<torch::Tensor> rows(2);
  on_ranks(2, [&](Group& group) {
    auto generator = at::detail::createCPUGenerator(7);  // the threads share torch's default generator
    rows[static_cast<size_t>(group.rank())] =
        draw_rows(3, [&](int64_t n) { return torch::randn({n, 3}, generator); });
  });
  EXPECT_TRUE(torch::equal(torch::cat(rows), global));
  {
    LocalOnly alone;  // no group: the draw itself
    torch::manual_seed(7);
    EXPECT_TRUE(torch::equal(draw_rows(6, [](int64_t n) { return torch::randn({n, 3}); }), global));
  }
}

/// SyncBatchNorm on two ranks with half a batch each matches BatchNorm on the whole batch: the
/// outputs, the gradients of the input and (averaged, as the optimiser does) of weight and bias,
/// and the running statistics.
void expect_sync_batch_norm_matches_whole_batch(const std::vector<int64_t>& shape, double momentum) {
  torch::manual_seed(3);
  const auto x = torch::randn(shape) * 3 + 1;
  const auto upstream = torch::randn(shape);
  const auto options = torch::nn::BatchNormOptions(shape[1]).momentum(momentum);
  const auto initial_weight = torch::rand({shape[1]}) + 0.5, initial_bias = torch::rand({shape[1]}) * 2 - 1;
  torch::nn::BatchNorm2d reference_2d{nullptr};
  torch::nn::BatchNorm1d reference_1d{nullptr};
  torch::Tensor reference_out, weight_grad, bias_grad, running_mean, running_var;
  const auto whole = x.clone().requires_grad_(true);
  {
    gankit::nn::SyncBatchNorm reference(options);  // no group: LibTorch's BatchNorm computation
    {
      torch::NoGradGuard no_grad;
      reference->weight.copy_(initial_weight);
      reference->bias.copy_(initial_bias);
    }
    reference_out = reference->forward(whole);
    (reference_out * upstream).sum().backward();
    weight_grad = reference->weight.grad().clone(), bias_grad = reference->bias.grad().clone();
    running_mean = reference->running_mean.clone(), running_var = reference->running_var.clone();
    // and that reference is LibTorch's own BatchNorm
    torch::Tensor libtorch_out;
    if (shape.size() == 4) {
      reference_2d = torch::nn::BatchNorm2d(options);
      reference_2d->weight.detach().copy_(reference->weight.detach());
      reference_2d->bias.detach().copy_(reference->bias.detach());
      libtorch_out = reference_2d->forward(x);
      EXPECT_TRUE(torch::allclose(reference_2d->running_var, running_var));
    } else {
      reference_1d = torch::nn::BatchNorm1d(options);
      reference_1d->weight.detach().copy_(reference->weight.detach());
      reference_1d->bias.detach().copy_(reference->bias.detach());
      libtorch_out = reference_1d->forward(x);
      EXPECT_TRUE(torch::allclose(reference_1d->running_var, running_var));
    }
    EXPECT_TRUE(torch::allclose(libtorch_out, reference_out.detach()));
  }
  const int64_t half = shape[0] / 2;
  std::vector<torch::Tensor> outs(2), input_grads(2);
  on_ranks(2, [&](Group& group) {
    gankit::nn::SyncBatchNorm bn(options);
    {
      torch::NoGradGuard no_grad;
      bn->weight.copy_(initial_weight);
      bn->bias.copy_(initial_bias);
    }
    const auto part = x.narrow(0, half * group.rank(), half).clone().requires_grad_(true);
    const auto out = bn->forward(part);
    // Each rank's loss is its share of the whole batch's, so the summed gradients are the whole's.
    (out * upstream.narrow(0, half * group.rank(), half)).sum().backward();
    std::vector<torch::Tensor> grads{bn->weight.grad(), bn->bias.grad()};
    group.average(grads);
    EXPECT_TRUE(torch::allclose(grads[0] * 2, weight_grad, 1e-4, 1e-4)) << grads[0] * 2 << weight_grad;
    EXPECT_TRUE(torch::allclose(grads[1] * 2, bias_grad, 1e-4, 1e-4));
    EXPECT_TRUE(torch::allclose(bn->running_mean, running_mean, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(bn->running_var, running_var, 1e-5, 1e-6));
    outs[static_cast<size_t>(group.rank())] = out.detach();
    input_grads[static_cast<size_t>(group.rank())] = part.grad();
  });
  EXPECT_TRUE(torch::allclose(torch::cat(outs), reference_out.detach(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(torch::cat(input_grads), whole.grad(), 1e-4, 1e-5));
}

TEST(SyncBatchNorm, TwoRanksMatchBatchNormOnTheWholeBatch2d) {
  expect_sync_batch_norm_matches_whole_batch({8, 3, 5, 4}, 0.1);
}

TEST(SyncBatchNorm, TwoRanksMatchBatchNormOnTheWholeBatch1d) {
  expect_sync_batch_norm_matches_whole_batch({12, 6}, 0.2);
}

TEST(SyncBatchNorm, HasBatchNormsParameterAndBufferNames) {
  gankit::nn::SyncBatchNorm sync(4);
  torch::nn::BatchNorm2d plain(4);
  EXPECT_EQ(sync->named_parameters().keys(), plain->named_parameters().keys());
  EXPECT_EQ(sync->named_buffers().keys(), plain->named_buffers().keys());
  {
    gankit::nn::BuildSyncBatchNorm build;
    EXPECT_NE(gankit::nn::batch_norm_2d(4).ptr()->as<gankit::nn::SyncBatchNorm>(), nullptr);
  }
  EXPECT_NE(gankit::nn::batch_norm_2d(4).ptr()->as<torch::nn::BatchNorm2d>(), nullptr);
}

TEST(GradientAveraging, OptimiserStepsOnTheMeanGradient) {
  std::vector<torch::Tensor> weights(2);
  on_ranks(2, [&](Group& group) {
    auto w = torch::zeros({3}, torch::requires_grad());
    auto unused = torch::zeros({2}, torch::requires_grad());  // no gradient on either rank: zeros
    GradientAveraging<torch::optim::SGD> sgd(group, std::vector<torch::Tensor>{w, unused},
                                             torch::optim::SGDOptions(1.0));
    (w * (group.rank() == 0 ? 2.0 : 4.0)).sum().backward();  // gradients 2 and 4: mean 3
    sgd.step();
    weights[static_cast<size_t>(group.rank())] = w.detach().clone();
    EXPECT_TRUE(torch::equal(unused.detach(), torch::zeros({2})));
  });
  EXPECT_TRUE(torch::equal(weights[0], torch::full({3}, -3.0)));
  EXPECT_TRUE(torch::equal(weights[1], weights[0]));
}

TEST(Group, JoinFailsWithinTheTimeoutWhenARankNeverComes) {
  GroupOptions options;
  options.join_timeout = std::chrono::milliseconds(1500);
  LaunchEnvironment env{0, 2, 0, "127.0.0.1", free_local_port()};
  const auto start = std::chrono::steady_clock::now();
  try {
    Group::connect(env, options);
    FAIL() << "joined a job of 2 alone";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("could not join the job at 127.0.0.1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("as rank 0 of 2 within 1.5 s"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));  // not a hang
}

TEST(Group, ARankThatStopsAnsweringIsNamedAfterTheTimeout) {
  GroupOptions options;
  options.timeout = std::chrono::milliseconds(1000);
  try {
    on_ranks(
        2,
        [](Group& group) {
          if (group.rank() == 1) return;  // never joins the all-reduce
          std::vector<torch::Tensor> grads{torch::ones({4})};
          group.average(grads);
        },
        options);
    FAIL() << "an all-reduce finished without rank 1";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("the gradient all-reduce"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gankit::parallel
