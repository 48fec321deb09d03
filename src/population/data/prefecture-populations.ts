/**
 * Population of the 47 prefectures, approximately as counted by the 2020 Population Census
 * (令和2年国勢調査, 確定値; widely published figures, rounded to the thousand here). Approximate:
 * used only to spread synthetic residents over the country in realistic proportions.
 * Keyed by the 2-digit prefecture code (JIS X 0401); the name is a cross-check against the
 * local-government table.
 */
export const PREFECTURE_POPULATIONS_2020: Readonly<
  Record<string, { name: string; thousands: number }>
> = {
  '01': { name: '北海道', thousands: 5225 },
  '02': { name: '青森県', thousands: 1238 },
  '03': { name: '岩手県', thousands: 1211 },
  '04': { name: '宮城県', thousands: 2302 },
  '05': { name: '秋田県', thousands: 960 },
  '06': { name: '山形県', thousands: 1068 },
  '07': { name: '福島県', thousands: 1833 },
  '08': { name: '茨城県', thousands: 2867 },
  '09': { name: '栃木県', thousands: 1933 },
  '10': { name: '群馬県', thousands: 1939 },
  '11': { name: '埼玉県', thousands: 7345 },
  '12': { name: '千葉県', thousands: 6284 },
  '13': { name: '東京都', thousands: 14048 },
  '14': { name: '神奈川県', thousands: 9237 },
  '15': { name: '新潟県', thousands: 2201 },
  '16': { name: '富山県', thousands: 1035 },
  '17': { name: '石川県', thousands: 1133 },
  '18': { name: '福井県', thousands: 767 },
  '19': { name: '山梨県', thousands: 810 },
  '20': { name: '長野県', thousands: 2048 },
  '21': { name: '岐阜県', thousands: 1979 },
  '22': { name: '静岡県', thousands: 3633 },
  '23': { name: '愛知県', thousands: 7542 },
  '24': { name: '三重県', thousands: 1770 },
  '25': { name: '滋賀県', thousands: 1414 },
  '26': { name: '京都府', thousands: 2578 },
  '27': { name: '大阪府', thousands: 8838 },
  '28': { name: '兵庫県', thousands: 5465 },
  '29': { name: '奈良県', thousands: 1324 },
  '30': { name: '和歌山県', thousands: 923 },
  '31': { name: '鳥取県', thousands: 553 },
  '32': { name: '島根県', thousands: 671 },
  '33': { name: '岡山県', thousands: 1888 },
  '34': { name: '広島県', thousands: 2800 },
  '35': { name: '山口県', thousands: 1342 },
  '36': { name: '徳島県', thousands: 720 },
  '37': { name: '香川県', thousands: 950 },
  '38': { name: '愛媛県', thousands: 1335 },
  '39': { name: '高知県', thousands: 692 },
  '40': { name: '福岡県', thousands: 5135 },
  '41': { name: '佐賀県', thousands: 811 },
  '42': { name: '長崎県', thousands: 1312 },
  '43': { name: '熊本県', thousands: 1738 },
  '44': { name: '大分県', thousands: 1124 },
  '45': { name: '宮崎県', thousands: 1070 },
  '46': { name: '鹿児島県', thousands: 1588 },
  '47': { name: '沖縄県', thousands: 1467 },
};
