// The subcommands of the gankit CLI. Each registers itself on the app; main() runs the parse and
// turns exceptions into one line on stderr.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace gankit::cli {

void add_train_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_translate_command(CLI::App& app);
void add_inpaint_command(CLI::App& app);
void add_pairs_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_classifier_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_import_command(CLI::App& app);

/// `--precision auto|fp32|bf16|fp16` for the inference commands (train.precision for `train`),
/// read into `value`; default auto.
void add_precision_option(CLI::App* command, std::string& value);

/// An option check: a whole number in [min, max], refused in one short line.
CLI::Validator whole_number(int64_t min, int64_t max);
/// An option check: a finite number in [min, max] (nan and inf refused).
CLI::Validator finite_number(double min, double max);

/// The process exit code a command asks for (e.g. 130 after an interrupt); 0 by default.
int& exit_code();

}  // namespace gankit::cli
