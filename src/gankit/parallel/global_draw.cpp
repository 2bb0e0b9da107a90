#include "gankit/parallel/global_draw.h"

#include "gankit/parallel/group.h"

namespace gankit::parallel {

torch::Tensor draw_rows(int64_t n, const std::function<torch::Tensor(int64_t)>& draw) {
  const Group* group = current_group();
  if (group == nullptr || group->size() == 1) return draw(n);
  return draw(n * group->size()).narrow(0, n * group->rank(), n);
}

}  // namespace gankit::parallel
