// A message tree (vue-i18n's nested objects) flattened to "a.b.c" → text: what the i18n tests
// compare between languages.
export type MessageTree = { [k: string]: string | MessageTree }

export function messageLeaves(tree: MessageTree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(path, v)
    else for (const [p, s] of messageLeaves(v, path)) out.set(p, s)
  }
  return out
}
