// The float estimate of a doc's tf~ that the query loops use to pass docs before scoring them
// exactly: sum over text slots of tf * weight / norm(length), from FieldScoring's rounded-up
// table (weighted_inv_norm_up). It is not below the exact tf~ but for its float rounding, which
// the margins here cover: a doc whose estimate is below FloatCutBelow(cut) has a tf~ below `cut`.
// Header-only.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "engine/index/doc_id.h"
#include "engine/index/schema.h"
#include "engine/index/segment_reader.h"
#include "engine/query/field_scoring.h"

namespace busca::query {

// An estimate times this is not below the tf~ it estimates (its float sums may round below by a
// few ulps).
inline constexpr double kEstimateMargin = 1 + 1e-6;

// A float below x / kEstimateMargin (the conversion's rounding is a relative 6e-8).
inline float FloatCutBelow(double x) { return static_cast<float>(x * (1 - 2e-6)); }

// What an estimate reads, per text slot of a segment (SegmentReader::text_fields() order): the
// table weighted_inv_norm_up of the slot's field and the slot's length column. Built as a local
// object where a loop needs it, so the loop keeps it in registers.
struct TfTildeEstimator {
  TfTildeEstimator(const index::SegmentReader& segment, const FieldScoring& scoring) {
    const std::vector<size_t>& fields = segment.text_fields();
    slots = static_cast<uint32_t>(fields.size());
    for (uint32_t s = 0; s < slots; ++s) {
      coef[s] = scoring.weighted_inv_norm_up[fields[s]].data();
      lengths[s] = segment.LengthsOfSlot(s);
    }
  }

  // The estimate of doc `d` from its tf per slot, tf_of(slot). kSlots: the number of slots when
  // the caller knows it at compile time (a loop over 2 slots unrolls), else 0.
  template <uint32_t kSlots = 0, typename TfOf>
  float Estimate(TfOf tf_of, index::DocId d) const {
    constexpr uint32_t kLast = FieldScoring::kTableSize - 1;
    const uint32_t n = kSlots != 0 ? kSlots : slots;
    float estimate = 0;
    for (uint32_t s = 0; s < n; ++s) {
      estimate += static_cast<float>(tf_of(s)) * coef[s][std::min(lengths[s].At(d), kLast)];
    }
    return estimate;
  }

  uint32_t slots = 0;
  std::array<const float*, index::kMaxTextFields> coef;
  std::array<index::SegmentReader::LengthView, index::kMaxTextFields> lengths;
};

}  // namespace busca::query
