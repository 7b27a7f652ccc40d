// Implementation of build_command.h.
//
// Lines are read in batches; each batch is parsed and analysed by N worker threads (one Analyzer
// each), then added to the GenerationWriter in input order on the main thread. Any bad line stops
// the build with "<file>:<line>: <reason>" and exit code 1; the half-built generation is removed.
#include "tools/search_cli/build_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "engine/index/json_document.h"
#include "engine/index/schema.h"
#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {

struct BuildOptions {
  std::string schema;
  std::string input;
  std::string index_dir;
  size_t memory_mb = 256;
  unsigned threads = 0;
  bool no_publish = false;
  bool quiet = false;
};

std::string HumanBytes(uint64_t b) {
  char buf[32];
  if (b >= (uint64_t{1} << 30)) {
    std::snprintf(buf, sizeof(buf), "%.2f GiB", static_cast<double>(b) / (1 << 30));
  } else if (b >= (uint64_t{1} << 20)) {
    std::snprintf(buf, sizeof(buf), "%.2f MiB", static_cast<double>(b) / (1 << 20));
  } else if (b >= 1024) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", static_cast<double>(b) / 1024);
  } else {
    std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(b));
  }
  return buf;
}

Status RunBuildImpl(const BuildOptions& o) {
  BUSCA_ASSIGN_OR_RETURN(index::CollectionSchema schema, index::LoadSchemaFile(o.schema));
  std::ifstream in(o.input, std::ios::binary);
  if (!in) return Status::NotFound(o.input + ": cannot open input file");
  index::IndexDir dir(o.index_dir);
  index::WriterOptions wo;
  wo.memory_budget_bytes = std::max<size_t>(o.memory_mb, 1) << 20;
  BUSCA_ASSIGN_OR_RETURN(auto writer, index::GenerationWriter::Create(schema, dir, wo));

  unsigned threads = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<analysis::Analyzer>> analyzers;
  for (unsigned i = 0; i < threads; ++i) analyzers.push_back(std::make_unique<analysis::Analyzer>());

  constexpr size_t kBatch = 2048;
  std::vector<std::string> lines;
  std::vector<uint64_t> line_numbers;
  std::vector<std::optional<Result<index::AnalyzedDocument>>> results;
  uint64_t line_no = 0;
  uint64_t docs = 0;
  std::string line;
  bool eof = false;
  while (!eof) {
    lines.clear();
    line_numbers.clear();
    while (lines.size() < kBatch) {
      if (!std::getline(in, line)) {
        eof = true;
        break;
      }
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
      lines.push_back(line);
      line_numbers.push_back(line_no);
    }
    if (in.bad()) return Status::IOError(o.input + ": read error");
    results.assign(lines.size(), std::nullopt);
    auto work = [&](unsigned t) {
      for (size_t i = t; i < lines.size(); i += threads) {
        auto doc = index::ParseJsonDocument(schema, lines[i]);
        if (!doc.ok()) {
          results[i].emplace(doc.status());
          continue;
        }
        results[i].emplace(index::AnalyzeDocument(schema, std::move(doc).value(), *analyzers[t]));
      }
    };
    if (threads == 1 || lines.size() < 64) {
      for (size_t i = 0; i < lines.size(); ++i) {
        auto doc = index::ParseJsonDocument(schema, lines[i]);
        results[i].emplace(doc.ok() ? index::AnalyzeDocument(schema, std::move(doc).value(), *analyzers[0])
                                    : Result<index::AnalyzedDocument>(doc.status()));
      }
    } else {
      std::vector<std::thread> pool;
      for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work, t);
      for (auto& th : pool) th.join();
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      Result<index::AnalyzedDocument>& r = *results[i];
      std::string where = o.input + ":" + std::to_string(line_numbers[i]);
      if (!r.ok()) return r.status().WithContext(where);
      BUSCA_RETURN_IF_ERROR(writer->Add(std::move(r).value()).WithContext(where));
      ++docs;
    }
  }
  BUSCA_ASSIGN_OR_RETURN(index::GenerationInfo info, writer->Finish());
  // Validate before publishing: open the new generation with every check.
  auto gen = index::Generation::Open(dir.GenerationPath(schema.name, info.id));
  if (!gen.ok()) return gen.status().WithContext("validation of the new generation failed");
  if ((*gen)->live_doc_count() != docs) {
    return Status::Internal("validation: " + std::to_string((*gen)->live_doc_count()) + " live docs, expected " +
                            std::to_string(docs));
  }
  if (!o.no_publish) BUSCA_RETURN_IF_ERROR(dir.PublishCurrent(schema.name, info.id));
  if (!o.quiet) {
    index::SizeBreakdown sizes = index::ComputeSizeBreakdown(info);
    std::printf("built %s/%s: %llu docs, %zu segment(s), %llu terms, %s on disk in %.2f s%s\n", schema.name.c_str(),
                index::GenerationDirName(info.id).c_str(), static_cast<unsigned long long>(info.live_docs),
                info.segments.size(), static_cast<unsigned long long>(info.terms), HumanBytes(info.TotalBytes()).c_str(),
                info.build_seconds, !o.no_publish ? " (published as CURRENT)" : " (not published)");
    std::printf("  indexed text %s; dictionary + postings + positions %s (%.1f%% of the text); stored %s\n",
                HumanBytes(info.indexed_text_bytes).c_str(),
                HumanBytes(sizes.term_dictionary + sizes.postings + sizes.positions).c_str(),
                100.0 * sizes.InvertedRatio(), HumanBytes(sizes.stored).c_str());
  }
  return Status::Ok();
}

}  // namespace

void RegisterBuildCommand(CLI::App& app) {
  auto options = std::make_shared<BuildOptions>();
  CLI::App* cmd = app.add_subcommand("build", "Build a generation from a JSON-lines file and publish it as CURRENT");
  cmd->add_option("--schema", options->schema, "Collection schema file (schemas/collections/<name>.json)")->required();
  cmd->add_option("--input", options->input, "JSON-lines documents: {\"id\": ..., \"<field>\": value, ...}")->required();
  cmd->add_option("--index-dir", options->index_dir, "Index root directory")->required();
  cmd->add_option("--memory-mb", options->memory_mb, "In-memory segment budget before a flush (MiB)")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads, "Analysis threads (default: all cores)");
  cmd->add_flag("--no-publish", options->no_publish, "Build and verify, but do not update CURRENT");
  cmd->add_flag("--quiet", options->quiet, "Print nothing on success");
  cmd->callback([options]() {
    Status st = RunBuildImpl(*options);
    if (!st.ok()) {
      std::cerr << "search-cli build: " << st.ToString() << "\n";
      SetExitCode(1);
    }
  });
}

}  // namespace busca::cli
