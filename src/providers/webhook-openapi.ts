/**
 * A form (or JSON) callback body for a vendor's OpenAPI fragment: the fields Alertline reads, and any
 * others as strings (vendors add parameters without notice). The document adds the tag, the security (none:
 * the vendor signs instead) and the 400 and 403 answers every receipt webhook shares.
 */
export function formBody(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: 'object', properties, required, additionalProperties: { type: 'string' } };
}
