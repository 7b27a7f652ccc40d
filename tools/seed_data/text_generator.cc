// TextGenerator: the grammar that turns Vocabulary into Portuguese text.
#include "tools/seed_data/text_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace busca::seed {

enum class TextGenerator::Det {
  kNone,
  kDefinite,
  kIndefinite,
  kPossessive,
  kDemonstrative,
  kQuantity,
  kAny
};

struct TextGenerator::Phrase {
  Det det = Det::kNone;
  std::string determiner;  // "o", "minhas", "três", "" (for kNone)
  std::string rest;        // noun with its adjective/complement
  Gender gender = Gender::kMasculine;
  Number number = Number::kSingular;
};

namespace {

const char* Pick(Rng& rng, std::initializer_list<const char*> items) {
  return items.begin()[rng.Below(items.size())];
}

// Article forms indexed [gender][number].
const char* kDefinite[2][2] = {{"o", "os"}, {"a", "as"}};
const char* kIndefinite[2][2] = {{"um", "uns"}, {"uma", "umas"}};

int G(Gender g) { return g == Gender::kFeminine ? 1 : 0; }
int N(Number n) { return n == Number::kPlural ? 1 : 0; }

}  // namespace

std::string CapitalizeFirst(std::string s) {
  if (s.empty()) return s;
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (c0 >= 'a' && c0 <= 'z') {
    s[0] = static_cast<char>(c0 - 32);
  } else if (c0 == 0xC3 && s.size() > 1) {
    const auto c1 = static_cast<unsigned char>(s[1]);
    if (c1 >= 0xA0 && c1 <= 0xBE && c1 != 0xB7)
      s[1] = static_cast<char>(c1 - 0x20);  // à..þ -> À..Þ
  }
  return s;
}

std::string LowercaseFirst(std::string s) {
  if (s.empty()) return s;
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (c0 >= 'A' && c0 <= 'Z') {
    s[0] = static_cast<char>(c0 + 32);
  } else if (c0 == 0xC3 && s.size() > 1) {
    const auto c1 = static_cast<unsigned char>(s[1]);
    if (c1 >= 0x80 && c1 <= 0x9E && c1 != 0x97) s[1] = static_cast<char>(c1 + 0x20);
  }
  return s;
}

int CountWords(std::string_view text) {
  int words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

TextGenerator::Phrase TextGenerator::MakeNounPhrase(Rng& rng, NounKind kind, Det det,
                                                    double plural_share) const {
  const RankedList<Noun>* list = &v_.things;
  switch (kind) {
    case NounKind::kFood:
      list = &v_.foods;
      break;
    case NounKind::kUtensil:
      list = &v_.utensils;
      break;
    case NounKind::kThing:
      list = &v_.things;
      break;
    case NounKind::kPlace:
      list = &v_.places;
      break;
    case NounKind::kTime:
      list = &v_.times;
      break;
  }
  const Noun& noun = list->Pick(rng);
  Phrase p;
  p.gender = noun.gender;
  p.number = rng.Chance(plural_share) ? Number::kPlural : Number::kSingular;
  if (det == Det::kAny) {
    const double u = rng.Unit();
    det = u < 0.45   ? Det::kDefinite
          : u < 0.62 ? Det::kIndefinite
          : u < 0.74 ? Det::kPossessive
          : u < 0.82 ? Det::kDemonstrative
          : u < 0.92 ? Det::kQuantity
                     : Det::kNone;
  }
  p.det = det;
  const int g = G(p.gender);
  switch (det) {
    case Det::kNone:
      break;
    case Det::kDefinite:
      p.determiner = kDefinite[g][N(p.number)];
      break;
    case Det::kIndefinite:
      p.determiner = kIndefinite[g][N(p.number)];
      break;
    case Det::kPossessive: {
      static const char* kPossessives[3][2][2] = {{{"meu", "meus"}, {"minha", "minhas"}},
                                                  {{"nosso", "nossos"}, {"nossa", "nossas"}},
                                                  {{"seu", "seus"}, {"sua", "suas"}}};
      p.determiner = kPossessives[rng.Below(3)][g][N(p.number)];
      break;
    }
    case Det::kDemonstrative: {
      static const char* kDemonstratives[3][2][2] = {
          {{"esse", "esses"}, {"essa", "essas"}},
          {{"este", "estes"}, {"esta", "estas"}},
          {{"aquele", "aqueles"}, {"aquela", "aquelas"}}};
      p.determiner = kDemonstratives[rng.Below(3)][g][N(p.number)];
      break;
    }
    case Det::kQuantity: {
      if (p.number == Number::kSingular) {
        static const char* kSingular[3][2] = {
            {"cada", "cada"}, {"outro", "outra"}, {"todo o", "toda a"}};
        p.determiner = kSingular[rng.Below(3)][g];
      } else {
        static const char* kPlural[9][2] = {
            {"dois", "duas"},     {"três", "três"},     {"quatro", "quatro"},
            {"cinco", "cinco"},   {"dez", "dez"},       {"alguns", "algumas"},
            {"muitos", "muitas"}, {"vários", "várias"}, {"poucos", "poucas"}};
        p.determiner = kPlural[rng.Below(9)][g];
      }
      break;
    }
    case Det::kAny:
      break;
  }
  p.rest = noun.Form(p.number);
  if (!v_.tail_adjectives.items.empty() && rng.Chance(0.06)) {
    p.rest += ' ';
    p.rest += v_.tail_adjectives.Pick(rng);
  } else if (!v_.tail_nouns.items.empty() && rng.Chance(0.08)) {
    p.rest += " de ";
    p.rest += v_.tail_nouns.Pick(rng);
  } else if (rng.Chance(0.35)) {
    const Adjective& adj = (kind == NounKind::kFood && rng.Chance(0.7))
                               ? v_.food_adjectives.Pick(rng)
                               : v_.adjectives.Pick(rng);
    p.rest += ' ';
    p.rest += adj.Form(p.gender, p.number);
  } else if ((kind == NounKind::kThing || kind == NounKind::kUtensil) && rng.Chance(0.25)) {
    p.rest += " de ";
    p.rest += v_.foods.Pick(rng).singular;
  }
  return p;
}

std::string TextGenerator::Render(const Phrase& p) const {
  if (p.determiner.empty()) return p.rest;
  return p.determiner + " " + p.rest;
}

std::string TextGenerator::WithPreposition(std::string_view prep, const Phrase& p) const {
  if (p.det == Det::kDefinite) {
    const int g = G(p.gender), n = N(p.number);
    static const char* kDe[2][2] = {{"do", "dos"}, {"da", "das"}};
    static const char* kEm[2][2] = {{"no", "nos"}, {"na", "nas"}};
    static const char* kPor[2][2] = {{"pelo", "pelos"}, {"pela", "pelas"}};
    static const char* kA[2][2] = {{"ao", "aos"}, {"à", "às"}};
    const char* contracted = nullptr;
    if (prep == "de")
      contracted = kDe[g][n];
    else if (prep == "em")
      contracted = kEm[g][n];
    else if (prep == "por")
      contracted = kPor[g][n];
    else if (prep == "a")
      contracted = kA[g][n];
    if (contracted != nullptr) return std::string(contracted) + " " + p.rest;
  }
  return std::string(prep) + " " + Render(p);
}

std::string TextGenerator::Object(Rng& rng) const {
  const double u = rng.Unit();
  const NounKind kind = u < 0.55   ? NounKind::kFood
                        : u < 0.75 ? NounKind::kUtensil
                                   : NounKind::kThing;
  return Render(MakeNounPhrase(rng, kind, Det::kAny, 0.35));
}

std::string TextGenerator::PrepositionalPhrase(Rng& rng) const {
  switch (rng.Below(8)) {
    case 0:
      return WithPreposition("em", MakeNounPhrase(rng, NounKind::kPlace, Det::kDefinite, 0.15));
    case 1:
      return "em " + v_.cities.Pick(rng).name;
    case 2:
      return WithPreposition("para", MakeNounPhrase(rng, NounKind::kThing, Det::kAny, 0.3));
    case 3:
      return WithPreposition("com", MakeNounPhrase(rng, NounKind::kFood, Det::kAny, 0.4));
    case 4:
      return "sem " + v_.foods.Pick(rng).singular;
    case 5:
      return WithPreposition("de", MakeNounPhrase(rng, NounKind::kPlace, Det::kDefinite, 0.1));
    case 6: {
      const Noun& t = v_.times.Pick(rng);
      return std::string(t.gender == Gender::kFeminine
                             ? Pick(rng, {"nesta ", "na próxima ", "na última ", "toda "})
                             : Pick(rng, {"neste ", "no próximo ", "no último ", "todo "})) +
             t.singular;
    }
    default:
      return WithPreposition("por", MakeNounPhrase(rng, NounKind::kThing, Det::kDefinite, 0.2));
  }
}

std::string TextGenerator::Subject(Rng& rng, Person* person, Phrase* np) const {
  const double u = rng.Unit();
  if (u < 0.30) {
    *person = k1s;
    return rng.Chance(0.5) ? "eu" : "";
  }
  if (u < 0.45) {
    *person = k1p;
    return rng.Chance(0.4) ? "nós" : "";
  }
  if (u < 0.55) {
    *person = k3p;
    return Pick(rng,
                {"vocês", "eles", "elas", "os clientes", "meus filhos", "as meninas da equipe"});
  }
  if (u < 0.65) {
    *person = k3s;
    return Pick(rng, {"a gente", "você", "ela", "ele", "minha mãe", "minha sócia", "o pessoal"});
  }
  Phrase p = MakeNounPhrase(rng, rng.Chance(0.5) ? NounKind::kThing : NounKind::kFood,
                            rng.Chance(0.6) ? Det::kDefinite : Det::kPossessive, 0.3);
  *person = p.number == Number::kPlural ? k3p : k3s;
  if (np != nullptr) *np = p;
  return Render(p);
}

std::string TextGenerator::VerbForm(Rng& rng, const Verb& verb, Person person) const {
  const double u = rng.Unit();
  const Tense t = u < 0.38   ? kPresent
                  : u < 0.72 ? kPreterite
                  : u < 0.82 ? kImperfect
                  : u < 0.91 ? kFuture
                             : kConditional;
  return verb.forms[t][person];
}

std::string TextGenerator::FoodWithAdjective(Rng& rng) const {
  const Noun& n = v_.foods.Pick(rng);
  const Adjective& a = v_.food_adjectives.Pick(rng);
  return n.singular + " " + a.Form(n.gender, Number::kSingular);
}

std::string TextGenerator::Money(Rng& rng, int64_t min_cents, int64_t max_cents) const {
  // Brazilian format: R$ 1.234,56.
  const int64_t cents = rng.Between(min_cents, max_cents);
  std::string reais = std::to_string(cents / 100);
  for (int pos = static_cast<int>(reais.size()) - 3; pos > 0; pos -= 3)
    reais.insert(static_cast<size_t>(pos), ".");
  char frac[8];
  std::snprintf(frac, sizeof frac, ",%02lld", static_cast<long long>(cents % 100));
  return "R$ " + reais + frac;
}

std::string TextGenerator::Sentence(Rng& rng) const {
  std::string s;
  const double u = rng.Unit();
  if (u < 0.30) {  // Subject + transitive verb + object [+ PP] [+ adverb].
    Person person;
    const std::string subject = Subject(rng, &person, nullptr);
    if (!subject.empty()) s = subject + " ";
    s += VerbForm(rng, v_.transitive_verbs.Pick(rng), person) + " " + Object(rng);
    if (rng.Chance(0.6)) s += " " + PrepositionalPhrase(rng);
    if (rng.Chance(0.3)) s += " " + v_.adverbs.Pick(rng);
    s += ".";
  } else if (u < 0.45) {  // Copula + agreeing adjective.
    Phrase np = MakeNounPhrase(rng, rng.Chance(0.7) ? NounKind::kFood : NounKind::kThing,
                               rng.Chance(0.7) ? Det::kDefinite : Det::kPossessive, 0.3);
    const Person person = np.number == Number::kPlural ? k3p : k3s;
    const Verb& copula = v_.verbs.items[rng.Below(2)];  // ser, estar
    const std::string verb = rng.Chance(0.5)
                                 ? copula.forms[rng.Chance(0.5) ? kPresent : kImperfect][person]
                                 : std::string(person == k3s ? "ficou" : "ficaram");
    const Adjective& adj = rng.Chance(0.6) ? v_.food_adjectives.Pick(rng) : v_.adjectives.Pick(rng);
    s = Render(np) + " " + verb + " " +
        (rng.Chance(0.5)
             ? std::string(Pick(rng, {"muito ", "bem ", "super ", "bastante ", "meio ", "tão "}))
             : "") +
        adj.Form(np.gender, np.number);
    if (rng.Chance(0.4)) s += " " + PrepositionalPhrase(rng);
    s += rng.Chance(0.15) ? "!" : ".";
  } else if (u < 0.57) {  // Questions.
    switch (rng.Below(7)) {
      case 0:
        s = "Alguém sabe onde " +
            std::string(Pick(rng, {"comprar", "encontrar", "achar", "vender"})) + " " +
            Object(rng) + " em " + v_.cities.Pick(rng).name + "?";
        break;
      case 1:
        s = "Alguém já " + v_.transitive_verbs.Pick(rng).forms[kPreterite][k3s] + " " +
            Object(rng) + "?";
        break;
      case 2:
        s = "Vale a pena " + v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + "?";
        break;
      case 3:
        s = "Qual é o melhor " + std::string(Pick(rng, {"jeito", "fornecedor", "preço", "lugar"})) +
            " para " + v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + "?";
        break;
      case 4:
        s = "Quanto vocês cobram " +
            WithPreposition("por", MakeNounPhrase(rng, NounKind::kFood, Det::kDefinite, 0.2)) + "?";
        break;
      case 5:
        s = "Como vocês " + v_.transitive_verbs.Pick(rng).forms[kPresent][k3p] + " " + Object(rng) +
            "?";
        break;
      default:
        s = "Vocês " + std::string(Pick(rng, {"recomendam", "conhecem", "usam", "indicam"})) + " " +
            Object(rng) + " " + PrepositionalPhrase(rng) + "?";
        break;
    }
  } else if (u < 0.65) {  // Needs.
    s = std::string(
            Pick(rng, {"Preciso de ", "Estou precisando de ", "Procuro ", "Estamos procurando "})) +
        Object(rng) + " para " + v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + ".";
  } else if (u < 0.72) {  // Prices.
    switch (rng.Below(3)) {
      case 0:
        s = std::string(Pick(rng, {"Comprei ", "Paguei ", "Encontrei "})) + Object(rng) + " por " +
            Money(rng, 150, 9900) + " " +
            Pick(rng, {"o quilo", "a unidade", "o pacote", "a caixa", "a dúzia"}) + ".";
        break;
      case 1:
        s = std::string(Pick(rng, {"Vendemos ", "Vendo ", "Estamos vendendo "})) + Object(rng) +
            " a " + Money(rng, 200, 25000) + " " +
            Pick(rng, {"o cento", "a unidade", "o quilo", "a fatia"}) + ".";
        break;
      default:
        s = "O preço " +
            WithPreposition("de", MakeNounPhrase(rng, NounKind::kFood, Det::kDefinite, 0.3)) + " " +
            Pick(rng, {"subiu", "caiu", "aumentou", "dobrou"}) + " " +
            std::to_string(rng.Between(3, 60)) + "% " +
            Pick(rng, {"este mês", "no último ano", "desde janeiro", "na última semana"}) + ".";
        break;
    }
  } else if (u < 0.79) {  // Recipes.
    switch (rng.Below(3)) {
      case 0:
        s = "Minha receita de " + v_.foods.Pick(rng).singular + " leva " +
            std::to_string(rng.Between(1, 4)) + " " +
            Pick(rng, {"xícaras", "colheres", "copos", "pitadas"}) + " de " +
            v_.foods.Pick(rng).singular + ", " + std::to_string(rng.Between(2, 6)) + " ovos e " +
            v_.foods.Pick(rng).singular + " a gosto.";
        break;
      case 1:
        s = std::string(Pick(rng, {"Asse", "Deixe assar", "Leve ao forno"})) + " por " +
            std::to_string(rng.Between(2, 12) * 5) + " minutos a " +
            std::to_string(rng.Between(16, 22) * 10) + " graus.";
        break;
      default:
        s = std::string(Pick(rng, {"Misture", "Bata", "Mexa"})) + " " +
            v_.foods.Pick(rng).singular + " com " + v_.foods.Pick(rng).singular + " até ficar " +
            v_.food_adjectives.Pick(rng).forms[0] + ".";
        break;
    }
  } else if (u < 0.85) {  // Conditional / subjunctive.
    Person person;
    std::string subject = Subject(rng, &person, nullptr);
    const Verb& v1 = v_.transitive_verbs.Pick(rng);
    const Verb& v2 = v_.transitive_verbs.Pick(rng);
    if (rng.Chance(0.5)) {
      s = "Se " + (subject.empty() ? "" : subject + " ") + v1.forms[kSubjunctiveImperfect][person] +
          " " + Object(rng) + ", " + v2.forms[kConditional][person] + " " + Object(rng) + ".";
    } else {
      s = std::string(Pick(rng, {"Espero que ", "Tomara que ", "É importante que ", "Talvez "})) +
          (subject.empty() ? "" : subject + " ") + v1.forms[kSubjunctivePresent][person] + " " +
          Object(rng) + ".";
    }
  } else if (u < 0.92) {  // Gerund and periphrastic future.
    const Verb& v = v_.transitive_verbs.Pick(rng);
    if (rng.Chance(0.5)) {
      s = std::string(Pick(rng, {"Estou ", "Estamos ", "Ando ", "Continuo "})) + v.gerund + " " +
          Object(rng) + " " + PrepositionalPhrase(rng) + ".";
    } else {
      s = std::string(Pick(rng, {"Vou ", "Vamos ", "Quero ", "Pretendo ", "Preciso "})) +
          v.infinitive + " " + Object(rng) + " " + v_.adverbs.Pick(rng) + ".";
    }
  } else if (u < 0.95 && !v_.tail_nouns.items.empty()) {  // Rare topics.
    s = std::string(Pick(rng, {"Falamos sobre ", "O tema da semana foi ", "Alguém entende de ",
                               "Estou lendo sobre ", "Tenho interesse em "})) +
        v_.tail_nouns.Pick(rng) + " e " + v_.tail_nouns.Pick(rng) + ".";
  } else {  // Intransitive verb.
    Person person;
    const std::string subject = Subject(rng, &person, nullptr);
    const Verb& v = v_.verbs.Pick(rng);
    s = (subject.empty() ? "" : subject + " ") + VerbForm(rng, v, person) + " " +
        v_.adverbs.Pick(rng);
    if (rng.Chance(0.5)) s += " " + PrepositionalPhrase(rng);
    s += ".";
  }
  return CapitalizeFirst(std::move(s));
}

std::string TextGenerator::PostTitle(Rng& rng) const {
  std::string t;
  switch (rng.Below(10)) {
    case 0:
      t = std::string(
              Pick(rng, {"Dúvida sobre ", "Ajuda com ", "Problema com ", "Opinião sobre "})) +
          Object(rng);
      break;
    case 1:
      t = "Como " + v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + "?";
      break;
    case 2:
      t = "Onde " + std::string(Pick(rng, {"comprar", "encontrar", "vender"})) + " " +
          v_.foods.Pick(rng).plural + " em " + v_.cities.Pick(rng).name + "?";
      break;
    case 3:
      t = "Receita de " + FoodWithAdjective(rng);
      break;
    case 4:
      t = Object(rng) + ": vale a pena?";
      break;
    case 5:
      t = "Minha experiência com " + Object(rng);
      break;
    case 6:
      t = "Dica: " + v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + " " +
          PrepositionalPhrase(rng);
      break;
    case 7:
      t = "Alguém " + v_.transitive_verbs.Pick(rng).forms[kPresent][k3s] + " " + Object(rng) + "?";
      break;
    case 8:
      t = "Fornecedor de " + v_.foods.Pick(rng).singular + " em " + v_.cities.Pick(rng).name;
      break;
    default:
      t = v_.transitive_verbs.Pick(rng).forms[kPreterite][k1s] + " " + Object(rng) + " " +
          Pick(rng, {"pela primeira vez", "de novo", "e deu certo", "e não gostei"});
      break;
  }
  // Clamp to 3..10 words.
  int words = CountWords(t);
  while (words < 3) {
    t += " em " + v_.cities.Pick(rng).name;
    words = CountWords(t);
  }
  if (words > 10) {
    size_t pos = 0;
    for (int w = 0; w < 10; ++w) {
      pos = t.find(' ', pos + 1);
    }
    const bool question = t.back() == '?';
    t.resize(pos);
    while (!t.empty() && (t.back() == ',' || t.back() == ':')) t.pop_back();
    if (question) t += '?';
  }
  return CapitalizeFirst(std::move(t));
}

std::string TextGenerator::PostBody(Rng& rng, int min_words, int max_words) const {
  const double u = rng.Unit();
  const int target = min_words + static_cast<int>((max_words - min_words) * u * u);
  std::string body;
  int words = 0;
  auto add = [&](const std::string& sentence, bool paragraph_break) {
    if (!body.empty()) body += paragraph_break ? "\n\n" : " ";
    body += sentence;
    words += CountWords(sentence);
  };
  if (rng.Chance(0.35)) add(v_.openers.Pick(rng), false);
  while (words < target) {
    std::string s = Sentence(rng);
    if (rng.Chance(0.12)) {
      s = v_.connectives.Pick(rng) + " " + LowercaseFirst(std::move(s));
    }
    const int w = CountWords(s);
    if (words + w > max_words) {
      if (words >= min_words) break;
      // Cut the sentence so the body ends exactly at max_words.
      size_t pos = 0;
      for (int i = 0; i < max_words - words; ++i) pos = s.find(' ', pos + 1);
      s.resize(pos);
      s += ".";
    }
    add(s, words > 0 && rng.Chance(0.12));
  }
  if (words < max_words - 6 && rng.Chance(0.3)) add(v_.closers.Pick(rng), false);
  return body;
}

std::vector<std::string> TextGenerator::PostTags(Rng& rng) const {
  const int n = static_cast<int>(rng.Below(6));
  std::vector<std::string> tags;
  for (int i = 0; i < n * 2 && static_cast<int>(tags.size()) < n; ++i) {
    const std::string& t = v_.post_tags.Pick(rng);
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  }
  return tags;
}

size_t TextGenerator::PickCategory(Rng& rng) const { return v_.category_zipf.Sample(rng); }

size_t TextGenerator::PickProductItem(Rng& rng, size_t category) const {
  return rng.Below(v_.categories[category].items.size());
}

std::string TextGenerator::ProductName(Rng& rng, size_t category, size_t item_index) const {
  const ProductCategory& c = v_.categories[category];
  const Noun& item = c.items[item_index];
  std::string name = item.singular;
  if (rng.Chance(0.4)) name += " " + v_.product_qualifiers.Pick(rng);
  if (rng.Chance(0.12)) {
    name += " " + v_.supplier_names.Pick(rng);
  }
  if (rng.Chance(0.85)) name += " " + c.sizes[rng.Below(c.sizes.size())];
  return CapitalizeFirst(std::move(name));
}

std::string TextGenerator::ProductDescription(Rng& rng, size_t category, size_t item_index) const {
  const ProductCategory& c = v_.categories[category];
  const Noun& item = c.items[item_index];
  std::string d;
  auto add = [&](const std::string& s) {
    if (!d.empty()) d += ' ';
    d += s;
  };
  switch (rng.Below(4)) {
    case 0:
      add(CapitalizeFirst(item.singular) + " de excelente qualidade, ideal para " +
          v_.transitive_verbs.Pick(rng).infinitive + " " + Object(rng) + ".");
      break;
    case 1:
      add(CapitalizeFirst(item.singular) + " " +
          v_.food_adjectives.Pick(rng).Form(item.gender, Number::kSingular) +
          (item.gender == Gender::kFeminine ? ", produzida em " : ", produzido em ") +
          v_.cities.Pick(rng).name + ".");
      break;
    case 2:
      add(std::string(item.gender == Gender::kFeminine ? "Nossa " : "Nosso ") + item.singular +
          " é " + Pick(rng, {"o preferido", "o mais vendido", "campeão de vendas", "a escolha"}) +
          " " +
          Pick(rng, {"das padarias", "dos confeiteiros", "das lanchonetes", "dos restaurantes"}) +
          " da região.");
      break;
    default:
      add(CapitalizeFirst(item.plural) + " " +
          v_.adjectives.Pick(rng).Form(item.gender, Number::kPlural) + " para " +
          Pick(rng, {"padarias, confeitarias e lanchonetes", "uso doméstico e profissional",
                     "revenda", "buffets e eventos"}) +
          ".");
      break;
  }
  const int extra = static_cast<int>(rng.Below(4));
  bool used[6] = {};
  for (int i = 0; i < extra; ++i) {
    const uint64_t c = rng.Below(6);
    if (c <= 2 && used[c]) continue;  // each fact at most once
    used[c] = true;
    switch (c) {
      case 0:
        add("Validade de " + std::to_string(rng.Between(2, 24)) + " meses.");
        break;
      case 1:
        add(Pick(rng,
                 {"Conservar em local seco e arejado.", "Manter refrigerado entre 2 e 8 graus.",
                  "Manter congelado a -18 graus.", "Após aberto, consumir em até 5 dias."}));
        break;
      case 2:
        add(Pick(rng, {"Enviamos para todo o Brasil.", "Entrega em até 48 horas na capital.",
                       "Frete grátis acima de R$ 300,00.", "Retirada na loja sem custo."}));
        break;
      default:
        add(VendorSentence(rng));
        break;
    }
  }
  return d;
}

int64_t TextGenerator::ProductPriceCents(Rng& rng, size_t category) const {
  const ProductCategory& c = v_.categories[category];
  // Log-uniform between min and max, rounded to the usual ,90 / ,99 / ,50 / ,00 endings.
  const double lo = std::log(c.min_price), hi = std::log(c.max_price);
  const double price = std::exp(lo + (hi - lo) * rng.Unit());
  int64_t reais = static_cast<int64_t>(price);
  static const int kEndings[] = {90, 99, 50, 0, 49, 95, 80, 10};
  const int64_t cents = reais * 100 + kEndings[rng.Below(8)];
  return std::max<int64_t>(cents, 99);
}

std::string TextGenerator::VendorSentence(Rng& rng) const {
  switch (rng.Below(4)) {
    case 0:
      return CapitalizeFirst(
          std::string(Pick(rng, {"trabalhamos com ", "oferecemos ", "vendemos ", "entregamos "})) +
          Object(rng) + " " + PrepositionalPhrase(rng) + ".");
    case 1:
      return "Aceitamos " +
             std::string(Pick(rng, {"pix, cartão e boleto", "cartão de crédito em até 3 vezes",
                                    "pix com 5% de desconto", "vale-refeição"})) +
             ".";
    case 2:
      return CapitalizeFirst(Render(MakeNounPhrase(rng, NounKind::kFood, Det::kIndefinite, 0.0))) +
             " " + Pick(rng, {"disponível", "sob encomenda", "em estoque", "com pronta entrega"}) +
             ".";
    default:
      return Sentence(rng);
  }
}

std::string TextGenerator::SupplierName(Rng& rng) const {
  std::string name = v_.supplier_kinds.Pick(rng) + " " + v_.supplier_names.Pick(rng);
  const std::string& suffix = v_.supplier_suffixes.Pick(rng);
  if (!suffix.empty()) name += " " + suffix;
  return name;
}

std::vector<std::string> TextGenerator::SupplierCategories(Rng& rng) const {
  const int n = 1 + static_cast<int>(rng.Below(4));
  std::vector<std::string> out;
  for (int i = 0; i < n * 3 && static_cast<int>(out.size()) < n; ++i) {
    const std::string& c = v_.categories[PickCategory(rng)].name;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

std::string TextGenerator::SupplierDescription(Rng& rng, const City& city,
                                               const std::vector<std::string>& categories) const {
  std::string d =
      std::string(Pick(rng, {"Fornecemos ", "Distribuímos ", "Produzimos ", "Vendemos "}));
  d += categories.empty() ? "alimentos" : categories[0];
  for (size_t i = 1; i < categories.size(); ++i)
    d += (i + 1 == categories.size() ? " e " : ", ") + categories[i];
  d += " para " +
       std::string(Pick(rng, {"padarias, confeitarias e restaurantes", "mercados e empórios",
                              "buffets e lanchonetes", "pequenos negócios"}));
  d += " de " + city.name + " e região desde " + std::to_string(rng.Between(1978, 2023)) + ".";
  const int extra = static_cast<int>(rng.Below(5));
  bool used[5] = {};
  for (int i = 0; i < extra; ++i) {
    const uint64_t c = rng.Below(5);
    if (c <= 2 && used[c]) continue;  // each fact at most once
    used[c] = true;
    switch (c) {
      case 0:
        d += " Entregamos em toda a região " + city.region + ".";
        break;
      case 1:
        d += " Pedido mínimo de " + Money(rng, 10000, 150000) + ".";
        break;
      case 2:
        d += " " +
             std::string(
                 Pick(rng, {"Empresa familiar, com", "Somos uma equipe de", "Contamos com"})) +
             " " + std::to_string(rng.Between(3, 120)) + " funcionários.";
        break;
      default:
        d += " " + VendorSentence(rng);
        break;
    }
  }
  return d;
}

std::string TextGenerator::CourseTitle(Rng& rng) const {
  std::string t = v_.course_kinds.Pick(rng) + " " + v_.course_topics.Pick(rng);
  if (rng.Chance(0.5)) t += ": " + v_.course_subtitles.Pick(rng);
  // Clamp to 10 words (kinds + topics + subtitles are at most 3 + 5 + 4).
  if (CountWords(t) > 10) {
    size_t pos = 0;
    for (int w = 0; w < 10; ++w) pos = t.find(' ', pos + 1);
    t.resize(pos);
  }
  return t;
}

std::string TextGenerator::CourseDescription(Rng& rng, const std::string& instructor) const {
  std::string d = "Neste curso você vai aprender a " + v_.transitive_verbs.Pick(rng).infinitive +
                  " " + Object(rng) + " e a " + v_.transitive_verbs.Pick(rng).infinitive + " " +
                  Object(rng) + ".";
  const int extra = 1 + static_cast<int>(rng.Below(5));
  bool used[6] = {};
  for (int i = 0; i < extra; ++i) {
    const uint64_t c = rng.Below(6);
    if (c >= 1 && c <= 3 && used[c]) continue;  // each fact at most once
    used[c] = true;
    switch (c) {
      case 0:
        d += " Ideal para quem quer " + v_.transitive_verbs.Pick(rng).infinitive + " " +
             Object(rng) + " " +
             Pick(rng, {"em casa", "para vender", "com segurança", "sem desperdício"}) + ".";
        break;
      case 1:
        d += " São " + std::to_string(rng.Between(4, 60)) +
             " aulas em vídeo, com apostila e certificado.";
        break;
      case 2:
        d += " Carga horária: " + std::to_string(rng.Between(2, 80)) + " horas.";
        break;
      case 3:
        d += " Com " + instructor + ", " +
             Pick(rng, {"confeiteira", "padeiro", "chef", "consultora", "professora"}) + " com " +
             std::to_string(rng.Between(3, 35)) + " anos de experiência.";
        break;
      default:
        d += " " + Sentence(rng);
        break;
    }
  }
  return d;
}

std::string TextGenerator::PersonName(Rng& rng) const {
  std::string name;
  if (rng.Chance(0.15)) name = "Chef ";
  name += v_.first_names.Pick(rng) + " " + v_.surnames.Pick(rng);
  if (rng.Chance(0.4)) name += " " + v_.surnames.Pick(rng);
  return name;
}

std::string TextGenerator::Paragraphs(Rng& rng, int words) const {
  std::string out;
  int count = 0;
  while (count < words) {
    std::string s = Sentence(rng);
    count += CountWords(s);
    if (!out.empty()) out += rng.Chance(0.1) ? "\n\n" : " ";
    out += s;
  }
  return out;
}

}  // namespace busca::seed
