// The search-cli subcommands. Each Register*Command adds a CLI11 subcommand whose callback
// runs the command and records the process exit code through SetExitCode().
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterCommands(CLI::App& app);  // calls every Register*Command below

// Exit code of the command that ran (0 when none failed).
int ExitCode();
void SetExitCode(int code);

}  // namespace busca::cli
