// IntentProofModule configuration: forRoot / forRootAsync, validation, DI.
import { Controller, Get, Inject, Injectable, Module } from "@nestjs/common";
import { ConfigModule, ConfigService } from "@nestjs/config";
import { Test } from "@nestjs/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntentProofClient, IntentProofClient } from "../../src/index.js";
import {
  INTENTPROOF_MODULE_OPTIONS,
  IntentProof,
  IntentProofModule,
  type IntentProofModuleOptions,
  type IntentProofOptionsFactory,
} from "../../src/nestjs.js";
import { CheckedExporter } from "../support/event-validator.js";
import { PLATFORMS, startApp, type RunningApp } from "./fixtures/platforms.js";
import { eventsOf } from "./fixtures/wait.js";

const HEADER = "x-intentproof-correlation-id";

describe("IntentProofModule.forRoot validation (TypeError naming the field, when the module is defined)", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["an exporter without export()", { exporters: [{}] }, /^IntentProofModule\.forRoot: "exporters\[0\]" has no export\(\) method/],
    ["a non-boolean isGlobal", { isGlobal: "yes" }, /"isGlobal" must be a boolean/],
    ["a non-boolean echoHeader", { correlation: { echoHeader: 1 } }, /"correlation\.echoHeader" must be a boolean/],
    ["a bad header name", { correlation: { headerName: "bad header" } }, /"correlation\.headerName"/],
    ["a bad exclude entry", { exclude: ["health", 42] }, /"exclude\[1\]"/],
    ["a client that is not a client", { client: {} }, /"client" must be an IntentProofClient/],
    ["a client combined with exporters", { client: createIntentProofClient(), exporters: [] }, /"client" cannot be combined with "exporters"/],
    ["a client combined with a header name", { client: createIntentProofClient(), correlation: { headerName: "x-id" } }, /"correlation\.headerName"/],
    ["an unknown field", { mountMiddlewares: false }, /^IntentProofModule\.forRoot: unknown field "mountMiddlewares" \(did you mean "mountMiddleware"\?\)/],
    ["a bad config document", { version: 2 }, /^IntentProofModule\.forRoot: "version" must be 1/],
    ["bad default attributes", { defaultAttributes: { nested: { no: 1 } } }, /defaultAttributes\.nested/],
    ["options that are not an object", "yes", /options must be an object/],
    ["null options (only leaving them out means the defaults)", null, /^IntentProofModule\.forRoot: options must be an object, got null/],
    ["a null correlation", { correlation: null }, /^IntentProofModule\.forRoot: "correlation" must be an object/],
  ];
  it.each(cases)("rejects %s", (_label, options, message) => {
    expect(() => IntentProofModule.forRoot(options as IntentProofModuleOptions)).toThrow(TypeError);
    expect(() => IntentProofModule.forRoot(options as IntentProofModuleOptions)).toThrow(message);
  });

  it("accepts no options at all, and a client with module-only settings", () => {
    expect(IntentProofModule.forRoot().global).toBe(true);
    const module = IntentProofModule.forRoot({ client: createIntentProofClient(), isGlobal: false, correlation: { echoHeader: false } });
    expect(module.global).toBe(false);
  });
});

describe("IntentProofModule.forRootAsync validation", () => {
  it.each([
    ["no source", {}, /exactly one of/],
    ["two sources", { useFactory: () => ({}), useExisting: "X" }, /exactly one of/],
    ["a useFactory that is not a function", { useFactory: 1 }, /"useFactory" must be a function/],
    ["an inject that is not an array", { useFactory: () => ({}), inject: "ConfigService" }, /"inject" must be an array/],
    ["an unknown field", { useFactory: () => ({}), global: true }, /unknown field "global"/],
  ])("rejects %s when the module is defined", (_label, options, message) => {
    expect(() => IntentProofModule.forRootAsync(options as never)).toThrow(TypeError);
    expect(() => IntentProofModule.forRootAsync(options as never)).toThrow(message);
  });

  it("rejects what the factory produces, naming the field, when the application starts", async () => {
    const compile = Test.createTestingModule({
      imports: [IntentProofModule.forRootAsync({ useFactory: async () => ({ exporters: [{ export: "no" }] }) as never })],
    }).compile();
    await expect(compile).rejects.toThrow(TypeError);
    await expect(
      Test.createTestingModule({
        imports: [IntentProofModule.forRootAsync({ useFactory: () => ({ exporters: [{}] }) as never })],
      }).compile(),
    ).rejects.toThrow(/^IntentProofModule\.forRootAsync \(options produced by the factory\): "exporters\[0\]"/);
  });

  it.each([
    ["null", () => null, /^IntentProofModule\.forRootAsync \(options produced by the factory\): options must be an object, got null/],
    ["undefined (a lost return)", async () => undefined, /useFactory \(or createIntentProofOptions\(\) of useClass\/useExisting\) returned undefined; return an options object/],
  ])("rejects a factory producing %s, when the application starts", async (_label, useFactory, message) => {
    const compile = Test.createTestingModule({ imports: [IntentProofModule.forRootAsync({ useFactory: useFactory as never })] }).compile();
    await expect(compile).rejects.toThrow(TypeError);
    await expect(
      Test.createTestingModule({ imports: [IntentProofModule.forRootAsync({ useFactory: useFactory as never })] }).compile(),
    ).rejects.toThrow(message);
  });

  it("rejects a useClass without createIntentProofOptions()", async () => {
    class NotAFactory {}
    await expect(
      Test.createTestingModule({ imports: [IntentProofModule.forRootAsync({ useClass: NotAFactory as never })] }).compile(),
    ).rejects.toThrow(/useClass NotAFactory has no createIntentProofOptions\(\) method/);
  });

  it("rejects isGlobal from the factory when it contradicts forRootAsync's own", async () => {
    await expect(
      Test.createTestingModule({
        imports: [IntentProofModule.forRootAsync({ useFactory: () => ({ isGlobal: false }) })],
      }).compile(),
    ).rejects.toThrow(/"isGlobal" must be set on forRootAsync's own options/);
  });
});

// --- Applications configured asynchronously, on both platforms -------------

const exporters = new Map<string, CheckedExporter>();

@Injectable()
class BillingService {
  @IntentProof({ intent: "Bill", action: "billing.bill" })
  bill(cents: number) {
    return { billed: cents };
  }
}

@Controller("bill")
class BillingController {
  constructor(
    private readonly billing: BillingService,
    readonly client: IntentProofClient,
    @Inject(INTENTPROOF_MODULE_OPTIONS) readonly options: IntentProofModuleOptions,
  ) {}

  @Get()
  @IntentProof({ intent: "Bill over HTTP", action: "billing.http" })
  handle() {
    return this.billing.bill(42);
  }
}

function configModule(key: string) {
  return ConfigModule.forRoot({
    ignoreEnvFile: true,
    load: [() => ({ intentproof: { exporterKey: key, service: `billing-${key}` } })],
  });
}

function optionsFromConfig(config: ConfigService): IntentProofModuleOptions {
  const key = config.getOrThrow<string>("intentproof.exporterKey");
  return { exporters: [exporters.get(key)!], defaultAttributes: { service: config.getOrThrow("intentproof.service") } };
}

@Injectable()
class ConfiguredOptions implements IntentProofOptionsFactory {
  constructor(private readonly config: ConfigService) {}
  createIntentProofOptions(): IntentProofModuleOptions {
    return optionsFromConfig(this.config);
  }
}

@Module({ imports: [], providers: [ConfiguredOptions], exports: [ConfiguredOptions] })
class OptionsModule {}

const variants = {
  "useFactory + inject ConfigService": (key: string) =>
    IntentProofModule.forRootAsync({ imports: [configModule(key)], inject: [ConfigService], useFactory: optionsFromConfig }),
  useClass: (key: string) => IntentProofModule.forRootAsync({ imports: [configModule(key)], useClass: ConfiguredOptions }),
  useExisting: (key: string) =>
    IntentProofModule.forRootAsync({
      imports: [
        {
          module: OptionsModule,
          imports: [configModule(key)],
          providers: [ConfiguredOptions],
          exports: [ConfiguredOptions],
        },
      ],
      useExisting: ConfiguredOptions,
    }),
};

describe.each(PLATFORMS)("forRootAsync applications on %s", (platform) => {
  describe.each(Object.keys(variants) as Array<keyof typeof variants>)("%s", (variant) => {
    const key = `${platform}-${variant}`;
    const exporter = new CheckedExporter();
    exporters.set(key, exporter);
    let running: RunningApp;

    beforeAll(async () => {
      @Module({ imports: [variants[variant](key)], controllers: [BillingController], providers: [BillingService] })
      class AsyncAppModule {}
      running = await startApp(platform, AsyncAppModule, { via: "testing" });
    });
    afterAll(() => running?.close());

    it("injects the configured client and options, and records through them", async () => {
      const controller = running.app.get(BillingController);
      expect(controller.client).toBeInstanceOf(IntentProofClient);
      expect(controller.client).toBe(running.app.get(IntentProofClient));
      expect(controller.client.exporters).toEqual([exporter]);
      expect(controller.options.defaultAttributes).toEqual({ service: `billing-${key}` });

      const id = `async-${key}`;
      const response = await fetch(`${running.url}/bill`, { headers: { [HEADER]: id } });
      expect(await response.json()).toEqual({ billed: 42 });
      const events = await eventsOf(exporter, id, 2);
      expect(events.map((e) => e.action).sort()).toEqual(["billing.bill", "billing.http"]);
      for (const event of events) expect(event.attributes?.service).toBe(`billing-${key}`);
    });
  });
});

describe("module scope and client ownership", () => {
  @Injectable()
  class NeedsClient {
    constructor(@Inject(IntentProofClient) readonly client: IntentProofClient) {}
  }
  @Module({ providers: [NeedsClient], exports: [NeedsClient] })
  class FeatureModule {}

  it("makes IntentProofClient injectable everywhere by default", async () => {
    const moduleRef = await Test.createTestingModule({ imports: [IntentProofModule.forRoot(), FeatureModule] }).compile();
    expect(moduleRef.get(NeedsClient).client).toBe(moduleRef.get(IntentProofClient));
    await moduleRef.close();
  });

  it("keeps it to importing modules with isGlobal: false", async () => {
    await expect(
      Test.createTestingModule({ imports: [IntentProofModule.forRoot({ isGlobal: false }), FeatureModule] }).compile(),
    ).rejects.toThrow(/IntentProofClient/);
  });

  it("adopts a client passed in, and only flushes it on shutdown", async () => {
    const calls: string[] = [];
    const client = createIntentProofClient({
      exporters: [{ export: () => {}, flush: () => void calls.push("flush"), shutdown: () => void calls.push("shutdown") }],
    });
    const moduleRef = await Test.createTestingModule({ imports: [IntentProofModule.forRoot({ client })] }).compile();
    expect(moduleRef.get(IntentProofClient)).toBe(client);
    await moduleRef.close();
    expect(calls).toEqual(["flush"]);
  });

  it("shuts down a client it created", async () => {
    const calls: string[] = [];
    const exporter = { export: () => {}, flush: () => void calls.push("flush"), shutdown: () => void calls.push("shutdown") };
    const moduleRef = await Test.createTestingModule({ imports: [IntentProofModule.forRoot({ exporters: [exporter] })] }).compile();
    await moduleRef.close();
    expect(calls).toEqual(["shutdown"]);
  });
});

describe("IntentProofModule.forRoot with the spec's intentproof_config.v1 document", () => {
  it("configures the module's client from the document", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [IntentProofModule.forRoot({ version: 1, correlation: { headerName: "x-request-id" } })],
    }).compile();
    expect(moduleRef.get(IntentProofClient).config.headerName).toBe("x-request-id");
    await moduleRef.close();
  });
});

describe("first-hour mistakes fail with a message naming the fix", () => {
  it("imports: [IntentProofModule] without forRoot()", async () => {
    @Module({ imports: [IntentProofModule] })
    class BareImport {}
    for (const platform of PLATFORMS) {
      await expect(startApp(platform, BareImport)).rejects.toThrow(
        /IntentProofModule was imported without configuration: use imports: \[IntentProofModule\.forRoot\(/,
      );
    }
  });

  it("forRoot() imported in two modules of one application", async () => {
    const rootExporter = new CheckedExporter();
    @Module({ imports: [IntentProofModule.forRoot({ exporters: [new CheckedExporter()] })] })
    class FeatureWithItsOwn {}
    @Module({ imports: [IntentProofModule.forRoot({ exporters: [rootExporter] }), FeatureWithItsOwn] })
    class Root {}
    await expect(startApp("express", Root)).rejects.toThrow(
      /IntentProofModule\.forRoot\(\) \(or forRootAsync\(\)\) is imported more than once in this application\. Import it once, in the root module/,
    );
    expect(rootExporter.getEvents()).toEqual([]);
  });

  it("the same configured module imported twice is one module: allowed", async () => {
    const exporter = new CheckedExporter();
    const intentproof = IntentProofModule.forRoot({ exporters: [exporter] });
    @Module({ imports: [intentproof] })
    class Feature {}
    @Module({ imports: [intentproof, Feature] })
    class Root {}
    const running = await startApp("express", Root);
    await running.close();
  });

  it("two applications in one process each have their own module", async () => {
    const first = new CheckedExporter();
    const second = new CheckedExporter();
    const a = await startApp("express", rootWith(first));
    const b = await startApp("fastify", rootWith(second));
    const [ra, rb] = [await fetch(`${a.url}/bill`), await fetch(`${b.url}/bill`)];
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const [idA, idB] = [ra.headers.get("x-intentproof-correlation-id")!, rb.headers.get("x-intentproof-correlation-id")!];
    await eventsOf(first, idA, 2);
    await eventsOf(second, idB, 2);
    expect(first.getEvents().map((event) => event.correlationId)).toEqual([idA, idA]);
    expect(second.getEvents().map((event) => event.correlationId)).toEqual([idB, idB]);
    await Promise.all([a.close(), b.close()]);
  });
});

function rootWith(exporter: CheckedExporter) {
  @Module({
    imports: [IntentProofModule.forRoot({ exporters: [exporter] })],
    controllers: [BillingController],
    providers: [BillingService],
  })
  class RootWithExporter {}
  return RootWithExporter;
}
