import type { Model } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { jsdoc, key, preamble, str, upperPrefix } from './common.js';

/** `registry.ts`: the action map type, the run-time registry and the protocol descriptor. */
export function emitRegistryFile(config: VersionConfig, model: Model, errata: number): string {
  const P = upperPrefix(config);
  const p = config.prefix;
  const typeImports = new Set<string>();
  const mapLines: string[] = [];
  const regLines: string[] = [];
  for (const a of model.actions) {
    typeImports.add(a.request);
    if (a.response !== undefined) typeImports.add(a.response);
    const res = a.response ?? 'never';
    mapLines.push(
      `${jsdoc([`${a.name}: ${a.kind === 'SEND' ? 'SEND' : 'CALL'}, ${a.direction === 'Both' ? 'sent by either side' : a.direction === 'StationToCsms' ? 'sent by the charging station' : 'sent by the CSMS'}.`], '  ')}  ${key(a.name)}: { request: ${a.request}; response: ${res}; direction: '${a.direction}'; kind: '${a.kind}' };`,
    );
    const msg = (name: string): string =>
      `{ name: ${str(name)}, validate: ${p}Validators.${name}, keys: ${p}KeyTables.${name}, schema: ${p}Schemas.${key(a.name)}.${name === a.request ? 'request' : 'response'} }`;
    regLines.push(
      `  ${key(a.name)}: {\n    name: ${str(a.name)},\n    direction: '${a.direction}',\n    kind: '${a.kind}',\n    request: ${msg(a.request)},\n    response: ${a.response === undefined ? 'undefined' : msg(a.response)},\n  },`,
    );
  }
  const imports = [...typeImports].sort();
  return [
    preamble(config, `action registry of OCPP ${config.version}`, errata),
    `import type { ActionRegistry, Protocol } from '@ocpp/runtime';`,
    `import { defineProtocol } from '@ocpp/runtime/codegen';`,
    `import { ${p}KeyTables } from './keys.js';`,
    `import { ${p}Schemas } from './schemas.js';`,
    `import type {\n${imports.map((n) => `  ${n},`).join('\n')}\n} from './types.js';`,
    `import { ${p}Validators } from './validators.js';`,
    '',
    `/** Every OCPP ${config.version} action with its request and response types, direction and kind. */`,
    `export interface ${P}ActionMap {\n${mapLines.join('\n')}\n}`,
    '',
    `/** The name of an OCPP ${config.version} action. */`,
    `export type ${P}Action = keyof ${P}ActionMap;`,
    '',
    `/** The request payload type of an OCPP ${config.version} action. */`,
    `export type ${P}Request<A extends ${P}Action> = ${P}ActionMap[A]['request'];`,
    '',
    `/** The response payload type of an OCPP ${config.version} action. */`,
    `export type ${P}Response<A extends ${P}Action> = ${P}ActionMap[A]['response'];`,
    '',
    `/** Run-time facts of every OCPP ${config.version} action: direction, kind, validators, key tables, zod schemas. */`,
    `export const ${p}Actions: ActionRegistry<${P}ActionMap> = {\n${regLines.join('\n')}\n};`,
    '',
    `/** The OCPP ${config.version} protocol descriptor: subprotocol \`${config.id}\`, registry, error codes, validation. */`,
    `export const ${p}Protocol: Protocol<'${config.version}', ${P}ActionMap> = /*@__PURE__*/ defineProtocol('${config.version}', ${p}Actions);`,
    '',
  ].join('\n');
}
