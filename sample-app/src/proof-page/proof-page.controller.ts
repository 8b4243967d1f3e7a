import { applyDecorators, Controller, Get, Header, HttpException, Inject, Param, Query, Res, StreamableFile } from "@nestjs/common";
import { proveChains, type ProofSummary } from "../../shared/chain-proof.js";
import { groupIntoChains, type Chain } from "../../shared/chains.js";
import type { SampleExporters } from "../../shared/exporters-from-env.js";
import { flowBundle, type FlowRuns, type FlowRunView } from "../../shared/flow-runs.js";
import { PROOF_PAGE_ASSETS, PROOF_PAGE_HEADERS } from "../../shared/proof-page-assets.js";
import { FLOW_RUNS, SAMPLE_EXPORTERS } from "../telemetry/telemetry.module.js";

function asset(path: string): string {
  return PROOF_PAGE_ASSETS.get(path)!.body;
}

/** Sets a static file's content type plus the page's security headers. */
function StaticAssetHeaders(path: string) {
  return applyDecorators(
    Header("content-type", PROOF_PAGE_ASSETS.get(path)!.contentType),
    ...Object.entries(PROOF_PAGE_HEADERS).map(([name, value]) => Header(name, value)),
  );
}

/**
 * The proof page and the JSON it reads. Nothing here is decorated, so
 * looking at the records adds none.
 */
@Controller()
export class ProofPageController {
  constructor(
    @Inject(SAMPLE_EXPORTERS) private readonly sinks: SampleExporters,
    @Inject(FLOW_RUNS) private readonly runs: FlowRuns,
  ) {}

  @Get()
  @StaticAssetHeaders("/")
  page(): string {
    return asset("/");
  }

  @Get("app.js")
  @StaticAssetHeaders("/app.js")
  script(): string {
    return asset("/app.js");
  }

  @Get("style.css")
  @StaticAssetHeaders("/style.css")
  styles(): string {
    return asset("/style.css");
  }

  /**
   * Recent events grouped by correlation id, newest chain first, with whether
   * each chain's evidence verifies and, for the flows the refund policy
   * covers, the run the flow monitor reported.
   */
  @Get("api/chains")
  @Header("cache-control", "no-store")
  async chains(
    @Query("correlationId") correlationId?: string,
  ): Promise<{ chains: Chain[]; proof: ProofSummary; runs: Record<string, FlowRunView> }> {
    const only = typeof correlationId === "string" && correlationId.trim() !== "" ? correlationId.trim() : undefined;
    const chains = groupIntoChains(this.sinks.memory.getEvents(), only);
    return {
      chains,
      proof: await proveChains(this.sinks.evidence, chains.map((c) => c.correlationId)),
      runs: this.runs.forChains(chains),
    };
  }

  /** One flow's proof bundle, for `intentproof verify <bundle> --keys <keys.json>`. */
  @Get("api/flows/:correlationId/bundle")
  @Header("cache-control", "no-store")
  async bundle(
    @Param("correlationId") correlationId: string,
    // Express's response and Fastify's reply both have header(name, value).
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<StreamableFile> {
    const made = await flowBundle(this.sinks.evidence, this.runs.policy, correlationId);
    if (!made.ok) {
      if (made.retryAfterSeconds !== undefined) response.header("retry-after", String(made.retryAfterSeconds));
      throw new HttpException({ message: made.message }, made.status);
    }
    return new StreamableFile(made.bytes, { type: made.contentType, disposition: `attachment; filename="${made.fileName}"`, length: made.bytes.length });
  }
}
