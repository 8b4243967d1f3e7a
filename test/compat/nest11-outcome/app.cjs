// A NestJS 11 application in plain CommonJS JavaScript (decorators applied as
// functions, as TypeScript's `__decorate` does), run once on Express and once
// on Fastify. For each platform it sends requests whose response differs from
// what the handler returned and prints, as one JSON line, the status each
// request got and the events recorded. test/compat/nest11-outcome.test.ts
// runs it against the packed intentproof package.
"use strict";

require("reflect-metadata");
const http = require("node:http");
const common = require("@nestjs/common");
const { APP_GUARD, NestFactory } = require("@nestjs/core");
const { ExpressAdapter } = require("@nestjs/platform-express");
const { FastifyAdapter } = require("@nestjs/platform-fastify");
const { map } = require("rxjs");
const { MemoryExporter } = require("intentproof");
const { IntentProof, IntentProofModule } = require("intentproof/nestjs");

const HEADER = "x-intentproof-correlation-id";

function decorateMethod(proto, key, decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(proto, key);
  for (const decorator of [...decorators].reverse()) descriptor = decorator(proto, key, descriptor) || descriptor;
  Object.defineProperty(proto, key, descriptor);
}

function answer(response, status, body) {
  if (typeof response.code === "function") response.code(status).send(body);
  else response.status(status).json(body);
}

class StockError extends Error {}

class ConflictFilter {
  catch(_error, host) {
    answer(host.switchToHttp().getResponse(), 409, { conflict: true });
  }
}
common.Catch(StockError)(ConflictFilter);

class TokenGuard {
  canActivate(context) {
    if (context.switchToHttp().getRequest().headers["x-no-token"] !== undefined) {
      throw new common.UnauthorizedException("token required");
    }
    return true;
  }
}
common.Injectable()(TokenGuard);

// Leaves a field out of the response, as ClassSerializerInterceptor does for @Exclude().
class StripSecretsInterceptor {
  intercept(_context, next) {
    return next.handle().pipe(map(({ passwordHash: _hidden, ...shown }) => shown));
  }
}
common.Injectable()(StripSecretsInterceptor);

class StockService {
  async reserve(sku) {
    await new Promise((resolve) => setImmediate(resolve));
    return { reserved: sku };
  }
}
decorateMethod(StockService.prototype, "reserve", [IntentProof({ intent: "Reserve stock", action: "stock.reserve" })]);
common.Injectable()(StockService);

class ShopController {
  constructor(stock) {
    this.stock = stock;
  }
  ok() {
    return this.stock.reserve("sku-1");
  }
  conflict() {
    throw new StockError("no stock left");
  }
  late(response) {
    setTimeout(() => answer(response, 503, { retry: true }), 10);
    return "returned first";
  }
  plain() {
    return { plain: true };
  }
  profile() {
    return { email: "b@example.com", passwordHash: "secret-hash" };
  }
}
decorateMethod(ShopController.prototype, "ok", [common.Get("ok"), IntentProof({ intent: "Buy", action: "shop.ok" })]);
decorateMethod(ShopController.prototype, "conflict", [
  common.Get("conflict"),
  common.UseFilters(ConflictFilter),
  IntentProof({ intent: "Buy, conflicting", action: "shop.conflict" }),
]);
decorateMethod(ShopController.prototype, "late", [common.Get("late"), IntentProof({ intent: "Answer late", action: "shop.late" })]);
common.Res()(ShopController.prototype, "late", 0);
decorateMethod(ShopController.prototype, "plain", [common.Get("plain")]);
decorateMethod(ShopController.prototype, "profile", [
  common.Get("profile"),
  common.UseInterceptors(StripSecretsInterceptor),
  IntentProof({ intent: "Show a profile", action: "shop.profile" }),
]);
common.Inject(StockService)(ShopController, undefined, 0);
common.Controller("shop")(ShopController);

function get(base, path, headers) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${base}${path}`, { headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", reject);
  });
}

async function runOn(platform) {
  const memory = new MemoryExporter();
  class AppModule {}
  common.Module({
    imports: [IntentProofModule.forRoot({ exporters: [memory] })],
    controllers: [ShopController],
    providers: [StockService, { provide: APP_GUARD, useClass: TokenGuard }],
  })(AppModule);
  const adapter = platform === "fastify" ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(AppModule, adapter, { logger: false });
  await app.listen(0, "127.0.0.1");
  const base = (await app.getUrl()).replace("[::1]", "127.0.0.1").replace("localhost", "127.0.0.1");
  const statuses = {};
  for (const [name, path, extra] of [
    ["ok", "/shop/ok", {}],
    ["denied", "/shop/ok", { "x-no-token": "1" }],
    ["conflict", "/shop/conflict", {}],
    ["late", "/shop/late", {}],
    ["plain", "/shop/plain", {}],
    ["profile", "/shop/profile", {}],
  ]) {
    statuses[name] = await get(base, path, { [HEADER]: `${platform}-${name}`, ...extra });
  }
  // Events are emitted when responses close, just after the client has them.
  const deadline = Date.now() + 3000;
  while (memory.getEvents().length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 30));
  await app.close();
  return { statuses, events: memory.getEvents() };
}

(async () => {
  const summary = { nestCoreVersion: require("@nestjs/core/package.json").version };
  for (const platform of ["express", "fastify"]) summary[platform] = await runOn(platform);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
})().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
