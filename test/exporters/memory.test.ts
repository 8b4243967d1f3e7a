import { describe, expect, it } from "vitest";
import { MemoryExporter } from "../../src/exporters/memory.js";
import { makeEvent, makeEvents, seqOf } from "./fixtures.js";

describe("MemoryExporter", () => {
  it("keeps events oldest first and returns a new array of copies each time", () => {
    const memory = new MemoryExporter();
    const events = makeEvents(3);
    for (const event of events) memory.export(event);

    const first = memory.getEvents();
    expect(first).toStrictEqual(events);
    // Copies: the exporter keeps the object it was handed, which other exporters may share.
    expect(first[0]).not.toBe(events[0]);
    (first[0] as unknown as { intent: string }).intent = "changed";
    expect(memory.getEvents()[0]).toStrictEqual(events[0]);
    first.length = 0;
    expect(memory.getEvents()).toHaveLength(3);
    expect(memory.getEvents()).not.toBe(memory.getEvents());
    expect(memory.size).toBe(3);
  });

  it("defaults to 1000 events", () => {
    const memory = new MemoryExporter();
    expect(memory.maxEvents).toBe(1000);
    for (let n = 0; n < 1005; n++) memory.export(makeEvent(n));
    expect(memory.size).toBe(1000);
    expect(seqOf(memory.getEvents()[0])).toBe(5);
  });

  it("overflows by evicting the oldest, keeping the newest in order", () => {
    const memory = new MemoryExporter({ maxEvents: 3 });
    for (const event of makeEvents(7)) memory.export(event);
    expect(memory.size).toBe(3);
    expect(memory.getEvents().map(seqOf)).toEqual([4, 5, 6]);

    // Wraps around the ring several times without losing order.
    for (let n = 7; n < 20; n++) memory.export(makeEvent(n));
    expect(memory.getEvents().map(seqOf)).toEqual([17, 18, 19]);
  });

  it("holds a single event with maxEvents 1", () => {
    const memory = new MemoryExporter({ maxEvents: 1 });
    memory.export(makeEvent(1));
    memory.export(makeEvent(2));
    expect(memory.getEvents().map(seqOf)).toEqual([2]);
  });

  it("clear() forgets everything and the buffer keeps working", () => {
    const memory = new MemoryExporter({ maxEvents: 2 });
    for (const event of makeEvents(5)) memory.export(event);
    memory.clear();
    expect(memory.size).toBe(0);
    expect(memory.getEvents()).toEqual([]);
    memory.export(makeEvent(10));
    memory.export(makeEvent(11));
    memory.export(makeEvent(12));
    expect(memory.getEvents().map(seqOf)).toEqual([11, 12]);
  });

  it("flush() resolves and export() returns nothing", async () => {
    const memory = new MemoryExporter();
    expect(memory.export(makeEvent())).toBeUndefined();
    await expect(memory.flush()).resolves.toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10", null])(
    "rejects maxEvents %s with a TypeError naming the option",
    (maxEvents) => {
      expect(() => new MemoryExporter({ maxEvents: maxEvents as number })).toThrow(TypeError);
      expect(() => new MemoryExporter({ maxEvents: maxEvents as number })).toThrow(/MemoryExporter: "maxEvents" must be a positive integer/);
    },
  );

  it("names the rejected value", () => {
    expect(() => new MemoryExporter({ maxEvents: 0 })).toThrow('MemoryExporter: "maxEvents" must be a positive integer, got 0');
  });

  it("rejects options that are not an object, and unknown fields with a suggestion", () => {
    expect(() => new MemoryExporter("big" as never)).toThrow(/options must be an object/);
    expect(() => new MemoryExporter({ maxEvent: 5 } as never)).toThrow(
      'MemoryExporter: unknown field "maxEvent" (did you mean "maxEvents"?)',
    );
    // null reads as "no options", like undefined (the toolkit's rule for every owner).
    expect(new MemoryExporter(null as never).maxEvents).toBe(1000);
  });
});
