import { CallHandler, CanActivate, Controller, ExecutionContext, Get, Injectable, Module, NestInterceptor } from "@nestjs/common";
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { ExpressAdapter } from "@nestjs/platform-express";
import { test } from "vitest";
import autocannon from "autocannon";
const seen = new WeakMap();
@Injectable() class I implements NestInterceptor { intercept(c: ExecutionContext, n: CallHandler) { seen.get(c.getHandler()); return n.handle(); } }
@Injectable() class G implements CanActivate { canActivate(c: ExecutionContext) { seen.get(c.getHandler()); return true; } }
@Controller() class C { @Get("x") get() { return { ok: true }; } }
@Module({ controllers: [C] }) class Bare {}
@Module({ controllers: [C], providers: [{ provide: APP_INTERCEPTOR, useClass: I }] }) class WithI {}
@Module({ controllers: [C], providers: [{ provide: APP_GUARD, useClass: G }] }) class WithG {}
async function run(m: any, fastify: boolean) {
  const app = await NestFactory.create(m, fastify ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
  await app.listen(0, "127.0.0.1");
  const url = (await app.getUrl()) + "/x";
  await autocannon({ url, duration: 1, connections: 10 });
  const r = await autocannon({ url, duration: 3, connections: 10 });
  await app.close();
  return r.requests.average;
}
test("bench", async () => {
  for (const f of [false, true]) {
    const out: Record<string, number> = {};
    for (const round of [1, 2]) for (const [n, m] of [["bare", Bare], ["I", WithI], ["G", WithG]] as const) out[n + round] = await run(m, f);
    console.log(f ? "fastify" : "express", out);
  }
}, 120000);
