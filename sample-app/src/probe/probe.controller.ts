import { Controller, HttpCode, HttpStatus, Post } from "@nestjs/common";
import { getCorrelationId, IntentProofClient } from "intentproof";

/**
 * The smallest possible record, wrapped by hand with the injected client:
 * handy to check that events reach your collector. The answer is sent once
 * every exporter has flushed, so a 200 means "delivered".
 */
@Controller("probe")
export class ProbeController {
  private readonly probe: () => number;

  constructor(private readonly intentproof: IntentProofClient) {
    this.probe = intentproof.wrap({ intent: "HTTP test", action: "test.http" }, () => 42);
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  async run(): Promise<{ value: number; correlationId: string | undefined }> {
    const value = this.probe();
    await this.intentproof.flush();
    return { value, correlationId: getCorrelationId() };
  }
}
