// --precision: the one option the inference commands share with train.precision.
#include "commands.h"
#include "gankit/compute/precision.h"

namespace gankit::cli {

void add_precision_option(CLI::App* command, std::string& value) {
  value = "auto";
  std::string help = "Arithmetic of the generator:";
  for (const auto& row : compute::precisions().rows()) help += std::string(" ") + row.name + " (" + row.help + ");";
  help.pop_back();
  command->add_option("--precision", value, help)->capture_default_str();
}

}  // namespace gankit::cli
