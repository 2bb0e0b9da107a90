#include "gankit/parallel/differentiable_sum.h"

namespace gankit::parallel {

namespace {

// The group travels as an address in the context: backward may run on another thread (CUDA's
// autograd device threads), where current_group() is not set.
struct SumOverRanks : torch::autograd::Function<SumOverRanks> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& input,
                               int64_t group_address) {
    context->saved_data["group"] = group_address;
    return reinterpret_cast<Group*>(group_address)->sum(input);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list gradients) {
    auto* group = reinterpret_cast<Group*>(context->saved_data["group"].toInt());
    return {group->sum(gradients[0]), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor differentiable_sum(const torch::Tensor& tensor, Group& group) {
  return SumOverRanks::apply(tensor, reinterpret_cast<int64_t>(&group));
}

}  // namespace gankit::parallel
