// Module resolution hook: resolves the workspace packages (@meshsync/*) to their TypeScript sources,
// through the "@meshsync/source" condition of their exports, so a checkout runs with no build step.
// The container image runs the compiled dist/ without this hook and gets each package's dist/.
const condition = "@meshsync/source";

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(condition)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, condition] });
}
