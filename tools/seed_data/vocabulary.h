// Vocabulary: the Portuguese words seed-data writes with, and the morphology that inflects them.
//
// Word lists are kept roughly in order of how common each word is in a Brazilian food
// marketplace; TextGenerator draws from them with Zipf-weighted ranks, which gives the
// long-tailed word frequencies of real text. Nouns carry gender and plural, adjectives agree
// in gender and number, verbs are conjugated (regular -ar/-er/-ir verbs by rule, with the
// orthographic changes ficar -> fiquei, conhecer -> conheço; irregular verbs from tables) in
// seven tenses and four persons, so the text has the plurals, accents and verb forms that
// stemming and accent folding have to deal with.
//
// Vocabulary::Get() builds the lists once (thread-safe static initialisation); the object is
// immutable afterwards and may be shared by any number of threads.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "tools/seed_data/random.h"

namespace busca::seed {

enum class Gender { kMasculine, kFeminine };
enum class Number { kSingular, kPlural };

// Moods/tenses we conjugate. Persons: eu (1s), ele/você/a gente (3s), nós (1p), eles/vocês (3p).
enum Tense {
  kPresent,
  kPreterite,
  kImperfect,
  kFuture,
  kConditional,
  kSubjunctivePresent,
  kSubjunctiveImperfect,
  kTenseCount
};
enum Person { k1s, k3s, k1p, k3p, kPersonCount };

struct Noun {
  std::string singular;
  std::string plural;
  Gender gender = Gender::kMasculine;
  const std::string& Form(Number n) const { return n == Number::kSingular ? singular : plural; }
};

struct Adjective {
  std::array<std::string, 4> forms;  // ms, fs, mp, fp
  const std::string& Form(Gender g, Number n) const {
    return forms[(g == Gender::kFeminine ? 1 : 0) + (n == Number::kPlural ? 2 : 0)];
  }
};

struct Verb {
  std::string infinitive;
  std::array<std::array<std::string, kPersonCount>, kTenseCount> forms;
  std::string gerund;
  std::string participle;
  bool transitive = true;
};

struct City {
  std::string name;
  std::string state;   // UF, e.g. "MG"
  std::string region;  // Sudeste, Sul, Nordeste, Norte, Centro-Oeste
};

// A product category: its name (the `category` column) and the goods sold under it.
struct ProductCategory {
  std::string name;
  std::vector<Noun> items;
  std::vector<std::string> sizes;  // "1 kg", "caixa com 12 unidades", ...
  double min_price = 1;
  double max_price = 100;
};

// A list with its Zipf table (rank 0 = most frequent).
template <typename T>
struct RankedList {
  std::vector<T> items;
  ZipfTable zipf;
  const T& Pick(Rng& rng) const { return items[zipf.Sample(rng)]; }
  size_t size() const { return items.size(); }
};

class Vocabulary {
 public:
  // The built-in vocabulary (no dictionary tail).
  static const Vocabulary& Get();
  // The built-in vocabulary plus a long tail of rare words read from a word list such as
  // /usr/share/dict/brazilian (package wbrazilian): its lowercase words with typical noun or
  // adjective endings (-ção, -dade, -mento, -ismo, -oso, -ável, ...), in a fixed pseudo-random
  // order (independent of the dataset seed) and Zipf-ranked. Real text has a long tail of rare
  // terms; the built-in lists alone give only ~2,000 distinct stems.
  static Result<std::shared_ptr<const Vocabulary>> WithDictionary(const std::string& path);

  RankedList<std::string> tail_nouns;       // empty without a dictionary
  RankedList<std::string> tail_adjectives;  // empty without a dictionary

  RankedList<Noun> foods;     // ingredients and dishes: pão de queijo, açúcar, café, tomate...
  RankedList<Noun> utensils;  // forma, batedeira, espátula...
  RankedList<Noun> things;    // everyday business nouns: cliente, pedido, entrega, preço...
  RankedList<Noun> places;    // feira, mercado, padaria...
  RankedList<Noun> times;     // semana, mês, dia...
  RankedList<Adjective> adjectives;
  RankedList<Adjective> food_adjectives;  // gostoso, crocante, macio...
  RankedList<Verb> verbs;                 // all verbs; transitive ones for sentences with an object
  RankedList<Verb> transitive_verbs;
  RankedList<std::string> adverbs;
  RankedList<std::string> openers;      // "Olá, pessoal!", "Bom dia a todos."
  RankedList<std::string> closers;      // "Obrigado pela ajuda!", "Abraços."
  RankedList<std::string> connectives;  // "Depois disso,", "Na semana passada,"...
  RankedList<City> cities;
  RankedList<std::string> first_names;
  RankedList<std::string> surnames;
  RankedList<std::string> post_tags;
  std::vector<ProductCategory> categories;  // ranked by share of products
  ZipfTable category_zipf;
  RankedList<std::string> product_qualifiers;  // "tipo exportação", "premium", "da fazenda"...
  RankedList<std::string> supplier_kinds;      // Distribuidora, Empório, Laticínios...
  RankedList<std::string> supplier_names;      // São Jorge, Boa Vista, Serra Verde...
  RankedList<std::string> supplier_suffixes;   // Ltda, ME, & Filhos...
  RankedList<std::string> course_kinds;        // Curso completo de, Oficina de...
  RankedList<std::string> course_topics;       // confeitaria, pães de fermentação natural...
  RankedList<std::string> course_subtitles;    // do básico ao avançado...

 private:
  Vocabulary();
};

// Plural of a Portuguese noun or adjective by the regular rules (pão and the other irregular
// -ão words are listed with explicit plurals in the data): promoção -> promoções,
// pastel -> pastéis, fácil -> fáceis, colher -> colheres, marrom -> marrons.
std::string Pluralize(std::string_view singular);

// Conjugates a regular verb (infinitive in -ar, -er, -ir). `first_person` overrides the present
// 1st person singular (sigo, prefiro) from which the present subjunctive is formed;
// `participle` overrides the regular participle (aberto). Empty = regular.
Verb ConjugateRegular(std::string_view infinitive, std::string_view first_person = {},
                      std::string_view participle = {});

}  // namespace busca::seed
