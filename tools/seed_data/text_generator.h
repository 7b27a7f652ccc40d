// TextGenerator: Portuguese titles, paragraphs, names and product listings for seed-data.
//
// A small grammar over Vocabulary: noun phrases with determiners that agree in gender and number
// (and contract with prepositions: de + o = do, em + a = na, a + a = à), subjects with the verb
// conjugated for their person in one of seven tenses, copular sentences with agreeing
// adjectives, questions, recipes, prices and the openers/closers of forum posts. Word choice is
// Zipf-weighted at every slot, so word frequencies have the long tail of real text.
//
// All output is a pure function of the Rng passed in. The generator holds only a reference to
// the immutable Vocabulary: const methods are safe to call from several threads at once.
#pragma once

#include <string>
#include <vector>

#include "tools/seed_data/random.h"
#include "tools/seed_data/vocabulary.h"

namespace busca::seed {

class TextGenerator {
 public:
  explicit TextGenerator(const Vocabulary& vocabulary = Vocabulary::Get()) : v_(vocabulary) {}

  // 3-10 words.
  std::string PostTitle(Rng& rng) const;
  // Sentences until the text has between min_words and max_words words.
  std::string PostBody(Rng& rng, int min_words = 20, int max_words = 200) const;
  // 0-5 distinct tags.
  std::vector<std::string> PostTags(Rng& rng) const;

  // Index into vocabulary().categories, Zipf-weighted.
  size_t PickCategory(Rng& rng) const;
  // Index into categories[category].items.
  size_t PickProductItem(Rng& rng, size_t category) const;
  std::string ProductName(Rng& rng, size_t category, size_t item) const;
  std::string ProductDescription(Rng& rng, size_t category, size_t item) const;
  // Price in cents for a product of `category`.
  int64_t ProductPriceCents(Rng& rng, size_t category) const;

  std::string SupplierName(Rng& rng) const;
  std::string SupplierDescription(Rng& rng, const City& city,
                                  const std::vector<std::string>& categories) const;
  // 1-4 distinct category names.
  std::vector<std::string> SupplierCategories(Rng& rng) const;

  // 3-10 words.
  std::string CourseTitle(Rng& rng) const;
  std::string CourseDescription(Rng& rng, const std::string& instructor) const;
  std::string PersonName(Rng& rng) const;

  // Running Portuguese text of about `words` words (used for very long nasty rows).
  std::string Paragraphs(Rng& rng, int words) const;

  const Vocabulary& vocabulary() const { return v_; }

 private:
  struct Phrase;
  enum class Det;
  enum class NounKind { kFood, kUtensil, kThing, kPlace, kTime };

  Phrase MakeNounPhrase(Rng& rng, NounKind kind, Det det, double plural_share) const;
  std::string Render(const Phrase& p) const;
  std::string WithPreposition(std::string_view prep, const Phrase& p) const;
  std::string Object(Rng& rng) const;
  std::string PrepositionalPhrase(Rng& rng) const;
  std::string Subject(Rng& rng, Person* person, Phrase* np) const;
  std::string VerbForm(Rng& rng, const Verb& verb, Person person) const;
  std::string FoodWithAdjective(Rng& rng) const;
  std::string Sentence(Rng& rng) const;
  std::string VendorSentence(Rng& rng) const;
  std::string Money(Rng& rng, int64_t min_cents, int64_t max_cents) const;

  const Vocabulary& v_;
};

// Uppercases the first letter (ASCII or Latin-1 accented lowercase in UTF-8).
std::string CapitalizeFirst(std::string s);
// Lowercases the first letter (the inverse of CapitalizeFirst).
std::string LowercaseFirst(std::string s);
// Number of space-separated words.
int CountWords(std::string_view text);

}  // namespace busca::seed
