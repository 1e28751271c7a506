import type { KubeObject } from "../../object-api.js";
import {
  buildEndpointSlice,
  buildEndpoints,
  buildService,
  type EndpointOptions,
  type EndpointTarget,
  type ServiceOptions,
} from "../kinds/service.js";
import type { BuildContext } from "./build-context.js";

/** The controller's cap on endpoints per slice. */
const maxEndpointsPerSlice = 100;

/** A service and what the endpoint controllers make for it from its ready pods. */
export function addServiceWithEndpoints(
  ctx: BuildContext,
  options: ServiceOptions,
  targets: readonly EndpointTarget[],
  endpointOptions: EndpointOptions = {},
): KubeObject {
  const { builder } = ctx;
  const service = builder.add(buildService(builder, options));
  if (targets.length === 0) {
    builder.add(buildEndpointSlice(builder, service, [], endpointOptions));
  }
  for (let start = 0; start < targets.length; start += maxEndpointsPerSlice) {
    builder.add(
      buildEndpointSlice(
        builder,
        service,
        targets.slice(start, start + maxEndpointsPerSlice),
        endpointOptions,
      ),
    );
  }
  builder.add(buildEndpoints(builder, service, targets, endpointOptions));
  return service;
}
