/**
 * Japan's age pyramid, in 5-year age bands, approximating the 2020 Population Census
 * (令和2年国勢調査, total population by age, both sexes; figures in thousands, rounded, as widely
 * published). Approximate: good for plausible synthetic data, not for statistics.
 *
 * `from`..`to` are completed years of age, inclusive. The last band (100+) is capped at 105 so
 * that every generated birth date stays plausible.
 */
export type AgeBand = { readonly from: number; readonly to: number; readonly thousands: number };

export const AGE_PYRAMID_2020: readonly AgeBand[] = [
  { from: 0, to: 4, thousands: 4541 },
  { from: 5, to: 9, thousands: 5114 },
  { from: 10, to: 14, thousands: 5376 },
  { from: 15, to: 19, thousands: 5706 },
  { from: 20, to: 24, thousands: 6320 },
  { from: 25, to: 29, thousands: 6384 },
  { from: 30, to: 34, thousands: 6714 },
  { from: 35, to: 39, thousands: 7498 },
  { from: 40, to: 44, thousands: 8476 },
  { from: 45, to: 49, thousands: 9868 },
  { from: 50, to: 54, thousands: 8738 },
  { from: 55, to: 59, thousands: 7940 },
  { from: 60, to: 64, thousands: 7442 },
  { from: 65, to: 69, thousands: 8236 },
  { from: 70, to: 74, thousands: 9189 },
  { from: 75, to: 79, thousands: 7065 },
  { from: 80, to: 84, thousands: 5404 },
  { from: 85, to: 89, thousands: 3742 },
  { from: 90, to: 94, thousands: 1881 },
  { from: 95, to: 99, thousands: 507 },
  { from: 100, to: 105, thousands: 80 },
];

/** Index of the band holding `age` (the last band for anything older). */
export function ageBandIndex(age: number): number {
  for (let i = 0; i < AGE_PYRAMID_2020.length; i++) {
    if (age <= AGE_PYRAMID_2020[i]!.to) return i;
  }
  return AGE_PYRAMID_2020.length - 1;
}
