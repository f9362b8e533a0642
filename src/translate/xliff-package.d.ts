// The xliff package ships no types; these are the two functions policypack calls.
declare module "xliff/jsToXliff12" {
  const jsToXliff12: (js: unknown, options?: { indent?: string }) => Promise<string>;
  export default jsToXliff12;
}
declare module "xliff/xliff12ToJs" {
  const xliff12ToJs: (xml: string) => Promise<unknown>;
  export default xliff12ToJs;
}
