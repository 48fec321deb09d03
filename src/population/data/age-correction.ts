/**
 * Per-band correction factors applied to the household heads' age weights (household-types.ts),
 * keyed by the band's first year; a missing band means 1. The household model alone over- or
 * under-produces some bands, because children's, spouses' and parents' ages follow from the
 * head's. These factors were fitted once (a few rounds of multiplying each factor by
 * (pyramid share / generated share)^0.8 over 400k generated residents) so that the ages of ALL
 * residents follow AGE_PYRAMID_2020: total variation distance ≈ 1 % instead of ≈ 4 %.
 * Bands under 15 hold only children, whose ages follow from their parents', so they have none.
 */
export const AGE_CORRECTION: Readonly<Record<number, number>> = {
  15: 1.54,
  20: 0.82,
  25: 0.76,
  30: 0.75,
  35: 0.83,
  40: 0.91,
  45: 1.09,
  50: 1.05,
  55: 1.05,
  60: 1.0,
  65: 0.96,
  70: 1.1,
  75: 1.02,
  80: 1.01,
  85: 1.22,
  90: 1.6,
  95: 1.21,
  100: 0.44,
};
