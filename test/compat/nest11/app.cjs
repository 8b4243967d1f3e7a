// A NestJS 11 application in plain CommonJS JavaScript, as a user of an older
// Nest project would write it after `npm install intentproof`. There is no
// TypeScript compile step, so decorators are applied as functions, the way
// TypeScript's `__decorate` helper applies them.
//
// It boots on 127.0.0.1:0, sends one POST with a correlation header, prints a
// one-line JSON summary on stdout and exits. test/compat/nest11.test.ts runs it.
"use strict";

require("reflect-metadata");
const { realpathSync } = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { Body, Controller, Inject, Injectable, Module, Post } = require("@nestjs/common");
const { NestFactory } = require("@nestjs/core");
const { MemoryExporter } = require("intentproof");
const { CorrelationId, IntentProof, IntentProofModule } = require("intentproof/nestjs");

const CORRELATION_HEADER = "x-intentproof-correlation-id";
const INBOUND_ID = "nest11-compat-0001";

// Method decorators run bottom-up and each may replace the descriptor, as in TypeScript.
function decorateMethod(proto, key, decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(proto, key);
  for (const decorator of [...decorators].reverse()) {
    descriptor = decorator(proto, key, descriptor) || descriptor;
  }
  Object.defineProperty(proto, key, descriptor);
}

class PaymentsService {
  async createRefund(input) {
    await new Promise((resolve) => setImmediate(resolve));
    return { refundId: `re_${input.paymentIntentId}`, amountCents: input.amountCents };
  }
}
decorateMethod(PaymentsService.prototype, "createRefund", [
  IntentProof({ intent: "Return captured funds to the customer", action: "stripe.refund.create" }),
]);
Injectable()(PaymentsService);

class RefundsController {
  constructor(payments) {
    this.payments = payments;
  }

  async create(body, correlationId) {
    const refund = await this.payments.createRefund(body);
    return { ...refund, correlationId };
  }
}
decorateMethod(RefundsController.prototype, "create", [
  Post(),
  IntentProof({ intent: "Initiate refund", action: "refunds.create" }),
]);
Body()(RefundsController.prototype, "create", 0);
CorrelationId()(RefundsController.prototype, "create", 1);
Inject(PaymentsService)(RefundsController, undefined, 0);
Controller("refunds")(RefundsController);

const exporter = new MemoryExporter();

class AppModule {}
Module({
  imports: [IntentProofModule.forRoot({ exporters: [exporter], defaultAttributes: { service: "nest11-compat" } })],
  controllers: [RefundsController],
  providers: [PaymentsService],
})(AppModule);

function post(port, path, body, headers) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, text }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

async function main() {
  const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
  await app.listen(0, "127.0.0.1");
  try {
    const { port } = app.getHttpServer().address();
    const response = await post(
      port,
      "/refunds",
      { paymentIntentId: "pi_123", amountCents: 500 },
      { [CORRELATION_HEADER]: INBOUND_ID },
    );
    const summary = {
      nestCommonVersion: require("@nestjs/common/package.json").version,
      nestCoreVersion: require("@nestjs/core/package.json").version,
      // Real paths: a linked package would resolve its own imports from where the link points.
      nestCommonPath: realpathSync(require.resolve("@nestjs/common")),
      intentproofPath: realpathSync(require.resolve("intentproof/nestjs")),
      // What intentproof's own `import "@nestjs/..."` statements resolve to, from where it is installed.
      nestResolvedForIntentproof: ["@nestjs/common", "@nestjs/core"].map((name) =>
        realpathSync(require.resolve(name, { paths: [path.dirname(require.resolve("intentproof/nestjs"))] })),
      ),
      inboundId: INBOUND_ID,
      status: response.status,
      echoedHeader: response.headers[CORRELATION_HEADER] ?? null,
      body: JSON.parse(response.text),
      events: exporter.getEvents(),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
