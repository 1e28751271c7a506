import { describe, expect, it } from "vitest";
import {
  dns1123LabelFormat,
  dns1123LabelPattern,
  dns1123SubdomainFormat,
  dns1123SubdomainPattern,
  isDNS1123Label,
  isDNS1123Subdomain,
} from "../src/index.js";

// The cases of apimachinery's TestIsDNS1123Label and TestIsDNS1123Subdomain, plus the names a looser
// pattern (one character class with the dot in it) lets through and apimachinery does not.
const badEverywhere = [
  "",
  "A",
  "ABC",
  "aBc",
  "A1",
  "A-1",
  "1-A",
  "-",
  "a-",
  "-a",
  "1-",
  "-1",
  "_",
  "a_",
  "_a",
  "a_b",
  "1_",
  "_1",
  "1_2",
  ".",
  "a.",
  ".a",
  "1.",
  ".1",
  " ",
  "a ",
  " a",
  "a b",
  "1 2",
  "a\n",
  "\na",
  "é",
  "a@b",
  "a:b",
  "a/b",
  "a%b",
];

describe("DNS-1123 labels", () => {
  it.each([
    "a",
    "ab",
    "abc",
    "a1",
    "a-1",
    "a--1--2--b",
    "0",
    "01",
    "012",
    "1a",
    "1-a",
    "1--a--b--2",
    "a".repeat(63),
  ])("accepts %j", (name) => {
    expect(isDNS1123Label(name)).toBe(true);
  });

  it.each([...badEverywhere, "a.b", "1.2", "a..b", "a".repeat(64)])("rejects %j", (name) => {
    expect(isDNS1123Label(name)).toBe(false);
  });

  it("holds 63 characters and no more", () => {
    expect(isDNS1123Label(`a${"-".repeat(61)}b`)).toBe(true);
    expect(isDNS1123Label(`a${"-".repeat(62)}b`)).toBe(false);
  });
});

describe("DNS-1123 subdomains", () => {
  it.each([
    "a",
    "a--1--2--b",
    "0",
    "1--a--b--2",
    "a.a",
    "a-1.a",
    "a--1--2--b.1",
    "0.1",
    "1-a.1",
    "a.b.c.d.e",
    "aa.bb.cc.dd.ee",
    "1.2.3.4.5",
    "kube-system.example.com",
    // apimachinery limits the whole name only, not each of its dot-separated parts.
    `${"a".repeat(64)}.b`,
    "a".repeat(253),
    `${"a.".repeat(126)}a`,
  ])("accepts %j", (name) => {
    expect(isDNS1123Subdomain(name)).toBe(true);
  });

  it.each([
    ...badEverywhere,
    "a..b",
    "1..2",
    "a.-b",
    "a-.b",
    "a.-",
    "A.a",
    "ab.A",
    "a.B.c.d.e",
    "a".repeat(254),
    `${"a.".repeat(126)}ab`,
  ])("rejects %j", (name) => {
    expect(isDNS1123Subdomain(name)).toBe(false);
  });
});

describe("the patterns and their formats", () => {
  // The formats appear in validation messages, which quote apimachinery's text exactly.
  it("spells the formats as apimachinery does", () => {
    expect(dns1123LabelFormat).toBe("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    expect(dns1123SubdomainFormat).toBe("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  });

  // Callers that report the length and the characters separately (label keys) rely on this.
  it("leaves the length limit to the predicates", () => {
    expect(dns1123LabelPattern.test("a".repeat(64))).toBe(true);
    expect(dns1123SubdomainPattern.test("a".repeat(254))).toBe(true);
    expect(dns1123SubdomainPattern.test("a..b")).toBe(false);
  });
});
