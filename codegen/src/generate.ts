import { join } from 'node:path';
import { buildModel } from './build-model.js';
import { emitBarrelFile } from './emit/barrel.js';
import { emitKeysFile } from './emit/keys.js';
import { emitRegistryFile } from './emit/registry.js';
import { emitSchemasFile } from './emit/schemas.js';
import { emitEnumsFile, emitTypesFile } from './emit/types.js';
import { emitValidatorsFile } from './emit/validators.js';
import { loadVersion } from './load.js';
import type { Model } from './model.js';
import type { VersionConfig } from './versions.js';

/** The generated files of one version: path relative to the repository root → content. */
export interface GeneratedVersion {
  readonly model: Model;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Generates every file of one version from `specs/`, in memory. Every error it throws names the
 * version first (`ocpp2.0.1: ...`) and then the file to look at.
 */
export function generateVersion(root: string, config: VersionConfig): GeneratedVersion {
  try {
    return generate(root, config);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.startsWith(`${config.id}: `)) throw e;
    throw new Error(`${config.id}: ${message}`, { cause: e });
  }
}

function generate(root: string, config: VersionConfig): GeneratedVersion {
  const { files: schemas, errata } = loadVersion(join(root, 'specs'), config);
  const model = buildModel(config, schemas);
  const n = errata.length;
  const dir = `${config.packageDir}/src/gen`;
  const files = new Map<string, string>([
    [`${dir}/enums.ts`, emitEnumsFile(config, model, n)],
    [`${dir}/types.ts`, emitTypesFile(config, model, n)],
    [`${dir}/schemas.ts`, emitSchemasFile(config, model, n)],
    [`${dir}/validators.ts`, emitValidatorsFile(config, model, n)],
    [`${dir}/keys.ts`, emitKeysFile(config, model, n)],
    [`${dir}/registry.ts`, emitRegistryFile(config, model, n)],
    [`${dir}/index.ts`, emitBarrelFile(config, model, n)],
  ]);
  return { model, files };
}
