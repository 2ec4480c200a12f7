/**
 * The user's path through regeneration, performed in a temporary copy of the repository's
 * `codegen/src/`, `specs/` and generated folders: add a field to a 2.0.1 datatype, a value to a
 * 2.0.1 enum and a new 2.0.1 action (two schema files, then its line in the direction table),
 * with a 1.6 change alongside. The generator runs as the user runs it (`tsx codegen/src/cli.ts`,
 * on the copy). Checked: a missing direction fails naming the version, the schema file and the
 * table to edit, and writes nothing (the 1.6 change included); once the table has the action, the
 * run succeeds, 2.1 is untouched, the new field, value and action are in the output and work
 * (the generated 2.0.1 package is imported from the copy and validates), and `--check` passes.
 * Every count is derived from `specs/`.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchemaBytes } from '../src/load.js';
import { VERSIONS } from '../src/versions.js';

const repo = join(import.meta.dirname, '../..');
const tsxCli = createRequire(join(repo, 'package.json')).resolve('tsx/cli');
const byId = (id: string) => VERSIONS.find((v) => v.id === id)!;
const genDir = (id: string) => `${byId(id).packageDir}/src/gen`;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the copy's generator the way `pnpm codegen` runs the repository's. */
function codegen(root: string, ...args: string[]): Run {
  try {
    const stdout = execFileSync(process.execPath, [tsxCli, 'codegen/src/cli.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Every file of a folder, name → content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON schema documents
type Schema = Record<string, any>;

const readSchema = (path: string): Schema => parseSchemaBytes(readFileSync(path)).value as Schema;
const writeSchema = (path: string, schema: Schema) =>
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);

/** Edits a shared definition in every file of the version that carries a copy of it. */
function editDefinition(specs: string, name: string, edit: (def: Schema) => void): number {
  let copies = 0;
  for (const f of readdirSync(specs).filter((n) => n.endsWith('.json'))) {
    const schema = readSchema(join(specs, f));
    if (schema.definitions?.[name] === undefined) continue;
    edit(schema.definitions[name]);
    writeSchema(join(specs, f), schema);
    copies++;
  }
  return copies;
}

/** The actions a version's schema files name, derived from the file names. */
function actionsInSpecs(id: string): Set<string> {
  const config = byId(id);
  return new Set(
    readdirSync(join(repo, 'specs', id))
      .filter((f) => f.endsWith('.json'))
      .map((f) => config.identify(f)!.action),
  );
}

describe('regeneration: the user adds a field, an enum value and an action to 2.0.1', () => {
  let root: string;
  let before: Record<string, Record<string, string>>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ocpp-codegen-'));
    cpSync(join(repo, 'codegen/src'), join(root, 'codegen/src'), { recursive: true });
    cpSync(join(repo, 'specs'), join(root, 'specs'), { recursive: true });
    for (const v of VERSIONS)
      cpSync(join(repo, genDir(v.id)), join(root, genDir(v.id)), { recursive: true });
    // What the generated code imports, resolved from the copy as from the repository.
    mkdirSync(join(root, 'node_modules/@ocpp'), { recursive: true });
    symlinkSync(join(repo, 'packages/runtime'), join(root, 'node_modules/@ocpp/runtime'), 'dir');
    const zod = realpathSync(join(repo, byId('ocpp2.0.1').packageDir, 'node_modules/zod'));
    symlinkSync(zod, join(root, 'node_modules/zod'), 'dir');
    before = Object.fromEntries(VERSIONS.map((v) => [v.id, snapshot(join(root, genDir(v.id)))]));
  });

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('the copy is self-contained: --check passes on it as on the repository', () => {
    const run = codegen(root, '--check');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const v of VERSIONS) {
      const files = readdirSync(join(repo, 'specs', v.id)).filter((f) => f.endsWith('.json'));
      expect(run.stdout).toContain(
        `${v.id}: ${actionsInSpecs(v.id).size} actions, ${files.length} messages`,
      );
    }
  });

  it('an action without a direction fails naming version, file and table, and writes nothing', () => {
    const v16 = join(root, 'specs/ocpp1.6');
    const heartbeat = readSchema(join(v16, 'Heartbeat.json'));
    heartbeat.properties.note = { type: 'string', maxLength: 50 };
    writeSchema(join(v16, 'Heartbeat.json'), heartbeat);

    const specs = join(root, 'specs/ocpp2.0.1');
    expect(
      editDefinition(specs, 'ChargingStationType', (d) => {
        d.properties.hardwareRevision = { type: 'string', maxLength: 20 };
      }),
    ).toBeGreaterThan(0);
    expect(editDefinition(specs, 'BootReasonEnumType', (d) => d.enum.push('Maintenance'))).toBe(1);
    const customData = readSchema(join(specs, 'HeartbeatRequest.json')).definitions.CustomDataType;
    writeSchema(join(specs, 'AcmeRebootRequest.json'), {
      $schema: 'http://json-schema.org/draft-06/schema#',
      $id: 'urn:Acme:2024:1:AcmeRebootRequest',
      definitions: { CustomDataType: customData },
      type: 'object',
      additionalProperties: false,
      properties: {
        customData: { $ref: '#/definitions/CustomDataType' },
        delay: { description: 'Seconds to wait before the reboot.', type: 'integer', minimum: 0 },
      },
      required: ['delay'],
    });
    writeSchema(join(specs, 'AcmeRebootResponse.json'), {
      $schema: 'http://json-schema.org/draft-06/schema#',
      $id: 'urn:Acme:2024:1:AcmeRebootResponse',
      definitions: {
        CustomDataType: customData,
        AcmeRebootStatusEnumType: { type: 'string', enum: ['Accepted', 'Rejected'] },
      },
      type: 'object',
      additionalProperties: false,
      properties: {
        customData: { $ref: '#/definitions/CustomDataType' },
        status: { $ref: '#/definitions/AcmeRebootStatusEnumType' },
      },
      required: ['status'],
    });

    const run = codegen(root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^codegen: ocpp2\.0\.1: action AcmeReboot /);
    expect(run.stderr).toContain('specs/ocpp2.0.1/AcmeReboot');
    expect(run.stderr).toContain('V201_* in codegen/src/versions.ts');
    // All or nothing: 1.6 generated fine, and is not written either.
    for (const v of VERSIONS)
      expect(snapshot(join(root, genDir(v.id))), v.id).toEqual(before[v.id]);
  });

  it("with the action in 2.0.1's direction table, 2.0.1 and 1.6 regenerate and 2.1 stays as it was", () => {
    const file = join(root, 'codegen/src/versions.ts');
    const source = readFileSync(file, 'utf8');
    const anchor = 'const V201_CSMS_TO_STATION = [\n';
    expect(source).toContain(anchor);
    writeFileSync(file, source.replace(anchor, `${anchor}  'AcmeReboot',\n`));

    const run = codegen(root);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const files201 = readdirSync(join(repo, 'specs/ocpp2.0.1')).filter((f) => f.endsWith('.json'));
    expect(run.stdout).toContain(
      `ocpp2.0.1: ${actionsInSpecs('ocpp2.0.1').size + 1} actions, ${files201.length + 2} messages`,
    );

    expect(snapshot(join(root, genDir('ocpp2.1')))).toEqual(before['ocpp2.1']);
    const v16 = snapshot(join(root, genDir('ocpp1.6')));
    expect(v16['types.ts']).toMatch(/export interface HeartbeatRequest \{\n[^}]*note\?: string;/);

    const v201 = snapshot(join(root, genDir('ocpp2.0.1')));
    expect(v201['types.ts']).toMatch(
      /export interface ChargingStationType \{[^}]*hardwareRevision\?: string;/,
    );
    expect(v201['enums.ts']).toContain("Maintenance: 'Maintenance',");
    expect(v201['registry.ts']).toContain(
      "AcmeReboot: { request: AcmeRebootRequest; response: AcmeRebootResponse; direction: 'CsmsToStation'; kind: 'CALL' };",
    );
    expect(v201['index.ts']).toContain('AcmeRebootStatusEnumType,');
    expect(codegen(root, '--check').status).toBe(0);
  });

  it('the regenerated 2.0.1 package works: the new action, field and enum value validate and map', async () => {
    const gen = await import(pathToFileURL(join(root, genDir('ocpp2.0.1'), 'index.ts')).href);
    const protocol = gen.v201Protocol;
    expect(protocol.actions.AcmeReboot.direction).toBe('CsmsToStation');
    expect(Object.keys(protocol.actions)).toHaveLength(actionsInSpecs('ocpp2.0.1').size + 1);
    expect(protocol.validate('AcmeReboot', 'request', { delay: 5 }).success).toBe(true);
    expect(protocol.validate('AcmeReboot', 'request', { delay: 'soon' })).toMatchObject({
      success: false,
      errorCode: 'TypeConstraintViolation',
    });
    expect(protocol.validate('AcmeReboot', 'response', { status: 'Maybe' })).toMatchObject({
      success: false,
      errorCode: 'PropertyConstraintViolation',
    });
    const boot = {
      reason: 'Maintenance',
      chargingStation: { model: 'M', vendorName: 'V', hardwareRevision: 'r2' },
    };
    expect(protocol.validate('BootNotification', 'request', boot).success).toBe(true);
    expect(
      protocol.validate('BootNotification', 'request', {
        ...boot,
        chargingStation: { ...boot.chargingStation, hardwareRevision: 'r'.repeat(21) },
      }),
    ).toMatchObject({ success: false, issues: [{ path: '/chargingStation/hardwareRevision' }] });
    expect(protocol.toSnakeCase('BootNotification', 'request', boot)).toEqual({
      reason: 'Maintenance',
      charging_station: { model: 'M', vendor_name: 'V', hardware_revision: 'r2' },
    });
    expect(gen.AcmeRebootRequestSchema.safeParse({ delay: -1 }).success).toBe(false);
  });
});
