import { createParamDecorator, type ExecutionContext } from "@nestjs/common";
import { getCorrelationId } from "../../core/correlation.js";
import { currentClient } from "../utils/client-registry.js";
import { DEFAULT_CORRELATION_HEADER, inboundCorrelationId } from "../../core/http/index.js";
import { rawRequest } from "../utils/platform.js";

function correlationIdOf(_data: unknown, context: ExecutionContext): string | undefined {
  const active = getCorrelationId();
  if (active !== undefined || context.getType() !== "http") return active;
  // An undecorated route the correlation middleware does not cover: the header, if valid.
  const headerName = currentClient()?.config.headerName ?? DEFAULT_CORRELATION_HEADER;
  return inboundCorrelationId(rawRequest(context.switchToHttp().getRequest()), headerName, false);
}

/**
 * Parameter decorator giving a handler the request's correlation id (the
 * same one its events carry): `create(@Body() dto: Dto, @CorrelationId() id: string)`.
 * `undefined` only when there is none (no header, generation switched off,
 * or an undecorated route the correlation middleware does not cover and no header).
 */
export const CorrelationId: () => ParameterDecorator = createParamDecorator(correlationIdOf);
