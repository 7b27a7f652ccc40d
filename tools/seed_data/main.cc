// seed-data: fills a PostgreSQL database with a deterministic Portuguese marketplace dataset
// (posts, products, suppliers, courses) in the source schema (schemas/sql/source_schema.sql).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "tools/seed_data/seeder.h"

namespace {

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string DefaultSchemaFile() {
  const std::filesystem::path relative = "schemas/sql/source_schema.sql";
  if (std::filesystem::exists(relative)) return relative.string();
  return BUSCA_SOURCE_SCHEMA_FILE;  // the source tree's copy, set by CMake
}

}  // namespace

int main(int argc, char** argv) {
  using busca::seed::Table;
  CLI::App app{
      "seed-data: fill PostgreSQL with a deterministic, realistic Portuguese marketplace dataset"};
  busca::seed::SeedOptions options;
  busca::seed::DatasetOptions& ds = options.dataset;
  double scale = 1.0;
  std::optional<uint64_t> posts, products, suppliers, courses;
  bool no_nasty = false, no_schema = false, quiet = false;
  options.schema_file = DefaultSchemaFile();
  options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  app.add_option("--database-url", options.database_url, "PostgreSQL URL (default: $DATABASE_URL)");
  app.add_option("--seed", ds.seed, "Random seed: the same seed gives the same rows")
      ->capture_default_str();
  app.add_option("--scale", scale,
                 "Multiply the production volumes (45,234 posts, 12,456 products, 234 courses, 567 "
                 "suppliers)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100000.0));
  app.add_option("--posts", posts, "Live posts (overrides --scale for this table)");
  app.add_option("--products", products, "Live products");
  app.add_option("--suppliers", suppliers, "Live suppliers");
  app.add_option("--courses", courses, "Live courses");
  app.add_option("--non-live-share", ds.non_live_share,
                 "Soft-deleted/inactive/unpublished rows added on top, as a share of live rows")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app.add_flag("--no-nasty", no_nasty,
               "Leave out the nasty rows (empty/huge/emoji/control-character text, NULLs)");
  app.add_flag("--truncate", options.truncate,
               "Replace existing rows (without it, tables that hold rows are refused)");
  app.add_option("--schema-file", options.schema_file, "DDL applied first (idempotent)")
      ->capture_default_str();
  app.add_flag("--no-schema", no_schema, "Do not apply a schema file");
  app.add_option("--jobs", options.jobs, "Generator threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  std::string dictionary = "/usr/share/dict/brazilian";
  app.add_option("--dictionary", dictionary,
                 "Word list for the long tail of rare words (package wbrazilian); 'none' to use "
                 "only the built-in lists")
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "Print only the summary");
  CLI11_PARSE(app, argc, argv);

  if (options.database_url.empty()) {
    if (const char* env = std::getenv("DATABASE_URL"); env != nullptr) options.database_url = env;
  }
  if (options.database_url.empty()) {
    std::cerr << "seed-data: no database: pass --database-url or set DATABASE_URL\n";
    return 2;
  }
  if (no_schema) options.schema_file.clear();
  if (dictionary != "none") {
    const bool is_default = app.count("--dictionary") == 0;
    if (is_default && !std::filesystem::exists(dictionary)) {
      std::cerr << "seed-data: warning: " << dictionary
                << " not found (install wbrazilian); writing without the rare-word tail\n";
    } else {
      auto vocabulary = busca::seed::Vocabulary::WithDictionary(dictionary);
      if (!vocabulary.ok()) {
        std::cerr << "seed-data: " << vocabulary.status().ToString() << "\n";
        return 2;
      }
      ds.vocabulary = *vocabulary;
    }
  }
  ds.nasty_rows = !no_nasty;
  auto scaled = [&](uint64_t production) {
    return static_cast<uint64_t>(std::llround(production * scale));
  };
  ds.posts = posts.value_or(scaled(busca::seed::kProductionPosts));
  ds.products = products.value_or(scaled(busca::seed::kProductionProducts));
  ds.courses = courses.value_or(scaled(busca::seed::kProductionCourses));
  ds.suppliers = suppliers.value_or(scaled(busca::seed::kProductionSuppliers));
  if (!suppliers.has_value() && ds.products > 0 && ds.suppliers == 0) ds.suppliers = 1;

  const bool tty = !quiet && isatty(STDERR_FILENO);
  busca::seed::SeedProgress progress;
  if (tty) {
    progress = [](Table t, uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\r  %-10s %12s / %-12s",
                   std::string(busca::seed::TableShortName(t)).c_str(), Thousands(done).c_str(),
                   Thousands(total).c_str());
      if (done == total) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    };
  }
  if (!quiet) {
    std::cerr << "seed-data: seed " << ds.seed << ", " << Thousands(ds.posts) << " posts, "
              << Thousands(ds.products) << " products, " << Thousands(ds.suppliers)
              << " suppliers, " << Thousands(ds.courses) << " courses live (+"
              << ds.non_live_share * 100 << "% non-live)\n";
  }
  auto report = busca::seed::SeedDatabase(options, progress);
  if (!report.ok()) {
    std::cerr << "seed-data: " << report.status().ToString() << "\n";
    return 1;
  }
  std::printf("%-24s %12s %10s %12s %10s %12s\n", "table", "live", "non-live", "total", "MB",
              "rows/s");
  for (const auto& t : report->tables) {
    const double rate = t.seconds > 0 ? t.counts.total() / t.seconds : 0;
    std::printf("%-24s %12s %10s %12s %10.1f %12s\n",
                std::string(busca::seed::QualifiedTableName(t.table)).c_str(),
                Thousands(t.counts.live).c_str(), Thousands(t.counts.non_live).c_str(),
                Thousands(t.counts.total()).c_str(), t.bytes / 1e6,
                Thousands(static_cast<uint64_t>(rate)).c_str());
  }
  std::printf("Re-created %zu secondary indexes in %.2f s\n", report->indexes_rebuilt,
              report->index_seconds);
  const double total_rate =
      report->total_seconds > 0 ? report->total_rows() / report->total_seconds : 0;
  std::printf("Seeded %s rows (%.1f MB) in %.2f s (%s rows/s, seed %llu)\n",
              Thousands(report->total_rows()).c_str(), report->total_bytes() / 1e6,
              report->total_seconds, Thousands(static_cast<uint64_t>(total_rate)).c_str(),
              static_cast<unsigned long long>(ds.seed));
  return 0;
}
