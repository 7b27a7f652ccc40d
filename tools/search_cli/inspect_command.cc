// Implementation of inspect_command.h.
#include "tools/search_cli/inspect_command.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/index/document.h"
#include "engine/index/generation.h"
#include "engine/index/index_dir.h"
#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {

struct InspectOptions {
  std::string index_dir;
  std::string collection;
  int64_t generation = -1;
  bool json = false;
};

Result<nlohmann::ordered_json> InspectCollection(const index::IndexDir& dir, const std::string& collection,
                                                 int64_t generation) {
  uint64_t id = 0;
  if (generation >= 0) {
    id = static_cast<uint64_t>(generation);
  } else {
    BUSCA_ASSIGN_OR_RETURN(id, dir.ReadCurrent(collection));
  }
  BUSCA_ASSIGN_OR_RETURN(auto gen, index::Generation::Open(dir.GenerationPath(collection, id)));
  const index::GenerationInfo& info = gen->info();
  index::SizeBreakdown sizes = index::ComputeSizeBreakdown(info);
  nlohmann::ordered_json j;
  j["collection"] = collection;
  j["generation"] = index::GenerationDirName(id);
  auto current = dir.ReadCurrent(collection);
  j["current"] = current.ok() && *current == id;
  j["built_at"] = index::FormatTimestampMicros(info.built_at_micros);
  j["build_seconds"] = info.build_seconds;
  j["docs"] = gen->live_doc_count();
  j["max_doc"] = gen->max_doc();
  j["deleted_docs"] = info.deleted_docs;
  j["segments"] = gen->num_segments();
  j["terms"] = info.terms;
  j["indexed_text_bytes"] = info.indexed_text_bytes;
  j["total_bytes"] = info.TotalBytes();
  j["sizes"] = {{"term_dictionary", sizes.term_dictionary}, {"postings", sizes.postings},
                {"positions", sizes.positions},             {"surface_dictionary", sizes.surface_dictionary},
                {"stored", sizes.stored},                   {"columns_ids_lengths_deletes", sizes.columns},
                {"other", sizes.other}};
  j["inverted_to_text_ratio"] = sizes.InvertedRatio();
  nlohmann::ordered_json segs = nlohmann::ordered_json::array();
  for (const auto& s : info.segments) {
    segs.push_back({{"id", s.id}, {"max_doc", s.max_doc}, {"deleted_docs", s.deleted_docs}, {"terms", s.terms},
                    {"surface_entries", s.surface_entries}, {"postings", s.postings}, {"positions", s.positions}});
  }
  j["segment_list"] = std::move(segs);
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : info.files) files.push_back({{"name", f.name}, {"bytes", f.size}});
  j["files"] = std::move(files);
  auto gens = dir.ListGenerations(collection);
  if (gens.ok()) {
    nlohmann::ordered_json others = nlohmann::ordered_json::array();
    for (uint64_t g : *gens) others.push_back(index::GenerationDirName(g));
    j["generations_on_disk"] = std::move(others);
  }
  return j;
}

void PrintText(const nlohmann::ordered_json& j) {
  std::printf("%s  %s%s  built %s in %.2f s\n", j["collection"].get<std::string>().c_str(),
              j["generation"].get<std::string>().c_str(), j["current"].get<bool>() ? " (CURRENT)" : "",
              j["built_at"].get<std::string>().c_str(), j["build_seconds"].get<double>());
  std::printf("  docs %llu live, %llu deleted, %llu segment(s), %llu terms, %llu bytes of indexed text\n",
              j["docs"].get<unsigned long long>(), j["deleted_docs"].get<unsigned long long>(),
              j["segments"].get<unsigned long long>(), j["terms"].get<unsigned long long>(),
              j["indexed_text_bytes"].get<unsigned long long>());
  const auto& s = j["sizes"];
  uint64_t inverted = s["term_dictionary"].get<uint64_t>() + s["postings"].get<uint64_t>() + s["positions"].get<uint64_t>();
  std::printf("  size %llu bytes: dictionary+postings+positions %llu (%.1f%% of the text), stored %llu, surface %llu, "
              "columns/ids/lengths/deletes %llu\n",
              j["total_bytes"].get<unsigned long long>(), static_cast<unsigned long long>(inverted),
              100.0 * j["inverted_to_text_ratio"].get<double>(), s["stored"].get<unsigned long long>(),
              s["surface_dictionary"].get<unsigned long long>(), s["columns_ids_lengths_deletes"].get<unsigned long long>());
  for (const auto& seg : j["segment_list"]) {
    std::printf("  segment %u: %u docs (%u deleted), %llu terms, %llu postings, %llu positions\n",
                seg["id"].get<unsigned>(), seg["max_doc"].get<unsigned>(), seg["deleted_docs"].get<unsigned>(),
                seg["terms"].get<unsigned long long>(), seg["postings"].get<unsigned long long>(),
                seg["positions"].get<unsigned long long>());
  }
  std::printf("  %-24s %14s\n", "file", "bytes");
  for (const auto& f : j["files"]) {
    std::printf("  %-24s %14llu\n", f["name"].get<std::string>().c_str(), f["bytes"].get<unsigned long long>());
  }
}

Status RunInspectImpl(const InspectOptions& o) {
  index::IndexDir dir(o.index_dir);
  std::vector<std::string> collections;
  if (!o.collection.empty()) {
    collections.push_back(o.collection);
  } else {
    auto listed = dir.ListCollections();
    if (!listed.ok()) {
      std::cerr << "search-cli inspect: " << listed.status().ToString() << "\n";
      return listed.status();
    }
    collections = std::move(listed).value();
    if (collections.empty()) {
      std::cerr << "search-cli inspect: " << o.index_dir << ": no collections\n";
      return Status::NotFound(o.index_dir + ": no collections");
    }
  }
  if (o.generation >= 0 && collections.size() != 1) {
    std::cerr << "search-cli inspect: --generation needs --collection\n";
    return Status::InvalidArgument("--generation needs --collection");
  }
  Status first_error;
  for (const auto& c : collections) {
    auto j = InspectCollection(dir, c, o.generation);
    if (!j.ok()) {
      std::cerr << "search-cli inspect: " << c << ": " << j.status().ToString() << "\n";
      if (first_error.ok()) first_error = j.status().WithContext(c);
      continue;
    }
    if (o.json) {
      std::printf("%s\n", j->dump().c_str());
    } else {
      PrintText(*j);
    }
  }
  return first_error;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show what the live generation of each collection holds (and verify it)");
  cmd->add_option("--index-dir", options->index_dir, "Index root directory")->required();
  cmd->add_option("--collection", options->collection, "Only this collection (default: all)");
  cmd->add_option("--generation", options->generation, "A generation id instead of CURRENT (needs --collection)");
  cmd->add_flag("--json", options->json, "One JSON object per collection and line");
  cmd->callback([options]() {
    Status st = RunInspectImpl(*options);
    if (!st.ok()) SetExitCode(1);  // already reported on stderr
  });
}

}  // namespace busca::cli
