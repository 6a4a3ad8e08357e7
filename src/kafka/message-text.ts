// What a consumed string may hold before it is stored or rendered. PostgreSQL refuses U+0000 in text
// (SQLSTATE 22021) although JSON allows "\u0000"; a lone UTF-16 surrogate is not Unicode at all and would be
// stored and sent as U+FFFD; other control characters (line breaks, ESC, C1 controls) would reach the SMS
// text, where a merchant-controlled name could start a new, official-looking line.
export type TextProblem = 'NUL_CHARACTER' | 'LONE_SURROGATE' | 'CONTROL_CHARACTER';

const PROBLEM_DETAIL: Record<TextProblem, string> = {
  NUL_CHARACTER: 'contains U+0000 (NUL), which PostgreSQL cannot store',
  LONE_SURROGATE: 'contains a lone UTF-16 surrogate (not valid Unicode)',
  CONTROL_CHARACTER: 'contains a control character (U+0001-U+001F, U+007F-U+009F)',
};

export function textProblem(text: string): TextProblem | null {
  if (text.includes('\u0000')) return 'NUL_CHARACTER';
  // With the u flag a well-formed pair is one code point, so \p{Cs} matches unpaired halves only.
  if (/\p{Cs}/u.test(text)) return 'LONE_SURROGATE';
  if (/[\u0001-\u001f\u007f-\u009f]/.test(text)) return 'CONTROL_CHARACTER';
  return null;
}

/** The first string field of `record` that may not be stored, with the DLQ code and a detail naming it. */
export function findTextProblem(
  record: Record<string, unknown>,
): { code: TextProblem; detail: string } | null {
  for (const [field, value] of Object.entries(record)) {
    if (typeof value !== 'string') continue;
    const problem = textProblem(value);
    if (problem) return { code: problem, detail: `${field}: ${PROBLEM_DETAIL[problem]}` };
  }
  return null;
}
