import { createParamDecorator, type ExecutionContext } from "@nestjs/common";
import { correlationFromRequest, DEFAULT_CORRELATION_HEADER } from "../core/http/correlation-header.js";
import { currentScope } from "../core/correlation.js";
import { clientFor } from "./client-holder.js";
import { rawRequest } from "./platform.js";

function correlationIdOf(_data: unknown, context: ExecutionContext): string | undefined {
  const scope = currentScope();
  if (scope?.correlationId !== undefined) return scope.correlationId;
  // No active scope (the middleware is off or excludes this route): the header, if valid.
  if (context.getType() !== "http") return undefined;
  const headerName = clientFor(scope)?.config.headerName ?? DEFAULT_CORRELATION_HEADER;
  return correlationFromRequest(rawRequest(context.switchToHttp().getRequest()), headerName);
}

/**
 * Parameter decorator giving a handler the request's correlation id (the
 * same one its events carry): `create(@Body() dto: Dto, @CorrelationId() id: string)`.
 * `undefined` only when there is none (no header, generation switched off,
 * and the middleware not mounted on the route).
 */
export const CorrelationId: () => ParameterDecorator = createParamDecorator(correlationIdOf);
