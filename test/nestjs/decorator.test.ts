// @IntentProof on its own: metadata carried over, definition-time checks,
// call shapes (sync, promise, thenable, Observable), and the client lookup.
import { Get, HttpCode, Logger, RequestMethod, UseGuards, UseInterceptors, type CallHandler, type ExecutionContext } from "@nestjs/common";
import { firstValueFrom, lastValueFrom, Observable, of, Subject, throwError, type Subscription } from "rxjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createIntentProofClient, runWithCorrelationId } from "../../src/index.js";
import { activateClient, deactivateClient } from "../../src/nestjs/utils/client-registry.js";
import { resetUninitialisedWarning } from "../../src/nestjs/utils/uninitialised-warning.js";
import { IntentProof, IntentProofInterceptor } from "../../src/nestjs.js";
import { CheckedExporter, isUuidV4 } from "../support/event-validator.js";

const TEXT_KEY = "custom:text";
const SYMBOL_KEY = Symbol("custom:symbol");

/** A decorator storing metadata on the method function, as Nest's and Swagger's do. */
function Mark(value: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(TEXT_KEY, value, descriptor.value as object);
    Reflect.defineMetadata(SYMBOL_KEY, { value }, descriptor.value as object);
    return descriptor;
  };
}

class DenyGuard {
  canActivate() {
    return false;
  }
}
class OtherInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}

class Annotated {
  // @IntentProof applied last (written on top): the others' metadata is on the original.
  @IntentProof({ intent: "Above", action: "annotated.above" })
  @Mark("above")
  @Get("above/:id")
  @HttpCode(204)
  @UseGuards(DenyGuard)
  @UseInterceptors(OtherInterceptor)
  above(id: string, verbose: boolean): string {
    return `${id}${verbose}`;
  }

  // @IntentProof applied first (written at the bottom): the others write onto the replacement.
  @Mark("below")
  @Get("below")
  @HttpCode(202)
  @UseGuards(DenyGuard)
  @UseInterceptors(OtherInterceptor)
  @IntentProof({ intent: "Below", action: "annotated.below" })
  below(id: string): string {
    return id;
  }
}

describe("metadata carried over, in both decorator orders", () => {
  it.each([
    ["above", "above/:id", 204, 2],
    ["below", "below", 202, 1],
  ] as const)("keeps everything on %s", (name, path, code, length) => {
    const method = Annotated.prototype[name];
    expect(method.name).toBe(name);
    expect(method.length).toBe(length);
    expect(Reflect.getMetadata(TEXT_KEY, method)).toBe(name);
    expect(Reflect.getMetadata(SYMBOL_KEY, method)).toEqual({ value: name });
    expect(Reflect.getMetadata("path", method)).toBe(path);
    expect(Reflect.getMetadata("method", method)).toBe(RequestMethod.GET);
    expect(Reflect.getMetadata("__httpCode__", method)).toBe(code);
    expect(Reflect.getMetadata("__guards__", method)).toEqual([DenyGuard]);
    const interceptors = Reflect.getMetadata("__interceptors__", method) as unknown[];
    expect(interceptors).toEqual([OtherInterceptor]);
    // No enhancer of ours on the route: the route is recognised when Nest builds it.
    expect(interceptors.filter((i) => i === IntentProofInterceptor || i instanceof IntentProofInterceptor)).toHaveLength(0);
    expect(Reflect.getMetadata("__exceptionFilters__", method)).toBeUndefined();
  });

  it("leaves the compiler's design metadata in place (so DI and ValidationPipe keep working)", () => {
    expect(Reflect.getMetadata("design:paramtypes", Annotated.prototype, "above")).toEqual([String, Boolean]);
    expect(Reflect.getMetadata("design:returntype", Annotated.prototype, "below")).toBe(String);
  });
});

describe("options are checked when the class is defined", () => {
  it("throws a TypeError naming the field", () => {
    expect(() => IntentProof({ intent: " ", action: "x" })).toThrow(/^@IntentProof: "intent"/);
    expect(() => IntentProof({ intent: "x" } as never)).toThrow(TypeError);
    expect(() => IntentProof({ intent: "x", action: "y", captureInput: "no" } as never)).toThrow(/"captureInput"/);
    expect(() => IntentProof({ intent: "x", action: "y", attributes: { bad: {} } } as never)).toThrow(/attributes\.bad/);
  });

  it("refuses accessors", () => {
    const decorate = () => {
      class WithGetter {
        @IntentProof({ intent: "x", action: "y" })
        get value() {
          return 1;
        }
      }
      return WithGetter;
    };
    expect(decorate).toThrow(/WithGetter\.value is not a method/);
  });
});

class Calculator {
  factor = 2;
  pending?: Promise<number>;
  thenCalls = 0;

  @IntentProof({ intent: "Double", action: "calc.double" })
  double(n: number): number {
    return n * this.factor;
  }

  @IntentProof({ intent: "Fail", action: "calc.fail" })
  fail(): never {
    throw new RangeError("out of range");
  }

  @IntentProof({ intent: "Later", action: "calc.later" })
  later(n: number): Promise<number> {
    this.pending = new Promise((resolve) => setTimeout(() => resolve(n + 1), 1));
    return this.pending;
  }

  @IntentProof({ intent: "Lazy", action: "calc.lazy" })
  lazy(): PromiseLike<string> {
    return {
      then: (onFulfilled?: ((value: string) => unknown) | null) => {
        this.thenCalls++;
        onFulfilled?.("lazy value");
        return undefined as never;
      },
    } as PromiseLike<string>;
  }

  @IntentProof({ intent: "Stream", action: "calc.stream" })
  stream<T>(source: Observable<T>): Observable<T> {
    return source;
  }

  @IntentProof({ intent: "Stream later", action: "calc.streamLater" })
  async streamLater<T>(source: Observable<T>): Promise<Observable<T>> {
    return source;
  }

  @IntentProof({ intent: "Pass through", action: "calc.pass" })
  pass<T>(value: T): T {
    return value;
  }

  @IntentProof({ intent: "Outer", action: "calc.outer", attributes: { layer: "outer" } })
  outer(n: number): number {
    return this.double(n) + 1;
  }

  @IntentProof({ intent: "Summarise", action: "calc.summarise", captureInput: ([items]: [number[]]) => ({ count: items.length }) })
  summarise(items: number[]): number {
    return items.reduce((a, b) => a + b, 0);
  }

  @IntentProof({ intent: "Static", action: "calc.static" })
  static version(): string {
    return "v1";
  }
}

describe("before any IntentProofModule has started", () => {
  it("runs the method unrecorded and warns once", () => {
    resetUninitialisedWarning();
    const warn = vi.spyOn(Logger.prototype, "warn").mockImplementation(() => undefined);
    try {
      const calculator = new Calculator();
      expect(calculator.double(3)).toBe(6);
      expect(calculator.double(4)).toBe(8);
      expect(() => calculator.fail()).toThrow(RangeError);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/Calculator\.double ran before IntentProofModule was initialised/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("once a module's client is active", () => {
  const exporter = new CheckedExporter();
  const client = createIntentProofClient({ exporters: [exporter] });
  const calculator = new Calculator();
  const last = () => exporter.getEvents().at(-1)!;

  beforeAll(() => activateClient(client));
  afterAll(() => deactivateClient(client));

  it("keeps a sync method sync, with `this`, and records before returning", () => {
    exporter.clear();
    const result = calculator.double(21);
    expect(result).toBe(42);
    expect(exporter.getEvents()).toHaveLength(1);
    expect(last()).toMatchObject({ action: "calc.double", status: "ok", inputs: { 0: 21 }, output: 42 });
    expect(isUuidV4(last().correlationId)).toBe(true);
  });

  it("rethrows the same error and records it", () => {
    let thrown: unknown;
    try {
      calculator.fail();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect(last()).toMatchObject({ action: "calc.fail", status: "error", error: { name: "RangeError", message: "out of range" } });
  });

  it("returns the method's own promise and records when it settles", async () => {
    const promise = calculator.later(1);
    expect(promise).toBe(calculator.pending);
    expect(await promise).toBe(2);
    expect(last()).toMatchObject({ action: "calc.later", output: 2 });
  });

  it("adopts a foreign thenable once", async () => {
    expect(await calculator.lazy()).toBe("lazy value");
    expect(calculator.thenCalls).toBe(1);
    expect(last()).toMatchObject({ action: "calc.lazy", output: "lazy value" });
  });

  it("settles an Observable on completion with its last value, once per invocation", async () => {
    exporter.clear();
    const observable = calculator.stream(of(1, 2, 3));
    expect(exporter.getEvents()).toHaveLength(0); // nothing until subscribed
    expect(await lastValueFrom(observable)).toBe(3);
    expect(last()).toMatchObject({ action: "calc.stream", status: "ok", output: 3 });
    expect(await lastValueFrom(observable)).toBe(3); // a second subscription passes through
    expect(exporter.getEvents()).toHaveLength(1);
  });

  it("records an Observable's error", async () => {
    await expect(lastValueFrom(calculator.stream(throwError(() => new TypeError("bad stream"))))).rejects.toThrow("bad stream");
    expect(last()).toMatchObject({ status: "error", error: { name: "TypeError", message: "bad stream" } });
  });

  it("settles an early unsubscription: with the last value seen, or as UnsubscribedError", async () => {
    expect(await firstValueFrom(calculator.stream(of("a", "b")))).toBe("a");
    expect(last()).toMatchObject({ status: "ok", output: "a" });

    const subject = new Subject<number>();
    const subscription: Subscription = calculator.stream(subject).subscribe();
    subscription.unsubscribe();
    expect(last()).toMatchObject({ status: "error", error: { name: "UnsubscribedError" } });
  });

  it("records an async method resolving to an Observable when its promise settles, as a token, and keeps the promise", async () => {
    exporter.clear();
    const promise = calculator.streamLater(throwError(() => new TypeError("bad stream")));
    // The method's own promise, so the caller gets the Observable it returned, unchanged.
    await expect(lastValueFrom(await promise)).rejects.toThrow("bad stream");
    expect(exporter.getEvents()).toHaveLength(1);
    expect(last()).toMatchObject({ action: "calc.streamLater", status: "ok", output: "[Observable:Observable]" });
  });

  it("returns a hostile Proxy as is and records the call", () => {
    exporter.clear();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("get trap");
        },
        getPrototypeOf() {
          throw new Error("getPrototypeOf trap");
        },
      },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(calculator.pass(hostile)).toBe(hostile);
    expect(calculator.pass(revocable.proxy)).toBe(revocable.proxy);
    expect(exporter.getEvents().map((event) => [event.action, event.status])).toEqual([
      ["calc.pass", "ok"],
      ["calc.pass", "ok"],
    ]);
  });

  it("records nothing for an Observable nobody subscribes to", () => {
    exporter.clear();
    calculator.stream(of(1));
    expect(exporter.getEvents()).toHaveLength(0);
  });

  it("uses the active correlation id, and nested decorated calls inherit it and the static attributes", () => {
    exporter.clear();
    runWithCorrelationId("job-42", () => calculator.outer(5));
    const [inner, outer] = exporter.getEvents();
    expect(outer).toMatchObject({ action: "calc.outer", correlationId: "job-42", output: 11, attributes: { layer: "outer" } });
    expect(inner).toMatchObject({ action: "calc.double", correlationId: "job-42", attributes: { layer: "outer" } });
  });

  it("applies captureInput, and works on static methods", () => {
    calculator.summarise([1, 2, 3]);
    expect(last()).toMatchObject({ action: "calc.summarise", inputs: { count: 3 }, output: 6 });
    expect(Calculator.version()).toBe("v1");
    expect(last()).toMatchObject({ action: "calc.static", output: "v1" });
  });
});
