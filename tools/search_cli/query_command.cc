// Implementation of query_command.h.
#include "tools/search_cli/query_command.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/query/searcher.h"
#include "server/search_client.h"
#include "tools/search_cli/commands.h"

namespace busca::cli {
namespace {

struct QueryOptions {
  std::string index_dir;
  std::string server;  // --server HOST:PORT: ask a running search-server instead
  std::vector<std::string> collections;
  uint32_t limit = 10;
  uint32_t offset = 0;
  std::vector<std::string> filters;
  std::string sort;
  bool stored = false;
  bool highlight = false;
  bool explain = false;
  bool json = false;
  std::string text;
};

nlohmann::ordered_json StoredToJson(const query::StoredField& f) {
  return std::visit(
      [&](const auto& v) -> nlohmann::ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                             std::is_same_v<T, bool>) {
          return v;
        } else {
          if (f.type == index::FieldType::kBoolean) return v != 0;
          return query::FormatStoredValue(f);
        }
      },
      f.value);
}

nlohmann::ordered_json ExplanationToJson(const query::Explanation& e) {
  nlohmann::ordered_json j;
  j["parsed_query"] = e.parsed_query;
  j["strategy"] = e.strategy;
  nlohmann::ordered_json words = nlohmann::ordered_json::array();
  for (const auto& w : e.words) {
    nlohmann::ordered_json ex = nlohmann::ordered_json::array();
    for (const auto& x : w.expansions) ex.push_back({{"term", x.term}, {"doc_freq", x.doc_freq}});
    words.push_back({{"text", w.text}, {"kind", w.kind}, {"term", w.term}, {"stopword", w.stopword},
                     {"idf", w.idf}, {"postings", w.postings}, {"expansions", std::move(ex)}});
  }
  j["words"] = std::move(words);
  nlohmann::ordered_json phases = nlohmann::ordered_json::object();
  for (const auto& [name, us] : e.phase_micros) phases[name] = us;
  j["phase_us"] = std::move(phases);
  j["docs_scored"] = e.docs_scored;
  j["block_ranges_skipped"] = e.blocks_skipped;
  return j;
}

int Run(const QueryOptions& o) {
  query::SearchRequest req;
  req.query = o.text;
  req.collections = o.collections;
  req.limit = o.limit;
  req.offset = o.offset;
  req.return_stored = o.stored;
  req.highlight = o.highlight;
  req.explain = o.explain;
  for (const std::string& f : o.filters) {
    Result<query::Filter> parsed = query::ParseFilter(f);
    if (!parsed.ok()) {
      std::cerr << "search-cli query: " << parsed.status().message() << "\n";
      return 2;
    }
    req.filters.push_back(*parsed);
  }
  if (!o.sort.empty()) {
    Result<query::SortSpec> s = query::ParseSort(o.sort);
    if (!s.ok()) {
      std::cerr << "search-cli query: " << s.status().message() << "\n";
      return 2;
    }
    req.sort = *s;
  }
  if (o.index_dir.empty() == o.server.empty()) {
    std::cerr << "search-cli query: give exactly one of --index-dir DIR and --server HOST:PORT\n";
    return 2;
  }
  Result<std::shared_ptr<const query::Searcher>> searcher =
      o.server.empty() ? query::Searcher::Open(o.index_dir, o.collections)
                       : Result<std::shared_ptr<const query::Searcher>>(std::shared_ptr<const query::Searcher>());
  if (!searcher.ok()) {
    std::cerr << "search-cli query: " << searcher.status().ToString() << "\n";
    return searcher.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  Result<query::SearchResponse> r = o.server.empty() ? (*searcher)->Search(req) : server::RemoteSearch(o.server, req);
  if (!r.ok()) {
    std::cerr << "search-cli query: " << r.status().ToString() << "\n";
    return r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kResourceExhausted
               ? 2
               : 1;
  }
  if (o.json) {
    nlohmann::ordered_json j;
    j["total"] = r->total_hits;
    j["total_is_lower_bound"] = r->total_is_lower_bound;
    j["took_us"] = r->took_micros;
    nlohmann::ordered_json gens = nlohmann::ordered_json::object();
    for (const auto& g : r->generations) gens[g.collection] = g.generation;
    j["generations"] = std::move(gens);
    nlohmann::ordered_json hits = nlohmann::ordered_json::array();
    for (const query::Hit& h : r->hits) {
      nlohmann::ordered_json hj;
      hj["collection"] = h.collection;
      hj["id"] = h.id;
      hj["score"] = h.score;
      if (!h.fields.empty()) {
        nlohmann::ordered_json fj = nlohmann::ordered_json::object();
        for (const auto& f : h.fields) fj[f.name] = StoredToJson(f);
        hj["fields"] = std::move(fj);
      }
      if (!h.highlights.empty()) {
        nlohmann::ordered_json hl = nlohmann::ordered_json::object();
        for (const auto& x : h.highlights) hl[x.field] = x.marked;
        hj["highlights"] = std::move(hl);
      }
      if (!h.score_parts.empty()) {
        nlohmann::ordered_json parts = nlohmann::ordered_json::array();
        for (const auto& p : h.score_parts) {
          parts.push_back({{"word", p.word}, {"field", p.field}, {"tf", p.tf}, {"score", p.score}});
        }
        hj["score_parts"] = std::move(parts);
      }
      hits.push_back(std::move(hj));
    }
    j["hits"] = std::move(hits);
    if (r->explanation) j["explanation"] = ExplanationToJson(*r->explanation);
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::printf("%llu%s hits in %.0f us\n", static_cast<unsigned long long>(r->total_hits),
              r->total_is_lower_bound ? "+" : "", r->took_micros);
  size_t rank = o.offset;
  for (const query::Hit& h : r->hits) {
    std::printf("%4zu. %-10s %-24s %9.4f\n", ++rank, h.collection.c_str(), h.id.c_str(), h.score);
    for (const auto& f : h.fields) std::printf("        %s: %s\n", f.name.c_str(), query::FormatStoredValue(f).c_str());
    for (const auto& x : h.highlights) std::printf("        [%s] %s\n", x.field.c_str(), x.marked.c_str());
    for (const auto& p : h.score_parts) {
      std::printf("        %-20s %-12s tf=%-4g %.4f\n", p.word.c_str(), p.field.c_str(), p.tf, p.score);
    }
  }
  if (r->explanation) std::printf("\n%s", r->explanation->ToText().c_str());
  return 0;
}

}  // namespace

void RegisterQueryCommand(CLI::App& app) {
  auto opts = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand("query", "Run a query against the live generations of an index dir");
  cmd->add_option("--index-dir", opts->index_dir, "Index root directory");
  cmd->add_option("--server", opts->server, "HOST:PORT of a running search-server to query instead of --index-dir");
  cmd->add_option("--collections", opts->collections, "Collections to search (default: all)")->delimiter(',');
  cmd->add_option("--limit", opts->limit, "Hits to return (0..1000)");
  cmd->add_option("--offset", opts->offset, "Hits to skip (offset + limit <= 10000)");
  cmd->add_option("--filter", opts->filters,
                  "Filter: field:value, field:a|b, field:lo..hi, field<v, field>=v (repeatable)");
  cmd->add_option("--sort", opts->sort, "score (default) or field[:asc|:desc]");
  cmd->add_flag("--stored", opts->stored, "Return stored fields");
  cmd->add_flag("--highlight", opts->highlight, "Return highlighted text fields");
  cmd->add_flag("--explain", opts->explain, "Explain the query plan, per-hit scores and timings");
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->add_option("text", opts->text, "Query text")->required();
  cmd->callback([opts] { SetExitCode(Run(*opts)); });
}

}  // namespace busca::cli
