import { Controller, Get, Module, UseInterceptors } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { ExpressAdapter } from "@nestjs/platform-express";
import { test } from "vitest";
// @ts-ignore
import autocannon from "autocannon";
import { IntentProofModule, IntentProof } from "../../src/nestjs.js";
import { MemoryExporter } from "../../src/index.js";
@Controller() class C { @Get("x") get() { return { ok: true }; } @Get("n") @UseInterceptors({ intercept: (_c: any, n: any) => n.handle() }) n() { return { ok: true }; } @Get("d") @IntentProof({intent:"i", action:"a"}) d() { return { ok: true }; } }
@Module({ controllers: [C] }) class Bare {}
@Module({ imports: [IntentProofModule.forRoot({ exporters: [new MemoryExporter()] })], controllers: [C] }) class Full {}
@Module({ imports: [IntentProofModule.forRoot({ mountMiddleware: false, exporters: [new MemoryExporter()] })], controllers: [C] }) class GuardOnly {}
async function run(m: any, fastify: boolean, path = "/x") {
  const app = await NestFactory.create(m, fastify ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
  await app.listen(0, "127.0.0.1");
  const url = (await app.getUrl()).replace("[::1]", "127.0.0.1") + path;
  await autocannon({ url, amount: 2000, connections: 4 });
  const c0 = process.cpuUsage();
  const r = await autocannon({ url, amount: 20000, connections: 4 });
  const c = process.cpuUsage(c0);
  await app.close();
  // autocannon runs in this process too; subtract nothing, compare relative
  return Math.round((c.user + c.system) / 20000 * 10) / 10;
}
test("bench", async () => {
  for (const f of [false, true]) {
    const out: Record<string, number[]> = { bare: [], noopInterceptor: [], decorated: [] };
    for (let round = 0; round < 3; round++) {
      out.bare!.push(await run(Bare, f));
      out.noopInterceptor!.push(await run(Full, f, "/n"));
      out.decorated!.push(await run(Full, f, "/d"));
    }
    console.log(f ? "fastify" : "express", "cpu µs/request (incl. autocannon)", JSON.stringify(out));
  }
}, 300000);
