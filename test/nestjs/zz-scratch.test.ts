import { createRequire } from "node:module"; const require = createRequire(import.meta.url);
import { AsyncLocalStorage } from "node:async_hooks";
import { Body, CanActivate, Controller, ExecutionContext, Get, Injectable, MiddlewareConsumer, Module, NestMiddleware, NestModule, Post, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { ExpressAdapter } from "@nestjs/platform-express";
import { test, expect } from "vitest";

const als = new AsyncLocalStorage<string>();
const seen: Record<string, unknown> = {};
@Injectable()
class Mw implements NestMiddleware {
  use(req: any, res: any, next: () => void) { seen.mwReq = req.constructor.name; seen.mwRes = res.constructor.name; als.run("abc", next); }
}
@Injectable()
class G implements CanActivate { canActivate(ctx: ExecutionContext) { seen.guard = als.getStore(); return true; } }
@Controller("t")
class C {
  @Get() get() { return { v: als.getStore() }; }
  @Post() @UseGuards(G) post(@Body() b: unknown) { return { v: als.getStore() }; }
}
@Module({ controllers: [C], providers: [G] })
class M implements NestModule { configure(c: MiddlewareConsumer) { c.apply(Mw).forRoutes("{*path}"); } }

for (const kind of ["express", "fastify"]) {
  test(kind, async () => {
    const app = await NestFactory.create(M, kind === "fastify" ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
    await app.listen(0, "127.0.0.1");
    const url = await app.getUrl();
    const g = await (await fetch(url + "/t")).json();
    const p = await (await fetch(url + "/t", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: 1 }) })).json();
    const slow = await new Promise<string>((resolve, reject) => {
      const u = new URL(url + "/t");
      const r = require("node:http").request({ host: u.hostname, port: u.port, path: "/t", method: "POST", headers: { "content-type": "application/json", "content-length": "7" } }, (res: any) => { let d = ""; res.on("data", (c: any) => d += c); res.on("end", () => resolve(d)); });
      r.on("error", reject);
      r.write("{\"a\"");
      setTimeout(() => r.end(":1}"), 100);
    });
    console.log(kind, url, g, p, slow, seen);
    await app.close();
  });
}
