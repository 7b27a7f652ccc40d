// search-cli: the engine from the command line. Each subcommand lives in its own
// <name>_command.cc and registers itself here through commands.h.
#include <CLI/CLI.hpp>

#include "tools/search_cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"search-cli: analyse text, build, inspect and query Busca indexes"};
  app.require_subcommand(1);
  busca::cli::RegisterCommands(app);
  CLI11_PARSE(app, argc, argv);
  return busca::cli::ExitCode();
}
