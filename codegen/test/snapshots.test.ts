import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/build-model.js';
import { zodType } from '../src/emit/schemas.js';
import { emitInterface } from '../src/emit/types.js';
import { emitValidatorsFile } from '../src/emit/validators.js';
import { loadVersion } from '../src/load.js';
import type { ObjectDef } from '../src/model.js';
import { VERSIONS } from '../src/versions.js';

const root = join(import.meta.dirname, '../..');

/** Generated text of a few real messages, kept as file snapshots so a change shows up in review. */
describe('generated code of real messages', () => {
  const v16 = VERSIONS[0]!;
  const model = buildModel(v16, loadVersion(join(root, 'specs'), v16).files);

  it('1.6 StartTransactionResponse: interface, zod shape and validator', async () => {
    const parts: string[] = [];
    for (const name of ['StartTransactionResponse', 'IdTagInfo']) {
      const def = model.defs.get(name) as ObjectDef;
      parts.push(emitInterface(v16, def));
      parts.push(def.properties.map((p) => `${p.name}: ${zodType(p.type)}`).join('\n'));
    }
    const validators = emitValidatorsFile(v16, model, 0);
    const fn = (name: string) =>
      validators.slice(validators.indexOf(`function v${name}(`)).split('\n}\n')[0];
    parts.push(`${fn('IdTagInfo')}\n}`, `${fn('StartTransactionResponse')}\n}`);
    await expect(parts.join('\n\n')).toMatchFileSnapshot(
      '__snapshots__/v16-start-transaction-response.ts.snap',
    );
  });

  it('2.0.1 HeartbeatRequest and HeartbeatResponse: whole generated interfaces', async () => {
    const v201 = VERSIONS[1]!;
    const m = buildModel(v201, loadVersion(join(root, 'specs'), v201).files);
    const text = ['HeartbeatRequest', 'HeartbeatResponse', 'CustomDataType']
      .map((n) => emitInterface(v201, m.defs.get(n) as ObjectDef))
      .join('\n');
    await expect(text).toMatchFileSnapshot('__snapshots__/v201-heartbeat.ts.snap');
  });
});
