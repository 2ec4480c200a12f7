import type { Model } from '../model.js';
import type { VersionConfig } from '../versions.js';
import { preamble, upperPrefix } from './common.js';

function block(names: readonly string[], from: string, typeOnly: boolean): string {
  const sorted = [...names].sort((a, b) =>
    a.replace(/^type /, '').localeCompare(b.replace(/^type /, '')),
  );
  return `export ${typeOnly ? 'type ' : ''}{\n${sorted.map((n) => `  ${n},`).join('\n')}\n} from '${from}';\n`;
}

/** `index.ts`: the generated barrel, with explicit named exports. */
export function emitBarrelFile(config: VersionConfig, model: Model, errata: number): string {
  const defs = [...model.defs.values()];
  const enums = defs.filter((d) => d.kind === 'enum').map((d) => d.name);
  const objects = defs.filter((d) => d.kind === 'object').map((d) => d.name);
  const P = upperPrefix(config);
  const p = config.prefix;
  return [
    preamble(config, `public barrel of the generated OCPP ${config.version} modules`, errata),
    block(enums, './enums.js', false),
    block(
      [...defs.map((d) => `${d.name}Schema`), `${p}Schemas`, `type ${P}Schemas`],
      './schemas.js',
      false,
    ),
    block(objects, './types.js', true),
    block(
      [
        `${p}Actions`,
        `${p}Protocol`,
        `type ${P}Action`,
        `type ${P}ActionMap`,
        `type ${P}Request`,
        `type ${P}Response`,
      ],
      './registry.js',
      false,
    ),
  ].join('\n');
}
