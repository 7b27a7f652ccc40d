#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {
int g_exit_code = 0;
}  // namespace

int ExitCode() { return g_exit_code; }
void SetExitCode(int code) { g_exit_code = code; }

void RegisterCommands(CLI::App& app) {
  // Each subcommand's Register function is declared in its own header and called here.
}

}  // namespace busca::cli
