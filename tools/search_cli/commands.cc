#include "tools/search_cli/commands.h"

#include "tools/search_cli/analyze_command.h"
#include "tools/search_cli/bench_command.h"
#include "tools/search_cli/build_command.h"
#include "tools/search_cli/inspect_command.h"
#include "tools/search_cli/query_command.h"

namespace busca::cli {
namespace {
int g_exit_code = 0;
}  // namespace

int ExitCode() { return g_exit_code; }
void SetExitCode(int code) { g_exit_code = code; }

void RegisterCommands(CLI::App& app) {
  // Each subcommand's Register function is declared in its own header and called here.
  RegisterAnalyzeCommand(app);
  RegisterBuildCommand(app);
  RegisterInspectCommand(app);
  RegisterQueryCommand(app);
  RegisterBenchCommand(app);
}

}  // namespace busca::cli
