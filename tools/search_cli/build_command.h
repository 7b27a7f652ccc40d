// search-cli build --schema FILE --input docs.jsonl --index-dir DIR: builds a new generation of
// the schema's collection from a JSON-lines file (format: engine/index/json_document.h), verifies
// it by opening it (every checksum) and publishes it as CURRENT. The engine without Postgres.
#pragma once

#include <CLI/CLI.hpp>

namespace busca::cli {

void RegisterBuildCommand(CLI::App& app);

}  // namespace busca::cli
