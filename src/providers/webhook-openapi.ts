/**
 * A form (or JSON) callback body for a vendor's OpenAPI fragment: the fields Alertline reads, and any
 * others as strings (vendors add parameters without notice). The document adds the tag, the security (none:
 * the vendor signs instead) and the 400 and 403 answers every receipt webhook shares.
 */
export function formBody(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: 'object', properties, required, additionalProperties: { type: 'string' } };
}

const FORM = 'application/x-www-form-urlencoded';

/** A required callback body of `formBody`'s shape, in each of these media types (a form by default). */
export function formRequestBody(
  properties: Record<string, unknown>,
  required: string[],
  mediaTypes: string[] = [FORM],
): Record<string, unknown> {
  const schema = formBody(properties, required);
  return { required: true, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])) };
}
