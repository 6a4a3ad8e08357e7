/** How a reply reads: the cardholder does not recognise the transaction, or anything else (kept as text). */
export type ReplyClassification = 'NOT_RECOGNISED' | 'OTHER';

export interface ReplyReading {
  classification: ReplyClassification;
  /** The keyword it began with, in its list spelling; null for OTHER. */
  keyword: string | null;
}

// The words a cardholder uses to say "this was not me", in en and zh-CN (and its traditional spellings).
// A keyword counts only at the start of the reply: "NOT ME", "Fraud!!", "不是我本人" are reports, while
// "not fraud, thanks" or "是我，不是盗刷" are not. A false report can block a card; a missed one is still
// published with its text, so the list leans to precision (docs/design.md, "The cardholder's reply").
const EN_KEYWORDS = [
  'not me',
  'notme',
  'not mine',
  'wasnt me',
  'was not me',
  'fraud',
  'fraudulent',
  'unauthorised',
  'unauthorized',
  'not authorised',
  'not authorized',
  'i did not make',
  'i didnt make',
  'stolen',
];
const ZH_KEYWORDS = [
  '不是我',
  '非本人',
  '不是本人',
  '本人未消费',
  '没有消费',
  '沒有消費',
  '盗刷',
  '盜刷',
  '被盗',
  '被盜',
  '未授权',
  '未授權',
];

// Only the start of a reply can hold the keyword: a hostile 1600-character text is not normalised whole.
const HEAD = 128;
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u2028-\u202F\u2060-\u206F\uFEFF]/gu;
const APOSTROPHES = /['\u2018\u2019\u02BC\uFF07]/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * The reply's head as compared: NFKC (full-width letters and digits become ASCII, compatibility forms
 * fold), lower case, invisible characters and apostrophes dropped ("wasn't" is "wasnt"), every run of
 * punctuation, symbols and white space one space, trimmed.
 */
export function normaliseReply(text: string): string {
  return text
    .slice(0, HEAD)
    .normalize('NFKC')
    .toLowerCase()
    .replace(INVISIBLE, '')
    .replace(APOSTROPHES, '')
    .replace(NOT_WORD, ' ')
    .trim();
}

export function classifyReply(text: string): ReplyReading {
  const spaced = normaliseReply(text);
  for (const keyword of EN_KEYWORDS) {
    if (spaced === keyword || spaced.startsWith(`${keyword} `)) return notRecognised(keyword);
  }
  // Chinese has no spaces between words; a cardholder may still type some ("不 是 我").
  const solid = spaced.replace(/ /g, '');
  for (const keyword of ZH_KEYWORDS) if (solid.startsWith(keyword)) return notRecognised(keyword);
  return { classification: 'OTHER', keyword: null };
}

function notRecognised(keyword: string): ReplyReading {
  return { classification: 'NOT_RECOGNISED', keyword };
}
