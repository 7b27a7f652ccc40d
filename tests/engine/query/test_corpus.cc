#include "tests/engine/query/test_corpus.h"

#include <unistd.h>

#include <atomic>
#include <cmath>

#include "engine/analysis/analyzer.h"
#include "engine/index/generation.h"
#include "engine/index/generation_writer.h"
#include "engine/index/index_dir.h"
#include "tests/support/test_field.h"

namespace busca::query::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("busca-query-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

const std::vector<std::string>& CorpusVocabulary() {
  static const std::vector<std::string> kWords = {
      "de", "pão", "queijo", "o", "que", "café", "a", "e", "doce", "com", "promoção", "açúcar",
      "pao", "cafe", "bolo", "pães", "leite", "do", "da", "mineiro", "promocao", "acucar",
      "chocolate", "tomates", "tomate", "cozinheira", "cozinheiro", "bolos", "doces", "mineira",
      "vendemos", "vender", "chá", "cha", "integral", "caseiro", "caseira", "promoções", "sem",
      "glúten", "gluten", "fresco", "frescos", "entrega", "grátis", "gratis", "orgânico",
      "organico", "artesanal", "receita", "receitas", "x-tudo", "500ml", "coco", "cocada",
      "abacaxi", "maçã", "maca", "laranja", "pastel", "pastéis", "coxinha", "empada", "farinha",
      "manteiga", "ovos", "ovo", "mel", "geleia", "geléia", "uva", "suco", "sucos", "natural",
  };
  return kWords;
}

std::string RandomText(std::mt19937_64& rng, int words) {
  const auto& vocab = CorpusVocabulary();
  // Zipf(1.0) over the vocabulary order.
  static const std::vector<double> kCdf = [] {
    std::vector<double> cdf;
    double sum = 0;
    for (size_t i = 0; i < CorpusVocabulary().size(); ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), 0.9);
      cdf.push_back(sum);
    }
    for (double& c : cdf) c /= sum;
    return cdf;
  }();
  std::uniform_real_distribution<double> u(0, 1);
  std::string s;
  for (int i = 0; i < words; ++i) {
    double x = u(rng);
    size_t k = std::lower_bound(kCdf.begin(), kCdf.end(), x) - kCdf.begin();
    if (k >= vocab.size()) k = vocab.size() - 1;
    if (!s.empty()) s += (rng() % 11 == 0) ? ", " : " ";
    std::string w = vocab[k];
    if (rng() % 13 == 0 && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 'a' + 'A');
    s += w;
  }
  return s;
}

using busca::testing::TestField;

index::CollectionSchema ProductsSchema() {
  index::CollectionSchema s;
  s.name = "products";
  s.source = {"marketplace.\"Product\"", "id", "TRUE"};
  s.fields = {TestField("name", index::FieldType::kText, 3.0, true),
              TestField("description", index::FieldType::kText, 1.0, true),
              TestField("category", index::FieldType::kKeyword, 1.0, true),
              TestField("tags", index::FieldType::kKeyword, 1.0, true, true),
              TestField("price", index::FieldType::kNumber, 1.0, true, false, 2),
              TestField("verified", index::FieldType::kBoolean, 1.0, true),
              TestField("created_at", index::FieldType::kTimestamp, 1.0, true)};
  return s;
}

index::CollectionSchema PostsSchema() {
  index::CollectionSchema s;
  s.name = "posts";
  s.source = {"community.\"Post\"", "id", "TRUE"};
  s.fields = {TestField("title", index::FieldType::kText, 2.5, true),
              TestField("content", index::FieldType::kText, 1.0, true),
              TestField("category", index::FieldType::kKeyword, 1.0, true),
              TestField("price", index::FieldType::kNumber, 1.0, false, false, 0)};
  return s;
}

Result<std::shared_ptr<const index::Generation>> WriteCollection(const fs::path& index_dir,
                                                                 const index::CollectionSchema& schema,
                                                                 const std::vector<index::Document>& docs,
                                                                 uint32_t segments,
                                                                 const std::vector<std::string>& deleted_ids) {
  index::IndexDir dir(index_dir);
  BUSCA_ASSIGN_OR_RETURN(auto writer, index::GenerationWriter::Create(schema, dir, {.merge_on_finish = false}));
  analysis::Analyzer analyzer;
  size_t per_segment = std::max<size_t>(1, (docs.size() + segments - 1) / std::max<uint32_t>(1, segments));
  for (size_t i = 0; i < docs.size(); ++i) {
    BUSCA_ASSIGN_OR_RETURN(index::AnalyzedDocument ad, index::AnalyzeDocument(schema, docs[i], analyzer));
    BUSCA_RETURN_IF_ERROR(writer->Add(std::move(ad)));
    if ((i + 1) % per_segment == 0 && i + 1 < docs.size()) BUSCA_RETURN_IF_ERROR(writer->FlushSegment());
  }
  for (const std::string& id : deleted_ids) BUSCA_RETURN_IF_ERROR(writer->Delete(id));
  BUSCA_ASSIGN_OR_RETURN(index::GenerationInfo info, writer->Finish());
  BUSCA_RETURN_IF_ERROR(dir.PublishCurrent(schema.name, info.id));
  return index::Generation::OpenCurrent(dir, schema.name);
}

Result<BuiltCorpus> BuildCorpus(const fs::path& index_dir, const CorpusOptions& options) {
  std::mt19937_64 rng(options.seed);
  BuiltCorpus corpus;
  std::vector<std::shared_ptr<const index::Generation>> gens;
  static const char* kCategories[] = {"bebidas", "padaria", "doces", "laticínios", "hortifruti"};
  static const char* kTags[] = {"vegano", "promo", "novo", "sem-lactose", "kit"};
  for (const index::CollectionSchema& schema : {ProductsSchema(), PostsSchema()}) {
    RefCollection rc;
    rc.schema = schema;
    index::IndexDir dir(index_dir);
    BUSCA_ASSIGN_OR_RETURN(auto writer,
                           index::GenerationWriter::Create(schema, dir, {.merge_on_finish = options.merge}));
    analysis::Analyzer analyzer;
    uint32_t per_segment = std::max<uint32_t>(1, options.docs_per_collection / options.segments);
    std::vector<size_t> live_positions;  // indices into rc.docs of live docs
    for (uint32_t i = 0; i < options.docs_per_collection; ++i) {
      index::Document doc;
      // Some ids are re-used after a delete (an update).
      doc.id = schema.name.substr(0, 4) + "_" + std::to_string(i);
      doc.values.resize(schema.fields.size());
      for (size_t f = 0; f < schema.fields.size(); ++f) {
        const index::FieldSpec& spec = schema.fields[f];
        bool null = rng() % 10 == 0;
        switch (spec.type) {
          case index::FieldType::kText:
            if (!null) doc.values[f] = RandomText(rng, f == 0 ? 1 + static_cast<int>(rng() % 5) : static_cast<int>(rng() % 30));
            break;
          case index::FieldType::kKeyword:
            if (null) break;
            if (spec.multi) {
              std::vector<std::string> v;
              int n = static_cast<int>(rng() % 3);
              for (int k = 0; k < n; ++k) v.push_back(kTags[rng() % 5]);
              std::sort(v.begin(), v.end());
              v.erase(std::unique(v.begin(), v.end()), v.end());
              doc.values[f] = v;
            } else {
              doc.values[f] = std::vector<std::string>{kCategories[rng() % 5]};
            }
            break;
          case index::FieldType::kNumber:
            if (!null) doc.values[f] = static_cast<int64_t>(rng() % 5000);
            break;
          case index::FieldType::kBoolean:
            if (!null) doc.values[f] = static_cast<bool>(rng() % 2);
            break;
          case index::FieldType::kTimestamp:
            if (!null) doc.values[f] = int64_t{1700000000000000} + static_cast<int64_t>(rng() % 1000) * 86400000000;
            break;
        }
      }
      BUSCA_ASSIGN_OR_RETURN(index::AnalyzedDocument ad, index::AnalyzeDocument(schema, doc, analyzer));
      BUSCA_RETURN_IF_ERROR(writer->Add(std::move(ad)));
      rc.docs.push_back({doc, true, {}});
      live_positions.push_back(rc.docs.size() - 1);
      // Deletions, sometimes followed by a re-add of the same id (an update).
      if (!live_positions.empty() && std::uniform_real_distribution<double>(0, 1)(rng) < options.delete_fraction) {
        size_t pick = rng() % live_positions.size();
        size_t victim = live_positions[pick];
        live_positions.erase(live_positions.begin() + static_cast<std::ptrdiff_t>(pick));
        BUSCA_RETURN_IF_ERROR(writer->Delete(rc.docs[victim].doc.id));
        rc.docs[victim].live = false;
        if (rng() % 3 == 0) {
          index::Document again = rc.docs[victim].doc;
          if (schema.fields[0].type == index::FieldType::kText) again.values[0] = RandomText(rng, 3);
          BUSCA_ASSIGN_OR_RETURN(index::AnalyzedDocument ad2, index::AnalyzeDocument(schema, again, analyzer));
          BUSCA_RETURN_IF_ERROR(writer->Add(std::move(ad2)));
          rc.docs.push_back({again, true, {}});
          live_positions.push_back(rc.docs.size() - 1);
        }
      }
      if ((i + 1) % per_segment == 0 && i + 1 < options.docs_per_collection) {
        BUSCA_RETURN_IF_ERROR(writer->FlushSegment());
      }
    }
    BUSCA_ASSIGN_OR_RETURN(index::GenerationInfo info, writer->Finish());
    BUSCA_RETURN_IF_ERROR(dir.PublishCurrent(schema.name, info.id));
    BUSCA_ASSIGN_OR_RETURN(auto gen, index::Generation::OpenCurrent(dir, schema.name));
    if (gen->num_segments() != (options.merge ? 1u : 2u) && (options.merge || gen->num_segments() < 2)) {
      return Status::Internal("test corpus has " + std::to_string(gen->num_segments()) + " segments");
    }
    if (options.merge) {  // the merge dropped the deleted docs, and with them their statistics
      std::erase_if(rc.docs, [](const RefDoc& d) { return !d.live; });
    }
    gens.push_back(std::move(gen));
    corpus.collections.push_back(std::move(rc));
  }
  BUSCA_ASSIGN_OR_RETURN(corpus.searcher, Searcher::Create(std::move(gens)));
  return corpus;
}

}  // namespace busca::query::testing
