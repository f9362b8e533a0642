// How deeply an HTML page nests, measured on its text before any parser builds a tree (the tree
// converters recurse, and 10,000 nested elements overflow the stack). The scan follows the
// parser's main rules: void elements, raw-text elements, `</x>` closing up to its `<x>`, and the
// start tags that close an open <p>, <li>, <td>… implicitly. Where it differs from a browser it
// counts deeper, never shallower by more than a few levels.

const VOID = new Set(
  "area base basefont bgsound br col embed frame hr img input keygen link meta param source track wbr".split(" "),
);
const RAW_TEXT = new Set("script style textarea title xmp iframe noembed noframes noscript plaintext".split(" "));
const BLOCK = new Set(
  "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul li dd dt".split(
    " ",
  ),
);
/** A start tag that closes an open element of its group, unless a container of the group is nearer. */
const SIBLINGS: Record<string, { closes: string[]; container: string[] }> = {
  li: { closes: ["li"], container: ["ul", "ol", "menu"] },
  dt: { closes: ["dt", "dd"], container: ["dl"] },
  dd: { closes: ["dt", "dd"], container: ["dl"] },
  option: { closes: ["option"], container: ["select", "datalist"] },
  tr: { closes: ["tr", "td", "th"], container: ["table", "thead", "tbody", "tfoot"] },
  td: { closes: ["td", "th"], container: ["tr", "table"] },
  th: { closes: ["td", "th"], container: ["tr", "table"] },
  thead: { closes: ["thead", "tbody", "tfoot", "tr", "td", "th"], container: ["table"] },
  tbody: { closes: ["thead", "tbody", "tfoot", "tr", "td", "th"], container: ["table"] },
  tfoot: { closes: ["thead", "tbody", "tfoot", "tr", "td", "th"], container: ["table"] },
};

/**
 * Pops `stack` to below its deepest-down element satisfying `closes` (a <tr> start tag closes the
 * open <td> and its <tr>), looking no further than the first element satisfying `stops`.
 */
function closeTo(stack: string[], closes: (tag: string) => boolean, stops: (tag: string) => boolean): void {
  let to = stack.length;
  for (let i = stack.length - 1; i >= 0; i--) {
    const tag = stack[i] as string;
    if (closes(tag)) to = i;
    else if (stops(tag)) break;
  }
  stack.length = to;
}

/** The offset where the page first nests deeper than `limit`, or undefined when it never does. */
export function htmlTooDeepAt(html: string, limit: number): number | undefined {
  const stack: string[] = [];
  const lower = html.toLowerCase();
  const tag = /<(\/?)([A-Za-z][^\s/>]*)[^>]*?(\/?)>|<!--[\s\S]*?(?:-->|$)|<[!?][^>]*>/g;
  for (let match = tag.exec(html); match; match = tag.exec(html)) {
    if (match[2] === undefined) continue; // comment, doctype, processing instruction
    const name = match[2].toLowerCase();
    if (match[1]) {
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.length = at;
      continue;
    }
    if (VOID.has(name) || match[3]) continue;
    if (RAW_TEXT.has(name)) {
      const end = lower.indexOf(`</${name}`, tag.lastIndex);
      tag.lastIndex = end === -1 ? html.length : end;
      continue;
    }
    const siblings = SIBLINGS[name];
    if (siblings)
      closeTo(
        stack,
        (t) => siblings.closes.includes(t),
        (t) => siblings.container.includes(t),
      );
    if (BLOCK.has(name))
      closeTo(
        stack,
        (t) => t === "p",
        (t) => BLOCK.has(t) || t === "td" || t === "th",
      );
    stack.push(name);
    if (stack.length > limit) return match.index;
  }
  return undefined;
}
