// Vocabulary data and Portuguese morphology (plurals, adjective agreement, conjugation).
#include "tools/seed_data/vocabulary.h"

#include <fstream>
#include <stdexcept>
#include <utility>

namespace busca::seed {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Chop(std::string_view s, std::string_view suffix) {
  return std::string(s.substr(0, s.size() - suffix.size()));
}

bool HasAccent(std::string_view s) {
  for (std::string_view a : {"á", "é", "í", "ó", "ú", "â", "ê", "ô", "ã", "õ"}) {
    if (s.find(a) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Plural of a multi-word noun phrase: the first word inflects ("forma de bolo" -> "formas de
// bolo"); phrases where more words inflect are written with an explicit plural.
std::string PluralizePhrase(std::string_view phrase) {
  const size_t space = phrase.find(' ');
  if (space == std::string_view::npos) return Pluralize(phrase);
  return Pluralize(phrase.substr(0, space)) + std::string(phrase.substr(space));
}

// "pão de queijo|pães de queijo:m" or "açúcar:m" (plural by rule).
Noun ParseNoun(std::string_view spec) {
  const size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos)
    throw std::logic_error("noun without gender: " + std::string(spec));
  Noun n;
  n.gender = spec.substr(colon + 1) == "f" ? Gender::kFeminine : Gender::kMasculine;
  const std::string_view words = spec.substr(0, colon);
  const size_t bar = words.find('|');
  if (bar == std::string_view::npos) {
    n.singular = std::string(words);
    n.plural = PluralizePhrase(words);
  } else {
    n.singular = std::string(words.substr(0, bar));
    n.plural = std::string(words.substr(bar + 1));
  }
  return n;
}

bool IsInvariantComparative(std::string_view ms) {
  for (std::string_view w : {"melhor", "pior", "maior", "menor", "superior", "inferior", "anterior",
                             "posterior", "interior", "exterior"}) {
    if (ms == w) return true;
  }
  return false;
}

// "gostoso" (feminine and plurals by rule) or "bom|boa|bons|boas".
Adjective ParseAdjective(std::string_view spec) {
  Adjective a;
  if (spec.find('|') != std::string_view::npos) {
    const auto parts = Split(spec, '|');
    if (parts.size() != 4) throw std::logic_error("bad adjective: " + std::string(spec));
    for (int i = 0; i < 4; ++i) a.forms[i] = std::string(parts[i]);
    return a;
  }
  const std::string ms(spec);
  std::string fs = ms;
  if (EndsWith(ms, "o")) {
    fs = Chop(ms, "o") + "a";
  } else if (EndsWith(ms, "ês")) {
    fs = Chop(ms, "ês") + "esa";
  } else if (EndsWith(ms, "or") && !IsInvariantComparative(ms)) {
    fs = ms + "a";
  } else if (EndsWith(ms, "eu")) {
    fs = Chop(ms, "eu") + "eia";
  } else if (EndsWith(ms, "ão")) {
    fs = Chop(ms, "ão") + "ã";
  }
  // Multi-word adjectives ("sem glúten", "ao leite") do not inflect.
  const bool phrase = ms.find(' ') != std::string::npos;
  a.forms = {ms, fs, phrase ? ms : Pluralize(ms), phrase ? fs : Pluralize(fs)};
  return a;
}

// "ser|sou é somos são|fui foi fomos foram|...|sendo|sido" (7 tenses, gerund, participle).
Verb ParseIrregularVerb(std::string_view spec, bool transitive) {
  const auto parts = Split(spec, '|');
  if (parts.size() != 2 + kTenseCount + 1) throw std::logic_error("bad verb: " + std::string(spec));
  Verb v;
  v.infinitive = std::string(parts[0]);
  for (int t = 0; t < kTenseCount; ++t) {
    const auto forms = Split(Trim(parts[1 + t]), ' ');
    if (forms.size() != kPersonCount)
      throw std::logic_error("bad verb tense: " + std::string(spec));
    for (int p = 0; p < kPersonCount; ++p) v.forms[t][p] = std::string(forms[p]);
  }
  v.gerund = std::string(Trim(parts[1 + kTenseCount]));
  v.participle = std::string(Trim(parts[2 + kTenseCount]));
  v.transitive = transitive;
  return v;
}

template <typename T>
RankedList<T> Ranked(std::vector<T> items, double exponent = 1.0) {
  RankedList<T> list;
  list.zipf = ZipfTable(items.size(), exponent);
  list.items = std::move(items);
  return list;
}

RankedList<Noun> Nouns(std::initializer_list<std::string_view> specs, double exponent = 1.0) {
  std::vector<Noun> nouns;
  for (std::string_view s : specs) nouns.push_back(ParseNoun(s));
  return Ranked(std::move(nouns), exponent);
}

RankedList<std::string> Strings(std::initializer_list<std::string_view> items,
                                double exponent = 1.0) {
  std::vector<std::string> out;
  for (std::string_view s : items) out.emplace_back(s);
  return Ranked(std::move(out), exponent);
}

}  // namespace

std::string Pluralize(std::string_view w) {
  if (w.empty()) return std::string(w);
  if (EndsWith(w, "ão")) return Chop(w, "ão") + "ões";
  if (EndsWith(w, "ã") || EndsWith(w, "á") || EndsWith(w, "é") || EndsWith(w, "í") ||
      EndsWith(w, "ó") || EndsWith(w, "ú") || EndsWith(w, "ê") || EndsWith(w, "ô")) {
    return std::string(w) + "s";
  }
  switch (w.back()) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return std::string(w) + "s";
    case 'm':
      return Chop(w, "m") + "ns";
    case 'r':
    case 'z':
      return std::string(w) + "es";
    case 'x':
      return std::string(w);
    default:
      break;
  }
  if (EndsWith(w, "al")) return Chop(w, "al") + "ais";
  if (EndsWith(w, "el")) return Chop(w, "el") + (HasAccent(w) ? "eis" : "éis");
  if (EndsWith(w, "ol")) return Chop(w, "ol") + "óis";
  if (EndsWith(w, "ul")) return Chop(w, "ul") + "uis";
  if (EndsWith(w, "il")) return Chop(w, "il") + (HasAccent(w) ? "eis" : "is");
  if (EndsWith(w, "ês")) return Chop(w, "ês") + "eses";
  if (EndsWith(w, "ás")) return Chop(w, "ás") + "ases";
  if (w.back() == 's') return std::string(w);
  return std::string(w) + "s";
}

Verb ConjugateRegular(std::string_view inf, std::string_view first_person,
                      std::string_view participle) {
  Verb v;
  v.infinitive = std::string(inf);
  const std::string s = Chop(inf, "ar");  // the stem, whatever the ending (same length)
  const std::string i(inf);
  auto& f = v.forms;
  const auto set = [&](Tense t, std::string a, std::string b, std::string c, std::string d) {
    f[t] = {std::move(a), std::move(b), std::move(c), std::move(d)};
  };
  set(kFuture, i + "ei", i + "á", i + "emos", i + "ão");
  set(kConditional, i + "ia", i + "ia", i + "íamos", i + "iam");
  if (EndsWith(inf, "ar")) {
    // Before e: c -> qu, g -> gu, ç -> c (ficar: fiquei, fique; chegar: cheguei; começar: comecei).
    std::string se = s;
    if (EndsWith(s, "c"))
      se = Chop(s, "c") + "qu";
    else if (EndsWith(s, "g"))
      se = Chop(s, "g") + "gu";
    else if (EndsWith(s, "ç"))
      se = Chop(s, "ç") + "c";
    set(kPresent, first_person.empty() ? s + "o" : std::string(first_person), s + "a", s + "amos",
        s + "am");
    set(kPreterite, se + "ei", s + "ou", s + "amos", s + "aram");
    set(kImperfect, s + "ava", s + "ava", s + "ávamos", s + "avam");
    set(kSubjunctivePresent, se + "e", se + "e", se + "emos", se + "em");
    set(kSubjunctiveImperfect, s + "asse", s + "asse", s + "ássemos", s + "assem");
    v.gerund = s + "ando";
    v.participle = s + "ado";
  } else {
    const bool er = EndsWith(inf, "er");
    const bool uir = !er && EndsWith(s, "u");  // incluir, distribuir: inclui, incluí, incluía
    std::string p1 = std::string(first_person);
    if (p1.empty()) {
      if (EndsWith(s, "c"))
        p1 = Chop(s, "c") + "ço";  // conhecer -> conheço
      else if (EndsWith(s, "g"))
        p1 = Chop(s, "g") + "jo";  // proteger -> protejo
      else
        p1 = s + "o";
    }
    const std::string q = Chop(p1, "o");    // present subjunctive stem
    const std::string tv = er ? "e" : "i";  // thematic vowel
    set(kPresent, p1, s + (uir ? "i" : "e"), s + tv + "mos", s + "em");
    if (er) {
      set(kPreterite, s + "i", s + "eu", s + "emos", s + "eram");
      set(kSubjunctiveImperfect, s + "esse", s + "esse", s + "êssemos", s + "essem");
    } else {
      set(kPreterite, s + (uir ? "í" : "i"), s + "iu", s + "imos", s + "iram");
      set(kSubjunctiveImperfect, s + (uir ? "ísse" : "isse"), s + (uir ? "ísse" : "isse"),
          s + "íssemos", s + (uir ? "íssem" : "issem"));
    }
    if (uir)
      set(kImperfect, s + "ía", s + "ía", s + "íamos", s + "íam");
    else
      set(kImperfect, s + "ia", s + "ia", s + "íamos", s + "iam");
    set(kSubjunctivePresent, q + "a", q + "a", q + "amos", q + "am");
    v.gerund = s + (er ? "endo" : "indo");
    v.participle = s + (uir ? "ído" : "ido");
  }
  if (!participle.empty()) v.participle = std::string(participle);
  return v;
}

Result<std::shared_ptr<const Vocabulary>> Vocabulary::WithDictionary(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read word list " + path);
  static constexpr std::string_view kNounEndings[] = {
      "ção",  "ções",  "dade", "dades", "mento", "mentos", "ismo",  "ismos",  "agem", "agens",
      "ura",  "uras",  "eza",  "ezas",  "ância", "âncias", "ência", "ências", "eiro", "eiros",
      "eira", "eiras", "ista", "istas", "inho",  "inhos",  "inha",  "inhas",  "ário", "ários"};
  static constexpr std::string_view kAdjectiveEndings[] = {
      "oso",  "osa",  "osos", "osas", "ável", "áveis", "ível", "íveis", "ico",  "ica",
      "icos", "icas", "ivo",  "iva",  "ivos", "ivas",  "ante", "antes", "ente", "entes"};
  auto ends_with_any = [](std::string_view w, auto& endings) {
    for (std::string_view e : endings) {
      if (EndsWith(w, e) && w.size() > e.size() + 2) return true;
    }
    return false;
  };
  std::vector<std::string> nouns, adjectives;
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 5 || line.size() > 40) continue;
    bool ok = true;  // lowercase ASCII letters, hyphen, or UTF-8 (accented letters)
    for (const char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if (!((u >= 'a' && u <= 'z') || u == '-' || u >= 0x80)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (ends_with_any(line, kNounEndings))
      nouns.push_back(line);
    else if (ends_with_any(line, kAdjectiveEndings))
      adjectives.push_back(line);
  }
  if (nouns.empty())
    return Status::InvalidArgument("word list " + path + " holds no usable Portuguese words");
  // A fixed shuffle (Fisher-Yates with our own generator) so the Zipf ranks do not follow
  // alphabetical order; independent of the dataset seed, so the vocabulary is one thing.
  auto shuffle = [](std::vector<std::string>& v, uint64_t seed) {
    Rng rng(seed);
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.Below(i)]);
  };
  shuffle(nouns, 0xB05CA1);
  shuffle(adjectives, 0xB05CA2);
  auto vocabulary = std::shared_ptr<Vocabulary>(new Vocabulary());
  vocabulary->tail_nouns = Ranked(std::move(nouns), 1.0);
  vocabulary->tail_adjectives = Ranked(std::move(adjectives), 1.0);
  return std::shared_ptr<const Vocabulary>(std::move(vocabulary));
}

const Vocabulary& Vocabulary::Get() {
  static const Vocabulary* const kVocabulary = new Vocabulary();
  return *kVocabulary;
}

// The word lists are data: kept packed, several entries per line, roughly by frequency.
// clang-format off
Vocabulary::Vocabulary() {
  foods = Nouns({
      "pão de queijo|pães de queijo:m", "açúcar:m", "café:m", "farinha de trigo:f", "leite:m", "ovo:m",
      "manteiga:f", "chocolate:m", "bolo:m", "pão|pães:m", "queijo:m", "tomate:m", "fermento:m",
      "leite condensado|leites condensados:m", "creme de leite:m", "polvilho:m", "arroz:m", "feijão:m",
      "brigadeiro:m", "doce de leite|doces de leite:m", "massa:f", "biscoito:m", "coxinha:f", "mandioca:f",
      "cebola:f", "alho:m", "azeite:m", "óleo:m", "sal:m", "fubá:m", "milho:m", "banana:f", "morango:m",
      "limão:m", "laranja:f", "maracujá:m", "coco:m", "goiabada:f", "requeijão:m", "presunto:m",
      "frango:m", "carne:f", "linguiça:f", "batata:f", "cenoura:f", "abóbora:f", "pimentão:m",
      "pimenta:f", "orégano:m", "canela:f", "cravo:m", "baunilha:f", "cacau:m", "castanha:f",
      "amendoim:m", "noz|nozes:f", "mel:m", "geleia:f", "iogurte:m", "nata:f", "muçarela:f",
      "ricota:f", "empada:f", "pastel:m", "quibe:m", "esfiha:f", "pizza:f", "lasanha:f", "torta:f",
      "pudim:m", "quindim:m", "beijinho:m", "cocada:f", "paçoca:f", "pé de moleque|pés de moleque:m",
      "bolo de cenoura|bolos de cenoura:m", "bolo de fubá|bolos de fubá:m", "pão francês|pães franceses:m",
      "pão de mel|pães de mel:m", "broa:f", "rosca:f", "sonho:m", "croissant:m", "baguete:f",
      "tapioca:f", "cuscuz:m", "açaí:m", "guaraná:m", "cachaça:f", "cerveja:f", "vinho:m", "suco:m",
      "chá:m", "achocolatado:m", "aveia:f", "granola:f", "amido de milho:m", "glucose:f",
      "gelatina:f", "granulado:m", "confeito:m", "chantilly:m", "ganache:f", "fondant:m",
      "marshmallow:m", "pistache:m", "amêndoa:f", "avelã:f", "damasco:m", "ameixa:f", "uva-passa:f",
      "maçã:f", "pera:f", "abacaxi:m", "manga:f", "mamão:m", "melancia:f", "melão:m", "goiaba:f",
      "acerola:f", "caju:m", "cupuaçu:m", "jabuticaba:f", "pequi:m", "palmito:m", "azeitona:f",
      "alface:f", "rúcula:f", "couve:f", "espinafre:m", "brócolis|brócolis:m", "berinjela:f",
      "abobrinha:f", "quiabo:m", "jiló:m", "inhame:m", "batata-doce|batatas-doces:f", "lentilha:f",
      "grão-de-bico|grãos-de-bico:m", "ervilha:f", "soja:f", "tofu:m", "bacalhau:m", "sardinha:f",
      "camarão:m", "peixe:m", "tilápia:f", "salmão:m", "costela:f", "picanha:f", "bacon:m",
      "salame:m", "mortadela:f", "salsicha:f", "hambúrguer:m", "mostarda:f", "maionese:f",
      "ketchup:m", "vinagre:m", "molho:m", "caldo:m", "sopa:f", "farofa:f", "pirão:m", "vatapá:m",
      "acarajé:m", "moqueca:f", "feijoada:f", "canjica:f", "pamonha:f", "curau:m", "rapadura:f",
      "melado:m", "açúcar mascavo|açúcares mascavos:m", "açúcar demerara|açúcares demerara:m",
  }, 1.05);
  utensils = Nouns({
      "forma:f", "assadeira:f", "batedeira:f", "forno:m", "panela:f", "espátula:f", "rolo de massa|rolos de massa:m",
      "bico de confeitar|bicos de confeitar:m", "saco de confeitar|sacos de confeitar:m", "liquidificador:m",
      "balança:f", "termômetro:m", "peneira:f", "tigela:f", "colher:f", "faca:f", "tábua:f", "fouet:m",
      "frigideira:f", "panela de pressão|panelas de pressão:f", "geladeira:f", "freezer:m", "micro-ondas|micro-ondas:m",
      "batedor:m", "cortador:m", "ralador:m", "escumadeira:f", "concha:f", "pegador:m", "jarra:f",
      "pote:m", "bandeja:f", "tabuleiro:m", "cilindro:m", "masseira:f", "estufa:f", "vitrine:f",
      "expositor:m", "fritadeira:f", "chapa:f", "fogão:m", "coifa:f", "pia:f", "bancada:f",
      "avental:m", "touca:f", "luva:f", "pincel:m", "aro:m", "molde:m", "forminha:f", "caixa:f",
      "embalagem:f", "etiqueta:f", "fita:f", "sacola:f", "saco:m", "guardanapo:m", "copo:m",
  });
  things = Nouns({
      "receita:f", "cliente:m", "pedido:m", "preço:m", "produto:m", "fornecedor:m", "entrega:f", "venda:f",
      "dica:f", "dúvida:f", "encomenda:f", "qualidade:f", "loja:f", "experiência:f", "valor:m", "frete:m",
      "promoção:f", "desconto:m", "massa:f", "recheio:m", "cobertura:f", "sabor:m", "textura:f",
      "resultado:m", "problema:m", "prazo:m", "pagamento:m", "estoque:m", "custo:m", "lucro:m",
      "negócio:m", "empresa:f", "marca:f", "cardápio:m", "temperatura:f", "fermentação:f", "quantidade:f",
      "medida:f", "xícara:f", "colherada:f", "grama:m", "quilo:m", "litro:m", "unidade:f", "pacote:m",
      "lote:m", "validade:f", "foto:f", "vídeo:m", "aula:f", "curso:m", "certificado:m", "apostila:f",
      "turma:f", "professora:f", "professor:m", "aluno:m", "aluna:f", "grupo:m", "comunidade:f",
      "comentário:m", "pergunta:f", "resposta:f", "sugestão:f", "opinião:f", "avaliação:f", "atendimento:m",
      "contato:m", "endereço:m", "bairro:m", "cidade:f", "região:f", "mercado:m", "concorrência:f",
      "demanda:f", "festa:f", "casamento:m", "aniversário:m", "evento:m", "feriado:m", "família:f",
      "filho:m", "filha:f", "mãe:f", "avó:f", "vizinho:m", "amigo:m", "amiga:f", "colega:m",
      "funcionário:m", "funcionária:f", "equipe:f", "sócio:m", "chef:m", "padeiro:m", "confeiteira:f",
      "cozinheira:f", "cozinheiro:m", "vendedor:m", "comprador:m", "consumidor:m", "nota fiscal|notas fiscais:f",
      "cartão:m", "pix:m", "boleto:m", "orçamento:m", "margem:f", "planilha:f", "ficha técnica|fichas técnicas:f",
      "rótulo:m", "ingrediente:m", "sobremesa:f", "lanche:m", "salgado:m", "doce:m", "kit:m",
      "caixa térmica|caixas térmicas:f", "motoboy:m", "aplicativo:m", "site:m", "rede social|redes sociais:f",
      "anúncio:m", "divulgação:f", "cupom:m", "vitrine:f", "balcão:m", "prateleira:f", "vigilância sanitária|vigilâncias sanitárias:f",
      "licença:f", "alvará:m", "imposto:m", "tributação:f", "contador:m", "registro:m", "selo:m",
      "tendência:f", "novidade:f", "lançamento:m", "sucesso:m", "erro:m", "teste:m", "tentativa:f",
      "segredo:m", "truque:m", "passo:m", "etapa:f", "modo de preparo|modos de preparo:m", "rendimento:m",
      "porção:f", "fatia:f", "pedaço:m", "camada:f", "ponto:m", "calda:f", "glacê:m", "creme:m",
  }, 0.95);
  places = Nouns({
      "feira:f", "mercado:m", "padaria:f", "confeitaria:f", "supermercado:m", "loja:f", "cozinha:f",
      "casa:f", "escola:f", "igreja:f", "empresa:f", "lanchonete:f", "restaurante:m", "cafeteria:f",
      "atacado:m", "atacadista:m", "distribuidora:f", "empório:m", "quitanda:f", "açougue:m", "sacolão:m",
      "shopping:m", "condomínio:m", "escritório:m", "hospital:m", "hotel:m", "buffet:m", "evento:m",
  });
  times = Nouns({
      "semana:f", "dia:m", "mês|meses:m", "ano:m", "fim de semana|fins de semana:m", "manhã:f", "tarde:f",
      "noite:f", "sábado:m", "domingo:m", "segunda-feira|segundas-feiras:f", "sexta-feira|sextas-feiras:f",
      "hora:f", "minuto:m", "temporada:f", "época:f", "verão:m", "inverno:m", "Natal:m", "Páscoa:f",
  });

  std::vector<Adjective> adj;
  for (std::string_view a : {
           "bom|boa|bons|boas", "novo", "ótimo", "grande", "pequeno", "caseiro", "artesanal", "fresco",
           "barato", "caro", "excelente", "simples", "fácil|fácil|fáceis|fáceis", "melhor", "rápido",
           "especial", "tradicional", "natural", "orgânico", "integral", "importado", "nacional",
           "profissional", "industrial", "prático", "econômico", "perfeito", "incrível|incrível|incríveis|incríveis",
           "útil|útil|úteis|úteis", "difícil|difícil|difíceis|difíceis", "maior", "menor", "pior",
           "primeiro", "último", "próximo", "antigo", "moderno", "variado", "lindo", "bonito", "forte",
           "fraco", "rico", "pesado", "leve", "quente", "frio", "seco", "úmido", "limpo", "resistente",
           "personalizado", "descartável|descartável|descartáveis|descartáveis", "sustentável|sustentável|sustentáveis|sustentáveis",
           "reciclável|reciclável|recicláveis|recicláveis", "lucrativo", "rentável|rentável|rentáveis|rentáveis",
           "brasileiro", "mineiro", "baiano", "gaúcho", "nordestino", "paulista", "carioca", "capixaba",
           "paraense", "goiano", "português", "italiano", "francês", "alemão|alemã|alemães|alemãs",
           "japonês", "árabe", "vegano", "vegetariano", "inteiro", "completo", "básico", "avançado",
           "confiável|confiável|confiáveis|confiáveis", "honesto", "atencioso", "pontual", "rápido",
           "demorado", "atrasado", "bem-feito", "mal-feito", "verdadeiro", "famoso", "conhecido",
           "premiado", "certificado", "regional", "local", "sazonal", "diário", "semanal", "mensal",
       }) {
    adj.push_back(ParseAdjective(a));
  }
  adjectives = Ranked(std::move(adj), 0.9);

  std::vector<Adjective> fadj;
  for (std::string_view a : {
           "gostoso", "delicioso", "macio", "crocante", "fresquinho", "quentinho", "cremoso", "fofo",
           "saboroso", "doce", "salgado", "amargo", "azedo", "recheado", "decorado", "dourado",
           "congelado", "assado", "frito", "cozido", "ralado", "picado", "derretido", "batido",
           "gelado", "maduro", "cru|crua|crus|cruas", "temperado", "defumado", "caramelizado", "tostado",
           "torrado", "moído", "refinado", "cristal", "mascavo", "light", "diet", "zero açúcar",
           "sem glúten", "sem lactose", "integral", "orgânico", "caseiro", "artesanal", "gourmet",
           "molhadinho", "suculento", "aerado", "denso", "esfarelado", "queimado", "solado", "murcho",
       }) {
    fadj.push_back(ParseAdjective(a));
  }
  food_adjectives = Ranked(std::move(fadj), 0.9);

  // Verbs: irregular ones as tables, the rest by rule.
  std::vector<Verb> vs;
  for (std::string_view spec : {
           "ser|sou é somos são|fui foi fomos foram|era era éramos eram|serei será seremos serão|seria seria seríamos seriam|seja seja sejamos sejam|fosse fosse fôssemos fossem|sendo|sido",
           "estar|estou está estamos estão|estive esteve estivemos estiveram|estava estava estávamos estavam|estarei estará estaremos estarão|estaria estaria estaríamos estariam|esteja esteja estejamos estejam|estivesse estivesse estivéssemos estivessem|estando|estado",
           "ir|vou vai vamos vão|fui foi fomos foram|ia ia íamos iam|irei irá iremos irão|iria iria iríamos iriam|vá vá vamos vão|fosse fosse fôssemos fossem|indo|ido",
           "vir|venho vem vimos vêm|vim veio viemos vieram|vinha vinha vínhamos vinham|virei virá viremos virão|viria viria viríamos viriam|venha venha venhamos venham|viesse viesse viéssemos viessem|vindo|vindo",
           "sair|saio sai saímos saem|saí saiu saímos saíram|saía saía saíamos saíam|sairei sairá sairemos sairão|sairia sairia sairíamos sairiam|saia saia saiamos saiam|saísse saísse saíssemos saíssem|saindo|saído",
       }) {
    vs.push_back(ParseIrregularVerb(spec, /*transitive=*/false));
  }
  for (std::string_view spec : {
           "ter|tenho tem temos têm|tive teve tivemos tiveram|tinha tinha tínhamos tinham|terei terá teremos terão|teria teria teríamos teriam|tenha tenha tenhamos tenham|tivesse tivesse tivéssemos tivessem|tendo|tido",
           "fazer|faço faz fazemos fazem|fiz fez fizemos fizeram|fazia fazia fazíamos faziam|farei fará faremos farão|faria faria faríamos fariam|faça faça façamos façam|fizesse fizesse fizéssemos fizessem|fazendo|feito",
           "querer|quero quer queremos querem|quis quis quisemos quiseram|queria queria queríamos queriam|quererei quererá quereremos quererão|quereria quereria quereríamos quereriam|queira queira queiramos queiram|quisesse quisesse quiséssemos quisessem|querendo|querido",
           "ver|vejo vê vemos veem|vi viu vimos viram|via via víamos viam|verei verá veremos verão|veria veria veríamos veriam|veja veja vejamos vejam|visse visse víssemos vissem|vendo|visto",
           "dar|dou dá damos dão|dei deu demos deram|dava dava dávamos davam|darei dará daremos darão|daria daria daríamos dariam|dê dê demos deem|desse desse déssemos dessem|dando|dado",
           "trazer|trago traz trazemos trazem|trouxe trouxe trouxemos trouxeram|trazia trazia trazíamos traziam|trarei trará traremos trarão|traria traria traríamos trariam|traga traga tragamos tragam|trouxesse trouxesse trouxéssemos trouxessem|trazendo|trazido",
           "pôr|ponho põe pomos põem|pus pôs pusemos puseram|punha punha púnhamos punham|porei porá poremos porão|poria poria poríamos poriam|ponha ponha ponhamos ponham|pusesse pusesse puséssemos pusessem|pondo|posto",
           "perder|perco perde perdemos perdem|perdi perdeu perdemos perderam|perdia perdia perdíamos perdiam|perderei perderá perderemos perderão|perderia perderia perderíamos perderiam|perca perca percamos percam|perdesse perdesse perdêssemos perdessem|perdendo|perdido",
           "produzir|produzo produz produzimos produzem|produzi produziu produzimos produziram|produzia produzia produzíamos produziam|produzirei produzirá produziremos produzirão|produziria produziria produziríamos produziriam|produza produza produzamos produzam|produzisse produzisse produzíssemos produzissem|produzindo|produzido",
           "rechear|recheio recheia recheamos recheiam|recheei recheou recheamos rechearam|recheava recheava recheávamos recheavam|rechearei recheará rechearemos rechearão|rechearia rechearia rechearíamos recheariam|recheie recheie recheemos recheiem|recheasse recheasse recheássemos recheassem|recheando|recheado",
       }) {
    vs.push_back(ParseIrregularVerb(spec, /*transitive=*/true));
  }
  struct Regular {
    std::string_view infinitive, first_person, participle;
    bool transitive;
  };
  for (const Regular& r : std::initializer_list<Regular>{
           {"comprar", "", "", true}, {"vender", "", "", true}, {"usar", "", "", true},
           {"preparar", "", "", true}, {"procurar", "", "", true}, {"encontrar", "", "", true},
           {"recomendar", "", "", true}, {"fornecer", "", "", true}, {"entregar", "", "", true},
           {"assar", "", "", true}, {"misturar", "", "", true}, {"bater", "", "", true},
           {"adicionar", "", "", true}, {"colocar", "", "", true}, {"deixar", "", "", true},
           {"levar", "", "", true}, {"montar", "", "", true}, {"decorar", "", "", true},
           {"embalar", "", "", true}, {"enviar", "", "", true}, {"pagar", "", "", true},
           {"cobrar", "", "", true}, {"testar", "", "", true}, {"provar", "", "", true},
           {"experimentar", "", "", true}, {"indicar", "", "", true}, {"ganhar", "", "", true},
           {"economizar", "", "", true}, {"aumentar", "", "", true}, {"trocar", "", "", true},
           {"anunciar", "", "", true}, {"divulgar", "", "", true}, {"publicar", "", "", true},
           {"negociar", "", "", true}, {"comparar", "", "", true}, {"calcular", "", "", true},
           {"precificar", "", "", true}, {"estudar", "", "", true}, {"ensinar", "", "", true},
           {"aprender", "", "", true}, {"cortar", "", "", true}, {"ralar", "", "", true},
           {"peneirar", "", "", true}, {"untar", "", "", true}, {"temperar", "", "", true},
           {"fritar", "", "", true}, {"congelar", "", "", true}, {"descongelar", "", "", true},
           {"armazenar", "", "", true}, {"guardar", "", "", true}, {"conservar", "", "", true},
           {"mostrar", "", "", true}, {"organizar", "", "", true}, {"planejar", "", "", true},
           {"melhorar", "", "", true}, {"comer", "", "", true}, {"beber", "", "", true},
           {"escolher", "", "", true}, {"receber", "", "", true}, {"conhecer", "", "", true},
           {"oferecer", "", "", true}, {"agradecer", "", "", true}, {"esquecer", "", "", true},
           {"derreter", "", "", true}, {"mexer", "", "", true}, {"ferver", "", "", true},
           {"escrever", "", "escrito", true}, {"resolver", "", "", true}, {"devolver", "", "", true},
           {"atender", "", "", true}, {"entender", "", "", true}, {"proteger", "", "", true},
           {"abrir", "", "aberto", true}, {"dividir", "", "", true}, {"decidir", "", "", true},
           {"assistir", "", "", true}, {"garantir", "", "", true}, {"discutir", "", "", true},
           {"exigir", "", "", true}, {"corrigir", "", "", true}, {"incluir", "", "", true},
           {"distribuir", "", "", true}, {"substituir", "", "", true}, {"diminuir", "", "", true},
           {"servir", "sirvo", "", true}, {"preferir", "prefiro", "", true}, {"repetir", "repito", "", true},
           {"conseguir", "consigo", "", true}, {"seguir", "sigo", "", true}, {"investir", "invisto", "", true},
           {"cozinhar", "", "", true}, {"refogar", "", "", true}, {"grelhar", "", "", true},
           {"fotografar", "", "", true}, {"postar", "", "", true}, {"buscar", "", "", true},
           {"ajudar", "", "", true}, {"pedir", "peço", "", true}, {"lavar", "", "", true},
           {"picar", "", "", true}, {"reservar", "", "", true}, {"aquecer", "", "", true},
           {"amassar", "", "", true}, {"sovar", "", "", true}, {"modelar", "", "", true},
           {"gostar", "", "", false}, {"ficar", "", "", false}, {"começar", "", "", false},
           {"precisar", "", "", false}, {"trabalhar", "", "", false}, {"chegar", "", "", false},
           {"esperar", "", "", false}, {"falar", "", "", false}, {"pensar", "", "", false},
           {"acreditar", "", "", false}, {"continuar", "", "", false}, {"durar", "", "", false},
           {"custar", "", "", false}, {"mudar", "", "", false}, {"crescer", "", "", false},
           {"aparecer", "", "", false}, {"acontecer", "", "", false}, {"depender", "", "", false},
           {"viver", "", "", false}, {"correr", "", "", false}, {"desistir", "", "", false},
           {"existir", "", "", false}, {"insistir", "", "", false}, {"reclamar", "", "", false},
           {"voltar", "", "", false}, {"viajar", "", "", false},
       }) {
    Verb v = ConjugateRegular(r.infinitive, r.first_person, r.participle);
    v.transitive = r.transitive;
    vs.push_back(std::move(v));
  }
  // Rank: the most common verbs first (ser, estar, ter, fazer... then by list order).
  std::vector<Verb> transitive;
  for (const Verb& v : vs) {
    if (v.transitive) transitive.push_back(v);
  }
  verbs = Ranked(std::move(vs), 1.0);
  transitive_verbs = Ranked(std::move(transitive), 1.0);

  adverbs = Strings({
      "muito", "bem", "sempre", "ainda", "já", "também", "hoje", "só", "mais", "agora", "bastante",
      "depois", "antes", "nunca", "talvez", "ontem", "amanhã", "realmente", "rapidamente", "facilmente",
      "demais", "quase", "logo", "cedo", "tarde", "sempre que possível", "de novo", "de vez em quando",
      "finalmente", "infelizmente", "felizmente", "certamente", "provavelmente", "praticamente",
      "principalmente", "exatamente", "normalmente", "geralmente", "diariamente", "semanalmente",
  });
  openers = Strings({
      "Olá, pessoal!", "Boa tarde, pessoal.", "Bom dia a todos!", "Oi, gente!", "Pessoal,",
      "Boa noite, comunidade.", "Olá a todos,", "Gente, preciso de ajuda.", "Oi, tudo bem?",
      "Queria compartilhar uma coisa com vocês.", "Primeira vez que posto aqui.",
  });
  closers = Strings({
      "Obrigado!", "Obrigada pela ajuda!", "Abraços.", "Valeu, pessoal!", "Desde já agradeço.",
      "Alguém pode me ajudar?", "O que vocês acham?", "Fico no aguardo.", "Beijos!", "Boa sorte a todos!",
      "Quem puder responder, agradeço muito.", "Me contem nos comentários.",
  });
  connectives = Strings({
      "Depois disso,", "Na semana passada,", "Hoje de manhã,", "Além disso,", "Mas", "Porém,",
      "Então", "Por isso,", "No começo,", "Com o tempo,", "Por outro lado,", "Enfim,", "Ontem à noite,",
      "Há dois meses,", "Desde o ano passado,", "No último fim de semana,", "Para ser sincero,",
      "Sinceramente,", "Resumindo,", "Por enquanto,", "De qualquer forma,", "Aliás,", "Inclusive,",
  });

  std::vector<City> cs;
  for (std::string_view spec : {
           "São Paulo:SP:Sudeste", "Rio de Janeiro:RJ:Sudeste", "Belo Horizonte:MG:Sudeste", "Brasília:DF:Centro-Oeste",
           "Salvador:BA:Nordeste", "Fortaleza:CE:Nordeste", "Curitiba:PR:Sul", "Recife:PE:Nordeste",
           "Porto Alegre:RS:Sul", "Manaus:AM:Norte", "Belém:PA:Norte", "Goiânia:GO:Centro-Oeste",
           "Campinas:SP:Sudeste", "São Luís:MA:Nordeste", "Maceió:AL:Nordeste", "Natal:RN:Nordeste",
           "Teresina:PI:Nordeste", "João Pessoa:PB:Nordeste", "Florianópolis:SC:Sul", "Uberlândia:MG:Sudeste",
           "Ribeirão Preto:SP:Sudeste", "Juiz de Fora:MG:Sudeste", "Londrina:PR:Sul", "Joinville:SC:Sul",
           "Niterói:RJ:Sudeste", "Campo Grande:MS:Centro-Oeste", "Cuiabá:MT:Centro-Oeste", "Aracaju:SE:Nordeste",
           "Vitória:ES:Sudeste", "Santos:SP:Sudeste", "Sorocaba:SP:Sudeste", "Caxias do Sul:RS:Sul",
           "Maringá:PR:Sul", "Blumenau:SC:Sul", "Pelotas:RS:Sul", "Feira de Santana:BA:Nordeste",
           "Petrópolis:RJ:Sudeste", "Ouro Preto:MG:Sudeste", "Poços de Caldas:MG:Sudeste", "São José dos Campos:SP:Sudeste",
           "Piracicaba:SP:Sudeste", "Bauru:SP:Sudeste", "Montes Claros:MG:Sudeste", "Divinópolis:MG:Sudeste",
           "Anápolis:GO:Centro-Oeste", "Palmas:TO:Norte", "Porto Velho:RO:Norte", "Macapá:AP:Norte",
           "Boa Vista:RR:Norte", "Rio Branco:AC:Norte", "Santarém:PA:Norte", "Caruaru:PE:Nordeste",
           "Campina Grande:PB:Nordeste", "Mossoró:RN:Nordeste", "Juazeiro do Norte:CE:Nordeste", "Ilhéus:BA:Nordeste",
           "Chapecó:SC:Sul", "Foz do Iguaçu:PR:Sul", "Gramado:RS:Sul", "Araxá:MG:Sudeste",
       }) {
    const auto p = Split(spec, ':');
    cs.push_back(City{std::string(p[0]), std::string(p[1]), std::string(p[2])});
  }
  cities = Ranked(std::move(cs), 0.9);

  first_names = Strings({
      "Maria", "Ana", "João", "José", "Antônio", "Francisca", "Carlos", "Paulo", "Pedro", "Lucas",
      "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Márcia", "Juliana", "Fernanda", "Patrícia",
      "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana",
      "Vanessa", "Mariana", "Gabriela", "Vitória", "Beatriz", "Larissa", "Cláudia", "Simone", "Débora",
      "Mônica", "Rosângela", "Conceição", "Sebastião", "Raimundo", "Joaquim", "André", "Fábio",
      "Márcio", "Rogério", "Sérgio", "Vinícius", "Thiago", "Felipe", "Gustavo", "Leonardo", "Caio",
      "Otávio", "Benedita", "Inês", "Lúcia", "Célia", "Irene",
  });
  surnames = Strings({
      "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
      "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
      "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
      "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo",
      "Conceição", "Magalhães", "Brandão", "Peixoto", "Nogueira", "Guimarães", "Falcão", "Calçada",
      "Assunção", "Simões", "Gusmão", "Sampaio", "Figueiredo", "Albuquerque", "Bezerra", "Cavalcanti",
  });
  post_tags = Strings({
      "receitas", "confeitaria", "dúvidas", "fornecedores", "vendas", "panificação", "dicas",
      "precificação", "embalagens", "marketing", "salgados", "bolos", "doces", "pães", "iniciantes",
      "delivery", "festas", "equipamentos", "ingredientes", "gestão", "fermentação natural", "chocolate",
      "sem glúten", "veganos", "congelados", "feiras", "encomendas", "redes sociais", "legislação",
      "mei", "fotografia", "natal", "páscoa", "festa junina", "promoção", "cafés especiais", "queijos",
      "hortifrúti", "orgânicos", "atacado", "frete", "reclamação", "elogio", "parcerias", "cursos",
  });

  auto category = [](std::string name, std::initializer_list<std::string_view> items,
                     std::initializer_list<std::string_view> sizes, double lo, double hi) {
    ProductCategory c;
    c.name = std::move(name);
    for (std::string_view s : items) c.items.push_back(ParseNoun(s));
    for (std::string_view s : sizes) c.sizes.emplace_back(s);
    c.min_price = lo;
    c.max_price = hi;
    return c;
  };
  categories = {
      category("alimentos",
               {"pão de queijo|pães de queijo:m", "açúcar cristal|açúcares cristal:m", "café torrado|cafés torrados:m",
                "farinha de trigo:f", "açúcar refinado|açúcares refinados:m", "arroz:m", "feijão carioca|feijões cariocas:m",
                "polvilho azedo|polvilhos azedos:m", "polvilho doce|polvilhos doces:m", "fubá:m", "café em grãos|cafés em grãos:m",
                "açúcar mascavo|açúcares mascavos:m", "azeite de oliva:m", "óleo de soja:m", "macarrão:m", "farinha de mandioca:f",
                "tapioca:f", "goiabada cascão|goiabadas cascão:f", "doce de leite|doces de leite:m", "mel silvestre|méis silvestres:m",
                "aveia em flocos|aveias em flocos:f", "granola:f", "castanha-do-pará|castanhas-do-pará:f", "amendoim torrado|amendoins torrados:m",
                "biscoito de polvilho|biscoitos de polvilho:m", "pé de moleque|pés de moleque:m", "paçoca:f", "rapadura:f",
                "sal marinho|sais marinhos:m", "fermento biológico|fermentos biológicos:m", "geleia de morango|geleias de morango:f",
                "extrato de tomate|extratos de tomate:m", "molho de tomate|molhos de tomate:m", "café solúvel|cafés solúveis:m"},
               {"500 g", "1 kg", "2 kg", "5 kg", "pacote 1 kg", "fardo com 10 kg", "saco de 25 kg", "250 g", "pote 400 g"},
               2.5, 180),
      category("confeitaria",
               {"chocolate meio amargo|chocolates meio amargos:m", "chocolate ao leite|chocolates ao leite:m", "cacau em pó|cacaus em pó:m",
                "leite condensado|leites condensados:m", "creme de leite:m", "granulado:m", "confeito:m", "leite em pó|leites em pó:m",
                "essência de baunilha|essências de baunilha:f", "corante alimentício|corantes alimentícios:m", "coco ralado|cocos ralados:m",
                "pasta americana|pastas americanas:f", "glucose de milho|glucoses de milho:f", "fermento químico|fermentos químicos:m",
                "chocolate branco|chocolates brancos:m", "gotas de chocolate|gotas de chocolate:f", "recheio de brigadeiro|recheios de brigadeiro:m",
                "cobertura fracionada|coberturas fracionadas:f", "açúcar de confeiteiro|açúcares de confeiteiro:m", "gelatina incolor|gelatinas incolores:f"},
               {"1 kg", "2,1 kg", "lata 395 g", "caixa 200 g", "500 g", "barra 1 kg", "pote 150 g", "frasco 30 ml"},
               3.9, 160),
      category("laticínios",
               {"queijo minas|queijos minas:m", "manteiga com sal|manteigas com sal:f", "requeijão cremoso|requeijões cremosos:m",
                "queijo muçarela|queijos muçarela:m", "leite integral|leites integrais:m", "iogurte natural|iogurtes naturais:m",
                "queijo parmesão|queijos parmesão:m", "nata:f", "ricota fresca|ricotas frescas:f", "queijo canastra|queijos canastra:m",
                "manteiga de garrafa|manteigas de garrafa:f", "coalhada:f", "doce de leite pastoso|doces de leite pastosos:m"},
               {"500 g", "1 kg", "200 g", "litro", "caixa com 12 litros", "peça inteira", "pote 400 g"},
               4.5, 220),
      category("hortifrúti",
               {"tomate italiano|tomates italianos:m", "tomate-cereja|tomates-cereja:m", "cebola roxa|cebolas roxas:f", "batata inglesa|batatas inglesas:f",
                "alho roxo|alhos roxos:m", "limão taiti|limões taiti:m", "laranja pera|laranjas pera:f", "banana prata|bananas prata:f",
                "mandioca descascada|mandiocas descascadas:f", "cenoura:f", "morango:m", "maracujá azedo|maracujás azedos:m",
                "abacaxi pérola|abacaxis pérola:m", "manga palmer|mangas palmer:f", "polpa de açaí|polpas de açaí:f", "alface crespa|alfaces crespas:f",
                "cheiro-verde|cheiros-verdes:m", "pimentão vermelho|pimentões vermelhos:m", "abóbora cabotiá|abóboras cabotiá:f"},
               {"kg", "caixa 20 kg", "bandeja 500 g", "maço", "dúzia", "saco 10 kg", "unidade"},
               1.5, 120),
      category("utensílios",
               {"forma de alumínio|formas de alumínio:f", "assadeira retangular|assadeiras retangulares:f", "espátula de silicone|espátulas de silicone:f",
                "rolo de massa|rolos de massa:m", "bico de confeitar|bicos de confeitar:m", "saco de confeitar|sacos de confeitar:m",
                "batedor de arame|batedores de arame:m", "peneira de inox|peneiras de inox:f", "tigela de vidro|tigelas de vidro:f",
                "termômetro culinário|termômetros culinários:m", "balança digital|balanças digitais:f", "forma de pudim|formas de pudim:f",
                "forma de fundo removível|formas de fundo removível:f", "cortador de biscoito|cortadores de biscoito:m",
                "panela de pressão|panelas de pressão:f", "frigideira antiaderente|frigideiras antiaderentes:f", "faca de chef|facas de chef:f",
                "tábua de corte|tábuas de corte:f", "jarra medidora|jarras medidoras:f", "conjunto de colheres medidoras|conjuntos de colheres medidoras:m",
                "aro de inox|aros de inox:m", "pincel de silicone|pincéis de silicone:m", "tapete de silicone|tapetes de silicone:m"},
               {"25 cm", "30 x 20 cm", "tamanho P", "tamanho M", "tamanho G", "kit com 6 peças", "24 cm", "unidade", "conjunto com 3"},
               9.9, 450),
      category("embalagens",
               {"caixa para bolo|caixas para bolo:f", "pote de plástico|potes de plástico:m", "saco kraft|sacos kraft:m",
                "forminha de papel|forminhas de papel:f", "embalagem para pão de mel|embalagens para pão de mel:f", "fita de cetim|fitas de cetim:f",
                "etiqueta adesiva|etiquetas adesivas:f", "bandeja de papelão|bandejas de papelão:f", "sacola personalizada|sacolas personalizadas:f",
                "caixa para doces|caixas para doces:f", "pote com tampa|potes com tampa:m", "embalagem para delivery|embalagens para delivery:f",
                "cúpula de acetato|cúpulas de acetato:f", "saco para pão|sacos para pão:m", "marmita de alumínio|marmitas de alumínio:f"},
               {"pacote com 100 unidades", "caixa com 50", "kit com 20", "rolo 50 m", "pacote com 500", "unidade", "fardo com 1000"},
               4.9, 380),
      category("equipamentos",
               {"forno elétrico|fornos elétricos:m", "batedeira planetária|batedeiras planetárias:f", "liquidificador industrial|liquidificadores industriais:m",
                "freezer horizontal|freezers horizontais:m", "geladeira expositora|geladeiras expositoras:f", "masseira:f",
                "cilindro laminador|cilindros laminadores:m", "forno turbo|fornos turbo:m", "máquina de café espresso|máquinas de café espresso:f",
                "modeladora de pães|modeladoras de pães:f", "fritadeira elétrica|fritadeiras elétricas:f", "estufa para salgados|estufas para salgados:f",
                "vitrine refrigerada|vitrines refrigeradas:f", "moedor de café|moedores de café:m", "seladora a vácuo|seladoras a vácuo:f"},
               {"110 V", "220 V", "bivolt", "5 litros", "12 litros", "com 4 assadeiras", "inox", "20 kg"},
               189, 24990),
      category("bebidas",
               {"suco de laranja|sucos de laranja:m", "água de coco|águas de coco:f", "café gelado|cafés gelados:m", "guaraná natural|guaranás naturais:m",
                "cerveja artesanal|cervejas artesanais:f", "cachaça envelhecida|cachaças envelhecidas:f", "vinho tinto|vinhos tintos:m",
                "chá mate|chás mate:m", "kombucha:f", "refrigerante de guaraná|refrigerantes de guaraná:m", "suco de uva integral|sucos de uva integrais:m"},
               {"garrafa 1 litro", "lata 350 ml", "garrafa 750 ml", "caixa com 12", "fardo com 6", "galão 5 litros", "300 ml"},
               3.5, 290),
      category("congelados",
               {"pão de queijo congelado|pães de queijo congelados:m", "coxinha congelada|coxinhas congeladas:f", "massa folhada|massas folhadas:f",
                "polpa de fruta|polpas de fruta:f", "hambúrguer artesanal|hambúrgueres artesanais:m", "lasanha à bolonhesa|lasanhas à bolonhesa:f",
                "mini pizza|mini pizzas:f", "pastel de carne|pastéis de carne:m", "empada de frango|empadas de frango:f", "quibe congelado|quibes congelados:m",
                "esfiha de carne|esfihas de carne:f", "croissant congelado|croissants congelados:m", "massa de pizza|massas de pizza:f"},
               {"1 kg", "pacote com 50 unidades", "caixa 2 kg", "400 g", "pacote com 100", "bandeja 12 unidades"},
               8.9, 260),
  };
  category_zipf = ZipfTable(categories.size(), 0.8);

  product_qualifiers = Strings({
      "tipo exportação", "premium", "da fazenda", "artesanal", "orgânico", "tradicional", "extra",
      "especial", "integral", "sem glúten", "sem lactose", "zero açúcar", "gourmet", "profissional",
      "linha profissional", "de Minas", "do Sul", "nordestino", "caseiro", "importado", "nacional",
  });
  supplier_kinds = Strings({
      "Distribuidora", "Empório", "Armazém", "Laticínios", "Padaria", "Confeitaria", "Atacadão",
      "Comercial", "Mercearia", "Casa de Festas", "Embalagens", "Cafés", "Fazenda", "Sítio",
      "Cooperativa", "Indústria de Alimentos", "Moinho", "Doceria", "Hortifrúti", "Importadora",
      "Equipamentos", "Chocolates", "Queijaria", "Torrefação",
  });
  supplier_names = Strings({
      "São Jorge", "Boa Vista", "Santa Clara", "Serra Verde", "Bom Jesus", "Ouro Preto", "Nova Esperança",
      "Dona Maria", "Vale do Sol", "Três Irmãos", "Estrela", "Primavera", "Aurora", "Mineira", "Gaúcha",
      "Paulista", "Nordestina", "Sabor de Minas", "Pão Dourado", "Grão Fino", "Bela Vista", "Santo Antônio",
      "São Francisco", "Água Branca", "Recanto", "Flor de Lis", "Cana Doce", "Raízes", "Da Roça",
      "Doce Lar", "Canaã", "Capim Dourado", "Céu Azul", "Lua Nova", "Mãe Terra", "Pé de Serra",
      "Bom Sabor", "Alvorada", "Girassol", "Jequitibá", "Ipê Amarelo", "Araucária", "Sertão", "Mantiqueira",
  });
  supplier_suffixes = Strings({
      "", "Ltda", "", "ME", "& Filhos", "Alimentos", "do Brasil", "EIRELI", "Comércio", "Indústria",
  });
  course_kinds = Strings({
      "Curso completo de", "Curso de", "Oficina de", "Workshop de", "Masterclass de", "Introdução à",
      "Aula prática de", "Formação em", "Treinamento em", "Imersão em", "Minicurso de",
  });
  course_topics = Strings({
      "confeitaria", "panificação", "pães de fermentação natural", "bolos decorados", "brigadeiros gourmet",
      "salgados para festas", "chocolateria", "doces finos", "precificação de doces", "gestão financeira",
      "marketing digital para confeiteiros", "boas práticas de manipulação de alimentos", "pão de queijo artesanal",
      "bolos de pote", "tortas doces", "massas frescas", "comida congelada para vender", "ovos de Páscoa",
      "panetones e chocotones", "cafés especiais", "barismo", "queijos artesanais", "geleias e conservas",
      "confeitaria vegana", "confeitaria sem glúten", "decoração com chantilly", "pasta americana",
      "fotografia de alimentos", "atendimento ao cliente", "empreendedorismo na cozinha", "delivery de marmitas",
      "macarons", "cupcakes", "doces de festa junina", "biscoitos decorados", "salgados assados",
  });
  course_subtitles = Strings({
      "do básico ao avançado", "para iniciantes", "passo a passo", "para vender", "com certificado",
      "técnicas profissionais", "na prática", "em casa", "para lucrar", "do zero",
      "com a chef convidada", "módulo 1", "edição especial", "turma de sábado",
  });
}

// clang-format on

}  // namespace busca::seed
