import { containsCardNumber, maskCardNumbers } from './card-number';

/** Deeper JSON than this is refused before it is walked: the walks below stay iterative, JSON.stringify does not. */
export const MAX_JSON_DEPTH = 32;

type Visit = (text: string, path: string[], isKey: boolean) => boolean;

/** Nesting depth of a parsed JSON value (a scalar is 0), without recursion. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

// Numbers are visited as written by String(): a PAN sent as 4.111111111111111e15 parses to 4111111111111111.
function walk(value: unknown, visit: Visit): boolean {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string' || typeof v === 'number') {
      if (visit(String(v), path, false)) return true;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (visit(k, [...path, k], true)) return true;
        stack.push([child, [...path, k]]);
      }
    }
  }
  return false;
}

/** The path (masked) of the first key or value holding a card number in any form, or null. */
export function findCardNumber(value: unknown): string | null {
  let found: string | null = null;
  walk(value, (text, path, isKey) => {
    if (!containsCardNumber(text)) return false;
    found = path.map(maskCardNumbers).join('.') + (isKey ? ' (a key)' : '') || '(the value)';
    return true;
  });
  return found;
}

/**
 * A copy with every key and string masked; a number that reads as a card number becomes a masked string.
 * Recursive: only for values already checked against MAX_JSON_DEPTH.
 */
export function maskCardNumbersDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskCardNumbers(value);
  if (typeof value === 'number')
    return containsCardNumber(String(value)) ? maskCardNumbers(String(value)) : value;
  if (Array.isArray(value)) return value.map(maskCardNumbersDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [maskCardNumbers(k), maskCardNumbersDeep(v)]),
    );
  }
  return value;
}
