// bench-xapian: Xapian 1.4 as an in-process peer of the side-by-side benchmark (issue #5).
//
//   bench-xapian build --database-url URL --db-dir DIR [--stopwords FILE] [--json FILE]
//       reads the live rows of the four tables from PostgreSQL (the same rows our indexer reads)
//       and indexes title/name with wdf x3 and the body with wdf x1, positions on, Snowball
//       "portuguese" stemmer with STEM_SOME, PostgreSQL's portuguese.stop as stopper. Reports
//       docs/s, MB/s of text, the database size on disk per table and the peak RSS.
//   bench-xapian query --db-dir DIR --queries FILE [--out FILE] [--threads 1,2,8,64] ...
//       QueryParser with default operator AND (phrases, +/-, boolean operators and trailing
//       wildcards on), BM25 defaults, top-k; one Database per thread.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>
#include <xapian.h>

#include "bench/harness/query_driver.h"
#include "bench/peers/source_tables.h"

namespace busca::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kDefaultStopwords = "/usr/share/postgresql/15/tsearch_data/portuguese.stop";
constexpr Xapian::termcount kTitleWdf = 3;  // title/name above the body, as our schemas weight them
constexpr Xapian::termcount kBodyWdf = 1;
constexpr int kFetchRows = 5000;

std::string Str(std::string_view v) { return std::string(v); }

Result<std::unique_ptr<Xapian::SimpleStopper>> LoadStopper(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open stopword file " + path);
  auto stopper = std::make_unique<Xapian::SimpleStopper>();
  std::string word;
  int count = 0;
  while (std::getline(in, word)) {
    while (!word.empty() && (word.back() == '\r' || word.back() == ' ')) word.pop_back();
    if (word.empty()) continue;
    stopper->add(word);
    ++count;
  }
  if (count == 0) return Status::InvalidArgument("stopword file " + path + " holds no word");
  return stopper;
}

int64_t DirectoryBytes(const std::filesystem::path& dir, nlohmann::json& files) {
  int64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const auto size = static_cast<int64_t>(entry.file_size());
    files[entry.path().filename().string()] = size;
    total += size;
  }
  return total;
}

Status Build(const std::string& url, const std::string& db_dir, const std::string& stop_path,
             const std::string& json_path) {
  BUSCA_ASSIGN_OR_RETURN(auto stopper, LoadStopper(stop_path));
  const auto start = Clock::now();
  int64_t docs = 0, text_bytes = 0;
  nlohmann::json per_table = nlohmann::json::array();
  try {
    Xapian::WritableDatabase db(db_dir, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator generator;
    generator.set_stemmer(Xapian::Stem("portuguese"));
    generator.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    generator.set_stopper(stopper.get());
    pqxx::connection conn(url);
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);  // libpqxx 6.4 spelling
    for (const auto& t : kSourceTables) {
      int64_t table_docs = 0;
      tx.exec("DECLARE bench_rows NO SCROLL CURSOR FOR SELECT id, coalesce(" + Str(t.title_column) +
              ", ''), coalesce(" + Str(t.body_column) + ", '') FROM " + Str(t.table) + " WHERE " +
              Str(t.live_condition));
      for (;;) {
        const pqxx::result rows = tx.exec("FETCH " + std::to_string(kFetchRows) + " FROM bench_rows");
        if (rows.empty()) break;
        for (const auto& row : rows) {
          const std::string id = row[0].c_str();
          const std::string_view title(row[1].c_str(), row[1].size());
          const std::string_view body(row[2].c_str(), row[2].size());
          Xapian::Document doc;
          doc.set_data(id);
          doc.add_boolean_term("Q" + id);
          doc.add_boolean_term("XC" + Str(t.collection));
          generator.set_document(doc);
          generator.index_text(Xapian::Utf8Iterator(title.data(), title.size()), kTitleWdf);
          generator.increase_termpos();
          generator.index_text(Xapian::Utf8Iterator(body.data(), body.size()), kBodyWdf);
          db.add_document(doc);
          text_bytes += static_cast<int64_t>(title.size() + body.size());
          ++table_docs;
        }
      }
      tx.exec("CLOSE bench_rows");
      per_table.push_back({{"collection", t.collection}, {"docs", table_docs}});
      docs += table_docs;
    }
    tx.commit();
    db.commit();
    db.close();
  } catch (const Xapian::Error& e) {
    return Status::Internal("xapian: " + e.get_description());
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("reading PostgreSQL: ") + e.what());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json files = nlohmann::json::object();
  const int64_t bytes = DirectoryBytes(db_dir, files);
  // postlist (postings + term dictionary) and position are the inverted index; termlist and
  // docdata are the forward index and the stored data.
  int64_t inverted = 0;
  for (const auto& [name, size] : files.items()) {
    if (name.rfind("postlist.", 0) == 0 || name.rfind("position.", 0) == 0) inverted += size.get<int64_t>();
  }
  nlohmann::json out = {
      {"system", "xapian"},
      {"xapian_version", Xapian::version_string()},
      {"build_seconds", seconds},
      {"docs", docs},
      {"text_bytes", text_bytes},
      {"docs_per_second", seconds > 0 ? docs / seconds : 0},
      {"mb_per_second", seconds > 0 ? text_bytes / 1e6 / seconds : 0},
      {"index_bytes", bytes},
      {"inverted_bytes", inverted},
      {"files", files},
      {"tables", per_table},
      {"peak_rss_bytes", PeakRssBytes()},
  };
  std::cerr << "xapian: indexed " << docs << " docs in " << seconds << " s\n";
  return WriteJson(out, json_path);
}

class XapianSearcher : public Searcher {
 public:
  static Result<std::unique_ptr<Searcher>> Open(const std::string& db_dir, const Xapian::Stopper* stopper,
                                                Xapian::doccount check_at_least) {
    try {
      return std::unique_ptr<Searcher>(new XapianSearcher(db_dir, stopper, check_at_least));
    } catch (const Xapian::Error& e) {
      return Status::NotFound("xapian: cannot open " + db_dir + ": " + e.get_description());
    }
  }

  Result<std::vector<std::string>> Search(const std::string& query, int limit) override {
    try {
      const Xapian::Query q = parser_.parse_query(query, kFlags);
      Xapian::Enquire enquire(db_);  // BM25Weight with its default parameters
      enquire.set_query(q);
      // check_at_least 0 (Xapian's default) lets the matcher stop once it knows the top `limit` and
      // estimate the total; N makes it visit at least N matches, so the total is exact up to N.
      const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit), check_at_least_);
      std::vector<std::string> ids;
      ids.reserve(mset.size());
      for (auto it = mset.begin(); it != mset.end(); ++it) ids.push_back(it.get_document().get_data());
      return ids;
    } catch (const Xapian::QueryParserError& e) {
      return Status::InvalidArgument("xapian: " + e.get_description());
    } catch (const Xapian::Error& e) {
      return Status::Internal("xapian: " + e.get_description());
    }
  }

 private:
  static constexpr unsigned kFlags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD;

  XapianSearcher(const std::string& db_dir, const Xapian::Stopper* stopper, Xapian::doccount check_at_least)
      : db_(db_dir), check_at_least_(check_at_least) {
    parser_.set_database(db_);  // needed for wildcard expansion
    parser_.set_stemmer(Xapian::Stem("portuguese"));
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser_.set_stopper(stopper);
    parser_.set_default_op(Xapian::Query::OP_AND);
  }

  Xapian::Database db_;
  Xapian::doccount check_at_least_;
  Xapian::QueryParser parser_;
};

}  // namespace
}  // namespace busca::bench

int main(int argc, char** argv) {
  using namespace busca::bench;
  CLI::App app{"Xapian peer of the side-by-side benchmark (issue #5)"};
  app.require_subcommand(1);
  std::string url, db_dir, stop_path = kDefaultStopwords, build_json;
  auto* build = app.add_subcommand("build", "Index the live rows read from PostgreSQL, timed");
  build->add_option("--database-url", url, "PostgreSQL URL")->required()->envname("DATABASE_URL");
  build->add_option("--db-dir", db_dir, "Xapian database directory (overwritten)")->required();
  build->add_option("--stopwords", stop_path, "Stopword file, one word per line");
  build->add_option("--json", build_json, "Summary JSON file (default: stdout)");
  QueryCommandOptions query_options;
  query_options.system = "xapian";
  auto* query = app.add_subcommand("query", "Run a query log in-process (one Database per thread)");
  query->add_option("--db-dir", db_dir, "Xapian database directory")->required();
  query->add_option("--stopwords", stop_path, "Stopword file, one word per line");
  Xapian::doccount check_at_least = 0;
  query->add_option("--check-at-least", check_at_least,
                    "Matches to visit at least, so the total is exact up to this many (get_mset's "
                    "check_at_least; default 0: stop at the top k and estimate the total)");
  AddQueryCommandOptions(*query, query_options);
  CLI11_PARSE(app, argc, argv);

  busca::Status status;
  if (*build) {
    status = Build(url, db_dir, stop_path, build_json);
  } else {
    auto stopper = LoadStopper(stop_path);
    if (!stopper.ok()) {
      status = stopper.status();
    } else {
      const Xapian::Stopper* stop = stopper->get();
      status = RunQueryCommand(
          query_options, [&db_dir, stop, check_at_least] { return XapianSearcher::Open(db_dir, stop, check_at_least); },
          {{"xapian_version", Xapian::version_string()}, {"check_at_least", check_at_least}});
    }
  }
  if (!status.ok()) {
    std::cerr << "bench-xapian: " << status.ToString() << '\n';
    return 1;
  }
  return 0;
}
