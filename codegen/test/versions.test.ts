/**
 * The direction tables of `src/versions.ts` against `specs/` and the generated registries, with
 * every count derived from the schema files, and the errors a user meets when table and schemas
 * disagree.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDescriptor } from '@ocpp/runtime';
import { v16Actions } from '@ocpp/v16-core';
import { v21Actions } from '@ocpp/v21-core';
import { v201Actions } from '@ocpp/v201-core';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/build-model.js';
import { generateVersion } from '../src/generate.js';
import { VERSIONS, type VersionConfig } from '../src/versions.js';

const root = join(import.meta.dirname, '../..');
const registries: Record<VersionConfig['id'], Record<string, ActionDescriptor>> = {
  'ocpp1.6': v16Actions,
  'ocpp2.0.1': v201Actions,
  'ocpp2.1': v21Actions,
};
const schemaFiles = (config: VersionConfig) =>
  readdirSync(join(root, 'specs', config.id)).filter((f) => f.endsWith('.json'));

for (const config of VERSIONS) {
  describe(`${config.id}: direction table, schemas and generated registry agree`, () => {
    const files = schemaFiles(config);
    const actions = new Set(files.map((f) => config.identify(f)!.action));
    const registry = registries[config.id];

    it('the table lists exactly the actions the schema files name', () => {
      expect([...config.listedActions()].sort()).toEqual([...actions].sort());
    });

    it('the registry has every action, with the direction of the table and one schema per message', () => {
      expect(Object.keys(registry).sort()).toEqual([...actions].sort());
      for (const a of actions) expect(registry[a]!.direction, a).toBe(config.directionOf(a));
      const messages = Object.values(registry).flatMap((a) =>
        a.response === undefined ? [a.request.name] : [a.request.name, a.response.name],
      );
      expect(messages.length).toBe(files.length);
      const send = Object.values(registry).filter((a) => a.kind === 'SEND');
      expect(send.map((a) => a.name).sort()).toEqual([...config.sendActions].sort());
    });
  });
}

describe('direction tables across versions', () => {
  const [, v201, v21] = VERSIONS as [VersionConfig, VersionConfig, VersionConfig];

  it('2.0.1 and 2.1 give every action they share the same direction', () => {
    const shared = v201.listedActions().filter((a) => v21.directionOf(a) !== undefined);
    expect(shared.length).toBeGreaterThan(0);
    const differ = shared.filter((a) => v201.directionOf(a) !== v21.directionOf(a));
    expect(differ).toEqual([]);
  });

  it("an action only in 2.0.1's table is not a 2.1 action (2.1 states its own lists)", () => {
    const only201 = schemaFiles(v201)
      .map((f) => v201.identify(f)!.action)
      .filter((a) => !schemaFiles(v21).some((f) => v21.identify(f)?.action === a));
    for (const a of only201) expect(v21.directionOf(a), a).toBeUndefined();
  });

  it('each version names its own table in errors', () => {
    expect(VERSIONS.map((v) => v.directionTable)).toEqual([
      'V16_* in codegen/src/versions.ts',
      'V201_* in codegen/src/versions.ts',
      'V21_* in codegen/src/versions.ts',
    ]);
  });
});

describe('errors name the version and the file', () => {
  const v201 = VERSIONS[1]!;
  const empty: object = { type: 'object', additionalProperties: false, properties: {} };
  const files = (names: string[]) => new Map(names.map((n): [string, object] => [n, empty]));

  it('an action in the table without a schema', () => {
    const config = { ...v201, listedActions: () => ['Heartbeat', 'Ghost'] };
    expect(() =>
      buildModel(config, files(['HeartbeatRequest.json', 'HeartbeatResponse.json'])),
    ).toThrow(
      'ocpp2.0.1: action Ghost is in the ocpp2.0.1 direction table (V201_* in codegen/src/versions.ts) but specs/ocpp2.0.1/ has no schema for it',
    );
  });

  it('a schema without its pair', () => {
    expect(() => buildModel(v201, files(['HeartbeatRequest.json']))).toThrow(
      'ocpp2.0.1: action Heartbeat: specs/ocpp2.0.1/HeartbeatRequest.json has no response schema beside it',
    );
  });

  it('a schema error, with its pointer', () => {
    const bad: object = { type: 'object', properties: { x: { type: 'string', format: 'email' } } };
    expect(() =>
      buildModel(
        v201,
        new Map([
          ['HeartbeatRequest.json', bad],
          ['HeartbeatResponse.json', empty],
        ]),
      ),
    ).toThrow(
      'ocpp2.0.1: unsupported format "email" at specs/ocpp2.0.1/HeartbeatRequest.json#/properties/x',
    );
  });

  it('a file that names no message', () => {
    expect(() => buildModel(v201, files(['notes.json']))).toThrow(
      'ocpp2.0.1: specs/ocpp2.0.1/notes.json: file name does not name an OCPP 2.0.1 message',
    );
  });

  it('an unreadable schema file, from the generator', () => {
    const config = { ...v201, id: 'ocpp2.0.1' as const };
    expect(() => generateVersion(join(root, 'no-such-root'), config)).toThrow(/^ocpp2\.0\.1: /);
  });
});
