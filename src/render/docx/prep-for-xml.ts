// docx turns its components into plain objects for its XML writer with prepForXml, and two of
// those methods take a third of a Word file's time here (60 ms a policy): every element walks
// its children through flatMap and filter with closures made per call, and every
// NextAttributeComponent (the attributes of text, fonts, sizes…) merges its attributes one at a
// time into a new object through Babel's _objectSpread2, quadratic in the attributes. These are
// the same methods written as loops. They are put in place only over the very methods they were
// written against (docx 9.15), compared by their source text, so another docx keeps its own;
// test/docx.test.ts checks that Word files come out the same with either.
import { BaseXmlComponent, EMPTY_OBJECT, NextAttributeComponent, XmlComponent } from "docx";

type Context = { stack: unknown[] };
type Prepared = Record<string, unknown> | undefined;
interface Component {
  prepForXml(context: Context): Prepared | Prepared[];
  readonly writtenAs?: readonly Component[];
}

/** docx 9.15's XmlComponent.prepForXml and NextAttributeComponent.prepForXml, with their whitespace taken out. */
const REPLACED = {
  element:
    "prepForXml(context){var_children$;context.stack.push(this);constchildren=this.root.flatMap((comp)=>{if(isXmlComponent(comp)){constparts=comp.writtenAs;returnparts?parts.map((part)=>part.prepForXml(context)):comp.prepForXml(context);}returncomp;}).filter((comp)=>comp!==void0);context.stack.pop();return{[this.rootKey]:children.length?children.length===1&&((_children$=children[0])===null||_children$===void0?void0:_children$._attr)?children[0]:children:EMPTY_OBJECT};}",
  attributes:
    "prepForXml(_){return{_attr:Object.values(this.root).filter(({value})=>value!==void0).reduce((acc,{key,value})=>_objectSpread2(_objectSpread2({},acc),{},{[key]:value}),{})};}",
};

const isComponent = (value: unknown): value is Component =>
  value instanceof BaseXmlComponent ||
  (typeof value === "object" && value !== null && typeof (value as Component).prepForXml === "function");

/** What flatMap would add for `value`: its items if it is an array, else itself; never undefined. */
function pushFlat(children: unknown[], value: unknown): void {
  if (!Array.isArray(value)) {
    if (value !== undefined) children.push(value);
    return;
  }
  for (const item of value) if (item !== undefined) children.push(item);
}

function prepareElement(this: { root: unknown[]; rootKey: string }, context: Context) {
  context.stack.push(this);
  const children: unknown[] = [];
  for (const child of this.root) {
    if (!isComponent(child)) pushFlat(children, child);
    else if (child.writtenAs) {
      for (const part of child.writtenAs) {
        const prepared = part.prepForXml(context);
        if (prepared !== undefined) children.push(prepared);
      }
    } else pushFlat(children, child.prepForXml(context));
  }
  context.stack.pop();
  const only = children.length === 1 ? (children[0] as { _attr?: unknown } | null) : undefined;
  return { [this.rootKey]: children.length === 0 ? EMPTY_OBJECT : only?._attr ? only : children };
}

function prepareAttributes(this: { root: Record<string, { key: string; value: unknown }> }) {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of Object.values(this.root)) if (value !== undefined) attributes[key] = value;
  return { _attr: attributes };
}

const squashed = (method: unknown) => String(method).replace(/\s+/g, "");
const elementPrototype = XmlComponent.prototype as unknown as { prepForXml: unknown };
const attributesPrototype = NextAttributeComponent.prototype as unknown as { prepForXml: unknown };

/** docx's own methods, as it was loaded. */
const DOCX_METHODS = { element: elementPrototype.prepForXml, attributes: attributesPrototype.prepForXml };

/** Puts the loops in place of docx's methods where they match; says which it replaced. */
export function useFasterPrepForXml(): { element: boolean; attributes: boolean } {
  const replaced = {
    element: squashed(DOCX_METHODS.element) === REPLACED.element,
    attributes: squashed(DOCX_METHODS.attributes) === REPLACED.attributes,
  };
  if (replaced.element) elementPrototype.prepForXml = prepareElement;
  if (replaced.attributes) attributesPrototype.prepForXml = prepareAttributes;
  return replaced;
}

/** docx's own methods back in place (to compare the two). */
export function useDocxPrepForXml(): void {
  elementPrototype.prepForXml = DOCX_METHODS.element;
  attributesPrototype.prepForXml = DOCX_METHODS.attributes;
}
