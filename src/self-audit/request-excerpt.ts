/** Limits of what a self-audit record copies from the request it describes. */
export const MAX_QUERY_KEYS = 20;
export const MAX_QUERY_KEY_LENGTH = 64;
export const MAX_QUERY_VALUE_LENGTH = 256;
export const MAX_QUERY_ARRAY_ITEMS = 10;
export const MAX_USER_AGENT_LENGTH = 256;

const UNUSABLE_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** At most `max` UTF-16 units, never ending in half a surrogate pair; control characters replaced. */
export function boundedText(value: string, max: number): string {
  let text = value.length > max ? value.slice(0, max) : value;
  if (/[\uD800-\uDBFF]$/.test(text) && value.length > max) text = text.slice(0, -1);
  return text.replace(UNUSABLE_CHARACTERS, '\uFFFD');
}

/**
 * The query string as a record keeps it: at most 20 parameters, names of at most 64 and values of
 * at most 256 characters, at most 10 values per repeated parameter; nested values (`a[b]=c`) are
 * kept as their JSON text, bounded the same way. `truncated` says whether anything was left out,
 * so a reader knows the copy is partial. A caller cannot grow a record by growing its URL.
 */
export function boundedQuery(query: Record<string, unknown> | undefined): { query: Record<string, unknown>; truncated: boolean } {
  const bounded: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let truncated = false;
  const keys = Object.keys(query ?? {});
  if (keys.length > MAX_QUERY_KEYS) truncated = true;
  const valueOf = (value: unknown): string => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    if (text.length > MAX_QUERY_VALUE_LENGTH) truncated = true;
    return boundedText(text, MAX_QUERY_VALUE_LENGTH);
  };
  for (const key of keys.slice(0, MAX_QUERY_KEYS)) {
    if (key.length > MAX_QUERY_KEY_LENGTH) truncated = true;
    const value = (query as Record<string, unknown>)[key];
    let copy: unknown;
    if (Array.isArray(value)) {
      if (value.length > MAX_QUERY_ARRAY_ITEMS) truncated = true;
      copy = value.slice(0, MAX_QUERY_ARRAY_ITEMS).map(valueOf);
    } else {
      copy = valueOf(value);
    }
    bounded[boundedText(key, MAX_QUERY_KEY_LENGTH)] = copy;
  }
  return { query: { ...bounded }, truncated };
}
