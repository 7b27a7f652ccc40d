// The Portuguese stopword list: PostgreSQL 15's tsearch_data/portuguese.stop (the Snowball list),
// embedded verbatim so the engine and PostgreSQL's 'portuguese' configuration agree word for word.
#include "engine/analysis/stopwords.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_set>

namespace busca::analysis {
namespace {

// 203 words, in the file's order.
// clang-format off
constexpr std::array<std::string_view, 203> kPortugueseStopwords = {
    "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no",
    "se", "na", "por", "mais", "as", "dos", "como", "mas", "ao", "ele", "das", "à", "seu", "sua",
    "ou", "quando", "muito", "nos", "já", "eu", "também", "só", "pelo", "pela", "até", "isso",
    "ela", "entre", "depois", "sem", "mesmo", "aos", "seus", "quem", "nas", "me", "esse", "eles",
    "você", "essa", "num", "nem", "suas", "meu", "às", "minha", "numa", "pelos", "elas", "qual",
    "nós", "lhe", "deles", "essas", "esses", "pelas", "este", "dele", "tu", "te", "vocês", "vos",
    "lhes", "meus", "minhas", "teu", "tua", "teus", "tuas", "nosso", "nossa", "nossos", "nossas",
    "dela", "delas", "esta", "estes", "estas", "aquele", "aquela", "aqueles", "aquelas", "isto",
    "aquilo", "estou", "está", "estamos", "estão", "estive", "esteve", "estivemos", "estiveram",
    "estava", "estávamos", "estavam", "estivera", "estivéramos", "esteja", "estejamos", "estejam",
    "estivesse", "estivéssemos", "estivessem", "estiver", "estivermos", "estiverem", "hei", "há",
    "havemos", "hão", "houve", "houvemos", "houveram", "houvera", "houvéramos", "haja", "hajamos",
    "hajam", "houvesse", "houvéssemos", "houvessem", "houver", "houvermos", "houverem",
    "houverei", "houverá", "houveremos", "houverão", "houveria", "houveríamos", "houveriam",
    "sou", "somos", "são", "era", "éramos", "eram", "fui", "foi", "fomos", "foram", "fora",
    "fôramos", "seja", "sejamos", "sejam", "fosse", "fôssemos", "fossem", "for", "formos",
    "forem", "serei", "será", "seremos", "serão", "seria", "seríamos", "seriam", "tenho", "tem",
    "temos", "tém", "tinha", "tínhamos", "tinham", "tive", "teve", "tivemos", "tiveram", "tivera",
    "tivéramos", "tenha", "tenhamos", "tenham", "tivesse", "tivéssemos", "tivessem", "tiver",
    "tivermos", "tiverem", "terei", "terá", "teremos", "terão", "teria", "teríamos", "teriam",
};
// clang-format on

struct StopwordSet {
  StopwordSet() : words(kPortugueseStopwords.begin(), kPortugueseStopwords.end()) {
    for (std::string_view w : kPortugueseStopwords) {
      max_bytes = std::max(max_bytes, w.size());
    }
  }
  std::unordered_set<std::string_view> words;
  size_t max_bytes = 0;
};

const StopwordSet& Set() {
  static const StopwordSet* set = new StopwordSet();  // never destroyed: safe at exit
  return *set;
}

}  // namespace

bool IsPortugueseStopword(std::string_view normalized_word) {
  const StopwordSet& set = Set();
  if (normalized_word.empty() || normalized_word.size() > set.max_bytes) return false;
  return set.words.count(normalized_word) != 0;
}

std::span<const std::string_view> PortugueseStopwords() { return kPortugueseStopwords; }

}  // namespace busca::analysis
