/**
 * A flat key in bracket or dot notation names a nested field: Express 5's
 * default query parser keeps `?user[password]=…` as the key
 * `"user[password]"`, and Mongo updates, config maps and form libraries use
 * `"user.password"`. Such a key is redacted when any of its segments is
 * listed in `redactKeys`, in a structured copy and in a request summary's
 * query string alike.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createIntentProofClient, snapshot } from "../../src/index.js";
import { isRedactedKey, resolveSerializeOptions } from "../../src/core/serialize-options.js";
import { snapshotValue } from "../../src/core/snapshot.js";
import { CheckedExporter } from "../support/event-validator.js";

const redactKeys = ["password", "token"];

function fakeRequest(url: string): EventEmitter {
  return Object.assign(new EventEmitter(), { httpVersion: "1.1", method: "GET", url, headers: { host: "shop.test" } });
}

describe("redactKeys: keys in bracket and dot notation", () => {
  it("redacts a bracketed key when any segment is listed, as Express 5's simple query parser leaves it", () => {
    const query = { "user[password]": "hunter2", "auth[Token]": "t2", token: "t1", "user[name]": "ada" };
    expect(snapshot(query, { redactKeys })).toEqual({
      "user[password]": "[REDACTED]",
      "auth[Token]": "[REDACTED]",
      token: "[REDACTED]",
      "user[name]": "ada",
    });
  });

  it("matches the first segment, deeper segments and array brackets", () => {
    const input = {
      "password[]": ["a", "b"],
      "a[b][password]": "x",
      "password[new]": "y",
      "items[0][token]": "z",
      "a[b][c]": "kept",
    };
    expect(snapshot(input, { redactKeys })).toEqual({
      "password[]": "[REDACTED]",
      "a[b][password]": "[REDACTED]",
      "password[new]": "[REDACTED]",
      "items[0][token]": "[REDACTED]",
      "a[b][c]": "kept",
    });
  });

  it("redacts dotted keys the same way (a Mongo $set path, a config map)", () => {
    const update = { $set: { "credentials.password": "hash", "profile.name": "Ada" } };
    const config = { "spring.datasource.PASSWORD": "pw", "db.host": "localhost", "user[auth.token]": "t" };
    expect(snapshot({ update, config }, { redactKeys })).toEqual({
      update: { $set: { "credentials.password": "[REDACTED]", "profile.name": "Ada" } },
      config: { "spring.datasource.PASSWORD": "[REDACTED]", "db.host": "localhost", "user[auth.token]": "[REDACTED]" },
    });
  });

  it("does not match a segment that only contains a listed key", () => {
    const input = { "user[passwordHint]": "pet", "oldpassword.x": "y", "x[my_token]": "z" };
    expect(snapshot(input, { redactKeys })).toEqual(input);
  });

  it("redacts bracketed string keys of a Map", () => {
    expect(snapshot(new Map([["user[password]", "p"], ["ok", "y"]]), { redactKeys })).toEqual({
      "user[password]": "[REDACTED]",
      ok: "y",
    });
  });

  it("still matches a listed key that contains a bracket or dot as a whole", () => {
    expect(snapshot({ "user[password]": "p", "a.b": "q", c: 1 }, { redactKeys: ["USER[password]", "a.b"] })).toEqual({
      "user[password]": "[REDACTED]",
      "a.b": "[REDACTED]",
      c: 1,
    });
  });

  it("redacts nothing without redact keys, and matches a segment of a key longer than every listed key", () => {
    const none = resolveSerializeOptions({}, "test");
    expect(isRedactedKey("user[password]", none)).toBe(false);
    const resolved = resolveSerializeOptions({ redactKeys: ["pw"] }, "test");
    expect(isRedactedKey(`${"a".repeat(10_000)}[pw]`, resolved)).toBe(true);
    expect(isRedactedKey(`${"a.".repeat(10_000)}b`, resolved)).toBe(false);
  });

  it("redacts bracketed, dotted and percent-encoded names in a request summary's query string", () => {
    const url = "/b?user[password]=hunter2&auth[token]=t2&user%5Bpassword%5D=h3&a.token=t3&tags[]=x&page=2#top";
    expect(snapshot(fakeRequest(url), { redactKeys })).toEqual({
      type: "HttpRequest",
      method: "GET",
      url: "/b?user[password]=[REDACTED]&auth[token]=[REDACTED]&user%5Bpassword%5D=[REDACTED]&a.token=[REDACTED]&tags[]=x&page=2#top",
      headers: { host: "shop.test" },
    });
  });

  it("keeps bracketed names out of a recorded call's inputs", () => {
    const checked = new CheckedExporter();
    const client = createIntentProofClient({ exporters: [checked], serialization: { redactKeys } });
    const search = client.wrap({ intent: "Search orders", action: "orders.search" }, (_query: object, _req: object) => 1);
    search({ "user[password]": "hunter2", token: "tok-one-77" }, fakeRequest("/orders?auth[token]=tok-two-88"));
    const text = JSON.stringify(checked.getEvents());
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("tok-one-77");
    expect(text).not.toContain("tok-two-88");
  });

  it("keeps its verdicts per redact list: a wrap's own key is redacted after the client's options saw it", () => {
    const client = resolveSerializeOptions({ redactKeys: ["password"] }, "client");
    expect(snapshotValue({ "a[token]": "t", token: "t" }, client)).toEqual({ "a[token]": "t", token: "t" });
    const wrap = resolveSerializeOptions({ redactKeys: ["token"] }, "wrap", client);
    expect(snapshotValue({ "a[token]": "t", token: "t", password: "p" }, wrap)).toEqual({
      "a[token]": "[REDACTED]",
      token: "[REDACTED]",
      password: "[REDACTED]",
    });
  });

  it("still redacts after thousands of distinct keys went by", () => {
    const resolved = resolveSerializeOptions({ redactKeys, maxKeys: 5000 }, "test");
    const many: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) many[`field_${i}`] = i;
    const copy = snapshotValue({ ...many, "user[password]": "p", token: "t" }, resolved) as Record<string, unknown>;
    expect(copy["user[password]"]).toBe("[REDACTED]");
    expect(copy.token).toBe("[REDACTED]");
    expect(copy.field_2999).toBe(2999);
  });
});
