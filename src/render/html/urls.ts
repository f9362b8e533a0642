import type { ElementContent } from "hast";
import type { Definition, Image, ImageReference, Link, LinkReference } from "mdast";
import type { Handler, State } from "mdast-util-to-hast";
import { defaultHandlers } from "remark-rehype";
import { isPublishableLink } from "../../links.ts";

// What a published page may link to or load. Links: the web, mail, phone and the pack's own
// files. Images in a policy: only data: images (`<<org_field_logo>>`); a remote image would be fetched by
// every reader's browser, so it is dropped for its alt text (the check stage reports it).

const IMAGE_URL = /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i;

/** The URL as a browser reads it: it drops ASCII tabs and newlines anywhere and trims C0 controls and spaces. */
const asBrowserReads = (url: string) => url.replace(/[\t\n\r]/g, "").replace(/^[\0- ]+|[\0- ]+$/g, "");

export const isSafeImage = (url: string): boolean => IMAGE_URL.test(asBrowserReads(url));

const definitionOf = (state: State, node: LinkReference | ImageReference): Definition | undefined =>
  state.definitionById.get(String(node.identifier).toUpperCase());

const altText = (alt: string | null | undefined): ElementContent[] => (alt ? [{ type: "text", value: alt }] : []);

/** remark-rehype handlers: an unsafe link becomes its text, an unsafe image its alt text. */
export const safeUrlHandlers: Record<string, Handler> = {
  link: (state, node: Link) => (isPublishableLink(node.url) ? defaultHandlers.link(state, node) : state.all(node)),
  linkReference: (state, node: LinkReference) => {
    const definition = definitionOf(state, node);
    return definition && !isPublishableLink(definition.url)
      ? state.all(node)
      : defaultHandlers.linkReference(state, node);
  },
  image: (state, node: Image) => (isSafeImage(node.url) ? defaultHandlers.image(state, node) : altText(node.alt)),
  imageReference: (state, node: ImageReference) => {
    const definition = definitionOf(state, node);
    return definition && isSafeImage(definition.url) ? defaultHandlers.imageReference(state, node) : altText(node.alt);
  },
};
