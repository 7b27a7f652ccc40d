// search-cli inspect --index-dir DIR [--collection NAME] [--generation N] [--json]: what the live
// generation of each collection holds: documents (live / deleted), segments, terms, indexed text,
// the size of every file and the size split (dictionary + postings + positions vs stored). The
// generation is opened with every check, so inspect also verifies an index.
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterInspectCommand(CLI::App& app);

}  // namespace busca::cli
