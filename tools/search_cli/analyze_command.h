// search-cli analyze [--json] [TEXT...]: prints the tokens the engine makes of a text (from the
// arguments, or stdin when none), so anyone can see what gets indexed and how a query word is
// read: surface form, position, byte offsets, stopword flag, Snowball stem and index term.
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterAnalyzeCommand(CLI::App& app);

}  // namespace busca::cli
