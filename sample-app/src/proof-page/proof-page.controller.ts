import { applyDecorators, Controller, Get, Header, Inject, Query } from "@nestjs/common";
import { groupIntoChains, type Chain } from "../../shared/chains.js";
import type { SampleExporters } from "../../shared/exporters-from-env.js";
import { PROOF_PAGE_ASSETS, PROOF_PAGE_HEADERS } from "../../shared/proof-page-assets.js";
import { SAMPLE_EXPORTERS } from "../telemetry/telemetry.module.js";

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
  constructor(@Inject(SAMPLE_EXPORTERS) private readonly sinks: SampleExporters) {}

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

  /** Recent events grouped by correlation id, newest chain first. */
  @Get("api/chains")
  @Header("cache-control", "no-store")
  chains(@Query("correlationId") correlationId?: string): { chains: Chain[] } {
    const only = typeof correlationId === "string" && correlationId.trim() !== "" ? correlationId.trim() : undefined;
    return { chains: groupIntoChains(this.sinks.memory.getEvents(), only) };
  }
}
