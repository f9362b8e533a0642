import { describe, expect, it } from "vitest";
import { addMonths, formatLong, parseIsoDate, resolveBuildDate } from "../src/dates/calendar.ts";

const d = (text: string) => parseIsoDate(text) ?? expect.fail(`${text} should parse`);

describe("review dates are calendar months later", () => {
  it.each([
    ["2026-01-31", 1, "28 February 2026"],
    ["2028-01-31", 1, "29 February 2028"], // leap year
    ["2028-02-29", 12, "28 February 2029"], // leap day, a year on
    ["2028-02-29", 48, "29 February 2032"],
    ["2026-03-31", 1, "30 April 2026"],
    ["2026-08-31", 6, "28 February 2027"],
    ["2026-11-24", 12, "24 November 2027"],
    ["2026-12-15", 1, "15 January 2027"], // across a year end
    ["2026-05-31", 24, "31 May 2028"],
  ])("%s + %i months = %s", (from, months, expected) => {
    expect(formatLong(addMonths(d(from), months))).toBe(expected);
  });

  it("rejects dates that are not in the calendar", () => {
    for (const text of ["2026-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "26-1-1"]) {
      expect(parseIsoDate(text)).toBeUndefined();
    }
    expect(parseIsoDate("2028-02-29")).toEqual({ year: 2028, month: 2, day: 29 });
  });
});

describe("the build date", () => {
  const now = new Date(2026, 10, 24, 12);
  it("is --as-of when given, before SOURCE_DATE_EPOCH", () => {
    expect(resolveBuildDate("2027-03-01", { SOURCE_DATE_EPOCH: "0" }, now)).toEqual({ year: 2027, month: 3, day: 1 });
  });
  it("is SOURCE_DATE_EPOCH (UTC) when set", () => {
    expect(resolveBuildDate(undefined, { SOURCE_DATE_EPOCH: "1709164800" }, now)).toEqual({
      year: 2024,
      month: 2,
      day: 29,
    });
  });
  it("is today otherwise", () => {
    expect(resolveBuildDate(undefined, {}, now)).toEqual({ year: 2026, month: 11, day: 24 });
  });
  it("explains a malformed value", () => {
    expect(resolveBuildDate("2026-02-30", {}, now)).toMatch(/not a date/);
    expect(resolveBuildDate(undefined, { SOURCE_DATE_EPOCH: "yesterday" }, now)).toMatch(/not a number/);
  });
});
