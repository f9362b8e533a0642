import { PDFArray, type PDFContext, PDFDict, PDFName, type PDFObject, PDFString } from "pdf-lib";

// Chromium drops relative links when printing (the page has no address), so cross-references are
// printed as links to this reserved address and rewritten afterwards: in a policy's PDF to its
// sibling PDF, in the manual to the page where the cited policy starts.
const XREF_BASE = "https://xref.policypack.invalid/";

export const xrefHref = ({ slug }: { slug: string }) => `${XREF_BASE}${slug}`;
export const isXrefHref = (href: string) => href.startsWith(XREF_BASE);

/** The slug a cross-reference link points at: a reserved address, or a sibling PDF (see siblingPdfAction). */
function xrefTarget(action: PDFDict | undefined): string | undefined {
  const text = (key: string) => action?.lookupMaybe(PDFName.of(key), PDFString)?.decodeText();
  const url = text("URI");
  if (url?.startsWith(XREF_BASE)) return url.slice(XREF_BASE.length);
  const file = text("F");
  return action?.get(PDFName.of("S")) === PDFName.of("GoToR") && file?.endsWith(".pdf") ? file.slice(0, -4) : undefined;
}

/** Replaces the action of every cross-reference link on `pages`; `action` returns undefined to drop the link. */
export function rewriteXrefLinks(pages: readonly PDFDict[], action: (slug: string) => PDFObject | undefined): void {
  for (const page of pages) {
    const annots = page.lookupMaybe(PDFName.of("Annots"), PDFArray);
    if (!annots) continue;
    for (let i = annots.size() - 1; i >= 0; i--) {
      const annot = annots.lookup(i, PDFDict);
      const slug = xrefTarget(annot.lookupMaybe(PDFName.of("A"), PDFDict));
      if (slug === undefined) continue;
      const replacement = action(slug);
      if (replacement) annot.set(PDFName.of("A"), replacement);
      else annots.remove(i);
    }
  }
}

/** A link to page 1 of another PDF in the same folder. */
export function siblingPdfAction(context: PDFContext, slug: string): PDFObject {
  return context.obj({
    S: "GoToR",
    F: PDFString.of(`${slug}.pdf`),
    D: [0, "Fit"],
    NewWindow: false,
  });
}
