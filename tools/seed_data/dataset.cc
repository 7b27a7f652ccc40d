// Dataset: row generation per table, non-live rows and nasty rows.
#include "tools/seed_data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "tools/seed_data/copy_format.h"

namespace busca::seed {
namespace {

constexpr int64_t kStartMillis = 1609459200000;  // 2021-01-01 00:00:00 UTC
constexpr int64_t kEndMillis = 1761955200000;    // 2025-11-01 00:00:00 UTC
constexpr int64_t kDayMillis = 86400000;
constexpr int64_t kMaxPriceCents = 999999999999;  // numeric(12,2) maximum: 9999999999.99

using TextArray = std::vector<std::optional<std::string>>;

struct Times {
  int64_t created = 0;
  int64_t updated = 0;
  std::optional<int64_t> deleted;
};

struct SupplierRow {
  std::string id, name;
  std::optional<std::string> description;
  std::string city, region;
  TextArray categories;
  bool verified = false;
  Times times;
};

struct ProductRow {
  std::string id, name;
  std::optional<std::string> description;
  std::string category, supplier_id;
  int64_t price_cents = 0;
  bool is_active = true;
  Times times;
};

struct PostRow {
  std::string id, title, content;
  TextArray tags;
  std::string author_id;
  Times times;
};

struct CourseRow {
  std::string id, title;
  std::optional<std::string> description;
  std::string level, instructor;
  int64_t price_cents = 0;
  bool published = true;
  Times times;
};

TextArray ToArray(const std::vector<std::string>& v) { return TextArray(v.begin(), v.end()); }

std::string FormatPrice(int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// Creation times grow denser towards the present (the marketplace grows), and follow the row
// index roughly, as sequential ids do.
Times MakeTimes(Rng& rng, uint64_t row, uint64_t rows, bool deleted) {
  Times t;
  const double frac =
      (static_cast<double>(row) + rng.Unit()) / static_cast<double>(std::max<uint64_t>(rows, 1));
  const double pos = std::sqrt(std::min(frac, 1.0));
  t.created =
      kStartMillis +
      static_cast<int64_t>(pos * static_cast<double>(kEndMillis - kStartMillis - 30 * kDayMillis));
  t.created += rng.Between(0, 999);
  t.updated = rng.Chance(0.65)
                  ? t.created
                  : std::min(kEndMillis, t.created + rng.Between(1000, 120 * kDayMillis));
  if (deleted)
    t.deleted =
        std::min(kEndMillis + 10 * kDayMillis, t.updated + rng.Between(1000, 90 * kDayMillis));
  if (deleted && t.deleted) t.updated = std::max(t.updated, *t.deleted);
  return t;
}

void AppendTimes(CopyLineBuilder& b, const Times& t) {
  b.Raw(FormatTimestampMillis(t.created)).Raw(FormatTimestampMillis(t.updated));
  if (t.deleted)
    b.Raw(FormatTimestampMillis(*t.deleted));
  else
    b.Null();
}

// --- Nasty content -----------------------------------------------------------------------------

const char kEmoji[] =
    "\xF0\x9F\xA7\x80 Pão de queijo \xF0\x9F\x94\xA5\xF0\x9F\x94\xA5 promoção imperdível "
    "\xF0\x9F\x98\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x8D\xB3 \xF0\x9F\x87\xA7\xF0\x9F\x87\xB7 "
    "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xE2\x98\x95 café \xE2\x9C\xA8 açúcar\xF0\x9F\x8D\xAC doce"
    "\xF0\x9F\x8E\x82\xF0\x9F\x8E\x82\xF0\x9F\x8E\x82 \xE2\x9D\xA4\xEF\xB8\x8F";

// Stray control characters, zero-width and bidi characters, a BOM, line/paragraph separators.
const char kControl[] =
    "Açúcar\x01"
    "cristal\x02 \x07"
    "sino\x08 \x0b"
    "vt\x0c ff \x1b[31mvermelho\x1b[0m \x7f"
    "del "
    "zero\xE2\x80\x8B"
    "width jun\xE2\x80\x8D"
    "tos \xEF\xBB\xBF"
    "bom soft\xC2\xAD"
    "hyphen "
    "linha\xE2\x80\xA8"
    "sep par\xE2\x80\xA9"
    "sep \xE2\x80\xAE"
    "evitcartni\xE2\x80\xAC fim \xC2\x85"
    "nel \x1f"
    "us";

const char kEscapes[] =
    "Linha 1\nLinha 2\r\nLinha 3\ttab\t\tdois tabs \\ barra \\\\ duas barras \\N não é nulo \\t "
    "não é tab "
    "\"aspas duplas\" 'aspas simples' `crase` {chaves} [colchetes] vírgula, ponto; "
    "C:\\Users\\receitas\\pão.txt fim\\";

const char kUnicode[] =
    // NFD: pão, açúcar, café written with combining marks.
    "pa\xCC\x83o de queijo, ac\xCC\xA7u\xCC\x81"
    "car, cafe\xCC\x81 "
    "PÃO DE QUEIJO AÇÚCAR CAFÉ ÉCLAIR "
    "\xEF\xBD\x83\xEF\xBD\x81\xEF\xBD\x86\xC3\xA9 "  // fullwidth "caf" + é
    "\xEF\xAC\x81l\xC3\xA9 "                         // ligature fi + lé
    "Straße \xC4\xB0stanbul \xC4\xB1 "               // ß, dotted capital I, dotless i
    "½ kg ² ³ ª º nº 1º 180°C R$ 1.234,56 € £ ¥ "
    "\xD0\x9F\xD0\xB8\xD1\x80\xD0\xBE\xD0\xB6\xD0\xBA\xD0\xB8 "  // Cyrillic
    "\xE5\x8C\x85\xE5\xAD\x90 "                                  // Chinese
    "\xD8\xAE\xD8\xA8\xD8\xB2 "                                  // Arabic
    "\xCF\x88\xCF\x89\xCE\xBC\xCE\xAF "                          // Greek
    "\xEB\xB9\xB5 "                                              // Hangul
    "a\xCC\x81\xCC\x82\xCC\x83 "                                 // stacked combining marks
    "\xF0\x9D\x90\xA9\xF0\x9D\x90\x9A\xF0\x9D\x90\xA8";          // mathematical bold p a o

const char kMarkup[] =
    "<script>alert('xss')</script><b>Pão</b> &amp; &lt;queijo&gt; &nbsp; **negrito** _itálico_ "
    "[link](http://exemplo.com.br/pão?q=1&x=2) '; DROP TABLE \"Product\"; -- %_* "
    "\"pão de queijo\" OR -açúcar promo* AND (café | chá) ~2 ^3 NOT x:y "
    "user@exemplo.com.br #hashtag @menção 50% off!!! ??? ... --- ___";

const char kWhitespace[] = "   \t  \xC2\xA0\xC2\xA0 \xE3\x80\x80 \xE2\x80\x83  ";
const char kWhitespaceBody[] =
    "   pão     de\xC2\xA0queijo \xE3\x80\x80 café\t\t\tcom   leite   \xE2\x80\x83 fim   ";

const char kStopwords[] =
    "o que é que é isso? e a de o da do em um uma para com não se na por mais as dos como mas ao "
    "ele das à seu sua ou quando muito nos já eu também só pelo pela até isso ela entre depois "
    "sem mesmo aos seus quem nas me esse eles você essa num nem suas meu às minha numa pelos "
    "elas qual nós lhe deles essas esses pelas este dele tu te vocês vos lhes meus minhas";

std::string HugeToken() {
  std::string s;
  s.reserve(21000);
  while (s.size() < 16000) s += "pãodequeijo";
  s += "https://exemplo.com.br/";
  s.append(8000, 'a');
  return s;
}

TextArray ManyTags() {
  TextArray tags;
  for (const char* t :
       {"Pães", "pães", "PÃES", "paes", "Paes", "pães", "a,b", "{x}", "\"q\"", "back\\slash",
        "tab\there", "new\nline", "NULL", "null", "", " espaço ", "açúcar", "acucar", "AÇÚCAR"}) {
    tags.emplace_back(t);
  }
  tags.push_back(std::nullopt);  // a NULL element
  tags.emplace_back(std::string(1000, 'x'));
  tags.emplace_back(kEmoji);
  for (int i = 0; tags.size() < 400; ++i) tags.emplace_back("tag" + std::to_string(i % 150));
  return tags;
}

TextArray EscapeTags() {
  return {std::string("vírgula, dentro"),
          std::nullopt,
          std::string("NULL"),
          std::string("aspas \"duplas\""),
          std::string("barra \\ invertida"),
          std::string("{chaves}"),
          std::string("tab\tdentro"),
          std::string("linha\nnova"),
          std::string("")};
}

// Text for a title/name (short) or body/description (long) field under each nasty kind.
std::string NastyText(NastyKind kind, bool long_field, const TextGenerator& text, Rng& rng) {
  switch (kind) {
    case NastyKind::kEmptyStrings:
      return "";
    case NastyKind::kVeryLong:
      return text.Paragraphs(rng, long_field ? 60000 : 400);
    case NastyKind::kHugeToken:
      return long_field ? "Antes " + HugeToken() + " depois." : HugeToken();
    case NastyKind::kEmoji:
      return kEmoji;
    case NastyKind::kControlChars:
      return kControl;
    case NastyKind::kEscapes:
      return kEscapes;
    case NastyKind::kUnicodeForms:
      return kUnicode;
    case NastyKind::kMarkup:
      return kMarkup;
    case NastyKind::kWhitespace:
      return long_field ? kWhitespaceBody : kWhitespace;
    case NastyKind::kStopwordsOnly:
      return long_field ? kStopwords : "de o que a e";
    case NastyKind::kSingleLetter:
      return long_field ? "é" : "a";
    default:
      return "";
  }
}

// Whether the kind replaces text columns (kNulls, kManyTags, kExtremeValues keep normal text).
bool ReplacesText(NastyKind kind) {
  return kind != NastyKind::kNulls && kind != NastyKind::kManyTags &&
         kind != NastyKind::kExtremeValues;
}

// The epoch for creation, the last millisecond of 2099 for the update.
void ApplyExtremeTimes(Times* t) {
  t->created = 0;              // 1970-01-01 00:00:00.000
  t->updated = 4102444799999;  // 2099-12-31 23:59:59.999
}

uint64_t Gcd(uint64_t a, uint64_t b) { return std::gcd(a, b); }

uint64_t MulMod(uint64_t a, uint64_t b, uint64_t m) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) % m);
}

}  // namespace

std::string_view NastyKindName(NastyKind kind) {
  switch (kind) {
    case NastyKind::kEmptyStrings:
      return "empty_strings";
    case NastyKind::kNulls:
      return "nulls";
    case NastyKind::kVeryLong:
      return "very_long";
    case NastyKind::kHugeToken:
      return "huge_token";
    case NastyKind::kEmoji:
      return "emoji";
    case NastyKind::kControlChars:
      return "control_chars";
    case NastyKind::kEscapes:
      return "escapes";
    case NastyKind::kUnicodeForms:
      return "unicode_forms";
    case NastyKind::kMarkup:
      return "markup";
    case NastyKind::kWhitespace:
      return "whitespace";
    case NastyKind::kManyTags:
      return "many_tags";
    case NastyKind::kStopwordsOnly:
      return "stopwords_only";
    case NastyKind::kSingleLetter:
      return "single_letter";
    case NastyKind::kExtremeValues:
      return "extreme_values";
    case NastyKind::kCount:
      break;
  }
  return "?";
}

uint64_t DatasetOptions::live(Table t) const {
  switch (t) {
    case Table::kSuppliers:
      return suppliers;
    case Table::kProducts:
      return products;
    case Table::kPosts:
      return posts;
    case Table::kCourses:
      return courses;
  }
  return 0;
}

TableCounts DatasetOptions::Counts(Table t) const {
  TableCounts c;
  c.live = live(t);
  c.non_live = static_cast<uint64_t>(std::llround(static_cast<double>(c.live) * non_live_share));
  return c;
}

std::string_view QualifiedTableName(Table t) {
  switch (t) {
    case Table::kSuppliers:
      return "\"marketplace\".\"Supplier\"";
    case Table::kProducts:
      return "\"marketplace\".\"Product\"";
    case Table::kPosts:
      return "\"community\".\"Post\"";
    case Table::kCourses:
      return "\"academy\".\"Course\"";
  }
  return "";
}

std::string_view TableShortName(Table t) {
  switch (t) {
    case Table::kSuppliers:
      return "suppliers";
    case Table::kProducts:
      return "products";
    case Table::kPosts:
      return "posts";
    case Table::kCourses:
      return "courses";
  }
  return "";
}

std::string_view CopyColumns(Table t) {
  switch (t) {
    case Table::kSuppliers:
      return "(\"id\", \"name\", \"description\", \"city\", \"region\", \"categories\", "
             "\"verified\", \"createdAt\", \"updatedAt\", \"deletedAt\")";
    case Table::kProducts:
      return "(\"id\", \"name\", \"description\", \"category\", \"supplierId\", \"price\", "
             "\"isActive\", \"createdAt\", \"updatedAt\", \"deletedAt\")";
    case Table::kPosts:
      return "(\"id\", \"title\", \"content\", \"tags\", \"authorId\", \"createdAt\", "
             "\"updatedAt\", \"deletedAt\")";
    case Table::kCourses:
      return "(\"id\", \"title\", \"description\", \"level\", \"instructor\", \"price\", "
             "\"published\", \"createdAt\", \"updatedAt\", \"deletedAt\")";
  }
  return "";
}

std::string_view IdPrefix(Table t) {
  switch (t) {
    case Table::kSuppliers:
      return "supp_";
    case Table::kProducts:
      return "prod_";
    case Table::kPosts:
      return "post_";
    case Table::kCourses:
      return "course_";
  }
  return "";
}

std::string FormatId(Table t, uint64_t row) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%07llu", static_cast<unsigned long long>(row + 1));
  return std::string(IdPrefix(t)) + buf;
}

std::string FormatTimestampMillis(int64_t millis) {
  int64_t days = millis / kDayMillis;
  int64_t rem = millis % kDayMillis;
  if (rem < 0) {
    rem += kDayMillis;
    --days;
  }
  // Civil date from days since 1970-01-01 (proleptic Gregorian).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const int64_t ms = rem % 1000;
  const int64_t secs = rem / 1000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), static_cast<long long>(ms));
  return buf;
}

TableGenerator::TableGenerator(const DatasetOptions& options, Table table)
    : options_(options),
      table_(table),
      counts_(options.Counts(table)),
      text_(options_.vocabulary != nullptr ? *options_.vocabulary : Vocabulary::Get()) {
  const uint64_t n = counts_.total();
  if (n > 1) {
    // An affine permutation of [0, n): a = a large odd constant reduced mod n, made coprime to n.
    perm_a_ = Mix64(options.seed ^ (0x51ED + static_cast<uint64_t>(table))) % n;
    if (perm_a_ == 0) perm_a_ = 1;
    while (Gcd(perm_a_, n) != 1) perm_a_ = (perm_a_ + 1) % n == 0 ? 1 : perm_a_ + 1;
    perm_b_ = Mix64(options.seed + 77 * (static_cast<uint64_t>(table) + 1)) % n;
  }
  if (table == Table::kProducts) {
    suppliers_total_ = options.Counts(Table::kSuppliers).total();
    supplier_zipf_ = ZipfTable(std::max<uint64_t>(suppliers_total_, 1), 0.8);
  }
  if (table == Table::kPosts) {
    authors_ = std::max<uint64_t>(1, counts_.live / 6);
    author_zipf_ = ZipfTable(authors_, 0.9);
  }
  if (options.nasty_rows && counts_.live > 0) {
    const uint64_t kinds = static_cast<uint64_t>(NastyKind::kCount);
    for (uint64_t k = 0; k < kinds; ++k) {
      if (k >= counts_.live) break;  // not enough live rows for every kind
      uint64_t row = (k * n) / kinds + n / (2 * kinds);
      // Move to the next live row not already taken.
      for (uint64_t step = 0; step < n; ++step, row = (row + 1) % n) {
        if (IsLive(row) && nasty_.find(row) == nasty_.end()) {
          nasty_.emplace(row, static_cast<NastyKind>(k));
          break;
        }
      }
    }
  }
}

bool TableGenerator::IsLive(uint64_t row) const {
  const uint64_t n = counts_.total();
  if (counts_.non_live == 0) return true;
  return (MulMod(perm_a_, row, n) + perm_b_) % n >= counts_.non_live;
}

std::optional<NastyKind> TableGenerator::NastyAt(uint64_t row) const {
  const auto it = nasty_.find(row);
  if (it == nasty_.end()) return std::nullopt;
  return it->second;
}

void TableGenerator::AppendRows(uint64_t begin, uint64_t end, std::string* out) const {
  for (uint64_t row = begin; row < end; ++row) {
    switch (table_) {
      case Table::kSuppliers:
        AppendSupplier(row, out);
        break;
      case Table::kProducts:
        AppendProduct(row, out);
        break;
      case Table::kPosts:
        AppendPost(row, out);
        break;
      case Table::kCourses:
        AppendCourse(row, out);
        break;
    }
  }
}

void TableGenerator::AppendSupplier(uint64_t row, std::string* out) const {
  Rng rng(options_.seed, static_cast<uint64_t>(table_) + 1, row);
  const bool live = IsLive(row);
  SupplierRow r;
  r.id = FormatId(table_, row);
  r.name = text_.SupplierName(rng);
  const City& city = text_.vocabulary().cities.Pick(rng);
  r.city = city.name;
  r.region = city.region;
  const std::vector<std::string> categories = text_.SupplierCategories(rng);
  r.categories = ToArray(categories);
  if (!rng.Chance(0.05)) r.description = text_.SupplierDescription(rng, city, categories);
  r.verified = rng.Chance(0.7);
  r.times = MakeTimes(rng, row, rows(), !live);
  if (const auto kind = NastyAt(row)) {
    Rng nasty_rng(options_.seed, 100 + static_cast<uint64_t>(table_), row);
    if (ReplacesText(*kind)) {
      r.name = NastyText(*kind, false, text_, nasty_rng);
      r.description = NastyText(*kind, true, text_, nasty_rng);
      r.city = NastyText(*kind, false, text_, nasty_rng);
      r.region =
          *kind == NastyKind::kVeryLong ? r.region : NastyText(*kind, false, text_, nasty_rng);
      if (*kind == NastyKind::kEmptyStrings) r.categories.clear();
      if (*kind == NastyKind::kEscapes) r.categories = EscapeTags();
      if (*kind == NastyKind::kEmoji || *kind == NastyKind::kUnicodeForms)
        r.categories.emplace_back(r.name);
    }
    if (*kind == NastyKind::kNulls) r.description.reset();
    if (*kind == NastyKind::kManyTags) r.categories = ManyTags();
    if (*kind == NastyKind::kExtremeValues) ApplyExtremeTimes(&r.times);
  }
  CopyLineBuilder b(out);
  b.Raw(r.id)
      .Text(r.name)
      .NullableText(r.description)
      .Text(r.city)
      .Text(r.region)
      .Array(r.categories)
      .Bool(r.verified);
  AppendTimes(b, r.times);
  b.End();
}

void TableGenerator::AppendProduct(uint64_t row, std::string* out) const {
  Rng rng(options_.seed, static_cast<uint64_t>(table_) + 1, row);
  const bool live = IsLive(row);
  ProductRow r;
  r.id = FormatId(table_, row);
  const size_t category = text_.PickCategory(rng);
  const size_t item = text_.PickProductItem(rng, category);
  r.name = text_.ProductName(rng, category, item);
  if (!rng.Chance(0.04)) r.description = text_.ProductDescription(rng, category, item);
  r.category = text_.vocabulary().categories[category].name;
  // Zipf over suppliers, scrambled so the busiest supplier is not always supp_0000001.
  const uint64_t rank = supplier_zipf_.Sample(rng);
  r.supplier_id = FormatId(Table::kSuppliers, (rank * 2654435761ULL + options_.seed) %
                                                  std::max<uint64_t>(suppliers_total_, 1));
  r.price_cents = text_.ProductPriceCents(rng, category);
  bool deleted = false;
  if (!live) {
    const double u = rng.Unit();
    deleted = u < 0.6;
    r.is_active = !(u >= 0.5);  // 50% deleted only, 10% both, 40% inactive only
  }
  r.times = MakeTimes(rng, row, rows(), deleted);
  if (const auto kind = NastyAt(row)) {
    Rng nasty_rng(options_.seed, 100 + static_cast<uint64_t>(table_), row);
    if (ReplacesText(*kind)) {
      r.name = NastyText(*kind, false, text_, nasty_rng);
      r.description = NastyText(*kind, true, text_, nasty_rng);
      r.category =
          *kind == NastyKind::kVeryLong ? r.category : NastyText(*kind, false, text_, nasty_rng);
    }
    if (*kind == NastyKind::kNulls) r.description.reset();
    if (*kind == NastyKind::kEmptyStrings) r.price_cents = 0;
    if (*kind == NastyKind::kExtremeValues) {
      r.price_cents = kMaxPriceCents;
      ApplyExtremeTimes(&r.times);
    }
  }
  CopyLineBuilder b(out);
  b.Raw(r.id)
      .Text(r.name)
      .NullableText(r.description)
      .Text(r.category)
      .Raw(r.supplier_id)
      .Raw(FormatPrice(r.price_cents))
      .Bool(r.is_active);
  AppendTimes(b, r.times);
  b.End();
}

void TableGenerator::AppendPost(uint64_t row, std::string* out) const {
  Rng rng(options_.seed, static_cast<uint64_t>(table_) + 1, row);
  const bool live = IsLive(row);
  PostRow r;
  r.id = FormatId(table_, row);
  r.title = text_.PostTitle(rng);
  r.content = text_.PostBody(rng);
  r.tags = ToArray(text_.PostTags(rng));
  char author[32];
  const uint64_t rank = author_zipf_.Sample(rng);
  std::snprintf(
      author, sizeof author, "user_%06llu",
      static_cast<unsigned long long>((rank * 2654435761ULL + options_.seed) % authors_ + 1));
  r.author_id = author;
  r.times = MakeTimes(rng, row, rows(), !live);
  if (const auto kind = NastyAt(row)) {
    Rng nasty_rng(options_.seed, 100 + static_cast<uint64_t>(table_), row);
    if (ReplacesText(*kind)) {
      r.title = NastyText(*kind, false, text_, nasty_rng);
      r.content = NastyText(*kind, true, text_, nasty_rng);
      if (*kind == NastyKind::kEmptyStrings) r.tags.clear();
      if (*kind == NastyKind::kEscapes) r.tags = EscapeTags();
      if (*kind == NastyKind::kEmoji || *kind == NastyKind::kUnicodeForms ||
          *kind == NastyKind::kSingleLetter) {
        r.tags = {r.title};
      }
    }
    if (*kind == NastyKind::kNulls) r.tags.clear();  // posts have no nullable text column
    if (*kind == NastyKind::kManyTags) r.tags = ManyTags();
    if (*kind == NastyKind::kExtremeValues) ApplyExtremeTimes(&r.times);
  }
  CopyLineBuilder b(out);
  b.Raw(r.id).Text(r.title).Text(r.content).Array(r.tags).Text(r.author_id);
  AppendTimes(b, r.times);
  b.End();
}

void TableGenerator::AppendCourse(uint64_t row, std::string* out) const {
  Rng rng(options_.seed, static_cast<uint64_t>(table_) + 1, row);
  const bool live = IsLive(row);
  CourseRow r;
  r.id = FormatId(table_, row);
  r.title = text_.CourseTitle(rng);
  r.instructor = text_.PersonName(rng);
  if (!rng.Chance(0.03)) r.description = text_.CourseDescription(rng, r.instructor);
  const double u = rng.Unit();
  r.level = u < 0.5 ? "iniciante" : u < 0.85 ? "intermediario" : "avancado";
  r.price_cents = rng.Chance(0.1) ? 0 : rng.Between(29, 1497) * 100 + (rng.Chance(0.7) ? 90 : 0);
  bool deleted = false;
  if (!live) {
    deleted = rng.Chance(0.4);
    r.published = deleted ? rng.Chance(0.5) : false;
  }
  r.times = MakeTimes(rng, row, rows(), deleted);
  if (const auto kind = NastyAt(row)) {
    Rng nasty_rng(options_.seed, 100 + static_cast<uint64_t>(table_), row);
    if (ReplacesText(*kind)) {
      r.title = NastyText(*kind, false, text_, nasty_rng);
      r.description = NastyText(*kind, true, text_, nasty_rng);
      r.instructor =
          *kind == NastyKind::kVeryLong ? r.instructor : NastyText(*kind, false, text_, nasty_rng);
    }
    if (*kind == NastyKind::kNulls) r.description.reset();
    if (*kind == NastyKind::kExtremeValues) {
      r.price_cents = kMaxPriceCents;
      ApplyExtremeTimes(&r.times);
    }
  }
  CopyLineBuilder b(out);
  b.Raw(r.id)
      .Text(r.title)
      .NullableText(r.description)
      .Text(r.level)
      .Text(r.instructor)
      .Raw(FormatPrice(r.price_cents))
      .Bool(r.published);
  AppendTimes(b, r.times);
  b.End();
}

}  // namespace busca::seed
