// bench-busca: our engine in-process, driven by the same QueryDriver as the peers, so its
// throughput at 1/2/8/64 threads is measured exactly like Xapian's (issue #5).
//
//   bench-busca query --index-dir DIR --queries FILE [--out FILE] [--threads 1,2,8,64] ...
//
// One busca::query::Searcher (immutable, thread-safe) opened over every collection's live
// generation and shared by all threads, the way search-server shares it; each thread issues
// plain top-k requests (default limit 10) across all collections. The single-threaded pass is
// the same measurement `search-cli bench` makes; the harness uses search-cli's when it exists.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "bench/harness/query_driver.h"
#include "engine/query/searcher.h"

namespace busca::bench {
namespace {

class BuscaSearcher : public Searcher {
 public:
  explicit BuscaSearcher(std::shared_ptr<const query::Searcher> searcher) : searcher_(std::move(searcher)) {}

  Result<std::vector<std::string>> Search(const std::string& text, int limit) override {
    query::SearchRequest request;
    request.query = text;
    request.limit = static_cast<uint32_t>(limit);
    BUSCA_ASSIGN_OR_RETURN(auto response, searcher_->Search(request));
    std::vector<std::string> ids;
    ids.reserve(response.hits.size());
    for (auto& hit : response.hits) ids.push_back(std::move(hit.id));
    return ids;
  }

 private:
  std::shared_ptr<const query::Searcher> searcher_;
};

}  // namespace
}  // namespace busca::bench

int main(int argc, char** argv) {
  using namespace busca::bench;
  CLI::App app{"Our engine in-process, measured like the peers of the side-by-side benchmark"};
  app.require_subcommand(1);
  std::string index_dir;
  std::vector<std::string> collections;
  QueryCommandOptions options;
  options.system = "busca";
  auto* query = app.add_subcommand("query", "Run a query log in-process (one shared Searcher)");
  query->add_option("--index-dir", index_dir, "Index directory")->required();
  query->add_option("--collections", collections, "Collections (default: all)")->delimiter(',');
  AddQueryCommandOptions(*query, options);
  CLI11_PARSE(app, argc, argv);

  auto opened = busca::query::Searcher::Open(index_dir, collections);
  if (!opened.ok()) {
    std::cerr << "bench-busca: " << opened.status().ToString() << '\n';
    return 1;
  }
  std::shared_ptr<const busca::query::Searcher> searcher = std::move(opened).value();
  auto status = RunQueryCommand(options, [searcher]() -> busca::Result<std::unique_ptr<Searcher>> {
    return std::unique_ptr<Searcher>(new BuscaSearcher(searcher));
  });
  if (!status.ok()) {
    std::cerr << "bench-busca: " << status.ToString() << '\n';
    return 1;
  }
  return 0;
}
